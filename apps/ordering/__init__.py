"""Orders and their workflow. Reaches products only through `apps.catalog.interface`."""

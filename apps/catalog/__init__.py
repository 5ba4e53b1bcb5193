"""Products and their stock. Other apps use `apps.catalog.interface` and nothing else."""

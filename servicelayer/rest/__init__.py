"""REST delivery: one way for a DRF view to call a service (see `views`)."""

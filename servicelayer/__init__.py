"""servicelayer: a small toolkit for Django projects built around application services.

It knows nothing of any shop. It gives a project:

- service errors (`servicelayer.errors`) that every delivery maps the same way;
- typed inputs (`servicelayer.dto.DTO`, a frozen Pydantic model that validates itself);
- a registry (`servicelayer.registry.service`) where each service declares its actor, its input
  and the errors it may raise, and which authorizes the acting user before the service runs;
- three deliveries that call a service the same way: REST (`servicelayer.rest`), the
  `manage.py call` command, and a Celery task (`servicelayer.tasks.run_service`);
- the service catalog (`manage.py services`, and `/api/services/`).
"""

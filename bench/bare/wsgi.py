import os
from typing import Any

from django.core.wsgi import get_wsgi_application
from django.db.backends.signals import connection_created

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bare.settings"
application = get_wsgi_application()


def _setup(sender: Any, connection: Any, **kwargs: Any) -> None:
    from bench.bare.views import trigram_setup

    with connection.cursor() as db:
        trigram_setup(db)


# once per connection the floor opens (it keeps them: CONN_MAX_AGE), not per request
connection_created.connect(_setup)

import sys
from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicelayer import jsonutil
from servicelayer.errors import InvalidInput, ServiceError
from servicelayer.registry import registry
from servicelayer.users import user_by_username

EXIT_CODES = {"invalid": 2}


class Command(BaseCommand):
    help = (
        "Run a registered service: manage.py call SERVICE --input '{json}' [--as USERNAME]. "
        "Input is validated exactly as the API validates it; the result is printed as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("service", help="The service's name (see manage.py services).")
        parser.add_argument("--input", default="{}", help="The input as a JSON object.")
        parser.add_argument(
            "--as", dest="username", default=None, help="Act as this user (default: the system)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            spec = registry.get(options["service"])
            try:
                data = orjson.loads(options["input"])
            except orjson.JSONDecodeError as exc:
                raise InvalidInput(f"--input is not valid JSON: {exc}") from None
            actor = user_by_username(options["username"]) if options["username"] else None
            result = spec.call(actor=actor, data=data)
        except ServiceError as exc:
            sys.stderr.write(jsonutil.dumps(exc.as_body(), indent=True).decode() + "\n")
            raise CommandError(exc.message, returncode=EXIT_CODES.get(exc.code, 1)) from None
        self.stdout.write(jsonutil.dumps(result, indent=True).decode())

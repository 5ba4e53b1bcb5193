from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from servicelayer import jsonutil
from servicelayer.catalog import as_text, catalog


class Command(BaseCommand):
    help = (
        "Print the service catalog: every service and every read-only query, per role, with "
        "its input, result and errors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the catalog as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["json"]:
            self.stdout.write(jsonutil.dumps(catalog(), indent=True).decode())
        else:
            self.stdout.write(as_text())

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.accounts.dto import NewUser
from apps.accounts.services import user_create
from servicelayer import jsonutil
from servicelayer.dto import validate_input
from servicelayer.errors import ServiceError

EXIT_CODES = {"invalid": 2}  # as `manage.py call`


class Command(BaseCommand):
    help = (
        "Create a user and print their API token (for deployments, load and smoke tests). "
        "The password must pass the configured password validators."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--merchant", action="store_true", help="Make the user staff.")

    def handle(self, *args: Any, **options: Any) -> None:
        data = {
            "username": options["username"],
            "password": options["password"],
            "email": options["email"],
            "is_staff": options["merchant"],
        }
        try:
            user = user_create(data=validate_input(NewUser, data))
        except ServiceError as exc:
            self.stderr.write(jsonutil.dumps(exc.as_body(), indent=True).decode())
            raise CommandError(
                f"{exc.code}: {exc.message} {exc.fields or ''}".strip(),
                returncode=EXIT_CODES.get(exc.code, 1),
            ) from None
        self.stdout.write(f"{user.username} token: {user.token}")

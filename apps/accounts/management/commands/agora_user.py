from typing import Any

from django.core.management.base import CommandParser

from apps.accounts.dto import NewUser
from apps.accounts.services import user_create
from servicelayer.dto import validate_input
from servicelayer.management.base import ServiceCommand, exit_codes_help


class Command(ServiceCommand):
    help = (
        "Create a user and print their API token (for deployments, load and smoke tests). "
        "The password must pass the configured password validators. An error prints the API's "
        f"error body on stderr and exits as `manage.py call` does: {exit_codes_help()}."
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
        user = user_create(data=validate_input(NewUser, data))  # the CLI's untrusted input
        self.stdout.write(f"{user.username} token: {user.token}")

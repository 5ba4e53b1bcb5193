"""`manage.py call SERVICE --input JSON [--as USERNAME]`: run one service, as the API would."""

import difflib
from typing import Any

import orjson
from django.core.management.base import CommandParser

from servicelayer import jsonutil
from servicelayer.errors import InvalidInput, NotFound
from servicelayer.management.base import ServiceCommand, exit_codes_help
from servicelayer.registry import ServiceSpec, registry
from servicelayer.users import user_by_username


class ServiceNotFound(NotFound):
    code = "service_not_found"
    default_message = "There is no such service."


class ActingUserNotFound(NotFound):
    code = "user_not_found"
    default_message = "There is no such user to act as."


def _service(name: str) -> ServiceSpec:
    try:
        return registry.get(name)
    except NotFound:
        names = [spec.name for spec in registry]
        raise ServiceNotFound(
            f"There is no service named {name!r}; `manage.py services` lists them.",
            details={"did_you_mean": difflib.get_close_matches(name, names, n=3)},
        ) from None


def _user(username: str) -> Any:
    try:
        return user_by_username(username)
    except NotFound:
        raise ActingUserNotFound(
            f"There is no user {username!r} to act as (--as).", details={"username": username}
        ) from None


class Command(ServiceCommand):
    help = (
        "Run a registered service: manage.py call SERVICE --input '{json}' [--as USERNAME]. "
        "Input is validated exactly as the API validates it; the result is printed as JSON. "
        "An error prints the API's error body on stderr and exits with the code of its kind: "
        f"{exit_codes_help()}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("service", help="The service's name (see manage.py services).")
        parser.add_argument("--input", default="{}", help="The input as a JSON object.")
        parser.add_argument(
            "--as", dest="username", default=None, help="Act as this user (default: the system)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        spec = _service(options["service"])
        try:
            data = orjson.loads(options["input"])
        except orjson.JSONDecodeError as exc:
            raise InvalidInput(f"--input is not valid JSON: {exc}") from None
        actor = _user(options["username"]) if options["username"] else None
        result = spec.call(actor=actor, data=data)
        self.stdout.write(jsonutil.dumps(result, indent=True).decode())

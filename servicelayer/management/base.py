"""What every command that runs services shares: a service error is told as the API tells it.

The one error body goes to stderr, once and alone, and the process exits with the code of the
error's *kind*, never of its code, so a new error needs no new mapping (REST maps kinds to
statuses the same way, in servicelayer.rest.errors):

    0 done              3 not authenticated   6 conflict            9 unavailable
    1 another error     4 forbidden           7 payment required
    2 invalid input     5 not found           8 unprocessable

A bug is not a service error: it ends with Python's traceback (exit 1), as it should.
"""

import re
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from servicelayer import jsonutil
from servicelayer.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PaymentRequired,
    ServiceError,
    Unavailable,
    Unprocessable,
    kind_of,
)

EXIT_CODE_BY_KIND: dict[type[ServiceError], int] = {
    InvalidInput: 2,  # also what argparse exits with for a bad command line
    NotAuthenticated: 3,
    Forbidden: 4,
    NotFound: 5,
    Conflict: 6,
    PaymentRequired: 7,
    Unprocessable: 8,
    Unavailable: 9,
}
UNKNOWN_EXIT_CODE = 1


def exit_code_of(error: type[ServiceError]) -> int:
    return EXIT_CODE_BY_KIND.get(kind_of(error), UNKNOWN_EXIT_CODE)


def exit_codes_help() -> str:
    """The table above as one line of help text: "0 done, 1 another error, 2 invalid input"."""
    kinds = (
        f"{code} {re.sub(r'(?<!^)(?=[A-Z])', ' ', kind.__name__).lower()}"
        for kind, code in sorted(EXIT_CODE_BY_KIND.items(), key=lambda item: item[1])
    )
    return ", ".join([f"0 done, {UNKNOWN_EXIT_CODE} another error", *kinds])


class ServiceCommandError(CommandError):
    """A service error seen by a Python caller of `call_command`: its message is the error
    body as JSON (already written to the command's stderr), `returncode` the exit code."""

    def __init__(self, error: ServiceError) -> None:
        super().__init__(
            jsonutil.dumps(error.as_body()).decode(), returncode=exit_code_of(type(error))
        )
        self.error = error


class ServiceCommand(BaseCommand):
    """A command whose service errors end it as the module docstring says.

    From the command line it exits at once: raising a CommandError would make Django print
    the message a second time. Called from Python (`call_command`) it raises
    ServiceCommandError, which says the same."""

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except ServiceError as error:
            body = jsonutil.dumps(error.as_body(), indent=True).decode()
            self.stderr.write(body, style_func=lambda text: text)  # JSON, never colored
            if getattr(self, "_called_from_command_line", False):  # set by run_from_argv
                sys.exit(exit_code_of(type(error)))
            raise ServiceCommandError(error) from None

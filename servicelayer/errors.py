"""Service errors: the only exceptions a service raises on purpose.

Each kind (not found, conflict, ...) is one class; an app subclasses a kind to give an error its
own machine-readable `code` (`class OutOfStock(Conflict): code = "out_of_stock"`). Deliveries map
the kind, never the code: REST to an HTTP status, the CLI to an exit code, so a new error needs no
new mapping anywhere.
"""

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar


class ServiceError(Exception):
    """Base of all service errors.

    `fields` carries per-field messages, `details` structured data for clients. An error
    class with `transient = True` says the state it reports may change soon (something is
    still in flight): the answer holds for now, not for good, so an idempotency key does not
    keep it as its final answer."""

    code: ClassVar[str] = "error"
    default_message: ClassVar[str] = "The request could not be completed."
    transient: ClassVar[bool] = False

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: Mapping[str, Sequence[str]] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.fields = {k: list(v) for k, v in (fields or {}).items()}
        self.details = dict(details or {})
        super().__init__(self.message)

    def as_body(self) -> dict[str, Any]:
        """The project's one error body."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        if self.details:
            error["details"] = self.details
        return {"error": error}


class InvalidInput(ServiceError):
    code = "invalid"
    default_message = "The input is not valid."


class NotAuthenticated(ServiceError):
    code = "not_authenticated"
    default_message = "Authentication credentials were not provided or are not valid."


class Forbidden(ServiceError):
    code = "forbidden"
    default_message = "You do not have permission to perform this action."


class PaymentRequired(ServiceError):
    code = "payment_required"
    default_message = "The payment did not go through."


class NotFound(ServiceError):
    code = "not_found"
    default_message = "Not found."


class Conflict(ServiceError):
    code = "conflict"
    default_message = "The request conflicts with the current state."


class Unprocessable(ServiceError):
    code = "unprocessable"
    default_message = "The request is well-formed but cannot be processed as given."


class Unavailable(ServiceError):
    code = "unavailable"
    default_message = "A service this action depends on is unavailable; try again later."


ERROR_KINDS: tuple[type[ServiceError], ...] = (
    InvalidInput,
    NotAuthenticated,
    PaymentRequired,
    Forbidden,
    NotFound,
    Conflict,
    Unprocessable,
    Unavailable,
)


def kind_of(error: type[ServiceError]) -> type[ServiceError]:
    """The kind (one of ERROR_KINDS) an error class belongs to."""
    for kind in error.__mro__:
        if kind in ERROR_KINDS:
            return kind
    return ServiceError

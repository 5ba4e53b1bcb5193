"""Typed service inputs.

A DTO is a frozen Pydantic model: it is the service's input type and its own validator, so the
REST view, the CLI and the Celery task validate input with the same rules and the same messages.
Every field is bounded (lengths, ranges) so bad input stops here, never at the database.
"""

from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails

from servicelayer.errors import InvalidInput

# The largest value a PostgreSQL integer column takes: ids beyond it are a 400, not a DataError.
MAX_DB_INT = 2_147_483_647

M = TypeVar("M", bound=BaseModel)

Id = Annotated[int, Field(ge=1, le=MAX_DB_INT, strict=False)]


class DTO(BaseModel):
    """Base of every service input: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    """Base of service results and response schemas: plain data, immutable."""

    model_config = ConfigDict(frozen=True)


def _message(error: ErrorDetails) -> str:
    if error["type"] == "extra_forbidden":
        return "Unknown field."
    raised = error.get("ctx", {}).get("error")
    if error["type"] in ("value_error", "assertion_error") and isinstance(raised, Exception):
        # a validator's own words, without Pydantic's "Value error, " / "Assertion failed, "
        return str(raised) or "The value is not valid."
    return error["msg"]


def field_errors(exc: PydanticValidationError) -> dict[str, list[str]]:
    """Pydantic's errors as {"field.path": [messages]}; errors on the whole input under
    "non_field_errors", as DRF names them. A validator's message reads as its author wrote it."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in error["loc"]) or "non_field_errors"
        fields.setdefault(loc, []).append(_message(error))
    return fields


def _has_nul(data: Any) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_has_nul(key) or _has_nul(value) for key, value in data.items())
    if isinstance(data, (list, tuple)):
        return any(_has_nul(item) for item in data)
    return False


def validate_input(model: type[M], data: Any) -> M:
    """Build `model` from untrusted data, raising InvalidInput with per-field messages.

    Text with a NUL character is refused outright: PostgreSQL can store it neither in a text
    column nor in JSON, and no field of ours has a use for it."""
    if isinstance(data, model):
        return data
    if _has_nul(data):
        raise InvalidInput(fields={"non_field_errors": ["Text may not contain NUL characters."]})
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise InvalidInput(fields=field_errors(exc)) from None

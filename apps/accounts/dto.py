from datetime import datetime
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import AfterValidator, Field

from servicelayer.dto import DTO, Id, Output

TokenName = Field(
    default="", max_length=100, description="A name to tell the token apart, e.g. the device."
)


def _email(value: str) -> str:
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError("Enter a valid e-mail address.") from None
    return value


Email = Annotated[str, Field(min_length=3, max_length=254), AfterValidator(_email)]
Username = Annotated[str, Field(min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")]
Password = Annotated[str, Field(min_length=1, max_length=128)]
# uid: the user's id in base 64; token: Django's token generator's, "<timestamp>-<hmac>"
LinkUid = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[\w-]+$")]
LinkToken = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w-]+$")]


class Credentials(DTO):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=128)
    token_name: str = TokenName


class NewUser(DTO):
    """A user created by an operator. The password must pass the configured validators
    (AUTH_PASSWORD_VALIDATORS: length, similarity to the username, common, numeric)."""

    username: str = Field(min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    password: str = Field(min_length=1, max_length=128)
    email: str = Field(default="", max_length=254)
    is_staff: bool = Field(default=False, description="A merchant (staff) rather than a customer.")


class NewToken(DTO):
    """A token an operator issues for an existing user."""

    username: str = Field(min_length=1, max_length=150)
    name: str = TokenName


class TokenRef(DTO):
    token_id: Id


class TokenQuery(DTO):
    page_size: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=512)


class TokenOut(Output):
    """A fresh sign-in: the key is shown here once and never again."""

    token: str
    token_id: int
    expires_at: datetime | None
    username: str
    is_staff: bool


class IssuedTokenOut(Output):
    id: int
    name: str
    token: str = Field(description="The key, shown this once.")
    expires_at: datetime | None


class ApiTokenOut(Output):
    """One of your tokens (never its key: `prefix` is its first characters)."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class UserOut(Output):
    id: int
    username: str
    is_staff: bool
    token: str


class NewAccount(DTO):
    """A customer's own registration. The password must pass the password validators."""

    username: Username
    email: Email
    password: Password


class ActivationLink(DTO):
    """The `uid` and `token` of the link in an activation e-mail."""

    uid: LinkUid
    token: LinkToken


class PasswordChange(DTO):
    old_password: Password
    new_password: Password


class PasswordResetRequest(DTO):
    email: Email


class PasswordReset(DTO):
    """The `uid` and `token` of the link in a password reset e-mail, and the new password."""

    uid: LinkUid
    token: LinkToken
    new_password: Password


class AccountRequestOut(Output):
    """What registration and reset requests answer, whatever the outcome (so that nobody
    learns from it whether a username or an address is known)."""

    detail: str

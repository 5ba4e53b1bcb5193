from datetime import datetime

from pydantic import Field

from servicelayer.dto import DTO, Id, Output

TokenName = Field(
    default="", max_length=100, description="A name to tell the token apart, e.g. the device."
)


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

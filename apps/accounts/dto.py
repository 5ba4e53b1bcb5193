from pydantic import Field

from servicelayer.dto import DTO, Output


class Credentials(DTO):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=128)


class NewUser(DTO):
    """A user created by an operator."""

    username: str = Field(min_length=1, max_length=150, pattern=r"^[\w.@+-]+$")
    password: str = Field(min_length=8, max_length=128)
    email: str = Field(default="", max_length=254)
    is_staff: bool = Field(default=False, description="A merchant (staff) rather than a customer.")


class TokenOut(Output):
    token: str
    username: str
    is_staff: bool


class UserOut(Output):
    id: int
    username: str
    is_staff: bool
    token: str

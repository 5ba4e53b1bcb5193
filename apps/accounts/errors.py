from servicelayer.errors import Conflict, InvalidInput, NotAuthenticated, NotFound


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    default_message = "The username or password is not correct."


class UsernameTaken(Conflict):
    code = "username_taken"
    default_message = "A user with this username already exists."


class TokenNotFound(NotFound):
    code = "token_not_found"
    default_message = "You have no such token."


class InvalidLink(InvalidInput):
    code = "invalid_link"
    default_message = (
        "This link is not valid: it has expired, has been used already, or was not copied whole."
    )


class PasswordInvalid(InvalidInput):
    """The password validators' messages are in `fields`, under the password's field."""

    code = "password_invalid"
    default_message = "The password does not meet the password rules."


class PasswordIncorrect(InvalidInput):
    code = "password_incorrect"
    default_message = "The current password is not correct."

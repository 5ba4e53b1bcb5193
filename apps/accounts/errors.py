from servicelayer.errors import Conflict, NotAuthenticated, NotFound


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    default_message = "The username or password is not correct."


class UsernameTaken(Conflict):
    code = "username_taken"
    default_message = "A user with this username already exists."


class TokenNotFound(NotFound):
    code = "token_not_found"
    default_message = "You have no such token."

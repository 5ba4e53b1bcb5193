from servicelayer.errors import Unavailable


class MailServerUnavailable(Unavailable):
    code = "mail_server_unavailable"
    default_message = "The mail server could not take the e-mail; it will be sent later."

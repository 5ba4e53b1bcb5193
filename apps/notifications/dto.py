from pydantic import Field

from servicelayer.dto import DTO, Id, Output


class MailRef(DTO):
    mail_id: Id


class MailSent(Output):
    sent: int = Field(description="1 if this call sent the mail; 0 if it was not for sending.")


class MailsDue(Output):
    sent: list[int] = Field(description="Mails sent by this run.")
    failed: list[int] = Field(description="Mails that failed again: tried later, or given up.")

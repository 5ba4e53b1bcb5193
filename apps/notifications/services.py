"""Sending the mails that events call for. An event's handler (handlers.py) only writes the
mail's row, in the relay's transaction, and enqueues `mail_send` for after that commits; the
mail server is talked to here, outside any transaction.

A mail is claimed before it is sent, by one conditional update (queued, or sending for longer
than SENDING_TIMEOUT, becomes sending), so two workers never both send it; it is marked sent
after. One the server refused goes back to queued with its error, due again after a backoff,
and `mail_send_due` (a periodic job) sends it then, as it sends a mail whose task was lost or
whose worker died while sending. After MAX_ATTEMPTS a mail is given up (failed). A worker that
dies after the server took the mail and before marking it sent makes it go out again after the
timeout: its Message-ID, derived from the event, is the same, so receivers can drop it.

An account mail gets its one-time link when it is sent (compose.at_send); one whose link no
longer applies then (the account activated or deactivated meanwhile) is skipped, not sent."""

import logging
from datetime import timedelta
from smtplib import SMTPException

from django.db.models import F, Q
from django.utils import timezone

from apps.notifications.compose import at_send
from apps.notifications.dto import MailRef, MailsDue, MailSent
from apps.notifications.errors import MailServerUnavailable
from apps.notifications.models import MailStatus, OutgoingMail
from apps.notifications.render import render
from apps.roles import SYSTEM
from servicelayer.registry import service

logger = logging.getLogger(__name__)

# Longer than any send could take (keep EMAIL_TIMEOUT below it): a mail still sending after
# this was left by a worker that died, and is sent again.
SENDING_TIMEOUT = timedelta(minutes=10)
# A new mail's task, enqueued on commit, comes first; the periodic job only after this.
FIRST_DUE_AFTER = timedelta(minutes=2)
RETRY_AFTER = timedelta(minutes=1)  # doubling with each attempt, up to RETRY_AFTER_MAX
RETRY_AFTER_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 8
DUE_BATCH = 50
MAX_ERROR = 500
SERVER_ERRORS = (SMTPException, OSError)  # refused, unreachable, timed out


def retry_after(attempts: int) -> timedelta:
    return min(RETRY_AFTER_MAX, RETRY_AFTER * 2 ** max(0, attempts - 1))


def _claim(mail_id: int) -> OutgoingMail | None:
    """Take the mail for sending (one UPDATE decides between workers); None if it is not for
    sending (sent, skipped, given up, or being sent by another worker)."""
    now = timezone.now()
    # a mail the server refused waits out its backoff (due_at), whoever asks: Celery's own
    # retries of the task must not spend its attempts in minutes
    claimable = (
        Q(status=MailStatus.QUEUED, attempts=0)
        | Q(status=MailStatus.QUEUED, due_at__lte=now)
        | Q(status=MailStatus.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
    )
    claimed = OutgoingMail.objects.filter(claimable, pk=mail_id).update(
        status=MailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return OutgoingMail.objects.get(pk=mail_id) if claimed else None


def _give_back(mail: OutgoingMail, error: Exception) -> None:
    """The attempt failed: queued again, due after a backoff (or given up), unless another
    worker has claimed it meanwhile."""
    gave_up = mail.attempts >= MAX_ATTEMPTS
    OutgoingMail.objects.filter(
        pk=mail.pk, status=MailStatus.SENDING, claimed_at=mail.claimed_at
    ).update(
        status=MailStatus.FAILED if gave_up else MailStatus.QUEUED,
        due_at=timezone.now() + retry_after(mail.attempts),
        last_error=f"{type(error).__name__}: {error}"[:MAX_ERROR],
    )


def _skip_at_send(mail: OutgoingMail) -> None:
    OutgoingMail.objects.filter(pk=mail.pk, status=MailStatus.SENDING).update(
        status=MailStatus.SKIPPED, skip_reason="Its link no longer applies: not sent."
    )


def send_mail(mail_id: int) -> bool:
    """Claim, render and send one mail, then mark it sent; whether this call sent it."""
    mail = _claim(mail_id)
    if mail is None:
        return False
    try:
        context = at_send(mail.template, mail.context)
        if context is None:
            _skip_at_send(mail)
            return False
        message = render(
            event_id=mail.event_id, template=mail.template, to=mail.to, context=context
        )
        message.send()
    except Exception as error:
        _give_back(mail, error)
        if isinstance(error, SERVER_ERRORS):
            raise MailServerUnavailable(details={"mail_id": mail.pk}) from error
        raise  # a bug (a template): the row waits for the fix, the traceback goes to the log
    OutgoingMail.objects.filter(pk=mail.pk, status=MailStatus.SENDING).update(
        status=MailStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


@service(role=SYSTEM, errors=[MailServerUnavailable], outside=True)  # SMTP: no transaction
def mail_send(*, data: MailRef) -> MailSent:
    """Send one queued e-mail (a task: an event's handler enqueues it once the event is
    handled). A mail sent already, or being sent by another worker, is not sent again; one
    the mail server refuses is queued again for `mail_send_due`."""
    return MailSent(sent=int(send_mail(data.mail_id)))


@service(role=SYSTEM, outside=True)
def mail_send_due() -> MailsDue:
    """Send the e-mails that are due (a periodic job): those the mail server refused, once
    their backoff is over, those whose task never ran, and those a dead worker left sending.
    A run stops at the first refusal of the mail server: the rest wait for the next run."""
    now = timezone.now()
    due = (
        OutgoingMail.objects.filter(
            Q(status=MailStatus.QUEUED, due_at__lte=now)
            | Q(status=MailStatus.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
        )
        .order_by("id")
        .values_list("pk", flat=True)[:DUE_BATCH]
    )
    sent: list[int] = []
    failed: list[int] = []
    for mail_id in list(due):
        try:
            if send_mail(mail_id):
                sent.append(mail_id)
        except MailServerUnavailable:
            failed.append(mail_id)
            break
        except Exception:
            logger.exception("mail failed", extra={"mail_id": mail_id})
            failed.append(mail_id)
    return MailsDue(sent=sent, failed=failed)

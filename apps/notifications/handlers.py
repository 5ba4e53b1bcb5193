"""The mails events call for. A handler runs inside the relay's transaction, so it never
sends: it writes the mail's row (once per event and template: the delivery's dedup, and a
unique constraint behind it) with what the mail will show, and enqueues `mail_send` for after
the relay's transaction commits. A mail that cannot go (no owner, no address, the subject gone)
is a row skipped with its reason, so that the event's history says why nothing was sent.

A mail goes to the event's owner; an event with no owner may name its recipient in its
payload (`email`, `username`): "choose another username" goes to an address that has no
account. Account mails' links are made when they are sent (compose.at_send)."""

from datetime import timedelta

from django.utils import timezone

from apps.accounts.interface import Contact, contact_of
from apps.notifications import compose
from apps.notifications.compose import Composer, Context
from apps.notifications.dto import MailRef
from apps.notifications.models import MailStatus, OutgoingMail
from apps.notifications.services import FIRST_DUE_AFTER, mail_send
from servicelayer import events
from servicelayer.events import EventData, Handler
from servicelayer.tasks import enqueue

# (event kind, template, composer): the templates are notifications/email/<template>*
MAILS: tuple[tuple[str, str, Composer], ...] = (
    ("order.placed", "order_confirmation", compose.order_confirmation),
    ("order.confirmed", "order_confirmation", compose.order_confirmation),
    ("order.paid", "payment_receipt", compose.payment_receipt),
    ("order.shipped", "order_shipped", compose.order_shipped),
    ("order.canceled", "order_canceled", compose.order_canceled),
    ("order.refunded", "order_refunded", compose.order_refunded),
    ("booking.confirmed", "booking_confirmed", compose.booking),
    ("booking.failed", "booking_failed", compose.booking),
    ("booking.canceled", "booking_canceled", compose.booking),
    ("booking.canceled_by_supplier", "booking_canceled", compose.booking),
    ("account.registration_asked", "account_activation", compose.account),
    ("account.registration_repeated", "account_already_registered", compose.account),
    ("account.username_taken", "account_username_taken", compose.username_taken),
    ("account.password_reset_asked", "account_password_reset", compose.account),
)


def queue_mail(event: EventData, template: str, composer: Composer) -> OutgoingMail:
    """Write the mail `template` for `event` (or find it written) and, if it is to go, have
    `mail_send` send it once this transaction commits."""
    existing = OutgoingMail.objects.filter(event_id=event.id, template=template).first()
    if existing is not None:
        return existing
    contact = _recipient(event)
    context = composer(event)
    reason = _skip_reason(event, contact, context)
    mail = OutgoingMail.objects.create(
        event_id=event.id,
        template=template,
        to=contact.email if contact else "",
        context={"username": contact.username, **context} if contact and context else {},
        status=MailStatus.SKIPPED if reason else MailStatus.QUEUED,
        skip_reason=reason,
        due_at=timezone.now() + (timedelta(0) if reason else FIRST_DUE_AFTER),
    )
    if not reason:
        enqueue(mail_send, data=MailRef(mail_id=mail.pk))  # on the relay's commit
    return mail


def _recipient(event: EventData) -> Contact | None:
    """The event's owner; for an event with no owner, the address its payload names."""
    if event.owner_id is not None:
        return contact_of(event.owner_id)
    if event.payload.get("email"):
        return Contact(email=event.payload["email"], username=event.payload.get("username", ""))
    return None


def _skip_reason(event: EventData, contact: Contact | None, context: Context | None) -> str:
    if event.owner_id is None and contact is None:
        return "The event names no owner."
    if contact is None:
        return f"The owner (user {event.owner_id}) is not found."
    if not contact.email:
        return "The owner has no e-mail address."
    if context is None:
        return f"The {event.subject} {event.subject_id} is not found."
    return ""


def _handler(template: str, composer: Composer) -> Handler:
    def handle(event: EventData) -> None:
        queue_mail(event, template, composer)

    handle.__name__ = handle.__qualname__ = f"mail_{template}"
    return handle


# made once: registering the same functions again (a second ready()) changes nothing
HANDLERS: tuple[tuple[str, str, Handler], ...] = tuple(
    (kind, f"mail.{template}", _handler(template, composer)) for kind, template, composer in MAILS
)


def register_handlers() -> None:
    for kind, name, handle in HANDLERS:
        events.handlers.register(kind, name, handle)

"""Sending: each mail once, whatever runs twice; a mail server that refuses leaves the mail
queued for the periodic job, and the event published (its handler only queued the mail)."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from apps.notifications.dto import MailRef
from apps.notifications.models import MailStatus, OutgoingMail
from apps.notifications.services import MAX_ATTEMPTS, SENDING_TIMEOUT, mail_send, mail_send_due
from apps.ordering.dto import NewOrder
from apps.ordering.services import order_place
from servicelayer.events import event_relay
from servicelayer.models import Event, EventDelivery


class RefusingBackend(BaseEmailBackend):
    """A mail server that hangs up on every message."""

    def send_messages(self, email_messages: Any) -> int:
        raise SMTPServerDisconnected("Connection unexpectedly closed")


REFUSING = f"{__name__}.RefusingBackend"


@pytest.fixture
def placed(customer, make_product, relayed):
    """An order placed and its event relayed: one confirmation mail sent."""
    product = make_product("Tea", price="4.20", stock=5)

    def place() -> Any:
        with relayed():
            return order_place(actor=customer, data=NewOrder(product_id=product.pk, quantity=1))

    return place


def make_due(**changes: Any) -> None:
    OutgoingMail.objects.update(due_at=timezone.now() - timedelta(seconds=1), **changes)


def test_a_relay_run_again_sends_nothing_again(placed, relayed):
    placed()
    assert len(mail.outbox) == 1
    with relayed():
        event_relay()
    # even an event published again, its delivery record lost, makes no second mail
    Event.objects.update(published_at=None)
    EventDelivery.objects.all().delete()
    with relayed():
        assert event_relay().published == 1
    assert len(mail.outbox) == 1
    assert OutgoingMail.objects.count() == 1


def test_mail_send_twice_for_one_mail_sends_it_once(placed):
    placed()
    row = OutgoingMail.objects.get()
    assert row.status == MailStatus.SENT
    assert mail_send(data=MailRef(mail_id=row.pk)).sent == 0
    make_due()
    assert mail_send_due().sent == []
    assert len(mail.outbox) == 1


def test_a_mail_being_sent_is_not_sent_by_another_worker(placed, settings):
    settings.EMAIL_BACKEND = REFUSING
    placed()
    OutgoingMail.objects.update(status=MailStatus.SENDING, claimed_at=timezone.now())
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    row = OutgoingMail.objects.get()
    assert mail_send(data=MailRef(mail_id=row.pk)).sent == 0
    make_due()
    assert mail_send_due().sent == []
    assert mail.outbox == []


def test_a_refused_mail_stays_queued_for_the_job_and_the_event_is_published(placed, settings):
    settings.EMAIL_BACKEND = REFUSING
    placed()
    assert mail.outbox == []
    assert Event.objects.get().published_at is not None
    row = OutgoingMail.objects.get()
    assert (row.status, row.attempts) == (MailStatus.QUEUED, 1)
    assert row.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert row.due_at > timezone.now()  # a backoff first
    # the task retried at once (Celery, with a broker) waits out the backoff: no attempt spent
    assert mail_send(data=MailRef(mail_id=row.pk)).sent == 0
    row.refresh_from_db()
    assert row.attempts == 1
    # the server is back; the job sends the mail once it is due, and only then
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert mail_send_due().sent == []
    make_due()
    assert mail_send_due().sent == [row.pk]
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert "Total: 4.20 EUR" in message.body
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (MailStatus.SENT, 2, "")


def test_the_job_stops_at_the_first_refusal(placed, settings):
    settings.EMAIL_BACKEND = REFUSING
    placed()
    placed()
    make_due()
    first, second = OutgoingMail.objects.order_by("id").values_list("pk", flat=True)
    result = mail_send_due()
    assert (result.sent, result.failed) == ([], [first])
    assert OutgoingMail.objects.get(pk=second).attempts == 1  # its first try, when placed


def test_a_mail_left_sending_by_a_dead_worker_is_sent_after_the_timeout(placed, settings):
    settings.EMAIL_BACKEND = REFUSING
    placed()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutgoingMail.objects.update(status=MailStatus.SENDING, claimed_at=timezone.now())
    assert mail_send_due().sent == []
    stale = timezone.now() - SENDING_TIMEOUT - timedelta(seconds=1)
    OutgoingMail.objects.update(claimed_at=stale)
    row = OutgoingMail.objects.get()
    assert mail_send_due().sent == [row.pk]
    assert len(mail.outbox) == 1


def test_a_mail_is_given_up_after_its_last_attempt(placed, settings):
    settings.EMAIL_BACKEND = REFUSING
    placed()
    make_due(attempts=MAX_ATTEMPTS - 1)
    assert mail_send_due().failed == [OutgoingMail.objects.get().pk]
    row = OutgoingMail.objects.get()
    assert (row.status, row.attempts) == (MailStatus.FAILED, MAX_ATTEMPTS)
    make_due()
    assert mail_send_due().failed == []


def test_one_message_id_per_event_and_mail(placed, settings):
    settings.DEFAULT_FROM_EMAIL = "Agora <shop@agora.example>"
    placed()
    placed()
    first, second = (message.extra_headers["Message-ID"] for message in mail.outbox)
    event_ids = list(Event.objects.order_by("id").values_list("pk", flat=True))
    assert [first, second] == [
        f"<agora.event-{event_id}.order_confirmation@agora.example>" for event_id in event_ids
    ]

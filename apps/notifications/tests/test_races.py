"""Workers racing for one mail on PostgreSQL: the claim is one conditional UPDATE, so exactly
one of them sends it."""

import pytest
from django.core import mail
from django.utils import timezone

from apps.notifications.models import MailStatus, OutgoingMail
from apps.notifications.services import send_mail
from tests.races import run_all

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STAY = {
    "username": "alice",
    "hotel_name": "Hotel Adlon",
    "hotel_city": "Berlin",
    "start_date": "2031-05-01",
    "end_date": "2031-05-04",
    "nights": 3,
    "reference": "abc",
}


def test_four_workers_send_one_mail_once():
    row = OutgoingMail.objects.create(
        event_id=1,
        template="booking_canceled",
        to="alice@example.com",
        context=STAY,
        due_at=timezone.now(),
    )
    assert sorted(run_all([lambda: send_mail(row.pk)] * 4)) == [False, False, False, True]
    (message,) = mail.outbox
    assert message.subject == "Your stay at Hotel Adlon is canceled"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (MailStatus.SENT, 1)

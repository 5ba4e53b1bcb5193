"""Merchants may subscribe to whatever the shop tells its customers about: every order and
booking event a mail is sent for is offered to webhooks too."""

from apps.notifications.handlers import MAILS
from apps.webhooks.kinds import OFFERED_KINDS


def test_every_kind_customers_are_mailed_about_is_offered_to_webhooks() -> None:
    mailed = {kind for kind, _, _ in MAILS}
    assert mailed - set(OFFERED_KINDS) == set()

"""Merchants may subscribe to whatever the shop tells its customers about: every order and
booking event a mail is sent for is offered to webhooks too; account events never are."""

from apps.notifications.handlers import MAILS
from apps.webhooks.kinds import OFFERED_KINDS


def test_every_kind_customers_are_mailed_about_is_offered_to_webhooks() -> None:
    mailed = {kind for kind, _, _ in MAILS if not kind.startswith("account.")}
    assert mailed - set(OFFERED_KINDS) == set()


def test_no_account_event_is_offered_to_webhooks() -> None:
    assert [kind for kind in OFFERED_KINDS if kind.startswith("account.")] == []

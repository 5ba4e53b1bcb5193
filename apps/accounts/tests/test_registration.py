"""Self-registration: an inactive account, activated once by the e-mailed link; neither the
answer nor what follows it tells whether a username or an address is taken. The mails go from
the registration's events through apps/notifications."""

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from apps.accounts.models import PendingRegistration
from apps.accounts.services import account_purge_unactivated
from apps.notifications.models import MailStatus, OutgoingMail
from apps.notifications.services import mail_send_due
from apps.notifications.tests.test_sending import REFUSING
from servicelayer.models import Event
from tests.factories import PASSWORD

REGISTER, ACTIVATE, LOGIN = "/api/auth/register/", "/api/auth/activate/", "/api/auth/login/"
NEW = {"username": "carol", "email": "carol@example.com", "password": "a-long-fresh-pass"}


def url_in(message: Any) -> str:
    found = re.search(r"http://\S+", str(message.body))
    assert found is not None
    return found.group(0)


def link_in(message) -> dict[str, str]:
    url = url_in(message)
    assert url.startswith("http://127.0.0.1:8000/activate?")
    query = parse_qs(urlparse(url).query)
    return {"uid": query["uid"][0], "token": query["token"][0]}


def test_register_mails_a_link_that_activates_the_account_then_sign_in_works(post, db):
    response = post(REGISTER, NEW)
    assert response.status_code == 202
    user = User.objects.get(username="carol")
    assert not user.is_active
    credentials = {"username": "carol", "password": NEW["password"]}
    assert post(LOGIN, credentials).status_code == 401  # not before activation

    (message,) = mail.outbox
    assert message.to == ["carol@example.com"]
    assert message.subject == "Activate your Agora account"
    html, kind = message.alternatives[0]  # type: ignore[union-attr]
    assert kind == "text/html"
    assert "/activate?uid=" in str(html)
    assert post(ACTIVATE, link_in(message)).status_code == 204

    user.refresh_from_db()
    assert user.is_active
    assert not PendingRegistration.objects.filter(user=user).exists()
    signed_in = post(LOGIN, credentials)
    assert signed_in.status_code == 200
    assert signed_in.json()["username"] == "carol"


def test_an_activation_link_works_once(post, db):
    post(REGISTER, NEW)
    link = link_in(mail.outbox[0])
    assert post(ACTIVATE, link).status_code == 204
    again = post(ACTIVATE, link)
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid_link"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda link: {
            **link,
            "token": link["token"][:-1] + ("a" if link["token"][-1] != "a" else "b"),
        },
        lambda link: {**link, "uid": "OTk5"},  # "999": nobody
        lambda link: {**link, "uid": "not-base64"},
        lambda link: {**link, "uid": "OTk5OTk5OTk5OTk5OTk5OTk5"},  # beyond any id
    ],
)
def test_a_tampered_activation_link_is_invalid_link(post, db, tamper):
    post(REGISTER, NEW)
    response = post(ACTIVATE, tamper(link_in(mail.outbox[0])))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_link"
    assert not User.objects.get(username="carol").is_active


def test_an_expired_activation_link_is_invalid_link(post, db):
    post(REGISTER, NEW)
    link = link_in(mail.outbox[0])
    with override_settings(PASSWORD_RESET_TIMEOUT=-1):  # every link made before now is stale
        response = post(ACTIVATE, link)
    assert response.json()["error"]["code"] == "invalid_link"
    assert not User.objects.get(username="carol").is_active


def test_staff_deactivated_accounts_are_not_brought_back_by_registering_again(post, shopper):
    shopper.email = "alice@example.com"
    shopper.is_active = False
    shopper.save()
    response = post(REGISTER, {**NEW, "email": "alice@example.com"})
    assert response.status_code == 202
    (message,) = mail.outbox
    assert message.subject == "You already have an Agora account"
    assert "/activate" not in message.body


def test_the_answer_is_the_same_whether_the_username_or_the_address_is_taken(post, make_user):
    make_user("dave", email="dave@example.com")
    fresh = post(REGISTER, NEW)
    taken_name = post(REGISTER, {**NEW, "username": "Dave", "email": "fresh@example.com"})
    taken_address = post(REGISTER, {**NEW, "username": "other", "email": "DAVE@example.com"})
    for response in (taken_name, taken_address):
        assert response.status_code == fresh.status_code == 202
        assert response.json() == fresh.json()
    assert not User.objects.filter(username="Dave").exists()
    # "other" is held (see below), by an account nothing activates
    assert not User.objects.filter(username="other", is_active=True).exists()


def test_each_case_mails_only_the_addresss_owner(post, make_user):
    make_user("dave", email="dave@example.com")
    post(REGISTER, {**NEW, "username": "dave", "email": "fresh@example.com"})
    post(REGISTER, {**NEW, "username": "other", "email": "dave@example.com"})
    name_taken, address_taken = mail.outbox
    assert name_taken.to == ["fresh@example.com"]
    assert "choose another username" in name_taken.subject
    assert address_taken.to == ["dave@example.com"]
    assert "already have an Agora account" in address_taken.subject
    assert "dave" in address_taken.body


def test_registering_again_before_activating_resends_the_link_for_the_first_password(post, db):
    post(REGISTER, NEW)
    post(REGISTER, {**NEW, "password": "another-long-pass"})
    assert User.objects.filter(email="carol@example.com").count() == 1
    first, second = mail.outbox
    assert second.subject == first.subject == "Activate your Agora account"
    assert post(ACTIVATE, link_in(second)).status_code == 204
    assert post(LOGIN, {"username": "carol", "password": "another-long-pass"}).status_code == 401
    assert post(LOGIN, {"username": "carol", "password": NEW["password"]}).status_code == 200


def test_password_validators_apply_with_their_messages(post, db):
    response = post(REGISTER, {**NEW, "password": "carol12"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "password_invalid"
    assert any("too short" in m for m in error["fields"]["password"])
    assert not User.objects.exists()
    assert mail.outbox == []


def test_the_password_is_checked_the_same_when_the_name_is_taken(post, shopper):
    response = post(REGISTER, {**NEW, "username": "alice", "password": "short"})
    assert response.json()["error"]["code"] == "password_invalid"


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "not-an-address"), ("username", "has space"), ("username", "")],
)
def test_input_is_validated(post, db, field, value):
    response = post(REGISTER, {**NEW, field: value})
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_inactive_users_cannot_sign_in(post, shopper):
    shopper.is_active = False
    shopper.save()
    response = post(LOGIN, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 401


def test_unactivated_accounts_are_purged_after_their_links_expire(post, shopper):
    post(REGISTER, NEW)
    account_purge_unactivated()
    assert User.objects.filter(username="carol").exists()  # its link still works
    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        account_purge_unactivated()
    assert not User.objects.filter(username="carol").exists()
    assert User.objects.filter(username="alice").exists()  # never registered itself


def test_register_is_a_cli_call_too(db, capsys, django_capture_on_commit_callbacks):
    body = '{"username": "erin", "email": "erin@example.com", "password": "a-long-fresh-pass"}'
    with django_capture_on_commit_callbacks(execute=True):
        call_command("call", "account_register", "--input", body)
    assert "next step" in capsys.readouterr().out
    assert mail.outbox[0].to == ["erin@example.com"]


def what_the_prober_learns(post, probed: str) -> tuple[Any, ...]:
    """A prober registers a fresh name with the address it wonders about, then the same name
    with its own address: the answers, the mails it gets, and whether either name signs in."""
    first = post(REGISTER, {**NEW, "username": "probe", "email": probed})
    mail.outbox.clear()
    second = post(REGISTER, {**NEW, "username": "probe", "email": "prober@example.com"})
    to_prober = [m.subject for m in mail.outbox if m.to == ["prober@example.com"]]
    signs_in = post(LOGIN, {"username": "probe", "password": NEW["password"]}).status_code
    return (first.status_code, first.json(), second.status_code, second.json(), to_prober, signs_in)


@pytest.mark.parametrize("owner_is_active", [True, False], ids=["active", "pending"])
def test_registering_a_name_again_tells_nothing_of_the_address_it_was_first_given(
    post, make_user, owner_is_active
):
    if owner_is_active:
        make_user("dave", email="dave@example.com")
    else:
        post(REGISTER, {**NEW, "username": "dave", "email": "dave@example.com"})
    known = what_the_prober_learns(post, "dave@example.com")
    User.objects.filter(username="probe").delete()
    unknown = what_the_prober_learns(post, "nobody@example.com")
    assert known == unknown
    assert known[4] == ["Your Agora registration: choose another username"]


def test_a_name_registered_with_a_known_address_is_held_by_no_one(post, make_user):
    """Held alike (so that registering it again answers alike), but by an account that no
    link can activate and no password signs in to; purged with the unactivated ones."""
    make_user("dave", email="dave@example.com")
    post(REGISTER, {**NEW, "username": "probe", "email": "dave@example.com"})
    held = User.objects.get(username="probe")
    assert not held.is_active
    assert held.email == ""
    assert not held.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["dave@example.com"]
    assert "/activate" not in message.body
    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        account_purge_unactivated()
    assert not User.objects.filter(username="probe").exists()


def test_each_registration_is_an_event_whose_mail_is_queued_and_sent_once(post, make_user):
    make_user("dave", email="dave@example.com")
    post(REGISTER, NEW)
    post(REGISTER, {**NEW, "username": "other", "email": "dave@example.com"})
    post(REGISTER, {**NEW, "username": "dave", "email": "fresh@example.com"})
    carol, dave = User.objects.get(username="carol"), User.objects.get(username="dave")
    events = Event.objects.filter(kind__startswith="account.").order_by("pk")
    assert [(e.kind, e.owner_id, e.payload) for e in events] == [
        ("account.registration_asked", carol.pk, {}),
        ("account.registration_repeated", dave.pk, {}),
        ("account.username_taken", None, {"email": "fresh@example.com", "username": "dave"}),
    ]
    rows = OutgoingMail.objects.order_by("pk").values_list("template", "to", "status")
    assert list(rows) == [
        ("account_activation", "carol@example.com", "sent"),
        ("account_already_registered", "dave@example.com", "sent"),
        ("account_username_taken", "fresh@example.com", "sent"),
    ]
    assert len(mail.outbox) == 3
    assert NEW["password"] not in json.dumps([e.payload for e in events])


def test_an_activation_mail_that_goes_after_the_account_was_activated_is_skipped(
    post, db, settings
):
    post(REGISTER, NEW)
    locmem, settings.EMAIL_BACKEND = settings.EMAIL_BACKEND, REFUSING
    post(REGISTER, NEW)  # the link again: the mail server refuses it for now
    settings.EMAIL_BACKEND = locmem
    assert post(ACTIVATE, link_in(mail.outbox[0])).status_code == 204
    OutgoingMail.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    assert mail_send_due().sent == []
    assert len(mail.outbox) == 1
    statuses = OutgoingMail.objects.order_by("pk").values_list("status", flat=True)
    assert list(statuses) == [MailStatus.SENT, MailStatus.SKIPPED]

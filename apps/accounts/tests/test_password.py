"""Changing a password, and resetting it with a single-use, expiring e-mailed link."""

import json
import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from apps.accounts.models import ApiToken
from apps.notifications.models import MailStatus, OutgoingMail
from apps.notifications.services import mail_send_due
from apps.notifications.tests.test_sending import REFUSING
from servicelayer.models import Event
from tests.factories import PASSWORD, issue_test_token

CHANGE = "/api/auth/password/change/"
RESET, CONFIRM = "/api/auth/password/reset/", "/api/auth/password/reset/confirm/"
LOGIN, REGISTER = "/api/auth/login/", "/api/auth/register/"
NEW_PASSWORD = "a-brand-new-passphrase"


@pytest.fixture
def alice(shopper):
    shopper.email = "alice@example.com"
    shopper.save()
    return shopper


def signs_in(post, password):
    return post(LOGIN, {"username": "alice", "password": password}).status_code == 200


def url_in(message: Any) -> str:
    found = re.search(r"http://\S+", str(message.body))
    assert found is not None
    return found.group(0)


def reset_link(message):
    url = url_in(message)
    assert url.startswith("http://127.0.0.1:8000/reset-password?")
    query = parse_qs(urlparse(url).query)
    return {"uid": query["uid"][0], "token": query["token"][0]}


# --- change ---------------------------------------------------------------------------------


def test_change_password_revokes_your_other_tokens_not_this_one(post, api, alice):
    other_key = issue_test_token(alice)
    response = post(CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}, alice)
    assert response.status_code == 204
    assert signs_in(post, NEW_PASSWORD)
    assert not signs_in(post, PASSWORD)
    assert api(alice).get("/api/auth/tokens/").status_code == 200  # the token it came with
    other = api(None)
    other.credentials(HTTP_AUTHORIZATION=f"Token {other_key}")
    assert other.get("/api/auth/tokens/").status_code == 401


def test_a_wrong_current_password_is_refused(post, alice):
    response = post(CHANGE, {"old_password": "nope", "new_password": NEW_PASSWORD}, alice)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "password_incorrect"
    assert "old_password" in error["fields"]
    assert signs_in(post, PASSWORD)


def test_the_new_password_must_pass_the_validators(post, alice):
    response = post(CHANGE, {"old_password": PASSWORD, "new_password": "12345678"}, alice)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "password_invalid"
    assert any("numeric" in m for m in error["fields"]["new_password"])
    assert signs_in(post, PASSWORD)


def test_change_needs_a_signed_in_user(post, db):
    response = post(CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 401


@override_settings(AGORA_LOGIN_FAILURES_PER_USERNAME=2)
def test_wrong_current_passwords_are_throttled_per_user(post, alice):
    wrong = {"old_password": "nope", "new_password": NEW_PASSWORD}
    assert [post(CHANGE, wrong, alice).status_code for _ in range(3)] == [400, 400, 429]
    right = post(CHANGE, {"old_password": PASSWORD, "new_password": NEW_PASSWORD}, alice)
    assert right.status_code == 429
    assert right["Retry-After"]


# --- reset ----------------------------------------------------------------------------------


def test_reset_mails_a_link_that_sets_a_new_password_and_revokes_every_token(post, api, alice):
    assert post(RESET, {"email": "ALICE@example.com"}).status_code == 202
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "Reset your Agora password"
    response = post(CONFIRM, {**reset_link(message), "new_password": NEW_PASSWORD})
    assert response.status_code == 204
    assert signs_in(post, NEW_PASSWORD)
    assert not signs_in(post, PASSWORD)
    assert api(alice).get("/api/auth/tokens/").status_code == 401  # revoked
    assert ApiToken.objects.filter(user=alice).count() == 1  # the sign-in just now


def test_a_reset_asked_for_an_account_is_an_event_of_that_account(post, alice):
    post(RESET, {"email": "alice@example.com"})
    post(RESET, {"email": "nobody@example.com"})
    asked = Event.objects.filter(kind="account.password_reset_asked")
    assert list(asked.values_list("subject", "subject_id", "owner_id")) == [
        ("user", alice.pk, alice.pk)
    ]


def test_the_reset_mail_goes_from_the_event_and_no_live_token_is_stored(post, alice):
    post(RESET, {"email": "alice@example.com"})
    (event,) = Event.objects.filter(kind="account.password_reset_asked")
    (row,) = OutgoingMail.objects.all()
    assert (row.event_id, row.template, row.status) == (event.pk, "account_password_reset", "sent")
    token = reset_link(mail.outbox[0])["token"]
    stored = json.dumps([event.payload, row.context])
    assert token not in stored
    assert token.split("-")[-1] not in stored


def test_a_reset_mail_the_mail_server_refused_is_sent_later_once(post, alice, settings):
    locmem, settings.EMAIL_BACKEND = settings.EMAIL_BACKEND, REFUSING
    assert post(RESET, {"email": "alice@example.com"}).status_code == 202
    assert mail.outbox == []
    row = OutgoingMail.objects.get()
    assert (row.status, row.attempts) == (MailStatus.QUEUED, 1)
    assert "SMTPServerDisconnected" in row.last_error

    settings.EMAIL_BACKEND = locmem
    assert mail_send_due().sent == []  # its backoff first
    OutgoingMail.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    assert mail_send_due().sent == [row.pk]
    OutgoingMail.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    assert mail_send_due().sent == []
    (message,) = mail.outbox
    assert message.to == ["alice@example.com"]
    response = post(CONFIRM, {**reset_link(message), "new_password": NEW_PASSWORD})
    assert response.status_code == 204
    assert signs_in(post, NEW_PASSWORD)


def test_a_reset_mail_for_an_account_deactivated_before_it_went_is_not_sent(post, alice, settings):
    locmem, settings.EMAIL_BACKEND = settings.EMAIL_BACKEND, REFUSING
    post(RESET, {"email": "alice@example.com"})
    alice.is_active = False
    alice.save()
    settings.EMAIL_BACKEND = locmem
    OutgoingMail.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    assert mail_send_due().sent == []
    assert mail.outbox == []
    row = OutgoingMail.objects.get()
    assert (row.status, row.skip_reason) == (
        MailStatus.SKIPPED,
        "Its link no longer applies: not sent.",
    )


def test_the_answer_is_the_same_for_an_unknown_address_and_nothing_is_sent(post, alice):
    known = post(RESET, {"email": "alice@example.com"})
    unknown = post(RESET, {"email": "nobody@example.com"})
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
    assert len(mail.outbox) == 1


def test_an_inactive_account_gets_no_reset_link(post, alice):
    alice.is_active = False
    alice.save()
    assert post(RESET, {"email": "alice@example.com"}).status_code == 202
    assert mail.outbox == []


def test_a_reset_link_works_once(post, alice):
    post(RESET, {"email": "alice@example.com"})
    link = reset_link(mail.outbox[0])
    assert post(CONFIRM, {**link, "new_password": NEW_PASSWORD}).status_code == 204
    again = post(CONFIRM, {**link, "new_password": "yet-another-passphrase"})
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid_link"
    assert signs_in(post, NEW_PASSWORD)


def test_an_expired_reset_link_is_invalid_link(post, alice):
    post(RESET, {"email": "alice@example.com"})
    link = reset_link(mail.outbox[0])
    with override_settings(PASSWORD_RESET_TIMEOUT=-1):
        response = post(CONFIRM, {**link, "new_password": NEW_PASSWORD})
    assert response.json()["error"]["code"] == "invalid_link"
    assert signs_in(post, PASSWORD)


def test_an_activation_link_is_no_reset_link(post, db):
    body = {"username": "carol", "email": "carol@example.com", "password": "a-long-fresh-pass"}
    post(REGISTER, body)
    query = parse_qs(urlparse(url_in(mail.outbox[0])).query)
    link = {"uid": query["uid"][0], "token": query["token"][0]}
    response = post(CONFIRM, {**link, "new_password": NEW_PASSWORD})
    assert response.json()["error"]["code"] == "invalid_link"


def test_the_reset_password_must_pass_the_validators(post, alice):
    post(RESET, {"email": "alice@example.com"})
    link = reset_link(mail.outbox[0])
    response = post(CONFIRM, {**link, "new_password": "alice"})
    assert response.json()["error"]["code"] == "password_invalid"
    assert response.json()["error"]["fields"]["new_password"]
    # the link was not used up by the refused password
    assert post(CONFIRM, {**link, "new_password": NEW_PASSWORD}).status_code == 204


# --- throttling -----------------------------------------------------------------------------


@override_settings(AGORA_RATE_ACCOUNT_PER_USER_OR_EMAIL=2, AGORA_RATE_ACCOUNT_PER_IP=100)
def test_reset_requests_are_throttled_per_address_even_when_they_succeed(post, alice):
    codes = [
        post(RESET, {"email": "alice@example.com"}, ip=f"10.0.0.{n}").status_code for n in range(3)
    ]
    assert codes == [202, 202, 429]
    assert len(mail.outbox) == 2
    refused = post(RESET, {"email": "Alice@Example.com"}, ip="10.9.9.9")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0


@override_settings(AGORA_RATE_ACCOUNT_PER_IP=2)
def test_reset_requests_are_throttled_per_ip(post, db):
    emails = [f"u{n}@example.com" for n in range(3)]
    assert [post(RESET, {"email": e}).status_code for e in emails] == [202, 202, 429]


@override_settings(AGORA_RATE_ACCOUNT_PER_IP=2)
def test_registrations_are_throttled_per_ip(post, db):
    bodies = [
        {"username": f"u{n}", "email": f"u{n}@example.com", "password": "a-long-fresh-pass"}
        for n in range(3)
    ]
    assert [post(REGISTER, body).status_code for body in bodies] == [202, 202, 429]
    assert len(mail.outbox) == 2


@override_settings(AGORA_RATE_ACCOUNT_PER_USER_OR_EMAIL=1, AGORA_RATE_ACCOUNT_PER_IP=100)
def test_registrations_are_throttled_per_username_and_per_address(post, db):
    body = {"username": "carol", "email": "carol@example.com", "password": "a-long-fresh-pass"}
    assert post(REGISTER, body, ip="10.0.0.1").status_code == 202
    same_name = post(REGISTER, {**body, "email": "x@example.com"}, ip="10.0.0.2")
    same_address = post(REGISTER, {**body, "username": "CAROL2"}, ip="10.0.0.3")
    assert (same_name.status_code, same_address.status_code) == (429, 429)
    assert same_name["Retry-After"]


def test_the_schema_documents_the_429s(api, db):
    paths = api(None).get("/api/schema/?format=json").json()["paths"]
    for path in (REGISTER, RESET, CHANGE):
        assert "`throttled`" in paths[path]["post"]["responses"]["429"]["description"]

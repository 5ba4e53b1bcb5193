"""Signing in and out with API tokens, and managing your tokens."""

import hashlib
from datetime import datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from apps.accounts.models import ApiToken

LOGIN, LOGOUT, TOKENS = "/api/auth/login/", "/api/auth/logout/", "/api/auth/tokens/"
ALICE = {"username": "alice", "password": "secret-pass-123"}


def sign_in(api, **extra):
    response = api(None).post(LOGIN, {**ALICE, **extra}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def with_token(api, key):
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_login_returns_a_token_that_authenticates(api, shopper, make_product):
    body = sign_in(api)
    assert body["username"] == "alice"
    assert body["is_staff"] is False
    assert with_token(api, body["token"]).get("/api/orders/").status_code == 200


def test_a_token_expires_after_the_configured_lifetime(api, shopper):
    before = timezone.now()
    body = sign_in(api)
    expires = datetime.fromisoformat(body["expires_at"])
    assert before + timedelta(days=30) <= expires <= timezone.now() + timedelta(days=30)
    with override_settings(AGORA_TOKEN_LIFETIME_DAYS=1):
        expires = datetime.fromisoformat(sign_in(api)["expires_at"])
    assert expires <= timezone.now() + timedelta(days=1)


def test_an_expired_token_is_refused(api, shopper):
    body = sign_in(api)
    ApiToken.objects.filter(pk=body["token_id"]).update(expires_at=timezone.now())
    response = with_token(api, body["token"]).get("/api/orders/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_each_sign_in_issues_a_fresh_token_and_both_work(api, shopper):
    first, second = sign_in(api), sign_in(api)
    assert first["token"] != second["token"]
    for body in (first, second):
        assert with_token(api, body["token"]).get("/api/orders/").status_code == 200


def test_only_a_hash_of_the_key_is_stored(api, shopper):
    body = sign_in(api)
    token = ApiToken.objects.get(pk=body["token_id"])
    assert token.key_hash == hashlib.sha256(body["token"].encode()).hexdigest()
    stored = [str(getattr(token, f.attname)) for f in ApiToken._meta.concrete_fields]
    assert body["token"] not in stored
    assert token.prefix == body["token"][:8]


@pytest.mark.parametrize(
    "payload",
    [{"username": "alice", "password": "wrong"}, {"username": "nobody", "password": "x"}],
)
def test_wrong_credentials_are_401(api, shopper, payload):
    response = api(None).post(LOGIN, payload, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_login_input_is_validated(api, db):
    response = api(None).post(
        LOGIN, {"username": "", "password": "x" * 500, "token_name": "n" * 101}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"username", "password", "token_name"}


def test_an_inactive_user_cannot_sign_in(api, make_user):
    make_user("gone", is_active=False)
    response = api(None).post(
        LOGIN, {"username": "gone", "password": "secret-pass-123"}, format="json"
    )
    assert response.status_code == 401


def test_logout_revokes_the_token(api, shopper):
    client = api(shopper)
    assert client.post(LOGOUT).status_code == 204
    response = client.get("/api/orders/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert api(None).post(LOGOUT).status_code == 401


def test_logout_revokes_only_the_token_it_was_sent_with(api, shopper):
    laptop, phone = sign_in(api, token_name="laptop"), sign_in(api, token_name="phone")
    assert with_token(api, laptop["token"]).post(LOGOUT).status_code == 204
    assert with_token(api, laptop["token"]).get("/api/orders/").status_code == 401
    assert with_token(api, phone["token"]).get("/api/orders/").status_code == 200
    assert api(shopper).get("/api/orders/").status_code == 200


def test_a_stale_token_does_not_block_signing_in(api, shopper):
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION="Token stale")
    response = client.post(LOGIN, ALICE, format="json")
    assert response.status_code == 200


def test_you_list_your_live_tokens_without_their_keys(api, shopper, other_shopper):
    laptop = sign_in(api, token_name="laptop")
    old = sign_in(api, token_name="old")
    ApiToken.objects.filter(pk=old["token_id"]).update(expires_at=timezone.now())
    client = with_token(api, laptop["token"])
    client.get("/api/orders/")
    response = client.get(TOKENS)
    assert response.status_code == 200
    rows = response.json()["results"]
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"laptop", ""}  # the fixture's token has no name; "old" expired
    row = by_name["laptop"]
    assert set(row) == {"id", "name", "prefix", "created_at", "expires_at", "last_used_at"}
    assert row["id"] == laptop["token_id"]
    assert row["prefix"] == laptop["token"][:8]
    assert row["last_used_at"] is not None
    assert laptop["token"] not in response.content.decode()
    assert response.json()["next"] is None


def test_listing_tokens_is_paginated(api, shopper):
    for n in range(3):
        sign_in(api, token_name=f"t{n}")
    client = api(shopper)
    first = client.get(TOKENS, {"page_size": 2}).json()
    assert [row["name"] for row in first["results"]] == ["t2", "t1"]
    rest = client.get(first["next"]).json()
    assert [row["name"] for row in rest["results"]] == ["t0", ""]


def test_listing_tokens_costs_two_queries(api, shopper, django_assert_num_queries):
    for n in range(3):
        sign_in(api, token_name=f"t{n}")
    client = api(shopper)
    client.get(TOKENS)
    with django_assert_num_queries(2):  # the token (with its user), the page
        assert len(client.get(TOKENS).json()["results"]) == 4


def test_you_revoke_one_of_your_tokens(api, shopper):
    phone = sign_in(api, token_name="phone")
    client = api(shopper)
    assert client.delete(f"{TOKENS}{phone['token_id']}/").status_code == 204
    assert with_token(api, phone["token"]).get("/api/orders/").status_code == 401
    assert client.get("/api/orders/").status_code == 200
    response = client.delete(f"{TOKENS}{phone['token_id']}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "token_not_found"


def test_another_users_token_is_not_found(api, shopper, other_shopper):
    phone = sign_in(api, token_name="phone")
    response = api(other_shopper).delete(f"{TOKENS}{phone['token_id']}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "token_not_found"
    assert with_token(api, phone["token"]).get("/api/orders/").status_code == 200
    assert all(r["name"] != "phone" for r in api(other_shopper).get(TOKENS).json()["results"])


def test_token_endpoints_need_a_signed_in_user(api, db):
    assert api(None).get(TOKENS).status_code == 401
    assert api(None).delete(f"{TOKENS}1/").status_code == 401


def test_session_authentication_works_for_the_browsable_api(client, shopper):
    client.force_login(shopper)
    response = client.get("/api/orders/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"<html" in response.content.lower()


def test_the_admin_is_served(client, merchant):
    merchant.is_superuser = True
    merchant.save()
    client.force_login(merchant)
    for url in ("/admin/", "/admin/catalog/product/", "/admin/ordering/order/"):
        assert client.get(url).status_code == 200


def test_the_admin_lists_tokens_read_only(client, merchant, shopper):
    merchant.is_superuser = True
    merchant.save()
    client.force_login(merchant)
    assert client.get("/admin/accounts/apitoken/").status_code == 200
    token = ApiToken.objects.filter(user=shopper).get()
    assert client.get(f"/admin/accounts/apitoken/{token.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    response = client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()

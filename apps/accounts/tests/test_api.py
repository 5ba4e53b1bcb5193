"""Signing in and out with API tokens."""

import pytest

LOGIN, LOGOUT = "/api/auth/login/", "/api/auth/logout/"


def test_login_returns_a_token_that_authenticates(api, shopper, make_product):
    response = api(None).post(
        LOGIN, {"username": "alice", "password": "secret-pass-123"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "alice"
    assert body["is_staff"] is False
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get("/api/orders/").status_code == 200


@pytest.mark.parametrize(
    "payload",
    [{"username": "alice", "password": "wrong"}, {"username": "nobody", "password": "x"}],
)
def test_wrong_credentials_are_401(api, shopper, payload):
    response = api(None).post(LOGIN, payload, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_login_input_is_validated(api, db):
    response = api(None).post(LOGIN, {"username": "", "password": "x" * 500}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"username", "password"}


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


def test_a_stale_token_does_not_block_signing_in(api, shopper):
    client = api(None)
    client.credentials(HTTP_AUTHORIZATION="Token stale")
    response = client.post(
        LOGIN, {"username": "alice", "password": "secret-pass-123"}, format="json"
    )
    assert response.status_code == 200


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

"""Token authentication in one statement: the token found by its key's hash, alive, its user
active; `last_used_at` written at most once a minute."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIRequestFactory

from servicelayer.rest.authentication import FastTokenAuthentication
from servicelayer.tokens import hash_key, new_key, token_model


def make_token(user, **fields):
    key = new_key()
    token = token_model().objects.create(user=user, key_hash=hash_key(key), **fields)
    return token, key


@pytest.fixture
def user(db):
    return User.objects.create_user("kim", password="x" * 12, is_staff=True, email="k@example.com")


@pytest.fixture
def token(user):
    return make_token(user, last_used_at=timezone.now())


def authenticate(key):
    return FastTokenAuthentication().authenticate_credentials(key)


def test_a_valid_token_gives_its_user_in_one_query(token, django_assert_num_queries):
    token, key = token
    with django_assert_num_queries(1):
        user, auth = authenticate(key)
    assert (user.pk, user.username, user.is_staff, user.is_active) == (
        token.user_id,
        "kim",
        True,
        True,
    )
    assert auth == user.api_token_id == token.pk
    assert user.is_authenticated
    assert user.email == "k@example.com"  # other fields load on access


def test_a_typical_request_costs_one_query(token, django_assert_num_queries):
    _, key = token
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {key}")
    with django_assert_num_queries(1):
        result = FastTokenAuthentication().authenticate(request)
    assert result is not None
    assert result[0].username == "kim"


def test_last_used_at_is_written_at_most_once_a_minute(user, django_assert_num_queries):
    token, key = make_token(user)
    with django_assert_num_queries(2):  # never used: the look-up, then the touch
        authenticate(key)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    with django_assert_num_queries(1):
        authenticate(key)
    token.refresh_from_db()
    assert token.last_used_at == first_use
    type(token).objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    with django_assert_num_queries(2):
        authenticate(key)
    token.refresh_from_db()
    assert token.last_used_at >= first_use


@pytest.mark.parametrize("key", ["nope", "x" * 43, "x" * 65, "' OR 1=1 --"])
def test_unknown_tokens_are_refused(token, key):
    with pytest.raises(AuthenticationFailed, match="Invalid token"):
        authenticate(key)


def test_the_hash_is_not_a_key(token):
    token, _ = token
    with pytest.raises(AuthenticationFailed):
        authenticate(token.key_hash)


def test_an_expired_token_is_refused(user):
    _, key = make_token(user, expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(AuthenticationFailed, match="expired"):
        authenticate(key)
    _, key = make_token(user, expires_at=timezone.now() + timedelta(minutes=1))
    assert authenticate(key)[0].pk == user.pk


def test_an_inactive_users_token_is_refused(token):
    token, key = token
    User.objects.filter(pk=token.user_id).update(is_active=False)
    with pytest.raises(AuthenticationFailed, match="inactive"):
        authenticate(key)


def test_a_revoked_token_stops_working_at_once(token):
    token, key = token
    authenticate(key)
    token.delete()
    with pytest.raises(AuthenticationFailed):
        authenticate(key)


@pytest.mark.parametrize("keyword", ["Token", "Bearer", "bearer", "TOKEN"])
def test_the_key_comes_after_token_or_bearer(token, keyword):
    # Bearer: what the API documents (Swagger UI's Authorize dialog sends it); Token: DRF's word
    _, key = token
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"{keyword} {key}")
    result = FastTokenAuthentication().authenticate(request)
    assert result is not None
    assert result[0].username == "kim"


@pytest.mark.parametrize("header", ["Bearer", "Token", "Bearer a b", "Token  a b"])
def test_a_token_header_without_exactly_one_key_is_refused(db, header):
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=header)
    with pytest.raises(AuthenticationFailed, match="Token <key>"):
        FastTokenAuthentication().authenticate(request)


@pytest.mark.parametrize("header", ["", "Basic a2ltOng=", "Digest x"])
def test_other_schemes_are_left_to_other_authenticators(db, header):
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=header)
    assert FastTokenAuthentication().authenticate(request) is None

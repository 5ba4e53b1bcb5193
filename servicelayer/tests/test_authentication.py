"""Token authentication in one statement: same answers as DRF's, one query."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from servicelayer.rest.authentication import FastTokenAuthentication


@pytest.fixture
def token(db):
    user = User.objects.create_user("kim", password="x" * 12, is_staff=True, email="k@example.com")
    return Token.objects.create(user=user)


def test_a_valid_token_gives_its_user_in_one_query(token):
    with CaptureQueriesContext(connection) as queries:
        user, key = FastTokenAuthentication().authenticate_credentials(token.key)
    assert len(queries) == 1
    assert (user.pk, user.username, user.is_staff, user.is_active, key) == (
        token.user_id,
        "kim",
        True,
        True,
        token.key,
    )
    assert user.is_authenticated
    assert user.email == "k@example.com"  # other fields load on access


@pytest.mark.parametrize("key", ["nope", "", "x" * 41, "' OR 1=1 --"])
def test_unknown_tokens_are_refused(token, key):
    with pytest.raises(AuthenticationFailed):
        FastTokenAuthentication().authenticate_credentials(key)


def test_an_inactive_users_token_is_refused(token):
    User.objects.filter(pk=token.user_id).update(is_active=False)
    with pytest.raises(AuthenticationFailed, match="inactive"):
        FastTokenAuthentication().authenticate_credentials(token.key)


def test_a_revoked_token_stops_working_at_once(token):
    key = token.key
    FastTokenAuthentication().authenticate_credentials(key)
    token.delete()
    with pytest.raises(AuthenticationFailed):
        FastTokenAuthentication().authenticate_credentials(key)

"""Accounts' services: users created by operators, tokens."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.errors import UsernameTaken
from apps.accounts.models import ApiToken
from apps.accounts.services import token_issue, token_purge_expired, user_create
from servicelayer.errors import NotFound
from servicelayer.rest.authentication import FastTokenAuthentication


def new_user(**extra):
    return {"username": "newbie", "password": "a-long-pass-phrase", **extra}


def test_agora_user_prints_a_token_that_authenticates(db):
    out = StringIO()
    call_command("agora_user", "ops", "--password", "a-long-pass-phrase", stdout=out)
    username, key = out.getvalue().strip().split(" token: ")
    user, _ = FastTokenAuthentication().authenticate_credentials(key)
    assert (username, user.username) == ("ops", "ops")


def test_a_taken_username_is_a_conflict(db):
    user_create(data=new_user())
    with pytest.raises(UsernameTaken) as taken:
        user_create(data=new_user())
    assert taken.value.code == "username_taken"
    assert User.objects.filter(username="newbie").count() == 1


def test_an_operator_issues_a_token_for_a_user(shopper):
    issued = token_issue(data={"username": "alice", "name": "smoke test"})
    user, _ = FastTokenAuthentication().authenticate_credentials(issued.token)
    assert user.pk == shopper.pk
    assert ApiToken.objects.get(pk=issued.id).name == "smoke test"
    with pytest.raises(NotFound):
        token_issue(data={"username": "nobody", "name": "x"})


def test_expired_tokens_are_purged(shopper):
    live = token_issue(data={"username": "alice", "name": "live"})
    dead = token_issue(data={"username": "alice", "name": "dead"})
    ApiToken.objects.filter(pk=dead.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token_purge_expired() == {"purged": 1}
    assert set(
        ApiToken.objects.filter(user=shopper, name__in=["live", "dead"]).values_list(
            "pk", flat=True
        )
    ) == {live.id}

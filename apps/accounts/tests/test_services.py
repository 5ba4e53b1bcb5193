"""Accounts' services: users created by operators (with Django's password validators), tokens."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.accounts.dto import NewToken, NewUser
from apps.accounts.errors import UsernameTaken
from apps.accounts.models import ApiToken
from apps.accounts.services import token_issue, token_purge_expired, user_create
from servicelayer.errors import InvalidInput, NotFound
from servicelayer.rest.authentication import FastTokenAuthentication


def new_user(**extra) -> NewUser:
    return NewUser(**{"username": "newbie", "password": "a-long-pass-phrase", **extra})


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password", "This password is too common."),
        ("short", "This password is too short. It must contain at least 8 characters."),
        ("83749120384", "This password is entirely numeric."),
        ("newbie12", "The password is too similar to the username."),
    ],
)
def test_a_weak_password_is_refused_with_djangos_messages(db, password, message):
    with pytest.raises(InvalidInput) as refused:
        user_create(data=new_user(password=password))
    assert refused.value.code == "password_invalid"
    assert message in refused.value.fields["password"]
    assert not User.objects.filter(username="newbie").exists()


def test_the_validators_see_the_users_email(db):
    with pytest.raises(InvalidInput) as refused:
        user_create(data=new_user(password="kimjones.example", email="kim.jones@example.com"))
    assert refused.value.fields["password"] == ["The password is too similar to the email address."]


def test_all_of_djangos_messages_are_listed(db):
    with pytest.raises(InvalidInput) as refused:
        user_create(data=new_user(password="1234"))
    assert len(refused.value.fields["password"]) == 3  # too short, too common, numeric


def test_agora_user_prints_the_error_and_exits_non_zero_on_a_weak_password(db):
    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("agora_user", "x", "--password", "password", stdout=StringIO(), stderr=err)
    assert refused.value.returncode == 2
    body = json.loads(err.getvalue())
    assert body["error"]["code"] == "password_invalid"
    assert "This password is too common." in body["error"]["fields"]["password"]
    assert not User.objects.filter(username="x").exists()


@pytest.mark.parametrize(
    ("username", "password"),
    [("merchant", "merchant-demo-pass"), ("shopper", "shopper-demo-pass")],
)
def test_the_demo_passwords_pass_the_validators(username, password):
    validate_password(password, User(username=username))


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
    issued = token_issue(data=NewToken(username="alice", name="smoke test"))
    user, _ = FastTokenAuthentication().authenticate_credentials(issued.token)
    assert user.pk == shopper.pk
    assert ApiToken.objects.get(pk=issued.id).name == "smoke test"
    with pytest.raises(NotFound):
        token_issue(data=NewToken(username="nobody", name="x"))


def test_expired_tokens_are_purged(shopper):
    live = token_issue(data=NewToken(username="alice", name="live"))
    dead = token_issue(data=NewToken(username="alice", name="dead"))
    ApiToken.objects.filter(pk=dead.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token_purge_expired() == {"purged": 1}
    assert set(
        ApiToken.objects.filter(user=shopper, name__in=["live", "dead"]).values_list(
            "pk", flat=True
        )
    ) == {live.id}

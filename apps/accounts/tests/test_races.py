"""Concurrency on PostgreSQL: one username, one user, whatever the interleaving."""

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models.signals import post_save

from apps.accounts.dto import NewUser
from apps.accounts.errors import UsernameTaken
from apps.accounts.services import user_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_creates_of_one_username_at_once_give_one_user_and_username_taken():
    """Chosen interleaving: A has inserted the user and holds its transaction open; B creates
    the same username meanwhile. B cannot see A's row, so it must insert, wait on the unique
    index and, once A commits, be told the username is taken (a 409, not an IntegrityError)."""
    a_inserted, a_may_commit, b_finished = threading.Event(), threading.Event(), threading.Event()
    outcome: dict[str, str] = {}
    a_thread: list[threading.Thread] = []

    def hold_a_open(sender, instance, created, **kwargs):
        if created and threading.current_thread() is a_thread[0]:
            a_inserted.set()
            a_may_commit.wait(timeout=10)

    def create(name):
        try:
            user_create(data=NewUser(username="twin", password="a-long-pass-phrase"))
            outcome[name] = "created"
        except UsernameTaken:
            outcome[name] = "username_taken"
        except Exception as exc:
            outcome[name] = type(exc).__name__
        finally:
            if name == "b":
                b_finished.set()
            connection.close()

    post_save.connect(hold_a_open, sender=User)
    try:
        a = threading.Thread(target=create, args=("a",))
        b = threading.Thread(target=create, args=("b",))
        a_thread.append(a)
        a.start()
        assert a_inserted.wait(timeout=10)
        b.start()
        assert not b_finished.wait(timeout=0.5), "B must wait on A's uncommitted username"
        a_may_commit.set()
        a.join(timeout=10)
        b.join(timeout=10)
    finally:
        a_may_commit.set()
        post_save.disconnect(hold_a_open, sender=User)
    assert outcome == {"a": "created", "b": "username_taken"}
    assert User.objects.filter(username="twin").count() == 1

"""Concurrency on PostgreSQL: one username, one user, whatever the interleaving (operators'
creates and self-registrations)."""

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models.signals import post_save

from apps.accounts.dto import NewAccount, NewUser
from apps.accounts.errors import UsernameTaken
from apps.accounts.services import REQUEST_ANSWER, account_register, user_create
from servicelayer.models import Event

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


@pytest.mark.parametrize("b_address_known", [False, True], ids=["new-address", "known-address"])
def test_two_registrations_of_one_name_at_once_hold_it_once_and_answer_alike(b_address_known):
    """A has inserted the pending account and holds its transaction open; B registers the
    same name meanwhile (with a new address, or one that has an account: B then holds the
    name for no one). B waits on the unique index and, once A commits, answers as A did: the
    name is A's; B's address is told so (or, if known, its owner that someone tried)."""
    if b_address_known:
        User.objects.create_user("bea", email="b@example.com", password="a-long-pass-phrase")
    a_inserted, a_may_commit = threading.Event(), threading.Event()
    answers: dict[str, object] = {}
    a_thread: list[threading.Thread] = []

    def hold_a_open(sender, instance, created, **kwargs):
        if created and threading.current_thread() is a_thread[0]:
            a_inserted.set()
            a_may_commit.wait(timeout=10)

    def register(name, email):
        try:
            data = NewAccount(username="twin", email=email, password="a-long-fresh-pass")
            answers[name] = account_register(data=data).detail
        except Exception as exc:
            answers[name] = type(exc).__name__
        finally:
            connection.close()

    post_save.connect(hold_a_open, sender=User)
    try:
        a = threading.Thread(target=register, args=("a", "a@example.com"))
        b = threading.Thread(target=register, args=("b", "b@example.com"))
        a_thread.append(a)
        a.start()
        assert a_inserted.wait(timeout=10)
        b.start()
        b.join(timeout=0.5)
        assert b.is_alive(), "B must wait on A's uncommitted username"
        a_may_commit.set()
        a.join(timeout=10)
        b.join(timeout=10)
    finally:
        a_may_commit.set()
        post_save.disconnect(hold_a_open, sender=User)
    assert answers == {"a": REQUEST_ANSWER.detail, "b": REQUEST_ANSWER.detail}
    twin = User.objects.get(username="twin")
    assert twin.email == "a@example.com"
    kinds = list(Event.objects.order_by("pk").values_list("kind", "owner_id"))
    b_kind: tuple[str, int | None]
    if b_address_known:
        b_kind = ("account.registration_repeated", User.objects.get(username="bea").pk)
    else:
        b_kind = ("account.username_taken", None)
    assert kinds == [("account.registration_asked", twin.pk), b_kind]

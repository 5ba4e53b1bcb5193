"""call_outside: the intent commits before the outside call, the call runs in no transaction,
and the settled outcome commits before an error it decided on is raised."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction

from servicelayer.errors import Conflict
from servicelayer.outside import call_outside

# transactional: "committed" means committed here, not released to a test case's transaction
pytestmark = pytest.mark.django_db(transaction=True)


class Declined(Conflict):
    code = "declined"


def record() -> Group:
    return Group.objects.create(name="intent")


def rename(group: Group, name: str) -> None:
    Group.objects.filter(pk=group.pk).update(name=name)


def test_the_intent_is_committed_before_the_call_which_runs_in_no_transaction():
    seen: list[tuple[bool, object]] = []

    def call(group: Group) -> str:
        # autocommit and the row visible: it was committed
        seen.append((connection.in_atomic_block, Group.objects.filter(pk=group.pk).exists()))
        return "ok"

    def settle(group: Group, answer: str) -> str:
        seen.append((connection.in_atomic_block, answer))
        rename(group, "settled")
        return answer

    assert call_outside(record=record, call=call, settle=settle) == "ok"
    assert seen == [(False, True), (True, "ok")]  # settle in a transaction of its own
    assert Group.objects.get().name == "settled"


def test_inside_a_callers_transaction_it_refuses_before_recording_anything():
    called: list[Group] = []
    with transaction.atomic(), pytest.raises(RuntimeError, match="no transaction"):
        call_outside(record=record, call=called.append, settle=lambda g, a: None)
    assert called == []
    assert not Group.objects.exists()


def test_an_error_settle_returns_is_raised_after_its_commit_so_the_settled_row_stays():
    def settle(group: Group, answer: str) -> str | Declined:
        rename(group, "declined")
        return Declined()

    with pytest.raises(Declined) as raised:
        call_outside(record=record, call=lambda g: "no", settle=settle)
    assert Group.objects.get().name == "declined"
    assert raised.value.__context__ is None  # raised on its own, not while handling another


def test_an_exception_from_the_call_goes_to_on_error_which_settles_it():
    def call(group: Group) -> str:
        raise TimeoutError("the gateway took too long")

    def on_error(group: Group, error: Exception) -> str | Declined:
        assert isinstance(error, TimeoutError)
        rename(group, "failed")
        return Declined()

    settled: list[str] = []

    def settle(group: Group, answer: str) -> str:
        settled.append(answer)
        return answer

    with pytest.raises(Declined):
        call_outside(record=record, call=call, settle=settle, on_error=on_error)
    assert settled == []
    assert Group.objects.get().name == "failed"


def test_on_error_may_settle_with_a_result():
    def call(group: Group) -> str:
        raise TimeoutError()

    def on_error(group: Group, error: Exception) -> str:
        rename(group, "unknown")
        return "pending"

    result = call_outside(record=record, call=call, settle=lambda g, a: a, on_error=on_error)
    assert result == "pending"
    assert Group.objects.get().name == "unknown"


def test_an_exception_nobody_handles_leaves_the_intent_as_recorded():
    def call(group: Group) -> str:
        raise KeyError("surprise")

    def on_error(group: Group, error: Exception) -> str:
        rename(group, "changed")  # rolled back with the error it re-raises
        raise error

    with pytest.raises(KeyError):
        call_outside(record=record, call=call, settle=lambda g, a: a, on_error=on_error)
    with pytest.raises(KeyError):
        call_outside(
            record=lambda: Group.objects.create(name="second"), call=call, settle=lambda g, a: a
        )
    assert sorted(Group.objects.values_list("name", flat=True)) == ["intent", "second"]


def test_a_refused_intent_calls_nothing_and_records_nothing():
    def refuse() -> Group:
        Group.objects.create(name="half")
        raise Declined()

    called: list[Group] = []
    with pytest.raises(Declined):
        call_outside(record=refuse, call=called.append, settle=lambda g, a: None)
    assert called == []
    assert not Group.objects.exists()

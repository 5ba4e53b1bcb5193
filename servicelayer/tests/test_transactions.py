"""transactions.atomic: its own transaction, a savepoint in a caller's, or a joined one."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from servicelayer import transactions

pytestmark = pytest.mark.django_db


def savepoints(queries: CaptureQueriesContext) -> int:
    return sum(q["sql"].startswith("SAVEPOINT") for q in queries)


def test_the_first_block_inside_a_joinable_one_joins_it_and_the_next_nests():
    with CaptureQueriesContext(connection) as queries, transactions.atomic(joinable=True):
        opened = savepoints(queries)  # the test case's transaction makes this one a savepoint
        with transactions.atomic():
            joined = savepoints(queries)
            with transactions.atomic():
                nested = savepoints(queries)
    assert (joined - opened, nested - joined) == (0, 1)


class Failed(Exception):
    pass


def service_that_fails() -> None:
    with transactions.atomic():
        Group.objects.create(name="service's")
        raise Failed


def test_a_failure_in_a_joined_block_rolls_the_whole_transaction_back():
    def caller() -> None:
        with transactions.atomic(joinable=True):
            Group.objects.create(name="caller's")
            service_that_fails()

    with pytest.raises(Failed):
        caller()
    assert not Group.objects.exists()


def test_inside_a_transaction_not_offered_a_block_is_a_savepoint_undone_alone():
    with transactions.atomic():
        Group.objects.create(name="caller's")
        with pytest.raises(Failed):
            service_that_fails()
    assert list(Group.objects.values_list("name", flat=True)) == ["caller's"]


def test_one_statement_inside_a_transaction_survives_its_conflict_in_a_savepoint():
    Group.objects.create(name="taken")
    with transactions.atomic():
        with pytest.raises(IntegrityError), transactions.atomic(one_statement=True):
            Group.objects.create(name="taken")
        Group.objects.create(name="after")  # the transaction is still usable
    assert Group.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_one_statement_in_autocommit_opens_no_transaction():
    with transactions.atomic(one_statement=True):
        assert not connection.in_atomic_block
        Group.objects.create(name="alone")
    with transactions.atomic():
        assert connection.in_atomic_block


def test_one_statement_leaves_nothing_to_join():
    with (
        pytest.raises(ValueError, match="join"),
        transactions.atomic(joinable=True, one_statement=True),
    ):
        pass


def test_a_test_cases_own_transaction_is_no_callers_transaction():
    assert connection.in_atomic_block  # the test case's
    assert not transactions.caller_transaction_open()
    with transaction.atomic():
        assert transactions.caller_transaction_open()

"""Payments stop pointing at ordering's table: each payment becomes a payment of the payable
("order", its order id), and none is lost, either way."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("payments", "0003_settle_stale_payments")]
AFTER = [("payments", "0004_payable_reference")]


def migrate(targets):
    """Migrate to `targets` and return the models as they are there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def at_latest():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("at_latest")
def test_every_payment_becomes_a_payment_of_its_order_and_back(make_user):
    user = make_user()
    old = migrate(BEFORE)
    Order, Payment = old.get_model("ordering", "Order"), old.get_model("payments", "Payment")
    first, second = (Order.objects.create(owner_id=user.pk, total="25.00") for _ in range(2))
    made = {
        Payment.objects.create(
            order_id=order.pk, owner_id=user.pk, amount=Decimal("25.00"), status=status
        ).pk: order.pk
        for order, status in [
            (first, "declined"),
            (first, "succeeded"),
            (second, "failed"),
            (second, "processing"),
        ]
    }

    new = migrate(AFTER)

    payments = new.get_model("payments", "Payment").objects
    assert {p.pk: (p.payable_kind, p.payable_id) for p in payments.all()} == {
        pk: ("order", order_id) for pk, order_id in made.items()
    }
    with pytest.raises(IntegrityError), transaction.atomic():  # still one live payment each
        payments.create(
            payable_kind="order",
            payable_id=first.pk,
            owner_id=user.pk,
            amount=1,
            status="processing",
        )

    back = migrate(BEFORE)

    assert dict(back.get_model("payments", "Payment").objects.values_list("pk", "order_id")) == made

"""The variants' migrations on a database holding orders: every product gets one default
variant with its stock, and every basket and order line points at it; nothing is lost.

Rows are made with the historical models of the state before (as Django's own migration tests
do, through MigrationExecutor), then the database is migrated forward."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("catalog", "0004_search_postgresql"), ("ordering", "0004_order_checkout")]
AFTER = [("catalog", "0005_variants"), ("ordering", "0005_lines_name_variants")]


def _migrate(targets: list[tuple[str, str]]) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_products_get_a_default_variant_and_lines_point_at_it() -> None:
    try:
        old = _migrate(BEFORE)
        User = old.get_model("auth", "User")  # type: ignore[attr-defined]
        Product = old.get_model("catalog", "Product")  # type: ignore[attr-defined]
        Order = old.get_model("ordering", "Order")  # type: ignore[attr-defined]
        OrderLine = old.get_model("ordering", "OrderLine")  # type: ignore[attr-defined]
        Basket = old.get_model("ordering", "Basket")  # type: ignore[attr-defined]
        BasketLine = old.get_model("ordering", "BasketLine")  # type: ignore[attr-defined]

        alice = User.objects.create(username="alice")
        bob = User.objects.create(username="bob")
        mug = Product.objects.create(name="Mug", price=Decimal("12.50"), stock=7)
        pot = Product.objects.create(name="Pot", price=Decimal("30.00"), stock=0)
        gone = Product.objects.create(name="Gone", price=Decimal("5.00"), stock=2, is_active=False)
        first = Order.objects.create(owner=alice, total=Decimal("55.00"))
        OrderLine.objects.create(
            order=first, product=mug, product_name="Mug", quantity=2, unit_price="12.50"
        )
        OrderLine.objects.create(
            order=first, product=pot, product_name="Pot", quantity=1, unit_price="30.00"
        )
        second = Order.objects.create(owner=bob, total=Decimal("5.00"), status="canceled")
        OrderLine.objects.create(
            order=second, product=gone, product_name="Gone", quantity=1, unit_price="5.00"
        )
        basket = Basket.objects.create(owner=bob)
        BasketLine.objects.create(basket=basket, product=mug, quantity=3)
        BasketLine.objects.create(basket=basket, product=gone, quantity=1)
        lines_before = {
            pk: (order_id, product_id, quantity, unit_price)
            for pk, order_id, product_id, quantity, unit_price in OrderLine.objects.values_list(
                "id", "order_id", "product_id", "quantity", "unit_price"
            )
        }
        stock_before = dict(Product.objects.values_list("id", "stock"))

        new = _migrate(AFTER)
        Product = new.get_model("catalog", "Product")  # type: ignore[attr-defined]
        Variant = new.get_model("catalog", "Variant")  # type: ignore[attr-defined]
        OrderLine = new.get_model("ordering", "OrderLine")  # type: ignore[attr-defined]
        BasketLine = new.get_model("ordering", "BasketLine")  # type: ignore[attr-defined]

        variants = {v.product_id: v for v in Variant.objects.all()}  # exactly one per product
        assert Variant.objects.count() == 3
        for product_id, stock in stock_before.items():
            variant = variants[product_id]
            assert (variant.sku, variant.stock, variant.price, variant.is_active) == (
                f"P{product_id}",
                stock,
                None,
                True,
            )
        assert dict(Product.objects.values_list("id", "stock")) == stock_before
        for line in OrderLine.objects.all():
            assert (line.order_id, line.product_id, line.quantity, line.unit_price) == (
                lines_before[line.pk]
            )
            assert line.variant_id == variants[line.product_id].pk
            assert line.sku == f"P{line.product_id}"
            assert line.attributes == {}
        assert OrderLine.objects.count() == len(lines_before) == 3
        assert sorted(
            (line.product_id, line.variant_id, line.quantity) for line in BasketLine.objects.all()
        ) == sorted([(mug.pk, variants[mug.pk].pk, 3), (gone.pk, variants[gone.pk].pk, 1)])
    finally:
        _latest()


@pytest.mark.django_db(transaction=True)
def test_the_variants_migrations_go_back_too() -> None:
    """Backwards on an empty shop (a product with several variants cannot go back)."""
    try:
        _migrate(BEFORE)
        _migrate(AFTER)
    finally:
        _latest()

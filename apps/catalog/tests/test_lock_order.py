"""Archiving a variant takes its locks in catalog.stock's order (variants, then products), so
it cannot deadlock with an order taking stock of the same product at the same time."""

import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction

from apps.catalog import stock
from apps.catalog.dto import VariantRef
from apps.catalog.models import Product, Variant
from apps.catalog.services import variant_archive
from tests.races import WAIT, assert_waits_for_a_lock

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="row locks are PostgreSQL's: set DATABASE_URL",
)


@pytest.mark.django_db(transaction=True)
def test_archiving_a_variant_while_an_order_takes_its_stock_does_not_deadlock(
    merchant, monkeypatch
):
    product = Product.objects.create(name="Tee", price=Decimal("5.00"), stock=10)
    Variant.objects.create(product=product, sku="TEE-S", stock=5)
    large = Variant.objects.create(product=product, sku="TEE-L", stock=5)
    moving, may_move = threading.Event(), threading.Event()
    real = stock._move_products

    def held_between_variant_and_product(deltas, now):  # the order holds the variant's lock
        moving.set()
        assert may_move.wait(WAIT)
        return real(deltas, now)

    monkeypatch.setattr(stock, "_move_products", held_between_variant_and_product)
    errors: dict[str, str] = {}

    def order() -> None:
        try:
            with transaction.atomic():
                stock.take({large.pk: 1})
        except Exception as error:  # the test reads what went wrong
            errors["order"] = repr(error)
        finally:
            connection.close()

    def archive() -> None:
        try:
            variant_archive(
                actor=merchant, data=VariantRef(product_id=product.pk, variant_id=large.pk)
            )
        except Exception as error:
            errors["archive"] = repr(error)
        finally:
            connection.close()

    ordering = threading.Thread(target=order)
    ordering.start()
    assert moving.wait(WAIT)
    archiving = threading.Thread(target=archive)
    archiving.start()
    assert_waits_for_a_lock()  # the archive waits for the order's variant lock
    may_move.set()
    ordering.join(WAIT)
    archiving.join(WAIT)
    assert errors == {}
    large.refresh_from_db()
    assert (large.is_active, large.stock) == (False, 4)  # one taken; archived, it keeps it
    assert Product.objects.get(pk=product.pk).stock == 5  # the small one's, as before

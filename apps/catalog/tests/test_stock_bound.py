"""Stock stays within MAX_STOCK when a merchant changes it (the column would overflow past
2**31 - 1: repeated restocks were a 500); stock given back by orders is never refused."""

import pytest

from apps.catalog.dto import MAX_STOCK, StockChange
from apps.catalog.errors import StockLimitExceeded
from apps.catalog.models import Product, Variant
from apps.catalog.services import product_stock_change
from apps.ordering.dto import NewOrder, OrderRef
from apps.ordering.services import order_cancel, order_expire_unpaid, order_place
from tests.races import compete_while_held


def stock_url(product):
    return f"/api/products/{product.pk}/stock/"


def assert_limit_refused(response, *, stock, delta):
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "stock_limit_exceeded"
    assert str(MAX_STOCK) in error["message"]
    assert error["details"]["limit"] == MAX_STOCK
    assert error["details"]["delta"] == delta
    assert error["details"]["stock"] == stock


def test_repeated_restocks_stop_at_the_limit(api, merchant, make_product):
    product = make_product(stock=0)
    client = api(merchant)
    first = client.post(stock_url(product), {"delta": MAX_STOCK}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["stock"] == MAX_STOCK
    again = client.post(stock_url(product), {"delta": 1}, format="json")
    assert_limit_refused(again, stock=MAX_STOCK, delta=1)
    product.refresh_from_db()
    assert product.stock == MAX_STOCK


def test_a_restock_that_would_overflow_the_column_is_400_not_500(api, merchant, make_product):
    # stock near the column's limit (2**31 - 1), as many restocks would once have made it
    product = make_product(stock=2_147_000_000)
    response = api(merchant).post(stock_url(product), {"delta": MAX_STOCK}, format="json")
    assert_limit_refused(response, stock=2_147_000_000, delta=MAX_STOCK)


def test_a_write_off_works_on_stock_above_the_limit(merchant, make_product):
    # stock given back by canceled orders may stand above MAX_STOCK: it can still go down
    product = make_product(stock=MAX_STOCK + 10)
    changed = product_stock_change(
        actor=merchant, data=StockChange(product_id=product.pk, delta=-5)
    )
    assert changed.stock == MAX_STOCK + 5
    with pytest.raises(StockLimitExceeded):
        product_stock_change(actor=merchant, data=StockChange(product_id=product.pk, delta=1))


def test_stock_given_back_may_pass_the_limit(shopper, merchant, make_product, settings):
    product = make_product(stock=MAX_STOCK)
    first = order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=1000))
    second = order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=1000))
    product_stock_change(actor=merchant, data=StockChange(product_id=product.pk, delta=2000))
    order_cancel(actor=shopper, data=OrderRef(order_id=first.id))
    settings.AGORA_ORDER_PAYMENT_MINUTES = -1  # every unpaid order is overdue
    assert order_expire_unpaid().expired == [second.id]
    product.refresh_from_db()
    assert product.stock == MAX_STOCK + 2000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_restock_waits_for_a_competing_one_and_then_sees_the_limit(merchant, make_product):
    """Chosen interleaving: A restocks 600,000 and holds its transaction open; B restocks
    600,000 in between. B waits for A's lock on the variant and, once A commits, checks the
    bound against A's stock (in its conditional UPDATE too): refused, never 1,200,000."""
    product = make_product(stock=0)

    def restock():
        return product_stock_change(
            actor=merchant, data=StockChange(product_id=product.pk, delta=600_000)
        )

    _, outcome = compete_while_held(restock, restock, waits_on=f"SELECT {Variant._meta.db_table}.")

    assert isinstance(outcome, StockLimitExceeded)
    assert outcome.details == {
        "product_id": product.pk,
        "variant_id": Variant.objects.get(product=product).pk,
        "delta": 600_000,
        "stock": 600_000,
        "limit": MAX_STOCK,
    }
    assert Product.objects.get(pk=product.pk).stock == 600_000

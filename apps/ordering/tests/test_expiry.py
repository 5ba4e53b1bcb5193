"""The expiry sweep takes a bounded batch in one short transaction; the next run takes the rest."""

from datetime import timedelta

from django.utils import timezone

from apps.catalog.interface import products_by_ids
from apps.ordering.dto import NewOrder
from apps.ordering.models import Order, OrderStatus
from apps.ordering.services import order_expire_unpaid, order_place


def test_one_run_expires_at_most_a_batch_and_the_next_takes_the_rest(
    shopper, make_product, settings
):
    settings.AGORA_EXPIRY_BATCH = 2
    kettle, mug = make_product(stock=10), make_product(stock=10)
    placed = [
        order_place(actor=shopper, data=NewOrder(product_id=product.pk, quantity=2))
        for product in (kettle, mug, kettle)
    ]
    Order.objects.update(created_at=timezone.now() - timedelta(hours=1))

    assert order_expire_unpaid().expired == [placed[0].id, placed[1].id]
    assert order_expire_unpaid().expired == [placed[2].id]
    assert order_expire_unpaid().expired == []
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.EXPIRED}
    stock = products_by_ids([kettle.pk, mug.pk])
    assert (stock[kettle.pk].stock, stock[mug.pk].stock) == (10, 10)

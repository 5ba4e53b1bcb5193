"""The checkout's middle step: an order's address and shipping, and what paying needs."""

from decimal import Decimal

import pytest

from apps.addresses.dto import AddressChanges, AddressRef, NewAddress
from apps.addresses.interface import AddressNotFound
from apps.addresses.services import address_create, address_delete, address_update
from apps.ordering.dto import NewOrder, OrderLineCount, OrderShippingAddress, OrderShippingMethod
from apps.ordering.errors import (
    OrderNotEditable,
    OrderNotFound,
    ShippingAddressNotSet,
    ShippingCountryNotServed,
    ShippingNotNeeded,
)
from apps.ordering.models import Order
from apps.ordering.selectors import order_get
from apps.ordering.services import (
    order_cancel,
    order_change_quantity,
    order_choose_shipping,
    order_place,
    order_set_address,
)
from apps.payments.dto import NewPayment
from apps.payments.errors import PayableNotReady
from apps.payments.services import payment_pay
from apps.shipping.dto import NewShippingMethod, ShippingMethodRef
from apps.shipping.interface import ShippingMethodNotFound
from apps.shipping.services import shipping_method_archive, shipping_method_create
from servicelayer.models import Event

HOME = NewAddress(
    name="Alice Martin", line1="Torstrasse 12", city="Berlin", postal_code="10119", country="DE"
)


@pytest.fixture
def standard(merchant):
    return shipping_method_create(
        actor=merchant,
        data=NewShippingMethod(
            name="Standard", price="4.90", free_above="50.00", countries=["DE", "FR"]
        ),
    )


@pytest.fixture
def kettle(make_product):
    return make_product("Kettle", price="20.00", stock=10, ships=True)


@pytest.fixture
def order(shopper, kettle):
    return order_place(actor=shopper, data=NewOrder(product_id=kettle.pk, quantity=1))


@pytest.fixture
def home(shopper):
    return address_create(actor=shopper, data=HOME)


def set_address(shopper, order, address):
    return order_set_address(
        actor=shopper, data=OrderShippingAddress(order_id=order.id, address_id=address.id)
    )


def choose(shopper, order, method):
    return order_choose_shipping(
        actor=shopper, data=OrderShippingMethod(order_id=order.id, shipping_method_id=method.id)
    )


def pay(shopper, order):
    return payment_pay(actor=shopper, data=NewPayment(order_id=order.id, card_token="tok_visa"))


def test_the_total_is_lines_plus_shipping(shopper, order, home, standard):
    assert (order.needs_shipping, order.shipping_address, order.shipping_method) == (
        True,
        None,
        None,
    )
    addressed = set_address(shopper, order, home)
    assert addressed.shipping_address.city == "Berlin"
    priced = choose(shopper, order, standard)
    assert (priced.lines_total, priced.shipping_cost, priced.total) == (
        Decimal("20.00"),
        Decimal("4.90"),
        Decimal("24.90"),
    )
    assert priced.shipping_method.name == "Standard"
    # the read shows what the write returned
    assert order_get(actor=shopper, order_id=order.id) == priced.model_dump()
    assert pay(shopper, order).amount == Decimal("24.90")


def test_crossing_free_above_requotes_shipping(shopper, order, home, standard):
    set_address(shopper, order, home)
    choose(shopper, order, standard)
    three = order_change_quantity(actor=shopper, data=OrderLineCount(order_id=order.id, quantity=3))
    assert (three.shipping_cost, three.total) == (Decimal("0.00"), Decimal("60.00"))
    back = order_change_quantity(actor=shopper, data=OrderLineCount(order_id=order.id, quantity=2))
    assert (back.shipping_cost, back.total) == (Decimal("4.90"), Decimal("44.90"))


def test_a_method_archived_meanwhile_is_cleared_when_the_lines_change(
    merchant, shopper, order, home, standard
):
    set_address(shopper, order, home)
    choose(shopper, order, standard)
    shipping_method_archive(actor=merchant, data=ShippingMethodRef(shipping_method_id=standard.id))
    changed = order_change_quantity(
        actor=shopper, data=OrderLineCount(order_id=order.id, quantity=2)
    )
    assert (changed.shipping_method, changed.total) == (None, Decimal("40.00"))
    with pytest.raises(PayableNotReady) as caught:
        pay(shopper, order)
    assert caught.value.details == {"missing": ["shipping_method"]}


def test_the_order_keeps_its_copy_of_the_address(shopper, order, home):
    set_address(shopper, order, home)
    address_update(actor=shopper, data=AddressChanges(address_id=home.id, city="Potsdam"))
    address_delete(actor=shopper, data=AddressRef(address_id=home.id))
    assert order_get(actor=shopper, order_id=order.id)["shipping_address"]["city"] == "Berlin"


def test_a_method_must_ship_to_the_address_country(shopper, order, merchant, standard):
    rome = address_create(actor=shopper, data=HOME.model_copy(update={"country": "IT"}))
    with pytest.raises(ShippingAddressNotSet):
        choose(shopper, order, standard)
    set_address(shopper, order, rome)
    with pytest.raises(ShippingCountryNotServed) as caught:
        choose(shopper, order, standard)
    assert caught.value.details == {"country": "IT", "countries": ["DE", "FR"]}


def test_a_new_address_abroad_clears_a_method_that_does_not_ship_there(
    shopper, order, home, standard
):
    set_address(shopper, order, home)
    choose(shopper, order, standard)
    rome = address_create(actor=shopper, data=HOME.model_copy(update={"country": "IT"}))
    moved = set_address(shopper, order, rome)
    assert (moved.shipping_method, moved.shipping_cost, moved.total) == (
        None,
        Decimal("0.00"),
        Decimal("20.00"),
    )


def test_an_unknown_or_archived_method_is_not_found(merchant, shopper, order, home, standard):
    set_address(shopper, order, home)
    shipping_method_archive(actor=merchant, data=ShippingMethodRef(shipping_method_id=standard.id))
    with pytest.raises(ShippingMethodNotFound):
        choose(shopper, order, standard)


def test_another_customers_address_or_order_is_not_found(
    shopper, other_shopper, order, home, standard
):
    theirs = address_create(actor=other_shopper, data=HOME)
    with pytest.raises(AddressNotFound):
        set_address(shopper, order, theirs)
    with pytest.raises(OrderNotFound):
        set_address(other_shopper, order, theirs)


def test_only_an_order_awaiting_payment_changes_its_shipping(shopper, order, home, standard):
    from apps.ordering.dto import OrderRef

    set_address(shopper, order, home)
    choose(shopper, order, standard)
    order_cancel(actor=shopper, data=OrderRef(order_id=order.id))
    with pytest.raises(OrderNotEditable):
        set_address(shopper, order, home)
    with pytest.raises(OrderNotEditable):
        choose(shopper, order, standard)


def test_paying_goods_that_ship_needs_an_address_and_a_method(shopper, order, home, standard):
    with pytest.raises(PayableNotReady) as caught:
        pay(shopper, order)
    assert caught.value.code == "order_not_ready"
    assert caught.value.details == {"missing": ["shipping_address", "shipping_method"]}
    set_address(shopper, order, home)
    with pytest.raises(PayableNotReady) as caught:
        pay(shopper, order)
    assert caught.value.details == {"missing": ["shipping_method"]}
    assert Order.objects.get(pk=order.id).status == "awaiting_payment"


def test_digital_goods_are_paid_without_address_or_shipping(shopper, make_product, home):
    ebook = make_product("E-book", price="9.99", ships=False)
    order = order_place(actor=shopper, data=NewOrder(product_id=ebook.pk, quantity=1))
    assert order.needs_shipping is False
    with pytest.raises(ShippingNotNeeded):
        set_address(shopper, order, home)
    assert pay(shopper, order).amount == Decimal("9.99")


def test_one_line_that_ships_makes_the_order_need_shipping(shopper, make_product, kettle):
    from apps.ordering.dto import BasketItem
    from apps.ordering.services import basket_add_item, order_confirm

    ebook = make_product("E-book", price="9.99", ships=False)
    basket_add_item(actor=shopper, data=BasketItem(product_id=ebook.pk, quantity=1))
    basket_add_item(actor=shopper, data=BasketItem(product_id=kettle.pk, quantity=1))
    assert order_confirm(actor=shopper).needs_shipping is True


def test_setting_the_address_and_choosing_shipping_are_events_of_the_order(
    shopper, order, home, standard
):
    set_address(shopper, order, home)
    choose(shopper, order, standard)
    history = Event.objects.filter(subject="order", subject_id=order.id).order_by("id")
    assert [(e.kind, e.payload) for e in history][-2:] == [
        ("order.address_set", {"country": "DE", "total": "20.00"}),
        ("order.shipping_chosen", {"shipping_method": "Standard", "total": "24.90"}),
    ]

"""The checkout's middle step in the stories: where a parcel goes and how, in the shopper's
words. The services, no HTTP."""

from django.contrib.auth.models import User

from apps.addresses.dto import NewAddress
from apps.addresses.services import address_create
from apps.ordering.dto import OrderOut, OrderShippingAddress, OrderShippingMethod
from apps.ordering.services import order_choose_shipping, order_set_address
from apps.shipping.dto import NewShippingMethod
from apps.shipping.services import shipping_method_create

HOME = NewAddress(
    name="Alice Martin", line1="Torstrasse 12", city="Berlin", postal_code="10119", country="DE"
)


def send_home(merchant: User, shopper: User, order_id: int, *, price: str = "0.00") -> OrderOut:
    """The merchant offers delivery to Germany at `price`; the shopper sends the order home by
    it (a new entry of their address book)."""
    method = shipping_method_create(
        actor=merchant, data=NewShippingMethod(name="Home delivery", price=price, countries=["DE"])
    )
    home = address_create(actor=shopper, data=HOME)
    order_set_address(
        actor=shopper, data=OrderShippingAddress(order_id=order_id, address_id=home.id)
    )
    return order_choose_shipping(
        actor=shopper,
        data=OrderShippingMethod(order_id=order_id, shipping_method_id=method.id),
    )

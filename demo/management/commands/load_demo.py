import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from apps.accounts.dto import NewUser
from apps.accounts.interface import issue_token
from apps.accounts.services import user_create
from apps.addresses.dto import NewAddress
from apps.addresses.selectors import address_list
from apps.addresses.services import address_create
from apps.bookings.dto import NewHotel
from apps.bookings.interface import hotel_ids_by_supplier_id
from apps.bookings.services import hotel_create
from apps.catalog.dto import NewAttribute, NewProduct, NewVariant
from apps.catalog.interface import product_ids_by_name
from apps.catalog.selectors import attribute_list
from apps.catalog.services import attribute_create, product_create, variant_create
from apps.shipping.dto import NewShippingMethod, ShippingMethodQuery
from apps.shipping.selectors import shipping_method_list
from apps.shipping.services import shipping_method_create

PRODUCTS = Path(__file__).resolve().parents[2] / "products.json"
HOTELS = Path(__file__).resolve().parents[2] / "hotels.json"
SHIPPING = Path(__file__).resolve().parents[2] / "shipping.json"
# The demo shopper's address book: where the README's walk-through sends its parcel.
SHOPPER_HOME = NewAddress(
    name="Sam Shopper", line1="Torstrasse 12", city="Berlin", postal_code="10119", country="DE"
)
USERS = [
    NewUser(username="merchant", password="merchant-demo-pass", is_staff=True),
    NewUser(username="shopper", password="shopper-demo-pass", is_staff=False),
]


class Command(BaseCommand):
    help = (
        "Load demo users, products, shipping methods, the shopper's address and hotels. "
        "Idempotent: running it twice adds nothing (each run prints a fresh token per demo "
        "user and revokes the one the previous run printed)."
    )

    @staticmethod
    def _attributes(merchant: Any, values: dict[str, str]) -> None:
        """The attributes a demo variant names, defined if they are not yet."""
        known = {a["code"] for a in attribute_list(actor=merchant)}
        for code in values:
            if code not in known:
                attribute_create(
                    actor=merchant, data=NewAttribute(code=code, name=code.capitalize())
                )

    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model().objects
        for user in USERS:
            if not users.filter(username=user.username).exists():
                user_create(data=user)
        merchant = users.get(username="merchant")
        if merchant.is_staff and not merchant.is_superuser:
            merchant.is_superuser = True  # the demo merchant may use the admin too
            merchant.save(update_fields=["is_superuser"])
        # our own files: a mistake in them is a bug to see (a ValidationError), not an input error
        rows = json.loads(PRODUCTS.read_text())
        more_variants = {row["name"]: row.pop("variants", []) for row in rows}
        products = [NewProduct.model_validate(p) for p in rows]
        existing = product_ids_by_name(p.name for p in products)
        created = 0
        for product in products:
            if product.name not in existing:
                made = product_create(actor=merchant, data=product)
                for variant in more_variants[product.name]:
                    self._attributes(merchant, variant.get("attributes", {}))
                    variant_create(
                        actor=merchant,
                        data=NewVariant.model_validate({**variant, "product_id": made.id}),
                    )
                created += 1
        hotels = [NewHotel.model_validate(h) for h in json.loads(HOTELS.read_text())]
        known = hotel_ids_by_supplier_id(h.supplier_hotel_id for h in hotels)
        added_hotels = 0
        for hotel in hotels:
            if hotel.supplier_hotel_id not in known:
                hotel_create(actor=merchant, data=hotel)
                added_hotels += 1
        methods = [NewShippingMethod.model_validate(m) for m in json.loads(SHIPPING.read_text())]
        offered = {
            m["name"]
            for m in shipping_method_list(
                actor=merchant, params=ShippingMethodQuery(include_archived=True)
            )
        }
        added_methods = 0
        for method in methods:
            if method.name not in offered:
                shipping_method_create(actor=merchant, data=method)
                added_methods += 1
        shopper = users.get(username="shopper")
        if not address_list(actor=shopper):
            address_create(actor=shopper, data=SHOPPER_HOME)
        self.stdout.write(
            f"Demo data: {created} products, {added_methods} shipping methods and "
            f"{added_hotels} hotels added."
        )
        for user in USERS:
            # only a hash of a key is kept, so the key printed last time cannot be printed again
            token = issue_token(username=user.username, name="demo", replace=True)
            self.stdout.write(
                f"  {user.username:<9} password {user.password:<20} token {token.key}"
            )

"""Test data, written once: users with an API token, products, hotels, and stays to book."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from apps.bookings.dto import NewBooking
from apps.bookings.models import Hotel
from apps.catalog.models import Product, Variant
from supplier_sim.inventory import ROOM_TYPES, stay_total

PASSWORD = "secret-pass-123"


def issue_test_token(user: User) -> str:
    """A new API token for `user`; its key. Marked as just used, so that a test's first
    request costs what a typical one does (no `last_used_at` write)."""
    from apps.accounts.models import ApiToken
    from servicelayer.tokens import hash_key, new_key

    key = new_key()
    ApiToken.objects.create(
        user=user, prefix=key[:8], key_hash=hash_key(key), last_used_at=timezone.now()
    )
    return key


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A user who signs in with PASSWORD and holds a token: `user.test_token_key`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n + 1}")
    is_staff = False

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        kwargs.setdefault("password", PASSWORD)
        return model_class.objects.create_user(*args, **kwargs)

    @factory.post_generation
    def token(user: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            user.test_token_key = issue_test_token(user)


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Product {n + 1}")
    price = Decimal("10.00")
    stock = 10
    is_active = True
    # digital unless a test says it ships: an order of them is paid without address or shipping
    ships = False

    @factory.post_generation
    def variant(product: Product, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Its one default variant, as the migration and product_create make it: SKU
        `P<id>`, holding the product's stock."""
        if create:
            Variant.objects.create(product=product, sku=f"P{product.pk}", stock=product.stock)


class HotelFactory(factory.django.DjangoModelFactory[Hotel]):
    class Meta:
        model = Hotel

    name = factory.Sequence(lambda n: f"Hotel {n + 1}")
    city = "Lisbon"
    supplier_hotel_id = factory.Sequence(lambda n: f"H{n + 1}")


def stay_input(
    hotel: Hotel | int,
    *,
    start: int = 5,
    nights: int = 2,
    room_type: str = "standard",
    guests: int = 2,
    first: date | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A stay as a client sends it: `nights` nights from `start` days from today, in a room
    of `room_type`, quoted at the simulated supplier's price (unless `quoted_total` is given).
    `first`: the day of arrival, instead of `start`."""
    first = first or timezone.now().date() + timedelta(days=start)
    hotel_id = hotel if isinstance(hotel, int) else hotel.pk
    supplier_id = (
        Hotel.objects.filter(pk=hotel).values_list("supplier_hotel_id", flat=True).first()
        if isinstance(hotel, int)
        else hotel.supplier_hotel_id
    )
    room = ROOM_TYPES.get(room_type)
    quoted = stay_total(supplier_id, first, nights, room, Decimal(0)) if room and supplier_id else 0
    return {
        "hotel_id": hotel_id,
        "start_date": first.isoformat(),
        "end_date": (first + timedelta(days=nights)).isoformat(),
        "room_type": room_type,
        "guests": guests,
        "quoted_total": str(quoted),
        **extra,
    }


def stay(hotel: Hotel | int, **kwargs: Any) -> NewBooking:
    """The NewBooking a service takes for the same stay."""
    return NewBooking.model_validate(stay_input(hotel, **kwargs))


def set_stock(product: Product, stock: int) -> None:
    """Set a single-variant product's stock behind the services' back (its one variant and the
    product's sum), as a test arranging a shortage does."""
    Variant.objects.filter(product=product).update(stock=stock)
    Product.objects.filter(pk=product.pk).update(stock=stock)
    product.stock = stock


def variant_of(product: Product) -> int:
    """The id of a single-variant product's variant."""
    return Variant.objects.get(product=product).pk

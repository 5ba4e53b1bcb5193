"""The Django Ninja baseline (bench only): what a team gets from idiomatic Ninja code.

Not tuned: `ModelSchema` output, Ninja's own `LimitOffsetPagination` for the list (with its
`COUNT(*)`), a `HttpBearer` for Agora's `Authorization: Token <key>` header doing the same
token look-up as Agora's (by the key's hash, alive, its user active), and an order placement
as safe as naive DRF's (bench/baselines.py's take_one_variant: the product's first active
variant locked, then the product, the stock checked, both updated).
Mounted by bench/urls.py under /bench/ninja/, inside Agora's settings and middleware as naive
DRF is.
"""

import hashlib
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, ModelSchema, NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import HttpBearer

from apps.accounts.models import ApiToken
from apps.catalog.models import Product
from apps.ordering.models import Order, OrderLine
from bench.baselines import take_one_variant

api = NinjaAPI(urls_namespace="bench-ninja", docs_url=None, openapi_url=None)


class TokenAuth(HttpBearer):
    """`Authorization: Token <key>`, looked up as Agora looks it up."""

    openapi_scheme = "token"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        alive = Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        found = (
            ApiToken.objects.select_related("user")
            .filter(alive, key_hash=hashlib.sha256(token.encode()).hexdigest())
            .filter(user__is_active=True)
            .first()
        )
        return found.user if found else None


class ProductOut(ModelSchema):
    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "description",
            "price",
            "stock",
            "is_active",
            "created_at",
            "updated_at",
        ]


class NewOrderIn(Schema):
    product_id: int = Field(ge=1)
    quantity: int = Field(ge=1, le=1000)


class OrderLineOut(Schema):
    product_id: int
    variant_id: int
    product_name: str
    sku: str
    quantity: int
    unit_price: Decimal


class OrderOut(Schema):
    id: int
    status: str
    total: Decimal
    created_at: datetime
    lines: list[OrderLineOut]


@api.get("/products/", response=list[ProductOut])
@paginate(LimitOffsetPagination, max_limit=100)
def product_list(request: HttpRequest, search: str = "") -> QuerySet[Product]:
    products = Product.objects.filter(is_active=True).order_by("-created_at", "-id")
    if search:  # the words in the name or the description, newest first: no ranking
        products = products.filter(Q(name__icontains=search) | Q(description__icontains=search))
    return products


@api.get("/products/{product_id}/", response=ProductOut)
def product_get(request: HttpRequest, product_id: int) -> Product:
    return get_object_or_404(Product, pk=product_id, is_active=True)


@api.post("/orders/", response={201: OrderOut}, auth=TokenAuth())
def order_place(request: HttpRequest, data: NewOrderIn) -> Status[Order]:
    with transaction.atomic():
        taken = take_one_variant(data.product_id, data.quantity)
        if taken is None:
            raise HttpError(409, "out of stock")
        variant, product = taken
        price = variant.price or product.price
        buyer = request.auth  # type: ignore[attr-defined]
        order = Order.objects.create(owner=buyer, total=price * data.quantity)
        OrderLine.objects.create(
            order=order,
            product=product,
            variant=variant,
            product_name=product.name,
            sku=variant.sku,
            attributes=variant.attributes,
            quantity=data.quantity,
            unit_price=price,
        )
    return Status(201, order)

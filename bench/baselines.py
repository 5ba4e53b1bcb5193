"""The two baselines Agora is measured against (bench only, never served by the project).

- naive: what DRF gives by default, ModelViewSet + ModelSerializer, page-number pagination;
  its order creation takes stock with a conditional update so that it is as safe as ours.
- floor: plain Django views, one raw SQL statement per step, rows straight to orjson.
"""

import hashlib
import uuid
from decimal import Decimal
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from rest_framework import (
    filters,
    mixins,
    pagination,
    permissions,
    serializers,
    status,
    viewsets,
)
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.catalog.models import Product, Variant
from apps.ordering.models import Basket, BasketLine, Order, OrderLine
from bench.bare.views import take_stock


class NaivePagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class NaiveProductSerializer(serializers.ModelSerializer[Product]):
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


class NaiveProductViewSet(viewsets.ReadOnlyModelViewSet[Product]):
    queryset = Product.objects.filter(is_active=True).order_by("-created_at", "-id")
    serializer_class = NaiveProductSerializer
    pagination_class = NaivePagination
    permission_classes = [permissions.AllowAny]
    # `?search=`: DRF's SearchFilter, every word icontains in the name or the description,
    # in the list's own order (newest first), no ranking
    filter_backends = [filters.SearchFilter]
    search_fields = ["name", "description"]


class NaiveOrderLineSerializer(serializers.ModelSerializer[OrderLine]):
    class Meta:
        model = OrderLine
        fields = ["product", "product_name", "quantity", "unit_price"]


class NaiveOrderSerializer(serializers.ModelSerializer[Order]):
    lines = NaiveOrderLineSerializer(many=True, read_only=True)
    product_id = serializers.IntegerField(write_only=True, min_value=1)
    quantity = serializers.IntegerField(write_only=True, min_value=1, max_value=1000)

    class Meta:
        model = Order
        fields = ["id", "status", "total", "created_at", "lines", "product_id", "quantity"]
        read_only_fields = ["status", "total", "created_at"]

    def create(self, validated_data: dict[str, Any]) -> Order:
        quantity = validated_data["quantity"]
        with transaction.atomic():
            taken = take_one_variant(validated_data["product_id"], quantity)
            if taken is None:
                raise serializers.ValidationError({"quantity": "out of stock"})
            variant, product = taken
            price = variant.price or product.price
            order = Order.objects.create(owner=self.context["request"].user, total=price * quantity)
            OrderLine.objects.create(
                order=order,
                product=product,
                variant=variant,
                product_name=product.name,
                sku=variant.sku,
                attributes=variant.attributes,
                quantity=quantity,
                unit_price=price,
            )
        return order


def take_one_variant(product_id: int, quantity: int) -> tuple[Variant, Product] | None:
    """Take units of an active product's first active variant the naive way, inside the
    caller's transaction: the variant locked, then its product (the lock order; FOR NO KEY
    UPDATE, as naive confirm's), the stock checked, both updated. None when there is none or
    it is out of stock. Naive DRF's and Ninja's orders take stock so."""
    variant = (
        Variant.objects.select_for_update(of=("self",), no_key=True)
        .filter(product_id=product_id, is_active=True, product__is_active=True)
        .order_by("id")
        .first()
    )
    if variant is None or variant.stock < quantity:
        return None
    product = Product.objects.select_for_update(no_key=True).get(pk=variant.product_id)
    Variant.objects.filter(pk=variant.pk).update(stock=F("stock") - quantity)
    Product.objects.filter(pk=product.pk).update(stock=F("stock") - quantity)
    return variant, product


class NaiveOrderViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet[Order]):
    queryset = Order.objects.all()
    serializer_class = NaiveOrderSerializer
    permission_classes = [permissions.IsAuthenticated]


class NaiveBasketLineSerializer(serializers.ModelSerializer[BasketLine]):
    product_name = serializers.CharField(source="product.name", read_only=True)
    sku = serializers.CharField(source="variant.sku", read_only=True)
    unit_price = serializers.SerializerMethodField()

    class Meta:
        model = BasketLine
        fields = ["product", "variant", "product_name", "sku", "quantity", "unit_price"]

    def get_unit_price(self, line: BasketLine) -> str:
        return str(line.variant.price or line.product.price)


class NaiveBasketSerializer(serializers.ModelSerializer[Basket]):
    lines = NaiveBasketLineSerializer(many=True, read_only=True)

    class Meta:
        model = Basket
        fields = ["id", "lines"]


class NaiveBasketItemSerializer(serializers.Serializer[Any]):
    product_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=1000)


class NaiveBasketViewSet(viewsets.GenericViewSet[Basket]):
    """The basket as a DRF tutorial would write it: get_or_create, the product's first active
    variant read, its line grown with its stock checked, the basket serialized back with
    nested lines; confirming locks the basket, then its variants (by id) and their products
    (by id), checks each line's stock and takes it, one order line at a time."""

    queryset = Basket.objects.all()
    serializer_class = NaiveBasketSerializer
    permission_classes = [permissions.IsAuthenticated]

    @action(detail=False, methods=["post"])
    def items(self, request: Request) -> Response:
        item = NaiveBasketItemSerializer(data=request.data)
        item.is_valid(raise_exception=True)
        product_id, quantity = item.validated_data["product_id"], item.validated_data["quantity"]
        with transaction.atomic():
            basket, _ = Basket.objects.get_or_create(owner=request.user)
            basket = Basket.objects.select_for_update().get(pk=basket.pk)
            variant = (
                Variant.objects.filter(
                    product_id=product_id, is_active=True, product__is_active=True
                )
                .order_by("id")
                .first()
            )
            if variant is None:
                raise serializers.ValidationError({"product_id": "unknown product"})
            line = BasketLine.objects.filter(basket=basket, variant=variant).first()
            line = line or BasketLine(
                basket=basket, product_id=product_id, variant=variant, quantity=0
            )
            line.quantity += quantity
            if line.quantity > min(variant.stock, 1000):
                raise serializers.ValidationError({"quantity": "out of stock"})
            line.save()
        return Response(NaiveBasketSerializer(basket).data)

    @action(detail=False, methods=["post"])
    def confirm(self, request: Request) -> Response:
        with transaction.atomic():
            basket = Basket.objects.select_for_update().filter(owner_id=request.user.pk).first()
            lines = list(basket.lines.order_by("variant_id")) if basket else []
            if basket is None or not lines:
                raise serializers.ValidationError({"basket": "empty"})
            # the lock order: every variant by id, then every product by id; FOR NO KEY UPDATE
            # (what an UPDATE of the stock takes), else a basket line's insert elsewhere,
            # whose foreign keys share-lock its product then its variant, deadlocks with it
            wanted = Variant.objects.filter(pk__in=[line.variant_id for line in lines])
            variants = {v.pk: v for v in wanted.select_for_update(no_key=True).order_by("id")}
            of = Product.objects.filter(pk__in={line.product_id for line in lines})
            products = {p.pk: p for p in of.select_for_update(no_key=True).order_by("id")}
            order = Order.objects.create(owner_id=basket.owner_id, total=Decimal("0.00"))
            for line in lines:
                variant, product = variants[line.variant_id], products[line.product_id]
                if not (variant.is_active and product.is_active) or variant.stock < line.quantity:
                    raise serializers.ValidationError({"lines": "out of stock"})
                Variant.objects.filter(pk=variant.pk).update(stock=F("stock") - line.quantity)
                Product.objects.filter(pk=product.pk).update(stock=F("stock") - line.quantity)
                price = variant.price or product.price
                OrderLine.objects.create(
                    order=order,
                    product=product,
                    variant=variant,
                    product_name=product.name,
                    sku=variant.sku,
                    attributes=variant.attributes,
                    quantity=line.quantity,
                    unit_price=price,
                )
                order.total += price * line.quantity
            order.needs_shipping = any(product.ships for product in products.values())
            order.save()
            basket.lines.all().delete()
        return Response(NaiveOrderSerializer(order).data, status=status.HTTP_201_CREATED)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError


_PRODUCTS_SQL = (
    "SELECT id, name, description, price, stock, is_active, created_at, updated_at "
    "FROM catalog_product WHERE is_active ORDER BY created_at DESC, id DESC LIMIT %s"
)
_COLUMNS = ("id", "name", "description", "price", "stock", "is_active", "created_at", "updated_at")


def floor_products(request: HttpRequest) -> HttpResponse:
    size = min(max(int(request.GET.get("page_size", 20)), 1), 100)
    with connection.cursor() as cursor:
        cursor.execute(_PRODUCTS_SQL, [size])
        rows = [dict(zip(_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    body = orjson.dumps({"results": rows}, default=_default, option=orjson.OPT_UTC_Z)
    return HttpResponse(body, content_type="application/json")


_LINE_SQL = (
    "INSERT INTO ordering_orderline (order_id, product_id, variant_id, product_name, sku, "
    "attributes, quantity, unit_price) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)


@csrf_exempt
def floor_order(request: HttpRequest) -> HttpResponse:
    """The same token look-up and the same stock safety as Agora, nothing else."""
    header = request.headers.get("Authorization", "")
    data = orjson.loads(request.body)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT user_id FROM accounts_apitoken WHERE key_hash = %s "
            "AND (expires_at IS NULL OR expires_at > %s)",
            [hashlib.sha256(header[6:].encode()).hexdigest(), now],
        )
        user = cursor.fetchone()
        if user is None:
            return JsonResponse({"error": "not_authenticated"}, status=401)
        with transaction.atomic():
            taken = take_stock(cursor, data["product_id"], data["quantity"], now)
            if taken is None:
                return JsonResponse({"error": "out_of_stock"}, status=409)
            variant_id, sku, attributes, name, price, _ = taken
            total = price * data["quantity"]
            cursor.execute(
                "INSERT INTO ordering_order (owner_id, status, total, created_at, updated_at) "
                "VALUES (%s, 'awaiting_payment', %s, %s, %s) RETURNING id",
                [user[0], total, now, now],
            )
            (order_id,) = cursor.fetchone()
            cursor.execute(
                _LINE_SQL,
                [
                    order_id,
                    data["product_id"],
                    variant_id,
                    name,
                    sku,
                    orjson.dumps(attributes).decode(),
                    data["quantity"],
                    price,
                ],
            )
    body = {"id": order_id, "status": "awaiting_payment", "total": total}
    return HttpResponse(
        orjson.dumps(body, default=_default), status=201, content_type="application/json"
    )


# --- the checkout journey's floor (bench/journey.lua): four views, one raw SQL step each ---


def _journey_user(cursor: Any, request: HttpRequest, now: Any) -> int | None:
    """The same token look-up as floor_order."""
    header = request.headers.get("Authorization", "")
    cursor.execute(
        "SELECT user_id FROM accounts_apitoken WHERE key_hash = %s "
        "AND (expires_at IS NULL OR expires_at > %s)",
        [hashlib.sha256(header[6:].encode()).hexdigest(), now],
    )
    user = cursor.fetchone()
    return None if user is None else int(user[0])


def _json(body: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(
        orjson.dumps(body, default=_default), status=status, content_type="application/json"
    )


_NOT_AUTHENTICATED = {"error": "not_authenticated"}


@csrf_exempt
def floor_journey_place(request: HttpRequest) -> HttpResponse:
    """floor_order, and the order needs shipping when the product ships."""
    data = orjson.loads(request.body)
    now = timezone.now()
    with connection.cursor() as cursor:
        user = _journey_user(cursor, request, now)
        if user is None:
            return _json(_NOT_AUTHENTICATED, 401)
        with transaction.atomic():
            taken = take_stock(cursor, data["product_id"], data["quantity"], now)
            if taken is None:
                return _json({"error": "out_of_stock"}, 409)
            variant_id, sku, attributes, name, price, ships = taken
            total = price * data["quantity"]
            cursor.execute(
                "INSERT INTO ordering_order (owner_id, status, total, needs_shipping, "
                "created_at, updated_at) VALUES (%s, 'awaiting_payment', %s, %s, %s, %s) "
                "RETURNING id",
                [user, total, ships, now, now],
            )
            (order_id,) = cursor.fetchone()
            cursor.execute(
                _LINE_SQL,
                [
                    order_id,
                    data["product_id"],
                    variant_id,
                    name,
                    sku,
                    orjson.dumps(attributes).decode(),
                    data["quantity"],
                    price,
                ],
            )
    return _json({"id": order_id, "status": "awaiting_payment", "total": total}, 201)


# The journey sets the address before any method is chosen, so there is nothing to quote again
# here (Agora's service would re-quote a method already chosen).
_ADDRESS_SQL = (
    "UPDATE ordering_order o SET ship_to_name = a.name, ship_to_line1 = a.line1, "
    "ship_to_line2 = a.line2, ship_to_city = a.city, ship_to_postal_code = a.postal_code, "
    "ship_to_country = a.country, ship_to_phone = a.phone, updated_at = %s "
    "FROM addresses_address a WHERE o.id = %s AND o.owner_id = %s "
    "AND o.status = 'awaiting_payment' AND o.needs_shipping AND a.id = %s AND a.owner_id = %s "
    "RETURNING o.id, o.total, o.ship_to_country"
)


@csrf_exempt
def floor_journey_address(request: HttpRequest, order_id: int) -> HttpResponse:
    data = orjson.loads(request.body)
    now = timezone.now()
    with connection.cursor() as cursor:
        user = _journey_user(cursor, request, now)
        if user is None:
            return _json(_NOT_AUTHENTICATED, 401)
        cursor.execute(_ADDRESS_SQL, [now, order_id, user, data["address_id"], user])
        row = cursor.fetchone()
    if row is None:
        return _json({"error": "not_found"}, 404)
    return _json({"id": row[0], "total": row[1], "country": row[2]})


# The quote: the method's price, nothing when the goods reach its free_above; the total is the
# goods (the lines) plus that. One statement, the order's row locked by the update itself.
_SHIPPING_SQL = (
    "WITH goods AS (SELECT sum(unit_price * quantity) AS total FROM ordering_orderline "
    "WHERE order_id = %s), quote AS (SELECT m.id, m.name, CASE WHEN m.free_above IS NOT NULL "
    "AND goods.total >= m.free_above THEN 0 ELSE m.price END AS cost, goods.total AS goods "
    "FROM shipping_shippingmethod m, goods WHERE m.id = %s AND m.is_active) "
    "UPDATE ordering_order o SET shipping_method_id = quote.id, shipping_method_name = "
    "quote.name, shipping_cost = quote.cost, total = quote.goods + quote.cost, updated_at = %s "
    "FROM quote, shipping_shippingmethod m WHERE o.id = %s AND o.owner_id = %s "
    "AND o.status = 'awaiting_payment' AND o.ship_to_country <> '' AND m.id = quote.id "
    "AND m.countries ? o.ship_to_country RETURNING o.id, o.total, o.shipping_cost"
)


@csrf_exempt
def floor_journey_shipping(request: HttpRequest, order_id: int) -> HttpResponse:
    data = orjson.loads(request.body)
    now = timezone.now()
    with connection.cursor() as cursor:
        user = _journey_user(cursor, request, now)
        if user is None:
            return _json(_NOT_AUTHENTICATED, 401)
        cursor.execute(_SHIPPING_SQL, [order_id, data["shipping_method_id"], now, order_id, user])
        row = cursor.fetchone()
    if row is None:
        return _json({"error": "not_found_or_not_served"}, 409)
    return _json({"id": row[0], "total": row[1], "shipping_cost": row[2]})


_PAYABLE_SQL = (
    "UPDATE ordering_order SET status = 'paid', updated_at = %s WHERE id = %s AND owner_id = %s "
    "AND status = 'awaiting_payment' AND (NOT needs_shipping OR (ship_to_country <> '' "
    "AND shipping_method_id IS NOT NULL)) RETURNING total"
)


@csrf_exempt
def floor_journey_pay(request: HttpRequest, order_id: int) -> HttpResponse:
    """Pay in one transaction: the order becomes paid, the dummy gateway's charge row and a
    succeeded payment are inserted (no gateway call between transactions, as Agora's has)."""
    data = orjson.loads(request.body)
    if data.get("card_token") != "tok_visa":
        return _json({"error": "card_token_invalid"}, 400)
    now = timezone.now()
    currency = settings.AGORA_CURRENCY
    with connection.cursor() as cursor:
        user = _journey_user(cursor, request, now)
        if user is None:
            return _json(_NOT_AUTHENTICATED, 401)
        with transaction.atomic():
            cursor.execute(_PAYABLE_SQL, [now, order_id, user])
            paid = cursor.fetchone()
            if paid is None:
                return _json({"error": "order_not_payable"}, 409)
            (amount,) = paid
            charge = f"ch_{uuid.uuid4().hex[:24]}"
            cursor.execute(
                "INSERT INTO payments_dummycharge (reference, charge_id, amount, currency, "
                "requires_action, created_at) VALUES (%s, %s, %s, %s, false, %s)",
                [f"bench-floor-{charge}", charge, amount, currency, now],
            )
            cursor.execute(
                "INSERT INTO payments_payment (payable_kind, payable_id, owner_id, amount, "
                "currency, status, gateway_reference, refund_reference, decline_reason, "
                "client_secret, amount_refunded, created_at, updated_at) VALUES ('order', %s, "
                "%s, %s, %s, 'succeeded', %s, '', '', '', 0, %s, %s) RETURNING id",
                [order_id, user, amount, currency, charge, now, now],
            )
            (payment_id,) = cursor.fetchone()
    body = {
        "id": payment_id,
        "order_id": order_id,
        "amount": amount,
        "currency": currency,
        "status": "succeeded",
    }
    return _json(body, 201)

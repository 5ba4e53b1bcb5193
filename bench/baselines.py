"""The two baselines Agora is measured against (bench only, never served by the project).

- naive: what DRF gives by default, ModelViewSet + ModelSerializer, page-number pagination;
  its order creation takes stock with a conditional update so that it is as safe as ours.
- floor: plain Django views, one raw SQL statement per step, rows straight to orjson.
"""

import hashlib
from decimal import Decimal
from typing import Any

import orjson
from django.db import connection, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from rest_framework import mixins, pagination, permissions, serializers, viewsets

from apps.catalog.models import Product
from apps.ordering.models import Order, OrderLine


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
            product = Product.objects.select_for_update().get(pk=validated_data["product_id"])
            if product.stock < quantity:
                raise serializers.ValidationError({"quantity": "out of stock"})
            Product.objects.filter(pk=product.pk).update(stock=F("stock") - quantity)
            order = Order.objects.create(
                owner=self.context["request"].user, total=product.price * quantity
            )
            OrderLine.objects.create(
                order=order,
                product=product,
                product_name=product.name,
                quantity=quantity,
                unit_price=product.price,
            )
        return order


class NaiveOrderViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet[Order]):
    queryset = Order.objects.all()
    serializer_class = NaiveOrderSerializer
    permission_classes = [permissions.IsAuthenticated]


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
            cursor.execute(
                "UPDATE catalog_product SET stock = stock - %s, updated_at = %s "
                "WHERE id = %s AND is_active AND stock >= %s RETURNING name, price",
                [data["quantity"], now, data["product_id"], data["quantity"]],
            )
            taken = cursor.fetchone()
            if taken is None:
                return JsonResponse({"error": "out_of_stock"}, status=409)
            name, price = taken
            total = price * data["quantity"]
            cursor.execute(
                "INSERT INTO ordering_order (owner_id, status, total, created_at, updated_at) "
                "VALUES (%s, 'awaiting_payment', %s, %s, %s) RETURNING id",
                [user[0], total, now, now],
            )
            (order_id,) = cursor.fetchone()
            cursor.execute(
                "INSERT INTO ordering_orderline (order_id, product_id, product_name, quantity, "
                "unit_price) VALUES (%s, %s, %s, %s, %s)",
                [order_id, data["product_id"], name, data["quantity"], price],
            )
    body = {"id": order_id, "status": "awaiting_payment", "total": total}
    return HttpResponse(
        orjson.dumps(body, default=_default), status=201, content_type="application/json"
    )

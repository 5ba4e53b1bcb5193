"""The bare floor's views: for each request one SQL statement per step, rows to orjson.

Each answers what Agora answers for the same request, byte for byte (tests/test_bench_floor.py),
for the inputs the benchmark sends. They check no more than that needs: a bad page size falls
back to a bound, a malformed body is a 400, and nothing else is validated.
"""

import base64
import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z
_PRODUCT = "id, name, description, price, stock, is_active, ships, created_at, updated_at"
_COLUMNS = tuple(column.strip() for column in _PRODUCT.split(","))
_LIST = f"SELECT {_PRODUCT} FROM catalog_product WHERE is_active ORDER BY created_at DESC, id DESC"
_FIRST_PAGE = f"{_LIST} LIMIT %s"
_AFTER = (
    f"SELECT {_PRODUCT} FROM catalog_product WHERE is_active AND (created_at < %s "
    "OR (created_at = %s AND id < %s)) ORDER BY created_at DESC, id DESC LIMIT %s"
)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError


def _json(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        orjson.dumps(body, default=_default, option=_OPTIONS),
        status=status,
        content_type="application/json",
    )


def _cursor(values: list[Any]) -> str:
    raw = orjson.dumps(values, default=_default, option=_OPTIONS)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def product_list(request: HttpRequest) -> HttpResponse:
    """The newest active products, a keyset page of them (Agora's default ordering)."""
    try:
        size = min(max(int(request.GET.get("page_size", 20)), 1), 100)
        cursor = request.GET.get("cursor")
        after = (
            orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
            if cursor
            else None
        )
        if after is not None:
            after = [datetime.fromisoformat(after[0]), int(after[1])]
    except (ValueError, TypeError, IndexError):
        return _json({"error": "invalid"}, 400)
    with connection.cursor() as db:
        if after is None:
            db.execute(_FIRST_PAGE, [size + 1])
        else:
            db.execute(_AFTER, [after[0], after[0], after[1], size + 1])
        rows = [dict(zip(_COLUMNS, row, strict=True)) for row in db.fetchall()]
    next_url = None
    if len(rows) > size:
        rows = rows[:size]
        query = {**request.GET.dict(), "cursor": _cursor([rows[-1]["created_at"], rows[-1]["id"]])}
        next_url = request.build_absolute_uri(request.path) + "?" + urlencode(query)
    return _json({"next": next_url, "results": rows})


# One product with its category, attribute values, images and active variants in one
# statement (Agora's selector takes four); image URLs are the file system storage's:
# MEDIA_URL + the name.
_DETAIL = (
    f"SELECT {', '.join('p.' + c for c in _COLUMNS)}, c.id, c.name, c.slug, c.path, "
    "(SELECT coalesce(json_agg(json_build_object('code', a.code, 'name', a.name, 'value', "
    "v.value) ORDER BY a.code), '[]') FROM catalog_productattributevalue v JOIN "
    "catalog_attribute a ON a.id = v.attribute_id WHERE v.product_id = p.id), "
    "(SELECT coalesce(json_agg(json_build_object('id', i.id, 'url', %s || i.image, "
    "'thumbnail_url', %s || i.thumbnail, 'width', i.width, 'height', i.height, 'alt', i.alt, "
    "'position', i.position) ORDER BY i.position, i.id), '[]') FROM catalog_productimage i "
    "WHERE i.product_id = p.id), "
    "(SELECT coalesce(json_agg(json_build_object('id', v.id, 'sku', v.sku, 'attributes', "
    "v.attributes, 'price', coalesce(v.price, p.price)::text, 'own_price', v.price::text, "
    "'stock', v.stock, 'is_active', v.is_active) ORDER BY v.id), '[]') FROM catalog_variant v "
    "WHERE v.product_id = p.id AND v.is_active) "
    "FROM catalog_product p LEFT JOIN catalog_category c ON c.id = p.category_id "
    "WHERE p.id = %s AND p.is_active"
)


def _json_column(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value


def product_get(request: HttpRequest, product_id: int) -> HttpResponse:
    media = settings.MEDIA_URL
    with connection.cursor() as db:
        db.execute(_DETAIL, [media, media, product_id])
        row = db.fetchone()
    if row is None:
        return _json({"error": "not_found"}, 404)
    product = dict(zip(_COLUMNS, row, strict=False))
    category_id, name, slug, path, attributes, images, variants = row[len(_COLUMNS) :]
    product["category"] = (
        None
        if category_id is None
        else {"id": category_id, "name": name, "slug": slug, "path": path}
    )
    product["attributes"] = _json_column(attributes)
    product["images"] = _json_column(images)
    product["variants"] = _json_column(variants)
    return _json(product)


_USER = (
    "SELECT u.id, u.username FROM accounts_apitoken t JOIN auth_user u ON u.id = t.user_id "
    "WHERE t.key_hash = %s AND u.is_active AND (t.expires_at IS NULL OR t.expires_at > %s)"
)
# the product's one active variant (Agora refuses a product with several), then its product's
# sum, as Agora's catalog.stock
_TAKE = (
    "UPDATE catalog_variant v SET stock = stock - %s, updated_at = %s "
    "WHERE product_id = %s AND is_active AND stock >= %s "
    "AND product_id IN (SELECT id FROM catalog_product WHERE is_active) "
    "AND (SELECT count(*) FROM catalog_variant o WHERE o.product_id = v.product_id "
    "AND o.is_active) = 1 RETURNING id, sku, attributes, price"
)
_SUM = (
    "UPDATE catalog_product SET stock = stock - %s, updated_at = %s "
    "WHERE id = %s RETURNING name, price, ships"
)
_ORDER = (  # the address and shipping columns take their database defaults
    "INSERT INTO ordering_order (owner_id, status, total, needs_shipping, created_at, "
    "updated_at) VALUES (%s, 'awaiting_payment', %s, %s, %s, %s) RETURNING id"
)
_LINE = (
    "INSERT INTO ordering_orderline (order_id, product_id, variant_id, product_name, sku, "
    "attributes, quantity, unit_price) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)
_CENT = Decimal("0.01")


def take_stock(db: Any, product_id: int, quantity: int, now: datetime) -> tuple[Any, ...] | None:
    """Take units of a product's one active variant, then its product's sum: (variant id, SKU,
    attributes, name, unit price, ships), or None when out of stock. The in-stack floor
    (bench/baselines.py) takes stock the same way."""
    db.execute(_TAKE, [quantity, now, product_id, quantity])
    taken = db.fetchone()
    if taken is None:
        return None
    variant_id, sku, attributes, own_price = taken
    db.execute(_SUM, [quantity, now, product_id])
    name, price, ships = db.fetchone()
    return (
        variant_id,
        sku,
        _json_column(attributes),
        name,
        own_price if own_price is not None else price,
        ships,
    )


@csrf_exempt
def order_place(request: HttpRequest) -> HttpResponse:
    """An order of one product for the token's user: the same token look-up (by the key's
    hash, alive, its user active) and the same stock safety (one conditional update) as
    Agora's, in one transaction."""
    if request.method != "POST":
        return _json({"error": "method_not_allowed"}, 405)
    header = request.headers.get("Authorization", "")
    try:
        data = orjson.loads(request.body)
        product_id, quantity = int(data["product_id"]), int(data["quantity"])
    except (ValueError, TypeError, KeyError):
        return _json({"error": "invalid"}, 400)
    now = timezone.now()
    with connection.cursor() as db:
        db.execute(_USER, [hashlib.sha256(header[6:].encode()).hexdigest(), now])
        user = db.fetchone()
        if user is None:
            return _json({"error": "not_authenticated"}, 401)
        with transaction.atomic():
            taken = take_stock(db, product_id, quantity, now)
            if taken is None:
                return _json({"error": "out_of_stock"}, 409)
            variant_id, sku, attributes, name, price, ships = taken
            total = (price * quantity).quantize(_CENT)
            db.execute(_ORDER, [user[0], total, ships, now, now])
            (order_id,) = db.fetchone()
            db.execute(
                _LINE,
                [
                    order_id,
                    product_id,
                    variant_id,
                    name,
                    sku,
                    orjson.dumps(attributes).decode(),
                    quantity,
                    price,
                ],
            )
    line = {
        "product_id": product_id,
        "variant_id": variant_id,
        "product_name": name,
        "sku": sku,
        "attributes": attributes,
        "quantity": quantity,
        "unit_price": price,
        "line_total": total,
    }
    body = {
        "id": order_id,
        "customer": user[1],
        "status": "awaiting_payment",
        "lines_total": total,
        "shipping_cost": Decimal("0.00"),
        "total": total,
        "needs_shipping": ships,
        "shipping_address": None,
        "shipping_method": None,
        "created_at": now,
        "updated_at": now,
        "lines": [line],
    }
    return _json(body, 201)

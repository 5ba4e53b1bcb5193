"""The bare floor's views: for each request one SQL statement per step, rows to orjson.

Each answers what Agora answers for the same request, byte for byte (tests/test_bench_floor.py),
for the inputs the benchmark sends. They check no more than that needs: a bad page size falls
back to a bound, a malformed body is a 400, and nothing else is validated.
"""

import base64
import hashlib
import uuid
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
_FIRST_PAGE = f"{_LIST} LIMIT %(n)s"
_AFTER = (
    f"SELECT {_PRODUCT} FROM catalog_product WHERE is_active AND (created_at < %(at)s "
    "OR (created_at = %(at)s AND id < %(id)s)) ORDER BY created_at DESC, id DESC LIMIT %(n)s"
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


# Agora's search (apps/catalog/search.py) in one statement: the text match on the stored
# `search_vector` OR the words' trigram word similarity to the name (`<%`, whose threshold
# Agora sets per search with SET LOCAL and the bare floor once per connection: trigram_setup),
# ranked by the text rank plus that similarity as float8, relevance then id descending.
_RANK = (
    "(ts_rank_cd(search_vector, websearch_to_tsquery('english'::regconfig, %(q)s)))"
    "::double precision + (word_similarity(%(q)s, name))::double precision"
)
_SEARCH = (
    f"SELECT {_PRODUCT}, {_RANK} AS rank FROM catalog_product WHERE is_active AND "
    "(search_vector @@ websearch_to_tsquery('english'::regconfig, %(q)s) OR %(q)s <%% name) "
    "{after} ORDER BY rank DESC, id DESC LIMIT %(n)s"
)
_SEARCH_FIRST = _SEARCH.format(after="")
_SEARCH_AFTER = _SEARCH.format(
    after=f"AND ({_RANK} < %(rank)s OR ({_RANK} = %(rank)s AND id < %(id)s))"
)
WORD_SIMILARITY = 0.5  # Agora's (apps/catalog/search.py), tests/test_bench_floor.py checks


def trigram_setup(db: Any) -> None:
    """The word similarity threshold of the connection's session, once per connection
    (bench/bare/wsgi.py): the bare floor keeps its connections and has no pooler."""
    db.execute(f"SET pg_trgm.word_similarity_threshold = {WORD_SIMILARITY}")


def _page_query(request: HttpRequest) -> tuple[str, dict[str, Any], int]:
    """The page's statement, its parameters and the page size (ValueError when malformed)."""
    size = min(max(int(request.GET.get("page_size", 20)), 1), 100)
    cursor = request.GET.get("cursor")
    search = request.GET.get("search", "")
    after = (
        orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if cursor
        else None
    )
    if search:
        params: dict[str, Any] = {"q": search, "n": size + 1}
        if after is None:
            return _SEARCH_FIRST, params, size
        return _SEARCH_AFTER, {**params, "rank": float(after[0]), "id": int(after[1])}, size
    if after is None:
        return _FIRST_PAGE, {"n": size + 1}, size
    at = datetime.fromisoformat(after[0])
    return _AFTER, {"at": at, "id": int(after[1]), "n": size + 1}, size


def product_list(request: HttpRequest) -> HttpResponse:
    """A keyset page of the active products: the newest first (Agora's default ordering), or
    with `search` the most relevant first (Agora's ordering for a search)."""
    try:
        statement, params, size = _page_query(request)
    except (ValueError, TypeError, IndexError, KeyError):
        return _json({"error": "invalid"}, 400)
    with connection.cursor() as db:
        db.execute(statement, params)
        rows = [dict(zip((*_COLUMNS, "rank"), row, strict=False)) for row in db.fetchall()]
    next_url = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        key = [last["rank"] if "rank" in last else last["created_at"], last["id"]]
        query = {**request.GET.dict(), "cursor": _cursor(key)}
        next_url = request.build_absolute_uri(request.path) + "?" + urlencode(query)
    for row in rows:
        row.pop("rank", None)
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
    body = _order_out(order_id, (user[0], user[1]), [line], ships, now)
    return _json(body, 201)


# --- the basket journey (bench/basket.lua): add to basket, confirm, pay ---------------------


def _user(db: Any, request: HttpRequest, now: datetime) -> tuple[int, str] | None:
    """The token's user (id, username), looked up as order_place looks it up."""
    header = request.headers.get("Authorization", "")
    db.execute(_USER, [hashlib.sha256(header[6:].encode()).hexdigest(), now])
    row = db.fetchone()
    return None if row is None else (row[0], row[1])


def _body(request: HttpRequest) -> Any:
    """The request's JSON body (an empty body is {}), or None when it is not JSON."""
    try:
        return orjson.loads(request.body) if request.body else {}
    except orjson.JSONDecodeError:
        return None


# The basket row locked (created on first use: the upsert's update takes the row lock), as
# Agora's _locked_basket serializes a basket's changes.
_BASKET = (
    "INSERT INTO ordering_basket (owner_id, created_at, updated_at) VALUES (%s, %s, %s) "
    "ON CONFLICT (owner_id) DO UPDATE SET owner_id = EXCLUDED.owner_id RETURNING id"
)
# The line of the variant added or grown, only while the variant and its product are active
# and its stock holds the line's new count (at most 1000, Agora's MAX_QUANTITY): no row back
# means refused. The variant is named, or it is the product's one active variant.
_ADD = (
    "INSERT INTO ordering_basketline (basket_id, product_id, variant_id, quantity, added_at) "
    "SELECT %s, v.product_id, v.id, %s, %s FROM catalog_variant v "
    "JOIN catalog_product p ON p.id = v.product_id WHERE {which} AND v.is_active "
    "AND p.is_active AND v.stock >= %s AND %s <= 1000 "
    "ON CONFLICT (basket_id, variant_id) DO UPDATE "
    "SET quantity = ordering_basketline.quantity + EXCLUDED.quantity "
    "WHERE ordering_basketline.quantity + EXCLUDED.quantity <= least(1000, "
    "(SELECT stock FROM catalog_variant WHERE id = EXCLUDED.variant_id)) "
    "RETURNING id"
)
_NAMED_VARIANT = "v.id = %s"
_NAMED_VARIANT_OF = "v.id = %s AND v.product_id = %s"
_ONE_VARIANT = (
    "v.product_id = %s AND (SELECT count(*) FROM catalog_variant o "
    "WHERE o.product_id = v.product_id AND o.is_active) = 1"
)
_BASKET_LINES = (
    "SELECT v.product_id, v.id, p.name, v.sku, v.attributes, l.quantity, "
    "coalesce(v.price, p.price), v.stock, v.is_active AND p.is_active "
    "FROM ordering_basketline l JOIN catalog_variant v ON v.id = l.variant_id "
    "JOIN catalog_product p ON p.id = v.product_id WHERE l.basket_id = %s "
    "ORDER BY l.added_at, l.id"
)


def _basket_out(rows: list[Any]) -> dict[str, Any]:
    """Agora's BasketOut of the lines (product id, variant id, name, SKU, attributes,
    quantity, price, stock, active)."""
    lines = []
    for product_id, variant_id, name, sku, attributes, quantity, price, stock, active in rows:
        problem = None if active and stock >= quantity else "out_of_stock" if active else "archived"
        lines.append(
            {
                "product_id": product_id,
                "variant_id": variant_id,
                "product_name": name,
                "sku": sku,
                "attributes": _json_column(attributes),
                "quantity": quantity,
                "unit_price": price,
                "line_total": price * quantity,
                "available": stock if active else 0,
                "problem": problem,
            }
        )
    total = sum((line["line_total"] for line in lines), Decimal(0)).quantize(_CENT)
    can_confirm = bool(lines) and all(line["problem"] is None for line in lines)
    return {"lines": lines, "total": total, "can_confirm": can_confirm}


def _which(data: Any) -> tuple[str, list[int]]:
    """The variant the body names, as a condition on `v` and its values: `variant_id` (of
    `product_id` if given too), else `product_id`'s one active variant."""
    product_id = None if data.get("product_id") is None else int(data["product_id"])
    if data.get("variant_id") is not None:
        variant_id = int(data["variant_id"])
        if product_id is None:
            return _NAMED_VARIANT, [variant_id]
        return _NAMED_VARIANT_OF, [variant_id, product_id]
    if product_id is None:
        raise KeyError("product_id")
    return _ONE_VARIANT, [product_id]


@csrf_exempt
def basket_add(request: HttpRequest) -> HttpResponse:
    """Put a variant in the token user's basket (`variant_id`, or `product_id` of a product
    of one variant; a line grows if it is there): the basket locked, the line upserted under
    its variant's stock check, the basket read back with its variants and products."""
    if request.method != "POST":
        return _json({"error": "method_not_allowed"}, 405)
    data = _body(request)
    try:
        which, named = _which(data)
        quantity = int(data["quantity"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return _json({"error": "invalid"}, 400)
    now = timezone.now()
    with connection.cursor() as db:
        user = _user(db, request, now)
        if user is None:
            return _json({"error": "not_authenticated"}, 401)
        with transaction.atomic():
            db.execute(_BASKET, [user[0], now, now])
            (basket_id,) = db.fetchone()
            db.execute(
                _ADD.format(which=which), [basket_id, quantity, now, *named, quantity, quantity]
            )
            if db.fetchone() is None:
                transaction.set_rollback(True)
                return _json({"error": "out_of_stock"}, 409)
            db.execute(_BASKET_LINES, [basket_id])
            rows = db.fetchall()
    return _json(_basket_out(rows))


_WANTED = (
    "SELECT variant_id, quantity FROM ordering_basketline WHERE basket_id = %s ORDER BY variant_id"
)
# a variant's units taken while it and its product are on sale, as Agora's catalog.stock
_TAKE_VARIANT = (
    "UPDATE catalog_variant SET stock = stock - %s, updated_at = %s "
    "WHERE id = %s AND is_active AND stock >= %s "
    "AND product_id IN (SELECT id FROM catalog_product WHERE is_active) "
    "RETURNING product_id, sku, attributes, price"
)


def _take_variants(db: Any, wanted: list[tuple[int, int]], now: datetime) -> list[Any] | None:
    """Take units of variants ([(variant id, quantity)] by variant id) as Agora's
    catalog.stock does: one conditional UPDATE per variant, by variant id, then one per
    product moving its sum, by product id (the lock order). Per variant (in `wanted`'s order):
    (product id, variant id, name, SKU, attributes, unit price, ships); None when one cannot
    be taken (the caller rolls back)."""
    taken = []
    for variant_id, quantity in wanted:
        db.execute(_TAKE_VARIANT, [quantity, now, variant_id, quantity])
        row = db.fetchone()
        if row is None:
            return None
        taken.append((variant_id, quantity, *row))
    deltas: dict[int, int] = {}
    for _, quantity, product_id, *_ in taken:
        deltas[product_id] = deltas.get(product_id, 0) + quantity
    products = {}
    for product_id in sorted(deltas):
        db.execute(_SUM, [deltas[product_id], now, product_id])
        products[product_id] = db.fetchone()
    out = []
    for variant_id, _, product_id, sku, attributes, own_price in taken:
        name, price, ships = products[product_id]
        unit_price = own_price if own_price is not None else price
        out.append((product_id, variant_id, name, sku, _json_column(attributes), unit_price, ships))
    return out


_LOCK_BASKET = "SELECT id FROM ordering_basket WHERE owner_id = %s FOR UPDATE"
_EMPTY_BASKET = "DELETE FROM ordering_basketline WHERE basket_id = %s"


def _order_out(
    order_id: int, user: tuple[int, str], lines: list[dict[str, Any]], ships: bool, now: datetime
) -> dict[str, Any]:
    """Agora's OrderOut of a new order (no address, no method yet)."""
    total = sum((line["line_total"] for line in lines), Decimal(0)).quantize(_CENT)
    return {
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
        "lines": lines,
    }


@csrf_exempt
def basket_confirm(request: HttpRequest) -> HttpResponse:
    """The token user's basket becomes an order awaiting payment: the basket locked, its
    lines read, every variant's stock then every product's sum taken (one conditional update
    each, in Agora's lock order), the order and its lines inserted, the basket emptied, in one
    transaction. No Idempotency-Key (as order_place: the cost the key adds)."""
    if request.method != "POST":
        return _json({"error": "method_not_allowed"}, 405)
    now = timezone.now()
    with connection.cursor() as db:
        user = _user(db, request, now)
        if user is None:
            return _json({"error": "not_authenticated"}, 401)
        with transaction.atomic():
            db.execute(_LOCK_BASKET, [user[0]])
            basket = db.fetchone()
            wanted = []
            if basket is not None:
                db.execute(_WANTED, [basket[0]])
                wanted = db.fetchall()
            taken = _take_variants(db, wanted, now) if wanted else None
            if taken is None:
                transaction.set_rollback(True)
                return _json({"error": "basket_empty_or_unavailable"}, 409)
            lines = [
                {
                    "product_id": product_id,
                    "variant_id": variant_id,
                    "product_name": name,
                    "sku": sku,
                    "attributes": attributes,
                    "quantity": quantity,
                    "unit_price": price,
                    "line_total": price * quantity,
                }
                for (product_id, variant_id, name, sku, attributes, price, _), (_, quantity) in zip(
                    taken, wanted, strict=True
                )
            ]
            ships = any(row[6] for row in taken)
            out = _order_out(0, user, lines, ships, now)
            db.execute(_ORDER, [user[0], out["total"], ships, now, now])
            (out["id"],) = db.fetchone()
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(lines))
            db.execute(
                "INSERT INTO ordering_orderline (order_id, product_id, variant_id, product_name, "
                f"sku, attributes, quantity, unit_price) VALUES {values}",
                [
                    value
                    for line in lines
                    for value in (
                        out["id"],
                        line["product_id"],
                        line["variant_id"],
                        line["product_name"],
                        line["sku"],
                        orjson.dumps(line["attributes"]).decode(),
                        line["quantity"],
                        line["unit_price"],
                    )
                ],
            )
            db.execute(_EMPTY_BASKET, [basket[0]])
    return _json(out, 201)


_PAY_ORDER = (
    "UPDATE ordering_order SET status = 'paid', updated_at = %s WHERE id = %s AND owner_id = %s "
    "AND status = 'awaiting_payment' AND (NOT needs_shipping OR (ship_to_country <> '' "
    "AND shipping_method_id IS NOT NULL)) RETURNING total"
)
_PAYMENT = (
    "INSERT INTO payments_payment (payable_kind, payable_id, owner_id, amount, currency, "
    "status, gateway_reference, refund_reference, decline_reason, client_secret, "
    "amount_refunded, created_at, updated_at) VALUES ('order', %s, %s, %s, %s, 'succeeded', "
    "%s, '', '', '', 0, %s, %s) RETURNING id"
)
_DUMMY_CHARGE = (
    "INSERT INTO payments_dummycharge (reference, charge_id, amount, currency, "
    "requires_action, created_at) VALUES (%s, %s, %s, %s, false, %s)"
)


@csrf_exempt
def order_pay(request: HttpRequest, order_id: int) -> HttpResponse:
    """Pay one of the token user's orders with tok_visa, in one transaction: the order's
    conditional update to paid (awaiting payment, and an address and a method if it ships),
    a succeeded payment and the dummy gateway's charge row. No gateway call between
    transactions, no Idempotency-Key, no event (what Agora's three steps add)."""
    if request.method != "POST":
        return _json({"error": "method_not_allowed"}, 405)
    data = _body(request)
    if not isinstance(data, dict) or data.get("card_token") != "tok_visa":
        return _json({"error": "card_token_invalid"}, 400)
    now = timezone.now()
    currency = settings.AGORA_CURRENCY
    charge = f"ch_{uuid.uuid4().hex[:24]}"
    with connection.cursor() as db:
        user = _user(db, request, now)
        if user is None:
            return _json({"error": "not_authenticated"}, 401)
        with transaction.atomic():
            db.execute(_PAY_ORDER, [now, order_id, user[0]])
            paid = db.fetchone()
            if paid is None:
                transaction.set_rollback(True)
                return _json({"error": "order_not_payable"}, 409)
            (amount,) = paid
            db.execute(_PAYMENT, [order_id, user[0], amount, currency, charge, now, now])
            (payment_id,) = db.fetchone()
            db.execute(_DUMMY_CHARGE, [f"bench-bare-{payment_id}", charge, amount, currency, now])
    body = {
        "id": payment_id,
        "amount": amount,
        "currency": currency,
        "status": "succeeded",
        "decline_reason": "",
        "gateway_reference": charge,
        "client_secret": "",
        "amount_refunded": Decimal("0.00"),
        "created_at": now,
        "updated_at": now,
        "order_id": order_id,
    }
    return _json(body, 201)

"""Ordering's application services: the basket, placing and confirming orders, the workflow.

What is sold is a variant of a product (a SKU). Locks are taken in one order everywhere: the
basket or order row first, then variants by id, then products by id (through the catalog's
conditional updates, catalog.stock), so concurrent confirmations cannot deadlock.
Stock is taken when an order is created and given back when it is canceled or expires.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Field
from django.utils import timezone

from apps.addresses.interface import AddressNotFound, address_snapshot
from apps.catalog.interface import (
    OutOfStock,
    ProductNotFound,
    VariantData,
    VariantNotFound,
    VariantRequired,
    give_stock_back,
    take_sole_variant,
    take_stock,
    variant_to_sell,
)
from apps.ordering.dto import (
    MAX_ORDER_TOTAL,
    MAX_QUANTITY,
    BasketItem,
    BasketItemCount,
    BasketItemRef,
    BasketOut,
    ExpiredOrders,
    NewOrder,
    OrderLineCount,
    OrderLineOut,
    OrderOut,
    OrderRef,
    OrderShippingAddress,
    OrderShippingMethod,
)
from apps.ordering.errors import (
    BasketEmpty,
    BasketLinesUnavailable,
    IllegalTransition,
    ItemNotInBasket,
    LineNotInOrder,
    OrderNotEditable,
    OrderNotFound,
    OrderTotalTooLarge,
    ShippingAddressNotSet,
    ShippingCountryNotServed,
    ShippingNotNeeded,
)
from apps.ordering.models import Basket, BasketLine, Order, OrderLine, OrderStatus
from apps.ordering.pricing import PRICE_FIELDS, ZERO, line_total, lines_total, order_total
from apps.ordering.selectors import (
    SHIP_TO_FIELDS,
    basket_get,
    checkout_of,
    order_visible,
    orders_of,
)
from apps.payments.interface import (
    ORDER,
    Payable,
    PayableKind,
    PaymentInProgress,
    payment_in_progress,
    refund_payable,
)
from apps.roles import MERCHANT, SHOPPER, SYSTEM
from apps.shipping.interface import ShippingMethodNotFound, quote, shipping_method
from servicelayer import events
from servicelayer.errors import InvalidInput
from servicelayer.registry import service


def _locked_order(actor: Any, order_id: int) -> Order:
    """One of the orders `actor` may see, locked (its owner read along, not locked)."""
    try:
        return (
            orders_of(actor)
            .select_related("owner")
            .select_for_update(of=("self",))
            .get(pk=order_id)
        )
    except Order.DoesNotExist:
        raise OrderNotFound() from None


def _order_out(order: Order, customer: str, lines: Iterable[OrderLine]) -> OrderOut:
    """The one builder of an order's output, from the order and its lines in memory (no
    read-back after a write); order_get reads the same fields as rows."""
    rendered = [
        OrderLineOut(
            product_id=line.product_id,
            variant_id=line.variant_id,
            product_name=line.product_name,
            sku=line.sku,
            attributes=line.attributes,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total,
        )
        for line in lines
    ]
    return OrderOut(
        id=order.pk,
        customer=customer,
        status=order.status,
        lines_total=lines_total(line.line_total for line in rendered),
        **checkout_of(lambda field: getattr(order, field)),
        created_at=order.created_at,
        updated_at=order.updated_at,
        lines=rendered,
    )


def _lines_of(order: Order) -> list[OrderLine]:
    return list(order.lines.order_by("id"))  # the order they were made in, as order_get


def _locked_out(order: Order, lines: Iterable[OrderLine]) -> OrderOut:
    """The output of an order read by _locked_order (its owner along)."""
    return _order_out(order, order.owner.get_username(), lines)


def _create_order(actor: User, taken: Sequence[tuple[VariantData, int]]) -> OrderOut:
    """Write an order awaiting payment for units already taken from stock (each variant as it
    was taken, and how many), at the prices they were taken at, recording the SKU and values
    as ordered. A total beyond what an order may have is OrderTotalTooLarge: raising rolls the
    taken stock back with the service."""
    total = _fitting(
        order_total((line_total(variant.price, quantity) for variant, quantity in taken), ZERO)
    )
    ships = any(variant.ships for variant, _ in taken)
    order = Order(owner=actor, total=total, needs_shipping=ships)
    lines = [
        OrderLine(
            order=order,
            product_id=variant.product_id,
            variant_id=variant.id,
            product_name=variant.name,
            sku=variant.sku,
            attributes=variant.attributes,
            quantity=quantity,
            unit_price=variant.price,
        )
        for variant, quantity in taken
    ]
    if connection.vendor == "postgresql":
        _insert_with_lines(order, lines)
    else:
        order.save(force_insert=True)
        OrderLine.objects.bulk_create(lines)
    return _order_out(order, actor.get_username(), lines)


def _db_values(instance: Order | OrderLine, fields: Sequence[Field[Any, Any]]) -> list[Any]:
    """The values Django's INSERT would write for these fields (auto_now ones set now)."""
    return [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]


@cache
def _order_fields() -> tuple[Field[Any, Any], ...]:
    return tuple(field for field in Order._meta.concrete_fields if not field.primary_key)


@cache
def _line_fields() -> tuple[Field[Any, Any], ...]:
    return tuple(
        field
        for field in OrderLine._meta.concrete_fields
        if not field.primary_key and field.name != "order"
    )


@lru_cache(maxsize=64)
def _insert_with_lines_sql(lines: int) -> str:
    """The statement of `_insert_with_lines` for an order of `lines` lines, built once per
    count (it is on the hot path of every order)."""
    quote = connection.ops.quote_name
    order_fields, line_fields = _order_fields(), _line_fields()
    # cast, for a VALUES list types its columns from its values, not from the table's
    row = "(" + ", ".join(f"CAST(%s AS {field.db_type(connection)})" for field in line_fields)
    return (
        f"WITH o AS (INSERT INTO {quote(Order._meta.db_table)} "
        f"({', '.join(quote(field.column) for field in order_fields)}) "
        f"VALUES ({', '.join(['%s'] * len(order_fields))}) RETURNING id) "
        f"INSERT INTO {quote(OrderLine._meta.db_table)} "
        f"({quote(OrderLine._meta.get_field('order').column)}, "
        f"{', '.join(quote(field.column) for field in line_fields)}) "
        f"SELECT o.id, l.* FROM o, (VALUES {', '.join([row + ')'] * lines)}) AS l "
        "RETURNING order_id"
    )


def _insert_with_lines(order: Order, lines: Sequence[OrderLine]) -> None:
    """Insert an order and its lines in one statement (PostgreSQL: the lines' INSERT reads
    the order's id from the order's, in a CTE), one round trip fewer than create then
    bulk_create; `order.pk` is set. Only unsaved fields' defaults and auto_now are applied, as
    by save(): Order and OrderLine have no save() of their own and no signal receivers."""
    params = _db_values(order, _order_fields())
    line_fields = _line_fields()
    for line in lines:
        params.extend(_db_values(line, line_fields))
    with connection.cursor() as cursor:
        cursor.execute(_insert_with_lines_sql(len(lines)), params)
        order.pk = cursor.fetchone()[0]
    order._state.adding = False
    for line in lines:
        line.order_id = order.pk
        line._state.adding = False


def _fitting(total: Decimal) -> Decimal:
    """`total` if an order may have it (the columns hold it), else OrderTotalTooLarge."""
    if total > MAX_ORDER_TOTAL:
        raise OrderTotalTooLarge(details={"limit": MAX_ORDER_TOTAL, "total": total})
    return total


def _give_back_stock_of(lines: Iterable[OrderLine]) -> None:
    wanted: dict[int, int] = {}
    for line in lines:
        wanted[line.variant_id] = wanted.get(line.variant_id, 0) + line.quantity
    if wanted:
        give_stock_back(wanted)  # in the fixed lock order


def _take(variant_id: int, quantity: int) -> VariantData:
    """Take units of one variant, or raise why not (OutOfStock, ProductNotFound)."""
    taking = take_stock({variant_id: quantity})
    if taking.failed:
        raise taking.failed[0]
    return taking.taken[variant_id]


# --- orders as payments' payables (registered in apps.py) --------------------------------


def _lock_payable(order_id: int, owner: Any) -> Payable | None:
    """Lock one of `owner`'s orders for paying (the order row first, then its payment)."""
    order = Order.objects.select_for_update().filter(pk=order_id, owner=owner).first()
    if order is None:
        return None
    return Payable(
        amount=order.total,
        currency=settings.AGORA_CURRENCY,
        may_pay=order.status == OrderStatus.AWAITING_PAYMENT,
        status=order.status,
        missing=tuple(order.missing_for_payment()),
    )


def _mark_paid(order_id: int) -> None:
    """Mark a locked order paid (IllegalTransition unless it awaits payment)."""
    order = Order.objects.select_for_update().get(pk=order_id)
    order.pay()
    order.save(update_fields=["status", "updated_at"])


ORDER_PAYABLE = PayableKind(lock=_lock_payable, on_paid=_mark_paid, visible=order_visible)


# --- the basket ---------------------------------------------------------------------------


def _locked_basket(actor: User) -> Basket:
    """The actor's basket, created on first use, locked: it serializes the basket's changes
    and its confirmation."""
    basket, _ = Basket.objects.get_or_create(owner=actor)
    return Basket.objects.select_for_update().get(pk=basket.pk)


def _in_stock(variant: VariantData, quantity: int) -> None:
    """Check (without taking) that `quantity` units of a variant on sale are in stock."""
    if variant.stock < quantity:
        raise OutOfStock(
            details={
                "product_id": variant.product_id,
                "variant_id": variant.id,
                "requested": quantity,
                "available": variant.stock,
            }
        )


def _basket_line(basket: Basket, product_id: int, variant_id: int | None) -> BasketLine:
    """The basket's line of a product (of its variant `variant_id` if given): ItemNotInBasket
    if there is none, VariantRequired if there are several and no variant is named."""
    lines = BasketLine.objects.filter(basket=basket, product_id=product_id)
    if variant_id is not None:
        lines = lines.filter(variant_id=variant_id)
    found = list(lines[:2])
    if not found:
        details = {"product_id": product_id}
        raise ItemNotInBasket(
            details=details if variant_id is None else {**details, "variant_id": variant_id}
        )
    if len(found) > 1:
        raise VariantRequired(details={"product_id": product_id})
    return found[0]


def _basket_out(actor: User) -> BasketOut:
    return BasketOut.model_validate(basket_get(actor=actor))


def _grown_basket_out(actor: User) -> BasketOut:
    """The basket after it grew, refused (and the change rolled back with the service's
    transaction) if it could no longer become an order. Confirming checks again: prices may
    rise in between. A basket that shrinks is never refused."""
    basket = _basket_out(actor)
    _fitting(basket.total)
    return basket


@service(
    role=SHOPPER,
    errors=[
        ProductNotFound,
        VariantNotFound,
        VariantRequired,
        OutOfStock,
        OrderTotalTooLarge,
    ],
    atomic=True,
)
def basket_add_item(*, actor: User, data: BasketItem) -> BasketOut:
    """Put a variant of a product in your basket (`variant_id`, or `product_id` alone when the
    product has one variant: several are a 400 `variant_required`); if it is there already,
    its count grows.

    Stock is checked now but only taken when you confirm the order. A basket whose total at
    today's prices would exceed the largest order total is refused."""
    basket = _locked_basket(actor)
    variant = variant_to_sell(data.product_id, data.variant_id)
    line = BasketLine.objects.filter(basket=basket, variant_id=variant.id).first()
    quantity = data.quantity + (line.quantity if line else 0)
    if quantity > MAX_QUANTITY:
        raise InvalidInput(fields={"quantity": [f"At most {MAX_QUANTITY} per variant."]})
    _in_stock(variant, quantity)
    if line is None:
        BasketLine.objects.create(
            basket=basket, product_id=variant.product_id, variant_id=variant.id, quantity=quantity
        )
    else:
        line.quantity = quantity
        line.save(update_fields=["quantity"])
    return _grown_basket_out(actor)


@service(
    role=SHOPPER,
    errors=[
        ItemNotInBasket,
        VariantRequired,
        ProductNotFound,
        VariantNotFound,
        OutOfStock,
        OrderTotalTooLarge,
    ],
    atomic=True,
)
def basket_change_quantity(*, actor: User, data: BasketItemCount) -> BasketOut:
    """Set how many units of a product your basket holds (of its variant `variant_id`, needed
    when the basket holds several variants of it); 0 takes it out.

    Growing the basket past the largest order total is refused; shrinking it never is."""
    basket = _locked_basket(actor)
    line = _basket_line(basket, data.product_id, data.variant_id)
    if data.quantity == 0:
        line.delete()
        return _basket_out(actor)
    _in_stock(variant_to_sell(data.product_id, line.variant_id), data.quantity)
    grows = data.quantity > line.quantity
    line.quantity = data.quantity
    line.save(update_fields=["quantity"])
    return _grown_basket_out(actor) if grows else _basket_out(actor)


@service(role=SHOPPER, errors=[ItemNotInBasket, VariantRequired], atomic=True)
def basket_remove_item(*, actor: User, data: BasketItemRef) -> BasketOut:
    """Take a product out of your basket (its variant `variant_id`, needed when the basket
    holds several variants of it)."""
    basket = _locked_basket(actor)
    _basket_line(basket, data.product_id, data.variant_id).delete()
    return _basket_out(actor)


@service(role=SHOPPER, atomic=True)
def basket_empty(*, actor: User) -> BasketOut:
    """Take everything out of your basket."""
    basket = _locked_basket(actor)
    BasketLine.objects.filter(basket=basket).delete()
    return _basket_out(actor)


# --- orders -------------------------------------------------------------------------------


@service(
    role=SHOPPER, errors=[BasketEmpty, BasketLinesUnavailable, OrderTotalTooLarge], atomic=True
)
def order_confirm(*, actor: User) -> OrderOut:
    """Turn your basket into an order awaiting payment, at today's prices.

    The stock of every line is taken in one transaction: all or nothing. If any line cannot
    be served, no order is made, nothing is taken, and the 409 lists the failing lines; a
    total beyond the largest order total is a 409 `order_total_too_large`, nothing taken."""
    basket = _locked_basket(actor)
    wanted = list(BasketLine.objects.filter(basket=basket).order_by("variant_id"))
    if not wanted:
        raise BasketEmpty()
    taking = take_stock({line.variant_id: line.quantity for line in wanted})  # lock order
    if taking.failed:
        product_of = {line.variant_id: line.product_id for line in wanted}
        failed: list[dict[str, Any]] = []
        for error in taking.failed:
            if isinstance(error, OutOfStock):
                failed.append({**error.details, "reason": "out_of_stock"})
            else:
                variant_id = error.details["variant_id"]
                failed.append(
                    {
                        "product_id": product_of[variant_id],
                        "variant_id": variant_id,
                        "reason": "not_available",
                    }
                )
        # raising rolls the transaction back, and with it every unit taken
        raise BasketLinesUnavailable(details={"lines": failed})
    order = _create_order(
        actor, [(taking.taken[line.variant_id], line.quantity) for line in wanted]
    )
    BasketLine.objects.filter(basket=basket).delete()
    events.record(
        "order.confirmed",
        subject="order",
        subject_id=order.id,
        owner=actor.pk,
        payload={"total": order.total},
    )
    return order


@service(
    role=SHOPPER,
    errors=[ProductNotFound, OutOfStock, OrderTotalTooLarge, VariantNotFound, VariantRequired],
    atomic=True,
)
def order_place(*, actor: User, data: NewOrder) -> OrderOut:
    """Order a quantity of one product straight away (no basket), at today's price: its
    variant `variant_id`, or `product_id` alone when it has one variant (several are a 400
    `variant_required`).

    Its stock is taken at once; not enough stock is a 409 `out_of_stock` and nothing is
    ordered, as for a total beyond the largest order total (409 `order_total_too_large`).
    The order then awaits payment like any other."""
    if data.variant_id is None:
        assert data.product_id is not None  # the DTO asks for one of the two
        taken = take_sole_variant(data.product_id, data.quantity)  # chosen as it is taken
    else:
        taken = _take(data.variant_id, data.quantity)
        if data.product_id is not None and taken.product_id != data.product_id:
            raise VariantNotFound(details={"variant_id": data.variant_id})  # rolls it back
    order = _create_order(actor, [(taken, data.quantity)])
    events.record(
        "order.placed",
        subject="order",
        subject_id=order.id,
        owner=actor.pk,
        payload={"total": order.total},
    )
    return order


@service(
    role=SHOPPER,
    errors=[
        OrderNotFound,
        OrderNotEditable,
        PaymentInProgress,
        LineNotInOrder,
        ProductNotFound,
        OutOfStock,
        OrderTotalTooLarge,
    ],
    atomic=True,
)
def order_change_quantity(*, actor: User, data: OrderLineCount) -> OrderOut:
    """Change how many units an order awaiting payment asks for; stock follows.

    The unit price stays the one captured when the order was made; a new total beyond the
    largest order total is a 409 `order_total_too_large` and nothing changes. The shipping is
    quoted again for the new goods total (a free-above threshold may be crossed); a method no
    longer offered to the order's country is cleared, to be chosen again before paying."""
    order = _locked_order(actor, data.order_id)
    order.ensure_editable()
    if payment_in_progress(ORDER, order.pk):
        raise PaymentInProgress()
    all_lines = _lines_of(order)
    lines = [
        line
        for line in all_lines
        if data.product_id in (None, line.product_id) and data.variant_id in (None, line.variant_id)
    ]
    if len(lines) != 1:
        raise LineNotInOrder(
            fields=(
                None
                if not lines
                else {"variant_id": ["Name the variant whose quantity changes."]}
                if data.product_id is not None
                else {"product_id": ["Name the product whose quantity changes."]}
            )
        )
    line = lines[0]
    others = [other.line_total for other in all_lines if other is not line]
    _price(order, [*others, line_total(line.unit_price, data.quantity)])  # shipping re-quoted
    delta = data.quantity - line.quantity
    if delta > 0:
        _take(line.variant_id, delta)
    elif delta < 0:
        give_stock_back({line.variant_id: -delta})
    line.quantity = data.quantity
    line.save(update_fields=["quantity"])
    order.save(update_fields=[*PRICE_FIELDS, "updated_at"])
    return _locked_out(order, all_lines)


@service(role=SHOPPER, errors=[OrderNotFound, IllegalTransition, PaymentInProgress], atomic=True)
def order_cancel(*, actor: User, data: OrderRef) -> OrderOut:
    """Cancel an order awaiting payment or paid; its stock goes back on sale.

    A paid order is refunded through the payment gateway once the cancellation is saved.
    Merchants may cancel any order."""
    order = _locked_order(actor, data.order_id)
    was_paid = order.status == OrderStatus.PAID
    if not was_paid and payment_in_progress(ORDER, order.pk):
        raise PaymentInProgress()
    order.cancel()
    order.save(update_fields=["status", "updated_at"])
    events.record(
        "order.canceled",
        subject="order",
        subject_id=order.pk,
        owner=order.owner_id,
        payload={"refunded": was_paid},
    )
    lines = _lines_of(order)
    _give_back_stock_of(lines)
    if was_paid:
        refund_payable(ORDER, order.pk)
    return _locked_out(order, lines)


def _advance(actor: User, order_id: int, move: Callable[[Order], None]) -> OrderOut:
    """Move one of the orders `actor` may see along the workflow with `move` (Order.ship)."""
    order = _locked_order(actor, order_id)
    move(order)
    order.save(update_fields=["status", "updated_at"])
    events.record(
        f"order.{order.status}", subject="order", subject_id=order.pk, owner=order.owner_id
    )  # order.shipped, order.delivered
    return _locked_out(order, _lines_of(order))


@service(role=MERCHANT, errors=[OrderNotFound, IllegalTransition], atomic=True)
def order_ship(*, actor: User, data: OrderRef) -> OrderOut:
    """Mark a paid order as shipped."""
    return _advance(actor, data.order_id, Order.ship)


@service(role=MERCHANT, errors=[OrderNotFound, IllegalTransition], atomic=True)
def order_deliver(*, actor: User, data: OrderRef) -> OrderOut:
    """Mark a shipped order as delivered."""
    return _advance(actor, data.order_id, Order.deliver)


@service(role=SYSTEM, atomic=True)
def order_expire_unpaid() -> ExpiredOrders:
    """Expire orders left unpaid too long (AGORA_ORDER_PAYMENT_MINUTES, default 30): each is
    canceled and its stock goes back. A periodic job; also callable by hand.

    One run expires at most AGORA_EXPIRY_BATCH orders in one short transaction, so the locks it
    holds stay few; the next run takes the rest. Orders another transaction holds, and orders
    whose payment is being processed, are left for a later run."""
    cutoff = timezone.now() - timedelta(minutes=settings.AGORA_ORDER_PAYMENT_MINUTES)
    due = list(
        Order.objects.select_for_update(skip_locked=True)
        .filter(status=OrderStatus.AWAITING_PAYMENT, created_at__lt=cutoff)
        .order_by("id")[: settings.AGORA_EXPIRY_BATCH]
    )
    expiring = [order for order in due if not payment_in_progress(ORDER, order.pk)]
    if not expiring:
        return ExpiredOrders(expired=[])
    now = timezone.now()
    for order in expiring:
        order.expire()
        order.updated_at = now
        events.record("order.expired", subject="order", subject_id=order.pk, owner=order.owner_id)
    Order.objects.bulk_update(expiring, ["status", "updated_at"])
    _give_back_stock_of(OrderLine.objects.filter(order__in=expiring))
    return ExpiredOrders(expired=[order.pk for order in expiring])


# --- checkout: where the parcel goes and how -----------------------------------------------


def _price(order: Order, line_totals: Sequence[Decimal]) -> None:
    """Set the order's shipping cost (the chosen method quoted again for these goods) and its
    total from its lines' totals: lines + shipping, rounded once. A method that no longer
    quotes (archived, or not to the order's country) is cleared. Beyond the largest order total
    is OrderTotalTooLarge. Only the order in memory changes: its caller saves PRICE_FIELDS."""
    if order.shipping_method_id is not None:
        offer = quote(order.shipping_method_id, order.ship_to_country, lines_total(line_totals))
        order.shipping_method_id = offer.method_id if offer else None
        order.shipping_method_name = offer.method_name if offer else ""
        order.shipping_cost = offer.price if offer else ZERO
    order.total = _fitting(order_total(line_totals, order.shipping_cost))


def _editable_for_checkout(actor: User, order_id: int) -> Order:
    """One of `actor`'s orders, locked, that awaits payment, has goods that ship and no payment
    under way."""
    order = _locked_order(actor, order_id)
    order.ensure_editable()
    if payment_in_progress(ORDER, order.pk):
        raise PaymentInProgress()
    if not order.needs_shipping:
        raise ShippingNotNeeded()
    return order


@service(
    role=SHOPPER,
    errors=[
        OrderNotFound,
        AddressNotFound,
        OrderNotEditable,
        PaymentInProgress,
        ShippingNotNeeded,
        OrderTotalTooLarge,
    ],
    atomic=True,
)
def order_set_address(*, actor: User, data: OrderShippingAddress) -> OrderOut:
    """Send an order awaiting payment to an address of your address book.

    The address is copied onto the order: editing or deleting it in the book later changes no
    order. A shipping method already chosen is quoted again; if it does not ship to the new
    country it is cleared (choose another). An order of digital goods only needs no address
    (409 `shipping_not_needed`); another customer's address is a 404."""
    order = _editable_for_checkout(actor, data.order_id)
    address = address_snapshot(actor.pk, data.address_id)
    if address is None:
        raise AddressNotFound()
    for field in SHIP_TO_FIELDS:
        setattr(order, f"ship_to_{field}", getattr(address, field))
    lines = _lines_of(order)
    _price(order, [line.line_total for line in lines])
    ship_to = [f"ship_to_{field}" for field in SHIP_TO_FIELDS]
    order.save(update_fields=[*ship_to, *PRICE_FIELDS, "updated_at"])
    events.record(
        "order.address_set",
        subject="order",
        subject_id=order.pk,
        owner=actor.pk,
        payload={"country": order.ship_to_country, "total": order.total},
    )
    return _locked_out(order, lines)


@service(
    role=SHOPPER,
    errors=[
        OrderNotFound,
        ShippingMethodNotFound,
        OrderNotEditable,
        PaymentInProgress,
        ShippingNotNeeded,
        ShippingAddressNotSet,
        ShippingCountryNotServed,
        OrderTotalTooLarge,
    ],
    atomic=True,
)
def order_choose_shipping(*, actor: User, data: OrderShippingMethod) -> OrderOut:
    """Choose how an order awaiting payment is shipped; its total becomes lines + shipping.

    Set the address first (409 `shipping_address_not_set`): the method must ship to its
    country (409 `shipping_country_not_served`, with the countries it ships to). Shipping is
    free when the goods total reaches the method's `free_above`. The name and cost are copied
    onto the order; they follow the method again only when the order's lines change."""
    order = _editable_for_checkout(actor, data.order_id)
    if not order.has_address:
        raise ShippingAddressNotSet()
    method = shipping_method(data.shipping_method_id)
    if method is None:
        raise ShippingMethodNotFound()
    if order.ship_to_country not in method.countries:
        raise ShippingCountryNotServed(
            details={"country": order.ship_to_country, "countries": sorted(method.countries)}
        )
    order.shipping_method_id = method.id
    lines = _lines_of(order)
    _price(order, [line.line_total for line in lines])
    order.save(update_fields=[*PRICE_FIELDS, "updated_at"])
    events.record(
        "order.shipping_chosen",
        subject="order",
        subject_id=order.pk,
        owner=actor.pk,
        payload={"shipping_method": method.name, "total": order.total},
    )
    return _locked_out(order, lines)

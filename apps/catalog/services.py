"""The catalog's application services: what merchants do to products."""

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q

from apps.catalog.dto import (
    MAX_STOCK,
    NewProduct,
    ProductChanges,
    ProductOut,
    ProductRef,
    StockChange,
)
from apps.catalog.errors import InsufficientStock, ProductNotFound, StockLimitExceeded
from apps.catalog.models import Product
from apps.roles import MERCHANT
from servicelayer.registry import service


def _out(product: Product) -> ProductOut:
    """The product as written or just read: prices are quantized by the DTO, so the instance
    holds what the database holds and is not read back."""
    return ProductOut.model_validate(product, from_attributes=True)


def _locked(product_id: int) -> Product:
    try:
        return Product.objects.select_for_update().get(pk=product_id)
    except Product.DoesNotExist:
        raise ProductNotFound() from None


@service(role=MERCHANT, atomic=True)
def product_create(*, actor: User, data: NewProduct) -> ProductOut:
    """Put a new product on sale."""
    product = Product.objects.create(**data.model_dump())
    return _out(product)


@service(role=MERCHANT, errors=[ProductNotFound], atomic=True)
def product_update(*, actor: User, data: ProductChanges) -> ProductOut:
    """Change a product's name, description, price or whether it ships; fields not given stay.

    Orders already placed keep the price they were placed at."""
    changes = data.model_dump(include=data.model_fields_set - {"product_id"})
    with transaction.atomic():
        product = _locked(data.product_id)
        for name, value in changes.items():
            setattr(product, name, value)
        product.save(update_fields=[*changes, "updated_at"])
    return _out(product)


@service(
    role=MERCHANT, errors=[ProductNotFound, InsufficientStock, StockLimitExceeded], atomic=True
)
def product_stock_change(*, actor: User, data: StockChange) -> ProductOut:
    """Restock (`delta` > 0), write off (`delta` < 0) or correct the count (`set_to`).

    A delta is applied atomically in the database, so it composes with concurrent orders.
    Stock stays between 0 and MAX_STOCK: a write-off below 0 is a 409 `insufficient_stock`, a
    restock above MAX_STOCK a 400 `stock_limit_exceeded`."""
    products = Product.objects.filter(pk=data.product_id)
    if data.set_to is not None:
        updated = products.update(stock=data.set_to)
    else:
        delta = data.delta
        assert delta is not None
        # the bound is part of the UPDATE's condition: a concurrent change is waited for and
        # re-checked. Only the direction the delta moves is bounded, so a write-off still
        # works on stock that orders gave back above MAX_STOCK (see catalog.interface).
        fits = Q(stock__lte=MAX_STOCK - delta) if delta > 0 else Q(stock__gte=-delta)
        updated = products.filter(fits).update(stock=F("stock") + delta)
        stock = None if updated else products.values_list("stock", flat=True).first()
        if stock is not None:
            details = {"product_id": data.product_id, "delta": delta, "stock": stock}
            if delta > 0:
                raise StockLimitExceeded(
                    f"Stock cannot go above {MAX_STOCK} units.",
                    details={**details, "limit": MAX_STOCK},
                )
            raise InsufficientStock(details=details)
    if not updated:
        raise ProductNotFound()
    return _out(products.get())


def _set_active(product_id: int, active: bool) -> ProductOut:
    if not Product.objects.filter(pk=product_id).update(is_active=active):
        raise ProductNotFound()
    return _out(Product.objects.get(pk=product_id))


@service(role=MERCHANT, errors=[ProductNotFound], atomic=True)
def product_archive(*, actor: User, data: ProductRef) -> ProductOut:
    """Stop selling a product. Its orders stay; shoppers no longer see it."""
    return _set_active(data.product_id, False)


@service(role=MERCHANT, errors=[ProductNotFound], atomic=True)
def product_restore(*, actor: User, data: ProductRef) -> ProductOut:
    """Put an archived product back on sale."""
    return _set_active(data.product_id, True)

"""The catalog's application services: what merchants do to products."""

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F

from apps.actors import MERCHANT
from apps.catalog.dto import NewProduct, ProductChanges, ProductOut, ProductRef, StockChange
from apps.catalog.errors import InsufficientStock, ProductNotFound
from apps.catalog.models import Product
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


@service(actor=MERCHANT)
def product_create(*, actor: User, data: NewProduct) -> ProductOut:
    """Put a new product on sale."""
    product = Product.objects.create(**data.model_dump())
    return _out(product)


@service(actor=MERCHANT, errors=[ProductNotFound])
def product_update(*, actor: User, data: ProductChanges) -> ProductOut:
    """Change a product's name, description or price; fields not given stay as they are.

    Orders already placed keep the price they were placed at."""
    changes = data.model_dump(include=data.model_fields_set - {"product_id"})
    with transaction.atomic():
        product = _locked(data.product_id)
        for name, value in changes.items():
            setattr(product, name, value)
        product.save(update_fields=[*changes, "updated_at"])
    return _out(product)


@service(actor=MERCHANT, errors=[ProductNotFound, InsufficientStock])
def product_stock_change(*, actor: User, data: StockChange) -> ProductOut:
    """Restock (`delta` > 0), write off (`delta` < 0) or correct the count (`set_to`).

    A delta is applied atomically in the database, so it composes with concurrent orders."""
    products = Product.objects.filter(pk=data.product_id)
    if data.set_to is not None:
        updated = products.update(stock=data.set_to)
    else:
        assert data.delta is not None
        updated = products.filter(stock__gte=-data.delta).update(stock=F("stock") + data.delta)
        if not updated and products.exists():
            raise InsufficientStock(details={"product_id": data.product_id, "delta": data.delta})
    if not updated:
        raise ProductNotFound()
    return _out(products.get())


def _set_active(product_id: int, active: bool) -> ProductOut:
    if not Product.objects.filter(pk=product_id).update(is_active=active):
        raise ProductNotFound()
    return _out(Product.objects.get(pk=product_id))


@service(actor=MERCHANT, errors=[ProductNotFound])
def product_archive(*, actor: User, data: ProductRef) -> ProductOut:
    """Stop selling a product. Its orders stay; shoppers no longer see it."""
    return _set_active(data.product_id, False)


@service(actor=MERCHANT, errors=[ProductNotFound])
def product_restore(*, actor: User, data: ProductRef) -> ProductOut:
    """Put an archived product back on sale."""
    return _set_active(data.product_id, True)

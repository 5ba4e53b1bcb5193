"""The catalog's application services: what merchants do to products, categories,
attributes and images."""

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, Value
from django.db.models.functions import Concat, Substr

from apps.catalog import images, selectors, stock
from apps.catalog.dto import (
    MAX_STOCK,
    AttributeChanges,
    AttributeOut,
    AttributeRef,
    CategoryChanges,
    CategoryOut,
    CategoryRef,
    ImageOrder,
    ImageOut,
    NewAttribute,
    NewCategory,
    NewProduct,
    NewProductImage,
    NewVariant,
    ProductAttributes,
    ProductChanges,
    ProductDetailOut,
    ProductImageRef,
    ProductOut,
    ProductRef,
    StockChange,
    VariantChanges,
    VariantOut,
    VariantRef,
    VariantStockChange,
)
from apps.catalog.errors import (
    AttributeArchived,
    AttributeCodeTaken,
    AttributeMissing,
    AttributeNotFound,
    CategoryArchived,
    CategoryCycle,
    CategoryNotFound,
    CategorySlugTaken,
    CategoryTooDeep,
    ImageLimitReached,
    ImageNotAccepted,
    ImageNotFound,
    ImageOrderMismatch,
    ImageTooLarge,
    InsufficientStock,
    LastActiveVariant,
    ProductNotFound,
    SkuTaken,
    StockLimitExceeded,
    VariantNotFound,
    VariantRequired,
)
from apps.catalog.models import (
    MAX_CATEGORY_DEPTH,
    Attribute,
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    Variant,
)
from apps.roles import MERCHANT
from servicelayer.registry import service


def _out(product: Product) -> ProductOut:
    """The product as written or just read: prices are quantized by the DTO, so the instance
    holds what the database holds and is not read back."""
    return ProductOut.model_validate(product, from_attributes=True)


def _locked(product_id: int) -> Product:
    # FOR NO KEY UPDATE, as the stock UPDATEs take: it still excludes other writers, but not
    # the key-share locks a new basket or order line's foreign key takes on its product, so a
    # merchant's change cannot deadlock with a shopper's insert
    try:
        return Product.objects.select_for_update(no_key=True).get(pk=product_id)
    except Product.DoesNotExist:
        raise ProductNotFound() from None


def _detail(product_id: int) -> ProductDetailOut:
    return ProductDetailOut.model_validate(selectors.product_detail_of(product_id))


# -- categories ------------------------------------------------------------------------------


def _category_out(category: Category) -> CategoryOut:
    return CategoryOut.model_validate(category, from_attributes=True)


def _ids_of(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _names_path(path: str, names: Mapping[int, str]) -> str:
    """What search reads of a category: its ancestors' names and its own, root first."""
    return " ".join(names[pk] for pk in _ids_of(path))


def _refresh_search_category(subtree_path: str) -> None:
    """Products of a subtree carry the names of their category's path again (after a rename
    or a move): one UPDATE per category of the subtree, whose size the depth bounds only."""
    categories = list(Category.objects.filter(path__startswith=subtree_path).values("id", "path"))
    ancestors = _ids_of(subtree_path)
    names = dict(
        Category.objects.filter(Q(pk__in=ancestors) | Q(path__startswith=subtree_path)).values_list(
            "id", "name"
        )
    )
    for category in categories:
        Product.objects.filter(category_id=category["id"]).update(
            search_category=_names_path(category["path"], names)
        )


def _active_category(category_id: int) -> Category:
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise CategoryNotFound(details={"category_id": category_id})
    if not category.is_active:
        raise CategoryArchived(details={"category_id": category_id})
    return category


def _search_category_of(category: Category | None) -> str:
    if category is None:
        return ""
    names = dict(Category.objects.filter(pk__in=_ids_of(category.path)).values_list("id", "name"))
    return _names_path(category.path, names)


def _slug_free(slug: str, *, other_than: int | None = None) -> None:
    taken = Category.objects.filter(slug=slug)
    if other_than is not None:
        taken = taken.exclude(pk=other_than)
    if taken.exists():
        raise CategorySlugTaken(details={"slug": slug})


@service(
    role=MERCHANT,
    errors=[CategoryNotFound, CategoryArchived, CategorySlugTaken, CategoryTooDeep],
    atomic=True,
)
def category_create(*, actor: User, data: NewCategory) -> CategoryOut:
    """Add a category, top-level or under a parent (the tree is at most MAX_CATEGORY_DEPTH
    deep). Its slug is unique."""
    parent = _active_category(data.parent_id) if data.parent_id is not None else None
    depth = parent.depth + 1 if parent is not None else 1
    if depth > MAX_CATEGORY_DEPTH:
        raise CategoryTooDeep(details={"max_depth": MAX_CATEGORY_DEPTH})
    _slug_free(data.slug)
    try:
        with transaction.atomic():
            category = Category.objects.create(
                name=data.name, slug=data.slug, parent=parent, depth=depth
            )
    except IntegrityError:  # the same slug, created at the same moment
        raise CategorySlugTaken(details={"slug": data.slug}) from None
    category.path = f"{parent.path if parent else '/'}{category.pk}/"
    category.save(update_fields=["path"])
    return _category_out(category)


def _move(category: Category, parent_id: int | None) -> None:
    """Put `category` (locked) and its subtree under `parent_id`: one UPDATE of the paths."""
    parent = _active_category(parent_id) if parent_id is not None else None
    if parent is not None and parent.path.startswith(category.path):
        raise CategoryCycle(details={"category_id": category.pk, "parent_id": parent_id})
    old_path = category.path
    new_path = f"{parent.path if parent else '/'}{category.pk}/"
    subtree = Category.objects.filter(path__startswith=old_path)
    deepest = subtree.aggregate(deepest=Max("depth"))["deepest"] or category.depth
    shift = (parent.depth + 1 if parent else 1) - category.depth
    if deepest + shift > MAX_CATEGORY_DEPTH:
        raise CategoryTooDeep(details={"max_depth": MAX_CATEGORY_DEPTH})
    subtree.update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + shift,
    )
    Category.objects.filter(pk=category.pk).update(parent=parent)


@service(
    role=MERCHANT,
    errors=[CategoryNotFound, CategoryArchived, CategorySlugTaken, CategoryCycle, CategoryTooDeep],
    atomic=True,
)
def category_update(*, actor: User, data: CategoryChanges) -> CategoryOut:
    """Rename a category, change its slug, or move it (with its subtree) under another parent
    (null: top-level); fields not given stay. Products keep their category; search finds
    them by its new names."""
    category = Category.objects.select_for_update().filter(pk=data.category_id).first()
    if category is None:
        raise CategoryNotFound()
    given = data.model_fields_set
    if "slug" in given and data.slug is not None:
        _slug_free(data.slug, other_than=category.pk)
        category.slug = data.slug
    if "name" in given and data.name is not None:
        category.name = data.name
    category.save(update_fields=["name", "slug", "updated_at"])
    if "parent_id" in given and data.parent_id != category.parent_id:
        _move(category, data.parent_id)
    category.refresh_from_db()
    if given & {"name", "parent_id"}:
        _refresh_search_category(category.path)
    return _category_out(category)


@service(role=MERCHANT, errors=[CategoryNotFound], atomic=True)
def category_archive(*, actor: User, data: CategoryRef) -> CategoryOut:
    """Archive a category and its subtree: shoppers no longer see them nor list products by
    them. The products stay on sale (and in the category, for merchants)."""
    category = Category.objects.filter(pk=data.category_id).first()
    if category is None:
        raise CategoryNotFound()
    Category.objects.filter(path__startswith=category.path).update(is_active=False)
    category.refresh_from_db()
    return _category_out(category)


# -- attributes ------------------------------------------------------------------------------


@service(role=MERCHANT, errors=[AttributeCodeTaken], atomic=True)
def attribute_create(*, actor: User, data: NewAttribute) -> AttributeOut:
    """Define an attribute products may be given a value of (e.g. `colour`, "Colour")."""
    if Attribute.objects.filter(code=data.code).exists():
        raise AttributeCodeTaken(details={"code": data.code})
    try:
        with transaction.atomic():
            attribute = Attribute.objects.create(code=data.code, name=data.name)
    except IntegrityError:
        raise AttributeCodeTaken(details={"code": data.code}) from None
    return AttributeOut.model_validate(attribute, from_attributes=True)


@service(role=MERCHANT, errors=[AttributeMissing], atomic=True)
def attribute_update(*, actor: User, data: AttributeChanges) -> AttributeOut:
    """Rename an attribute (its code stays: values name it by code)."""
    attribute = _locked_attribute(data.attribute_id)
    attribute.name = data.name
    attribute.save(update_fields=["name"])
    return AttributeOut.model_validate(attribute, from_attributes=True)


@service(role=MERCHANT, errors=[AttributeMissing], atomic=True)
def attribute_archive(*, actor: User, data: AttributeRef) -> AttributeOut:
    """Archive an attribute: it takes no new values (409 `attribute_archived`); the values
    products and variants have stay, are shown and may still be removed."""
    attribute = _locked_attribute(data.attribute_id)
    if attribute.is_active:
        attribute.is_active = False
        attribute.save(update_fields=["is_active"])
    return AttributeOut.model_validate(attribute, from_attributes=True)


def _locked_attribute(attribute_id: int) -> Attribute:
    attribute = Attribute.objects.select_for_update().filter(pk=attribute_id).first()
    if attribute is None:
        raise AttributeMissing()
    return attribute


def _attributes_by_code(codes: Iterable[str], *, removed: Iterable[str] = ()) -> dict[str, int]:
    """The ids of these attribute codes; an unknown one is AttributeNotFound, an archived one
    AttributeArchived unless its value is being `removed`."""
    wanted = set(codes)
    rows = Attribute.objects.filter(code__in=wanted).values_list("code", "id", "is_active")
    found = {code: pk for code, pk, _ in rows}
    unknown = sorted(wanted - set(found))
    if unknown:
        raise AttributeNotFound(details={"codes": unknown})
    archived = sorted({code for code, _, active in rows if not active} - set(removed))
    if archived:
        raise AttributeArchived(details={"codes": archived})
    return found


def _set_attributes(product_id: int, values: Mapping[str, str | None]) -> None:
    """Set (or, for None, remove) a product's values, then what search reads of them."""
    ids = _attributes_by_code(values, removed=[c for c, v in values.items() if v is None])
    existing = ProductAttributeValue.objects.filter(product_id=product_id)
    removed = [ids[code] for code, value in values.items() if value is None]
    if removed:
        existing.filter(attribute_id__in=removed).delete()
    kept = {ids[code]: value for code, value in values.items() if value is not None}
    if kept:
        existing.filter(attribute_id__in=kept).delete()
        ProductAttributeValue.objects.bulk_create(
            ProductAttributeValue(product_id=product_id, attribute_id=pk, value=value)
            for pk, value in kept.items()
        )
    _refresh_search_attributes(product_id)


def _refresh_search_attributes(product_id: int) -> None:
    """What search reads of a product's values: its own, then its active variants'."""
    own = ProductAttributeValue.objects.filter(product_id=product_id).order_by("attribute_id")
    words = list(own.values_list("value", flat=True))
    variants = Variant.objects.filter(product_id=product_id, is_active=True).order_by("id")
    for values in variants.values_list("attributes", flat=True):
        words.extend(value for value in values.values() if value not in words)
    Product.objects.filter(pk=product_id).update(search_attributes=" ".join(words))


@service(role=MERCHANT, errors=[ProductNotFound, AttributeNotFound, AttributeArchived], atomic=True)
def product_attributes_set(*, actor: User, data: ProductAttributes) -> ProductDetailOut:
    """Give a product values of attributes (by code), or remove them (a value of null);
    the others stay."""
    _locked(data.product_id)
    _set_attributes(data.product_id, data.values)
    return _detail(data.product_id)


# -- products --------------------------------------------------------------------------------


@service(
    role=MERCHANT,
    errors=[CategoryNotFound, CategoryArchived, AttributeNotFound, AttributeArchived, SkuTaken],
    atomic=True,
)
def product_create(*, actor: User, data: NewProduct) -> ProductDetailOut:
    """Put a new product on sale, in a category if given, with attribute values if given,
    and its first variant holding its stock (SKU `sku`, default `P<product id>`). Add more
    variants with `variant_create`."""
    category = _active_category(data.category_id) if data.category_id is not None else None
    if data.sku is not None:
        _sku_free(data.sku)
    product = Product.objects.create(
        **data.model_dump(exclude={"category_id", "attributes", "sku"}),
        category=category,
        search_category=_search_category_of(category),
    )
    _saved(Variant(product=product, sku=data.sku or _default_sku(product.pk), stock=data.stock))
    if data.attributes:
        _set_attributes(product.pk, data.attributes)
    return _detail(product.pk)


def _default_sku(product_id: int) -> str:
    """`P<id>`, as the migration names existing products' variants; if a merchant already
    gave a variant that SKU, `P<id>-<n>` with the first n free."""
    sku = f"P{product_id}"
    taken = set(
        Variant.objects.filter(Q(sku=sku) | Q(sku__startswith=f"{sku}-")).values_list(
            "sku", flat=True
        )
    )
    n = 1
    candidate = sku
    while candidate in taken:
        n += 1
        candidate = f"{sku}-{n}"
    return candidate


@service(role=MERCHANT, errors=[ProductNotFound, CategoryNotFound, CategoryArchived], atomic=True)
def product_update(*, actor: User, data: ProductChanges) -> ProductDetailOut:
    """Change a product's name, description, price, whether it ships or its category (null:
    none); fields not given stay.

    Orders already placed keep the price they were placed at."""
    changes: dict[str, Any] = data.model_dump(include=data.model_fields_set - {"product_id"})
    if "category_id" in changes:
        category_id = changes.pop("category_id")
        category = _active_category(category_id) if category_id is not None else None
        changes |= {"category": category, "search_category": _search_category_of(category)}
    with transaction.atomic():
        product = _locked(data.product_id)
        for name, value in changes.items():
            setattr(product, name, value)
        product.save(update_fields=[*changes, "updated_at"])
    return _detail(product.pk)


def _change_stock(variant: Variant, data: StockChange) -> None:
    """Apply a stock change to a locked variant, and to its product's sum."""
    variants = Variant.objects.filter(pk=variant.pk)
    if data.set_to is not None:
        variants.update(stock=data.set_to)
        stock.change(variant, data.set_to - variant.stock)
        return
    delta = data.delta
    assert delta is not None
    # Only the direction the delta moves is bounded, so a write-off still works on stock that
    # orders gave back above MAX_STOCK (see catalog.interface). The variant is locked: orders
    # wait for it, and the bound is also part of the UPDATE's condition.
    fits = Q(stock__lte=MAX_STOCK - delta) if delta > 0 else Q(stock__gte=-delta)
    if not variants.filter(fits).update(stock=F("stock") + delta):
        details = {
            "product_id": variant.product_id,
            "variant_id": variant.pk,
            "delta": delta,
            "stock": variant.stock,
        }
        if delta > 0:
            raise StockLimitExceeded(
                f"Stock cannot go above {MAX_STOCK} units.",
                details={**details, "limit": MAX_STOCK},
            )
        raise InsufficientStock(details=details)
    stock.change(variant, delta)


@service(
    role=MERCHANT,
    errors=[ProductNotFound, VariantRequired, InsufficientStock, StockLimitExceeded],
    atomic=True,
)
def product_stock_change(*, actor: User, data: StockChange) -> ProductOut:
    """Restock (`delta` > 0), write off (`delta` < 0) or correct the count (`set_to`) of a
    product with one active variant (that variant's stock); a product with several is a 400
    `variant_required`: change the variant's.

    A delta is applied atomically in the database, so it composes with concurrent orders.
    Stock stays between 0 and MAX_STOCK: a write-off below 0 is a 409 `insufficient_stock`, a
    restock above MAX_STOCK a 400 `stock_limit_exceeded`."""
    variants = list(
        Variant.objects.select_for_update(no_key=True)  # as _locked says
        .filter(product_id=data.product_id, is_active=True)
        .order_by("id")[:2]
    )
    if not variants:
        raise ProductNotFound()
    if len(variants) > 1:
        raise VariantRequired(details={"product_id": data.product_id})
    _change_stock(variants[0], data)
    return _out(Product.objects.get(pk=data.product_id))


def _locked_variant(product_id: int, variant_id: int) -> Variant:
    variant = (
        Variant.objects.select_for_update(no_key=True)  # as _locked says
        .filter(pk=variant_id, product_id=product_id)
        .first()
    )
    if variant is None:
        raise VariantNotFound(details={"variant_id": variant_id})
    return variant


def _variant_out(variant_id: int) -> VariantOut:
    variant = Variant.objects.select_related("product").get(pk=variant_id)
    return VariantOut(
        id=variant.pk,
        sku=variant.sku,
        attributes=variant.attributes,
        price=variant.product.price if variant.price is None else variant.price,
        own_price=variant.price,
        stock=variant.stock,
        is_active=variant.is_active,
    )


@service(
    role=MERCHANT,
    errors=[VariantNotFound, InsufficientStock, StockLimitExceeded],
    atomic=True,
)
def variant_stock_change(*, actor: User, data: VariantStockChange) -> VariantOut:
    """Restock (`delta` > 0), write off (`delta` < 0) or correct the count (`set_to`) of one
    variant; its product's stock (the sum over its active variants) follows.

    A delta is applied atomically in the database, so it composes with concurrent orders.
    Stock stays between 0 and MAX_STOCK: a write-off below 0 is a 409 `insufficient_stock`, a
    restock above MAX_STOCK a 400 `stock_limit_exceeded`."""
    _change_stock(_locked_variant(data.product_id, data.variant_id), data)
    return _variant_out(data.variant_id)


def _sku_free(sku: str, *, other_than: int | None = None) -> None:
    taken = Variant.objects.filter(sku=sku)
    if other_than is not None:
        taken = taken.exclude(pk=other_than)
    if taken.exists():
        raise SkuTaken(details={"sku": sku})


def _saved(variant: Variant) -> None:
    """Save a variant; the same SKU saved at the same moment is SkuTaken."""
    try:
        with transaction.atomic():
            variant.save()
    except IntegrityError:
        raise SkuTaken(details={"sku": variant.sku}) from None


@service(
    role=MERCHANT,
    errors=[ProductNotFound, SkuTaken, AttributeNotFound, AttributeArchived],
    atomic=True,
)
def variant_create(*, actor: User, data: NewVariant) -> VariantOut:
    """Add a variant to a product: a unique SKU with its own attribute values (on top of the
    product's), its own price if given (else the product's) and its own stock, which adds to
    the product's."""
    product = _locked(data.product_id)
    _attributes_by_code(data.attributes)
    _sku_free(data.sku)
    variant = Variant(
        product=product,
        sku=data.sku,
        attributes=data.attributes,
        price=data.price,
        stock=data.stock,
    )
    _saved(variant)
    stock.change(variant, variant.stock)
    _refresh_search_attributes(product.pk)
    return _variant_out(variant.pk)


@service(
    role=MERCHANT,
    errors=[VariantNotFound, SkuTaken, AttributeNotFound, AttributeArchived],
    atomic=True,
)
def variant_update(*, actor: User, data: VariantChanges) -> VariantOut:
    """Change a variant's SKU, its own attribute values (all of them replaced) or its price
    (null: the product's again); fields not given stay. Its stock changes through the stock
    operations only.

    Orders already placed keep the SKU, values and price they were placed with."""
    variant = _locked_variant(data.product_id, data.variant_id)
    given = data.model_fields_set
    if "sku" in given and data.sku is not None:
        _sku_free(data.sku, other_than=variant.pk)
        variant.sku = data.sku
    if "attributes" in given and data.attributes is not None:
        _attributes_by_code(data.attributes)
        variant.attributes = data.attributes
    if "price" in given:
        variant.price = data.price
    _saved(variant)
    if "attributes" in given:
        _refresh_search_attributes(variant.product_id)
    return _variant_out(variant.pk)


@service(role=MERCHANT, errors=[VariantNotFound, LastActiveVariant], atomic=True)
def variant_archive(*, actor: User, data: VariantRef) -> VariantOut:
    """Stop selling a variant: its stock no longer counts in the product's, and shoppers no
    longer see it; its orders stay. A product keeps at least one active variant (409
    `last_active_variant`: archive the product instead)."""
    # variant, then product: catalog.stock's lock order (an order takes its variants, then
    # their products); the product's lock serializes archiving two variants of one product
    variant = _locked_variant(data.product_id, data.variant_id)
    _locked(data.product_id)
    if variant.is_active:
        others = Variant.objects.filter(product_id=data.product_id, is_active=True)
        if not others.exclude(pk=variant.pk).exists():
            raise LastActiveVariant(details={"variant_id": variant.pk})
        stock.change(variant, -variant.stock)
        variant.is_active = False
        variant.save(update_fields=["is_active", "updated_at"])
    _refresh_search_attributes(data.product_id)
    return _variant_out(variant.pk)


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


# -- images ----------------------------------------------------------------------------------


def _image_out(image: ProductImage) -> ImageOut:
    return ImageOut(
        id=image.pk,
        url=image.image.url,
        thumbnail_url=image.thumbnail.url,
        width=image.width,
        height=image.height,
        alt=image.alt,
        position=image.position,
    )


@service(
    role=MERCHANT,
    errors=[ProductNotFound, ImageTooLarge, ImageNotAccepted, ImageLimitReached],
    outside=True,
)
def product_image_add(*, actor: User, data: NewProductImage) -> ImageOut:
    """Add an image to a product, last in its order: a JPEG, PNG or WebP file of at most
    AGORA_IMAGE_MAX_BYTES bytes and AGORA_IMAGE_MAX_PIXELS pixels. It is stored re-encoded,
    without its metadata (EXIF: camera, place), turned upright, with a thumbnail made now,
    once.

    The files go to the default storage (a file system or an S3-compatible store: outside the
    database, so no transaction is held while they are written); a failure after they are
    written deletes them."""
    if not Product.objects.filter(pk=data.product_id).exists():
        raise ProductNotFound()
    prepared = images.prepare(data.image)
    stem = uuid.uuid4().hex
    image = ProductImage(
        product_id=data.product_id,
        width=prepared.width,
        height=prepared.height,
        alt=data.alt,
    )
    image.image.save(f"{stem}.{prepared.extension}", ContentFile(prepared.image), save=False)
    image.thumbnail.save(
        f"{stem}.{prepared.extension}", ContentFile(prepared.thumbnail), save=False
    )
    try:
        with transaction.atomic():
            _locked(data.product_id)
            taken = ProductImage.objects.filter(product_id=data.product_id)
            if taken.count() >= settings.AGORA_IMAGES_PER_PRODUCT:
                raise ImageLimitReached(details={"max_images": settings.AGORA_IMAGES_PER_PRODUCT})
            last = taken.aggregate(last=Max("position"))["last"]
            image.position = 0 if last is None else last + 1
            image.save()
    except BaseException:
        _delete_files([image.image.name, image.thumbnail.name])
        raise
    return _image_out(image)


def _delete_files(names: Iterable[str | None]) -> None:
    storage = ProductImage._meta.get_field("image").storage
    for name in names:
        if name:
            storage.delete(name)


@service(role=MERCHANT, errors=[ImageNotFound], atomic=True)
def product_image_delete(*, actor: User, data: ProductImageRef) -> None:
    """Remove an image of a product; its files are deleted once the removal is committed."""
    image = (
        ProductImage.objects.select_for_update()
        .filter(pk=data.image_id, product_id=data.product_id)
        .first()
    )
    if image is None:
        raise ImageNotFound()
    names = [image.image.name, image.thumbnail.name]
    image.delete()
    transaction.on_commit(lambda: _delete_files(names))


@service(role=MERCHANT, errors=[ProductNotFound, ImageOrderMismatch], atomic=True)
def product_image_order(*, actor: User, data: ImageOrder) -> list[ImageOut]:
    """Put a product's images in a new order: name each of them once, first one first."""
    _locked(data.product_id)
    by_id = {i.pk: i for i in ProductImage.objects.filter(product_id=data.product_id)}
    if sorted(data.image_ids) != sorted(by_id):
        raise ImageOrderMismatch(details={"image_ids": sorted(by_id)})
    for position, pk in enumerate(data.image_ids):
        by_id[pk].position = position
    ProductImage.objects.bulk_update(by_id.values(), ["position"])
    return [_image_out(by_id[pk]) for pk in data.image_ids]

"""Inputs and outputs of the catalog's services and reads."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, ConfigDict, Field, field_validator, model_validator

from servicelayer.dto import DTO, Id, Output

CENT = Decimal("0.01")


def money(value: Decimal | float | str) -> Decimal:
    """An amount quantized to the currency's minor unit: "12.5" becomes Decimal("12.50")."""
    return Decimal(str(value)).quantize(CENT)


Price = Annotated[
    Decimal,
    Field(gt=0, max_digits=10, decimal_places=2, description="Unit price."),
    AfterValidator(money),
]
# The most units a merchant may stock: a product's creation, `set_to` and a restock never take
# stock above it. Units given back by canceled or expired orders may (catalog.interface).
MAX_STOCK = 1_000_000


Slug = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
AttributeValue = Annotated[str, Field(min_length=1, max_length=100)]
# at most this many attributes per product: an input's size is bounded
MAX_ATTRIBUTES = 30
AttributeValues = Annotated[
    dict[Slug, AttributeValue],
    Field(
        max_length=MAX_ATTRIBUTES, description='Values by attribute code, e.g. {"colour": "red"}.'
    ),
]


Sku = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="Stock keeping unit: unique, letters, digits, `.`, `_`, `-`.",
    ),
]


class NewProduct(DTO):
    """A product and its first variant (the stock is the variant's)."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    price: Price
    stock: int = Field(default=0, ge=0, le=MAX_STOCK)
    ships: bool = Field(default=True, description="Sent as a parcel; false for digital goods.")
    category_id: Id | None = Field(default=None, description="The category it is listed in.")
    attributes: AttributeValues = Field(default_factory=dict)
    sku: Sku | None = Field(
        default=None, description="Its first variant's SKU; default `P<product id>`."
    )


class ProductChanges(DTO):
    """A partial update: only the fields given change."""

    product_id: Id
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    price: Price | None = None
    ships: bool | None = None
    category_id: Id | None = Field(default=None, description="null: in no category.")

    @model_validator(mode="after")
    def _something_changes(self) -> Self:
        changed = self.model_fields_set - {"product_id"}
        if not changed:
            raise ValueError("Give at least one of name, description, price, ships, category_id.")
        for name in changed - {"category_id"}:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null.")
        return self


class StockChange(DTO):
    """Either `delta` (a restock, or a write-off if negative) or `set_to` (a stock count), of
    a product's one active variant."""

    product_id: Id
    delta: int | None = Field(default=None, ge=-MAX_STOCK, le=MAX_STOCK)
    set_to: int | None = Field(default=None, ge=0, le=MAX_STOCK)

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.delta is None) == (self.set_to is None):
            raise ValueError("Give exactly one of delta and set_to.")
        return self


class VariantStockChange(StockChange):
    """Either `delta` (a restock, or a write-off if negative) or `set_to` (a stock count), of
    one variant."""

    variant_id: Id


class ProductRef(DTO):
    product_id: Id


# -- variants --------------------------------------------------------------------------------


class NewVariant(DTO):
    product_id: Id
    sku: Sku
    attributes: AttributeValues = Field(
        default_factory=dict, description="Its own values, on top of the product's."
    )
    price: Price | None = Field(default=None, description="Its own price; null: the product's.")
    stock: int = Field(default=0, ge=0, le=MAX_STOCK)


class VariantChanges(DTO):
    """A partial update: only the fields given change (`price` null: the product's again)."""

    product_id: Id
    variant_id: Id
    sku: Sku | None = None
    attributes: AttributeValues | None = Field(default=None, description="Replaces its own values.")
    price: Price | None = Field(default=None, description="null: the product's price.")

    @model_validator(mode="after")
    def _something_changes(self) -> Self:
        changed = self.model_fields_set - {"product_id", "variant_id"}
        if not changed:
            raise ValueError("Give at least one of sku, attributes, price.")
        for name in changed - {"price"}:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null.")
        return self


class VariantRef(DTO):
    product_id: Id
    variant_id: Id


class VariantOut(Output):
    id: int
    sku: str
    attributes: dict[str, str] = Field(description="Its own values, by attribute code.")
    price: Decimal = Field(description="What it sells at: its own price, else the product's.")
    own_price: Decimal | None = Field(description="Its own price; null: the product's.")
    stock: int
    is_active: bool


class ProductQuery(DTO):
    search: str | None = Field(
        default=None,
        max_length=100,
        description="Words of the name, description, category or attributes; ranked by "
        "relevance unless `ordering` is given. On PostgreSQL a misspelled or partial name "
        "matches too.",
    )
    category_id: Id | None = Field(
        default=None, description="Products of this category and of its descendants."
    )
    attribute: str | None = Field(
        default=None,
        max_length=300,
        description="code:value pairs, comma-separated, all required (`colour:red,size:m`).",
    )
    min_price: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    max_price: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    in_stock: bool | None = Field(default=None, description="Only products with stock (true).")
    include_archived: bool = Field(default=False, description="Merchants only.")
    ordering: (
        Literal["relevance", "name", "-name", "price", "-price", "newest", "oldest"] | None
    ) = Field(default=None, description="Default: relevance with `search`, else newest.")
    facets: bool = Field(
        default=False,
        description="Add `facets`: counts per category, price band and attribute value of "
        "every match (not only this page).",
    )
    page_size: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=512)

    @field_validator("attribute")
    @classmethod
    def _pairs(cls, value: str | None) -> str | None:
        if value is not None:
            attribute_pairs(value)  # ValueError if not code:value pairs
        return value

    @model_validator(mode="after")
    def _relevance_needs_words(self) -> Self:
        if self.ordering == "relevance" and not self.search:
            raise ValueError("Ordering by relevance needs `search`.")
        return self

    @property
    def attributes(self) -> tuple[tuple[str, str], ...]:
        return attribute_pairs(self.attribute) if self.attribute else ()


def attribute_pairs(value: str) -> tuple[tuple[str, str], ...]:
    """`colour:red,size:m` as ((colour, red), (size, m)); ValueError if it is not that."""
    pairs = []
    for part in value.split(","):
        code, sep, wanted = (piece.strip() for piece in part.partition(":"))
        if not sep or not code or not wanted or len(wanted) > 100:
            raise ValueError("Give code:value pairs, comma-separated (colour:red,size:m).")
        pairs.append((code, wanted))
    if len(pairs) > 10:
        raise ValueError("At most 10 attribute filters.")
    return tuple(pairs)


class ProductOut(Output):
    id: int
    name: str
    description: str
    price: Decimal
    stock: int
    is_active: bool
    ships: bool
    created_at: datetime
    updated_at: datetime


PRODUCT_FIELDS = tuple(ProductOut.model_fields)


# -- categories ------------------------------------------------------------------------------


class NewCategory(DTO):
    name: str = Field(min_length=1, max_length=100)
    slug: Slug = Field(max_length=100)
    parent_id: Id | None = Field(default=None, description="null: a top-level category.")


class CategoryChanges(DTO):
    """A partial update: only the fields given change; a new `parent_id` moves the subtree."""

    category_id: Id
    name: str | None = Field(default=None, min_length=1, max_length=100)
    slug: Slug | None = Field(default=None, max_length=100)
    parent_id: Id | None = Field(default=None, description="null: make it top-level.")

    @model_validator(mode="after")
    def _something_changes(self) -> Self:
        changed = self.model_fields_set - {"category_id"}
        if not changed:
            raise ValueError("Give at least one of name, slug, parent_id.")
        for name in changed - {"parent_id"}:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null.")
        return self


class CategoryRef(DTO):
    category_id: Id


class CategoryQuery(DTO):
    include_archived: bool = Field(default=False, description="Merchants only.")


class CategoryOut(Output):
    id: int
    name: str
    slug: str
    parent_id: int | None
    path: str = Field(description='The ids from the root down, e.g. "/3/17/".')
    depth: int
    is_active: bool


CATEGORY_FIELDS = tuple(CategoryOut.model_fields)


# -- attributes ------------------------------------------------------------------------------


class NewAttribute(DTO):
    code: Slug
    name: str = Field(min_length=1, max_length=100)


class AttributeChanges(DTO):
    """A new name; the code stays (it is what values name)."""

    attribute_id: Id
    name: str = Field(min_length=1, max_length=100)


class AttributeRef(DTO):
    attribute_id: Id


class AttributeOut(Output):
    id: int
    code: str
    name: str
    is_active: bool


class ProductAttributes(DTO):
    """Values to set, by attribute code; a value of null removes the attribute."""

    product_id: Id
    values: dict[Slug, AttributeValue | None] = Field(min_length=1, max_length=MAX_ATTRIBUTES)


# -- images ----------------------------------------------------------------------------------


class NewProductImage(DTO):
    """An image file (multipart field `image` over REST; base64 in JSON elsewhere)."""

    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")

    product_id: Id
    image: bytes = Field(description="A JPEG, PNG or WebP file.")
    alt: str = Field(default="", max_length=200, description="Text for who cannot see it.")


class ProductImageRef(DTO):
    product_id: Id
    image_id: Id


class ImageOrder(DTO):
    product_id: Id
    image_ids: list[Id] = Field(
        min_length=1, max_length=50, description="Every image of the product, in its new order."
    )


class ImageOut(Output):
    id: int
    url: str
    thumbnail_url: str
    width: int
    height: int
    alt: str
    position: int


class CategoryBrief(Output):
    id: int
    name: str
    slug: str
    path: str


class AttributeValueOut(Output):
    code: str
    name: str
    value: str


class ProductDetailOut(ProductOut):
    """A product with its category, attribute values, images and variants (`stock` is the
    sum over its active variants)."""

    category: CategoryBrief | None
    attributes: list[AttributeValueOut]
    images: list[ImageOut]
    variants: list[VariantOut] = Field(description="Active ones (merchants: all), by id.")


# -- facets ----------------------------------------------------------------------------------


class CategoryCount(Output):
    id: int
    name: str
    count: int


class PriceBandCount(Output):
    min: Decimal | None = Field(description="Inclusive; null: no lower bound.")
    max: Decimal | None = Field(description="Exclusive; null: no upper bound.")
    count: int


class AttributeValueCount(Output):
    code: str
    value: str
    count: int


class ProductFacets(Output):
    categories: list[CategoryCount]
    price_bands: list[PriceBandCount]
    attributes: list[AttributeValueCount]


class ProductPageExtra(Output):
    facets: ProductFacets | None = Field(default=None, description="With `facets=true` only.")

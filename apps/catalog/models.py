from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

# How deep the category tree may grow (a root is depth 1): every walk of the tree is bounded.
MAX_CATEGORY_DEPTH = 6


class Category(models.Model):
    """A node of the category tree. `path` is materialized ("/3/17/": the ids from the root
    down, this one last), so a category's subtree is one prefix match on an index: listing a
    category's products with its descendants' is one query, the same on SQLite and PostgreSQL.
    Services keep `path` and `depth` right when a category moves."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=1)
    is_active = models.BooleanField(default=True, help_text="Archived categories are hidden.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "categories"
        indexes = [
            # prefix matches (path LIKE '/3/%') on PostgreSQL whatever the collation
            models.Index(fields=["path"], name="category_path", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name


class Attribute(models.Model):
    """An attribute products are described and filtered by (colour, size, ...)."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(
        default=True, help_text="Archived: no new values; the values given stay."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="", max_length=5000)
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    # The sum of its active variants' stock, kept by the same transactions that change theirs
    # (apps/catalog/stock.py): the list, its filters and facets read one column.
    stock = models.IntegerField(
        default=0, help_text="Units available to order: the sum over its active variants."
    )
    is_active = models.BooleanField(default=True, help_text="Archived products are not sold.")
    ships = models.BooleanField(
        default=True,
        db_default=True,  # for products the release before this column inserts
        help_text="Sent as a parcel; digital goods are not: they need no address.",
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    # What search reads besides name and description, kept by the services that change it:
    # the names of the category and its ancestors, and the attribute values. PostgreSQL's
    # `search_vector` (a generated tsvector column, migration 0004) is made of these columns.
    # (db_default: rows the release before these columns inserts are valid too)
    search_category = models.CharField(
        max_length=1000, blank=True, default="", db_default="", editable=False
    )
    search_attributes = models.TextField(blank=True, default="", db_default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="product_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="product_price_positive"),
        ]
        indexes = [
            # keyset pagination: one index per offered ordering, the id as tie-breaker
            models.Index(fields=["name", "id"], name="product_name_id"),
            models.Index(fields=["price", "id"], name="product_price_id"),
            models.Index(fields=["created_at", "id"], name="product_created_id"),
        ]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    """What is sold of a product: a SKU with its own attribute values (on top of the
    product's), an optional price of its own (else the product's) and its own stock. Every
    product has at least one active variant; stock is taken from variants only, with one
    conditional UPDATE (apps/catalog/stock.py)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64, unique=True)
    # {attribute code: value}; codes are checked against Attribute by the services. Shown and
    # searched, not faceted (the product's own values are).
    attributes = models.JSONField(default=dict, blank=True)
    price = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Its own price; empty: the product's.",
    )
    stock = models.IntegerField(default=0, help_text="Units available to order.")
    is_active = models.BooleanField(default=True, help_text="Archived variants are not sold.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="variant_stock_not_negative"),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gt=0), name="variant_price_positive"
            ),
        ]
        indexes = [models.Index(fields=["product", "id"], name="variant_product_id")]

    def __str__(self) -> str:
        return self.sku


class ProductAttributeValue(models.Model):
    """One attribute's value for a product (a variant's own values are on the variant)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="attribute_values")
    attribute = models.ForeignKey(Attribute, on_delete=models.PROTECT, related_name="values")
    value = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "attribute"], name="one_value_per_attribute")
        ]
        indexes = [
            # the attribute facet and filter: values of an attribute, with their products
            models.Index(fields=["attribute", "value", "product"], name="attribute_value_product"),
        ]

    def __str__(self) -> str:
        return self.value


class ProductImage(models.Model):
    """A picture of a product, re-encoded without its metadata, with one thumbnail made when
    it was uploaded. The files live in the default storage (STORAGES["default"])."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/")
    thumbnail = models.ImageField(upload_to="products/thumbnails/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt = models.CharField(max_length=200, blank=True, default="")
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["product", "position", "id"], name="image_product_pos")]

    def __str__(self) -> str:
        return self.image.name or f"image {self.pk}"

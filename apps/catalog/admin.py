"""Products in the back office: a delivery like REST and the CLI.

A product is created with product_create and edited with product_update (the form is checked
against the same DTOs, NewProduct and ProductChanges); its stock changes only through
product_stock_change (restock, write off, set a count: the stock page), never as a field; it is
archived and restored, never deleted (orders point at it)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from apps.catalog.dto import (
    MAX_STOCK,
    AttributeChanges,
    AttributeRef,
    CategoryChanges,
    CategoryRef,
    NewAttribute,
    NewCategory,
    NewProduct,
    NewVariant,
    ProductChanges,
    ProductRef,
    VariantChanges,
    VariantRef,
)
from apps.catalog.models import Attribute, Category, Product, Variant
from apps.catalog.selectors import images_of, low_stock_threshold
from apps.catalog.services import (
    attribute_archive,
    attribute_create,
    attribute_update,
    category_archive,
    category_create,
    category_update,
    product_archive,
    product_create,
    product_image_add,
    product_image_delete,
    product_restore,
    product_stock_change,
    product_update,
    variant_archive,
    variant_create,
    variant_stock_change,
    variant_update,
)
from apps.roles import MERCHANT
from servicelayer.adminkit import (
    Button,
    CsvExport,
    DateRangeFilter,
    ServiceButtons,
    ServiceModelForm,
    ServiceSave,
    bulk_action,
    run,
)

EDITABLE = ("name", "description", "price", "ships", "category")  # what product_update takes


class StockLevelFilter(admin.SimpleListFilter):
    """Out of stock, or low: at most AGORA_LOW_STOCK_THRESHOLD units (default 5)."""

    title = "stock"
    parameter_name = "stock_level"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("out", "Out of stock"), ("low", f"Low (1 to {low_stock_threshold()})")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> QuerySet[Product]:
        if self.value() == "out":
            return queryset.filter(stock=0)
        if self.value() == "low":
            return queryset.filter(stock__gt=0, stock__lte=low_stock_threshold())
        return queryset


class ProductForm(ServiceModelForm):
    """Checked against NewProduct (with an initial stock) or ProductChanges."""

    new = NewProduct
    changes = ProductChanges
    ref = "product_id"
    creates = ("name", "description", "price", "ships", "category", "stock")
    updates = EDITABLE
    input_names = {"category": "category_id"}

    class Meta:
        model = Product
        fields = ["name", "description", "price", "ships", "category", "stock"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "stock" in self.fields:  # adding: later, the stock page changes it
            self.fields["stock"].label = "Initial stock"


class StockForm(forms.Form):
    """What product_stock_change takes, in a merchant's words; the reason goes into the
    admin's history of the product (the service keeps no reason)."""

    operation = forms.ChoiceField(
        choices=[
            ("restock", "Restock: add units"),
            ("write_off", "Write off: take units away (broken, lost)"),
            ("set", "Set the count (after a stocktake)"),
        ],
        widget=forms.RadioSelect,
        initial="restock",
    )
    quantity = forms.IntegerField(min_value=0, max_value=MAX_STOCK)
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args: Any, variants: list[tuple[int, str]], **kwargs: Any) -> None:
        """`variants`: the product's active variants (id, SKU); with several, which one's
        stock changes is asked (variant_stock_change), with one it is that one's."""
        super().__init__(*args, **kwargs)
        if len(variants) > 1:
            self.fields["variant"] = forms.TypedChoiceField(
                choices=[("", "Choose a variant")] + [(pk, sku) for pk, sku in variants],
                coerce=int,
                label="Variant (SKU)",
            )
            self.order_fields(["variant", "operation", "quantity", "reason"])

    def service_input(self, product_id: int) -> dict[str, int]:
        quantity = self.cleaned_data["quantity"]
        operation = self.cleaned_data["operation"]
        change = (
            {"set_to": quantity}
            if operation == "set"
            else {"delta": quantity if operation == "restock" else -quantity}
        )
        variant = self.cleaned_data.get("variant")
        return {"product_id": product_id, **({"variant_id": variant} if variant else {}), **change}


class ImageForm(forms.Form):
    """What product_image_add takes: the file (checked, re-encoded and thumbnailed by the
    service, not here) and its text."""

    image = forms.FileField(label="Image (JPEG, PNG or WebP)")
    alt = forms.CharField(max_length=200, required=False, label="Text for who cannot see it")


def _ref(product_id: int) -> ProductRef:
    return ProductRef(product_id=product_id)


@admin.register(Product)
class ProductAdmin(ServiceSave, ServiceButtons, CsvExport):
    role = MERCHANT  # who may use these pages: any merchant, as the services say
    form = ProductForm
    create_service = product_create
    update_service = product_update
    list_display = ("id", "name", "category", "price", "stock_link", "is_active", "updated_at")
    list_select_related = ("category",)
    list_filter = ("is_active", StockLevelFilter, "ships", ("created_at", DateRangeFilter))
    search_fields = ("name",)
    ordering = ("-created_at",)
    buttons = (
        Button(
            "archive",
            "Archive",
            product_archive,
            _ref,
            done="{obj.name} is archived: shoppers no longer see it.",
            shown=lambda product: product.is_active,
        ),
        Button(
            "restore",
            "Restore",
            product_restore,
            _ref,
            done="{obj.name} is on sale again.",
            shown=lambda product: not product.is_active,
        ),
    )
    csv_columns = (
        ("id", "id"),
        ("name", "name"),
        ("price", "price"),
        ("stock", "stock"),
        ("is_active", "is_active"),
        ("ships", "ships"),
        ("created_at", "created_at"),
        ("updated_at", "updated_at"),
    )

    actions = [
        bulk_action(
            product_archive,
            _ref,
            name="archive",
            description="Archive the selected products",
            done="Archived {count} product(s).",
            label="Product #{pk}",
        ),
        bulk_action(
            product_restore,
            _ref,
            name="restore",
            description="Restore the selected products",
            done="Restored {count} product(s).",
            label="Product #{pk}",
        ),
    ]

    def get_fields(self, request: HttpRequest, obj: Product | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "description", "price", "ships", "category", "stock")
        return (*EDITABLE, "stock", "variants", "is_active", "created_at", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> list[str]:
        # stock changes on the stock page, is_active by archiving: never as fields
        return [] if obj is None else ["stock", "variants", "is_active", "created_at", "updated_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # orders point at products: archive instead

    @admin.display(description="variants")
    def variants(self, product: Product) -> str:
        """Its variants as they are (read only: the API's variant services create and change
        them, the stock page changes their stock)."""
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (v.sku, ", ".join(f"{k}: {x}" for k, x in v.attributes.items()) or "-",
                 v.price if v.price is not None else product.price, v.stock,
                 "active" if v.is_active else "archived")
                for v in product.variants.order_by("id")
            ),
        )  # fmt: skip
        head = "<tr><th>SKU</th><th>attributes</th><th>price</th><th>stock</th><th></th></tr>"
        return format_html("<table>{}{}</table>", mark_safe(head), rows)

    @admin.display(description="stock", ordering="stock")
    def stock_link(self, product: Product) -> str:
        url = reverse(f"{self.admin_site.name}:catalog_product_stock", args=[product.pk])
        return format_html('<a href="{}" title="Change the stock">{}</a>', url, product.stock)

    def links(self, request: HttpRequest, obj: Product) -> list[tuple[str, str]]:
        site = self.admin_site.name
        return [
            ("Change stock", reverse(f"{site}:catalog_product_stock", args=[obj.pk])),
            ("Images", reverse(f"{site}:catalog_product_images", args=[obj.pk])),
        ]

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/stock/",
                self.admin_site.admin_view(self.stock_view),
                name="catalog_product_stock",
            ),
            path(
                "<path:object_id>/images/",
                self.admin_site.admin_view(self.images_view),
                name="catalog_product_images",
            ),
        ]
        return own + super().get_urls()

    def images_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The product's images: add one (product_image_add), delete one
        (product_image_delete)."""
        product = self.get_object(request, object_id)
        if product is None or not self.has_act_permission(request, product):
            raise PermissionDenied
        here = reverse(f"{self.admin_site.name}:catalog_product_images", args=[product.pk])
        form = ImageForm()
        if request.method == "POST" and request.POST.get("delete"):
            ref = {"product_id": product.pk, "image_id": request.POST["delete"]}
            run(request, product_image_delete, ref, done=f"{product.name}: the image is deleted.")
            return HttpResponseRedirect(here)
        if request.method == "POST":
            form = ImageForm(request.POST, request.FILES)
            if form.is_valid():
                data = {
                    "product_id": product.pk,
                    "image": form.cleaned_data["image"].read(),
                    "alt": form.cleaned_data["alt"],
                }
                if run(request, product_image_add, data) is not None:
                    self.log_change(request, product, "Image added (product_image_add).")
                    messages.success(request, f"{product.name}: the image is added.")
                    return HttpResponseRedirect(here)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "product": product,
            "images": images_of(product.pk),
            "form": form,
            "title": f"The images of {product.name}",
        }
        return TemplateResponse(request, "admin/catalog/product/images.html", context)

    def stock_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Restock, write off or set the count, through product_stock_change."""
        product = self.get_object(request, object_id)
        if product is None or not self.has_act_permission(request, product):
            raise PermissionDenied
        variants = list(
            product.variants.filter(is_active=True).order_by("id").values_list("id", "sku")
        )
        form = StockForm(request.POST or None, variants=variants)
        if request.method == "POST" and form.is_valid():
            data = form.service_input(product.pk)
            service = variant_stock_change if "variant_id" in data else product_stock_change
            out = run(request, service, data)
            if out is not None:
                reason = form.cleaned_data["reason"]
                what = f"Stock of {out.sku}" if "variant_id" in data else "Stock"
                before = "" if "variant_id" in data else f" {product.stock}"
                summary = f"{what}{before} -> {out.stock}" + (f": {reason}" if reason else "")
                self.log_change(request, product, summary + ".")
                messages.success(request, f"{product.name}: {summary}.")
                return HttpResponseRedirect(
                    reverse(f"{self.admin_site.name}:catalog_product_change", args=[product.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "product": product,
            "form": form,
            "title": f"Change the stock of {product.name}",
        }
        return TemplateResponse(request, "admin/catalog/product/stock.html", context)


# --- categories, attributes and variants: through their services too ---------------------


class CategoryForm(ServiceModelForm):
    """Checked against NewCategory or CategoryChanges (a new parent moves the subtree)."""

    new = NewCategory
    changes = CategoryChanges
    ref = "category_id"
    creates = ("name", "slug", "parent")
    updates = ("name", "slug", "parent")
    input_names = {"parent": "parent_id"}

    class Meta:
        model = Category
        fields = ["name", "slug", "parent"]


def _category_ref(category_id: int) -> CategoryRef:
    return CategoryRef(category_id=category_id)


@admin.register(Category)
class CategoryAdmin(ServiceSave, ServiceButtons):
    """The category tree: created, renamed and moved through category_create and
    category_update, archived through category_archive; never deleted (products name it)."""

    role = MERCHANT
    form = CategoryForm
    create_service = category_create
    update_service = category_update
    list_display = ("id", "name", "slug", "path", "depth", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "slug")
    ordering = ("path",)
    readonly_fields = ("path", "depth", "is_active")
    buttons = (
        Button(
            "archive",
            "Archive",
            category_archive,
            _category_ref,
            done="{obj.name} is archived: its products are no longer listed under it.",
            shown=lambda category: category.is_active,
        ),
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttributeForm(ServiceModelForm):
    """Checked against NewAttribute or AttributeChanges (a new name: the code stays, it is
    what products' and variants' values name)."""

    new = NewAttribute
    changes = AttributeChanges
    ref = "attribute_id"
    creates = ("code", "name")
    updates = ("name",)

    class Meta:
        model = Attribute
        fields = ["code", "name"]


def _attribute_ref(attribute_id: int) -> AttributeRef:
    return AttributeRef(attribute_id=attribute_id)


@admin.register(Attribute)
class AttributeAdmin(ServiceSave, ServiceButtons):
    """Attributes: created through attribute_create, renamed through attribute_update,
    archived (no new values) through attribute_archive; never deleted."""

    role = MERCHANT
    form = AttributeForm
    create_service = attribute_create
    update_service = attribute_update
    list_display = ("id", "code", "name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")
    buttons = (
        Button(
            "archive",
            "Archive",
            attribute_archive,
            _attribute_ref,
            done="{obj.name} is archived: it takes no new values.",
            shown=lambda attribute: attribute.is_active,
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Attribute | None = None) -> list[str]:
        return [] if obj is None else ["code", "is_active"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VariantForm(ServiceModelForm):
    """Checked against NewVariant (its product, SKU, own attribute values, own price, first
    stock) or VariantChanges (SKU, values, price: its stock changes on the product's stock
    page)."""

    new = NewVariant
    changes = VariantChanges
    ref = "variant_id"
    creates = ("product", "sku", "attributes", "price", "stock")
    updates = ("sku", "attributes", "price")
    input_names = {"product": "product_id"}

    class Meta:
        model = Variant
        fields = ["product", "sku", "attributes", "price", "stock"]

    def row_input(self) -> dict[str, Any]:
        return {"product_id": self.instance.product_id}  # VariantChanges names its product


def _variant_ref(variant_id: int) -> VariantRef:
    variant = Variant.objects.only("product_id").get(pk=variant_id)
    return VariantRef(product_id=variant.product_id, variant_id=variant_id)


@admin.register(Variant)
class VariantAdmin(ServiceSave, ServiceButtons):
    """A product's variants: created and changed through variant_create and variant_update,
    archived through variant_archive (a product keeps one active variant); their stock changes
    on the product's stock page; never deleted (order lines name them)."""

    role = MERCHANT
    form = VariantForm
    create_service = variant_create
    update_service = variant_update
    list_display = ("id", "sku", "product", "price", "stock", "is_active")
    list_select_related = ("product",)
    list_filter = ("is_active",)
    search_fields = ("sku", "product__name")
    buttons = (
        Button(
            "archive",
            "Archive",
            variant_archive,
            _variant_ref,
            done="{obj.sku} is archived: it is no longer sold.",
            shown=lambda variant: variant.is_active,
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Variant | None = None) -> list[str]:
        return [] if obj is None else ["product", "stock", "is_active"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

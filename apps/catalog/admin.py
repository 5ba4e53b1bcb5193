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

from apps.catalog.dto import MAX_STOCK, NewProduct, ProductChanges, ProductRef
from apps.catalog.models import Product
from apps.catalog.selectors import low_stock_threshold
from apps.catalog.services import (
    product_archive,
    product_create,
    product_restore,
    product_stock_change,
    product_update,
    variant_stock_change,
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
        url = reverse(f"{self.admin_site.name}:catalog_product_stock", args=[obj.pk])
        return [("Change stock", url)]

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/stock/",
                self.admin_site.admin_view(self.stock_view),
                name="catalog_product_stock",
            )
        ]
        return own + super().get_urls()

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

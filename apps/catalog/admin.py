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
from django.utils.html import format_html

from apps.catalog.dto import MAX_STOCK, NewProduct, ProductChanges, ProductRef
from apps.catalog.models import Product
from apps.catalog.selectors import low_stock_threshold
from apps.catalog.services import (
    product_archive,
    product_create,
    product_restore,
    product_stock_change,
    product_update,
)
from apps.roles import MERCHANT
from servicelayer.adminkit import (
    Button,
    CsvExport,
    DateRangeFilter,
    ServiceButtons,
    actor_of,
    run,
    run_each,
)
from servicelayer.dto import DTO, validate_input
from servicelayer.errors import InvalidInput

EDITABLE = ("name", "description", "price", "ships")  # what product_update takes


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


class ProductForm(forms.ModelForm[Product]):
    """The product's own fields, checked against the service's DTO: what the DTO refuses is a
    form error, with its message. `dto` is the input the service is then called with (None
    when nothing changed)."""

    dto: DTO | None = None

    class Meta:
        model = Product
        fields = ["name", "description", "price", "ships", "stock"]
        labels = {"stock": "Initial stock"}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        adding = self.instance.pk is None
        wanted = ["name", "description", "price", "ships", "stock"] if adding else EDITABLE
        data = {name: cleaned[name] for name in wanted if name in cleaned}
        if not adding:
            data = {name: value for name, value in data.items() if name in self.changed_data}
            if not data:
                return cleaned  # nothing changes: no service to call
            data["product_id"] = self.instance.pk
        try:
            self.dto = validate_input(NewProduct if adding else ProductChanges, data)
        except InvalidInput as error:
            for name, problems in error.fields.items():
                for problem in problems:
                    self.add_error(name if name in self.fields else None, problem)
        return cleaned


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

    def service_input(self, product_id: int) -> dict[str, int]:
        quantity = self.cleaned_data["quantity"]
        operation = self.cleaned_data["operation"]
        if operation == "set":
            return {"product_id": product_id, "set_to": quantity}
        return {
            "product_id": product_id,
            "delta": quantity if operation == "restock" else -quantity,
        }


def _ref(product_id: int) -> ProductRef:
    return ProductRef(product_id=product_id)


@admin.register(Product)
class ProductAdmin(ServiceButtons, CsvExport):
    role = MERCHANT  # who may use these pages: any merchant, as the services say
    form = ProductForm
    list_display = ("id", "name", "price", "stock_link", "is_active", "updated_at")
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

    @admin.action(description="Archive the selected products", permissions=["act"])
    def archive(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        ids = queryset.order_by("id").values_list("id", flat=True)
        run_each(
            request,
            product_archive,
            ((f"Product #{pk}", _ref(pk)) for pk in ids),
            done="Archived {count} product(s).",
        )

    @admin.action(description="Restore the selected products", permissions=["act"])
    def restore(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        ids = queryset.order_by("id").values_list("id", flat=True)
        run_each(
            request,
            product_restore,
            ((f"Product #{pk}", _ref(pk)) for pk in ids),
            done="Restored {count} product(s).",
        )

    actions = ["archive", "restore"]

    def get_fields(self, request: HttpRequest, obj: Product | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "description", "price", "stock", "ships")
        return (*EDITABLE, "stock", "is_active", "created_at", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> list[str]:
        # stock changes on the stock page, is_active by archiving: never as fields
        return [] if obj is None else ["stock", "is_active", "created_at", "updated_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # orders point at products: archive instead

    @admin.display(description="stock", ordering="stock")
    def stock_link(self, product: Product) -> str:
        url = reverse(f"{self.admin_site.name}:catalog_product_stock", args=[product.pk])
        return format_html('<a href="{}" title="Change the stock">{}</a>', url, product.stock)

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        """Through the service, never obj.save(): the form's DTO is its input."""
        dto = form.dto
        if dto is None:
            return
        if change:
            out = product_update(actor=actor_of(request), data=dto)
        else:
            out = product_create(actor=actor_of(request), data=dto)
            obj.pk = out.id
        for name, value in out.model_dump().items():
            setattr(obj, name, value)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # no relations to save, and the form saves nothing itself

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
        form = StockForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            out = run(request, product_stock_change, form.service_input(product.pk))
            if out is not None:
                reason = form.cleaned_data["reason"]
                summary = f"Stock {product.stock} -> {out.stock}" + (
                    f": {reason}" if reason else ""
                )
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

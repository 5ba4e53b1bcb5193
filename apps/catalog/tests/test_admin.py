"""The product admin creates, edits, restocks and archives through the catalog's services."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from apps.backoffice.tests.helpers import messages_of, signed_in
from apps.catalog.admin import ProductAdmin
from apps.catalog.models import Product
from apps.catalog.services import product_create, product_update


@pytest.fixture
def desk(client, merchant):
    return signed_in(client, merchant)


def stock_url(product):
    return reverse("admin:catalog_product_stock", args=[product.pk])


def spy(monkeypatch, attribute, service):
    """Record the calls of `service` that ProductAdmin makes (its `attribute`)."""
    calls = []

    def spying(*, actor, data):
        calls.append((actor.username, data))
        return service(actor=actor, data=data)

    monkeypatch.setattr(ProductAdmin, attribute, spying)
    return calls


def test_creating_a_product_runs_product_create_with_the_dto(desk, monkeypatch):
    calls = spy(monkeypatch, "create_service", product_create)
    response = desk.post(
        reverse("admin:catalog_product_add"),
        {"name": "Teapot", "description": "", "price": "24.5", "stock": "7", "ships": "on"},
    )
    assert response.status_code == 302
    product = Product.objects.get()
    assert (product.name, product.price, product.stock, product.ships) == (
        "Teapot",
        Decimal("24.50"),
        7,
        True,
    )
    [(actor, data)] = calls
    assert actor == "mia"
    assert type(data).__name__ == "NewProduct"
    assert response["Location"].endswith(reverse("admin:catalog_product_changelist"))


def test_what_the_dto_refuses_is_a_form_error(desk):
    response = desk.post(
        reverse("admin:catalog_product_add"),
        {"name": "Teapot", "price": "5", "stock": "2000000", "ships": "on"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["stock"]  # NewProduct's bound, MAX_STOCK
    assert "1000000" in errors["stock"][0]
    assert not Product.objects.exists()


def test_editing_runs_product_update_with_only_what_changed(desk, make_product, monkeypatch):
    product = make_product("Mug", price="10.00", stock=4)
    calls = spy(monkeypatch, "update_service", product_update)
    response = desk.post(
        reverse("admin:catalog_product_change", args=[product.pk]),
        {"name": "Big mug", "description": "", "price": "10.00", "stock": "999"},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.ships, product.stock) == (
        "Big mug",
        False,
        4,
    )  # stock: not a field
    [(_, data)] = calls
    assert data.model_fields_set == {"product_id", "name"}


def test_the_change_form_has_no_stock_field(desk, make_product):
    product = make_product(stock=4)
    form = (
        desk.get(reverse("admin:catalog_product_change", args=[product.pk]))
        .context["adminform"]
        .form
    )
    assert "stock" not in form.fields
    assert "is_active" not in form.fields
    assert set(form.fields) == {"name", "description", "price", "ships", "category"}


def test_the_category_is_set_through_product_update(desk, make_product, merchant):
    from apps.catalog.dto import NewCategory
    from apps.catalog.services import category_create

    lamps = category_create(actor=merchant, data=NewCategory(name="Lamps", slug="lamps"))
    product = make_product("Lantern", price="30.00")
    response = desk.post(
        reverse("admin:catalog_product_change", args=[product.pk]),
        {"name": "Lantern", "description": "", "price": "30.00", "category": lamps.id},
    )
    assert response.status_code == 302
    assert Product.objects.get(pk=product.pk).category_id == lamps.id


@pytest.mark.parametrize(
    ("operation", "quantity", "stock"), [("restock", 5, 9), ("write_off", 3, 1), ("set", 12, 12)]
)
def test_the_stock_page_runs_product_stock_change(desk, make_product, operation, quantity, stock):
    product = make_product("Mug", stock=4)
    response = desk.post(
        stock_url(product), {"operation": operation, "quantity": quantity, "reason": "stocktake"}
    )
    assert response.status_code == 302
    assert Product.objects.get(pk=product.pk).stock == stock
    assert messages_of(response) == [f"Mug: Stock 4 -> {stock}: stocktake."]
    entry = LogEntry.objects.get(object_id=str(product.pk))
    assert entry.get_change_message() == f"Stock 4 -> {stock}: stocktake."


def test_writing_off_more_than_there_is_is_the_services_message(desk, make_product):
    product = make_product(stock=2)
    response = desk.post(stock_url(product), {"operation": "write_off", "quantity": 5})
    assert response.status_code == 200
    assert Product.objects.get(pk=product.pk).stock == 2
    [message] = messages_of(response)
    assert "(insufficient_stock)" in message


def test_archive_and_restore_as_actions_and_buttons(desk, make_product):
    first, second = make_product(), make_product()
    listing = reverse("admin:catalog_product_changelist")
    desk.post(listing, {"action": "archive", "_selected_action": [first.pk, second.pk]})
    assert not Product.objects.filter(is_active=True).exists()
    desk.post(reverse("admin:catalog_product_restore", args=[first.pk]))
    assert Product.objects.get(pk=first.pk).is_active
    assert not Product.objects.get(pk=second.pk).is_active


def test_a_product_cannot_be_deleted(desk, make_product):
    product = make_product()
    assert desk.get(reverse("admin:catalog_product_delete", args=[product.pk])).status_code == 403
    assert (
        "delete_selected"
        not in desk.get(reverse("admin:catalog_product_changelist")).content.decode()
    )


def test_the_low_stock_filter_follows_the_setting(desk, make_product, settings):
    settings.AGORA_LOW_STOCK_THRESHOLD = 3
    empty, low, fine = make_product(stock=0), make_product(stock=3), make_product(stock=4)
    listing = reverse("admin:catalog_product_changelist")

    def listed(level):
        return {p.pk for p in desk.get(listing, {"stock_level": level}).context["cl"].result_list}

    assert listed("out") == {empty.pk}
    assert listed("low") == {low.pk}
    assert fine.pk not in listed("low")


def test_csv_export(desk, make_product):
    make_product("Mug", stock=0)
    make_product("Teapot", stock=9)
    response = desk.get(reverse("admin:catalog_product_export"), {"stock_level": "out"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["name"], row["stock"]) for row in rows] == [("Mug", "0")]


def test_a_product_with_variants_shows_them_and_its_stock_page_asks_which(
    desk, merchant, make_product
):
    from apps.catalog.dto import NewVariant
    from apps.catalog.models import Variant
    from apps.catalog.services import variant_create

    shirt = make_product("Shirt", stock=4)
    blue = variant_create(
        actor=merchant,
        data=NewVariant(product_id=shirt.pk, sku="SHIRT-BLUE"),
    )
    page = desk.get(reverse("admin:catalog_product_change", args=[shirt.pk]))
    assert b"SHIRT-BLUE" in page.content  # the variants, read only
    unchosen = desk.post(stock_url(shirt), {"operation": "restock", "quantity": 5})
    assert unchosen.status_code == 200  # the form asks for the variant again
    assert "variant" in unchosen.context["form"].errors
    response = desk.post(
        stock_url(shirt), {"variant": blue.id, "operation": "restock", "quantity": 5}
    )
    assert response.status_code == 302
    assert Variant.objects.get(pk=blue.id).stock == 5
    assert Product.objects.get(pk=shirt.pk).stock == 9  # the sum over its variants
    assert "Stock of SHIRT-BLUE -> 5" in messages_of(desk.get(response["Location"]))[0]

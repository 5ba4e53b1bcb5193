"""Categories, attributes and variants in the admin: through their services, never deleted."""

import pytest
from django.urls import reverse

from apps.backoffice.tests.helpers import messages_of, signed_in
from apps.catalog.models import Attribute, Category, Product, Variant


@pytest.fixture
def desk(client, merchant):
    return signed_in(client, merchant)


def test_a_category_is_made_moved_and_archived_through_its_services(desk):
    add = reverse("admin:catalog_category_add")
    assert desk.post(add, {"name": "Home", "slug": "home"}).status_code == 302
    assert desk.post(add, {"name": "Lamps", "slug": "lamps"}).status_code == 302
    home, lamps = Category.objects.get(slug="home"), Category.objects.get(slug="lamps")
    change = reverse("admin:catalog_category_change", args=[lamps.pk])
    moved = desk.post(change, {"name": "Lamps", "slug": "lamps", "parent": home.pk})
    assert moved.status_code == 302
    lamps.refresh_from_db()
    assert (lamps.parent_id, lamps.path, lamps.depth) == (home.pk, f"/{home.pk}/{lamps.pk}/", 2)
    # a cycle is the service's error, shown on the form, not a 500
    cycle = desk.post(
        reverse("admin:catalog_category_change", args=[home.pk]),
        {"name": "Home", "slug": "home", "parent": lamps.pk},
    )
    assert cycle.status_code in (200, 302)
    home.refresh_from_db()
    assert home.parent_id is None
    archived = desk.post(reverse("admin:catalog_category_archive", args=[lamps.pk]))
    assert archived.status_code == 302
    assert not Category.objects.get(pk=lamps.pk).is_active
    assert desk.post(reverse("admin:catalog_category_delete", args=[home.pk])).status_code == 403


def test_an_attribute_is_made_renamed_and_archived_through_its_services(desk):
    add = reverse("admin:catalog_attribute_add")
    assert desk.post(add, {"code": "colour", "name": "Colour"}).status_code == 302
    taken = desk.post(add, {"code": "colour", "name": "Again"})
    assert taken.status_code in (200, 302)
    assert Attribute.objects.count() == 1
    colour = Attribute.objects.get()
    page = desk.get(reverse("admin:catalog_attribute_change", args=[colour.pk]))
    assert "code" not in page.context["adminform"].form.fields  # read only once made
    change = reverse("admin:catalog_attribute_change", args=[colour.pk])
    assert desk.post(change, {"name": "Color"}).status_code == 302
    assert (
        desk.post(reverse("admin:catalog_attribute_archive", args=[colour.pk])).status_code == 302
    )
    assert (Attribute.objects.get().name, Attribute.objects.get().is_active) == ("Color", False)


def test_a_variant_is_made_changed_and_archived_through_its_services(desk, make_product):
    Attribute.objects.create(code="size", name="Size")
    shirt = make_product("Shirt", price="20.00", stock=3)
    add = reverse("admin:catalog_variant_add")
    made = desk.post(
        add,
        {"product": shirt.pk, "sku": "SHIRT-L", "attributes": '{"size": "l"}', "stock": "4"},
    )
    assert made.status_code == 302, made.context["adminform"].form.errors
    large = Variant.objects.get(sku="SHIRT-L")
    assert (large.attributes, large.stock, large.price) == ({"size": "l"}, 4, None)
    assert Product.objects.get(pk=shirt.pk).stock == 7  # the sum follows
    change = reverse("admin:catalog_variant_change", args=[large.pk])
    priced = desk.post(change, {"sku": "SHIRT-L", "attributes": '{"size": "l"}', "price": "22"})
    assert priced.status_code == 302
    assert Variant.objects.get(pk=large.pk).price == 22
    assert desk.post(reverse("admin:catalog_variant_archive", args=[large.pk])).status_code == 302
    assert not Variant.objects.get(pk=large.pk).is_active
    # the product's last active variant stays: the service's error is a message
    (first,) = Variant.objects.filter(product=shirt, is_active=True)
    refused = desk.post(reverse("admin:catalog_variant_archive", args=[first.pk]))
    assert Variant.objects.get(pk=first.pk).is_active
    assert messages_of(desk.get(refused["Location"]))
    assert desk.post(reverse("admin:catalog_variant_delete", args=[first.pk])).status_code == 403


def test_images_are_added_and_deleted_on_the_products_images_page(desk, make_product, make_image):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.catalog.models import ProductImage

    lamp = make_product("Lamp")
    page = reverse("admin:catalog_product_images", args=[lamp.pk])
    upload = SimpleUploadedFile("lamp.png", make_image("PNG"), content_type="image/png")
    added = desk.post(page, {"image": upload, "alt": "A lamp"})
    assert added.status_code == 302
    image = ProductImage.objects.get(product=lamp)
    assert (image.alt, bool(image.thumbnail)) == ("A lamp", True)  # the service made it
    junk = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    refused = desk.post(page, {"image": junk})
    assert refused.status_code == 200  # the service's refusal is a message on the page
    assert ProductImage.objects.count() == 1
    assert b"A lamp" in desk.get(page).content
    assert desk.post(page, {"delete": image.pk}).status_code == 302
    assert not ProductImage.objects.exists()

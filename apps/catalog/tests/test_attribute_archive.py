"""An attribute is renamed (its code stays) and archived: no new values, the given ones stay."""

import pytest

from apps.catalog.dto import AttributeChanges, AttributeRef, NewAttribute, ProductAttributes
from apps.catalog.errors import AttributeArchived, AttributeMissing
from apps.catalog.models import ProductAttributeValue
from apps.catalog.services import (
    attribute_archive,
    attribute_create,
    attribute_update,
    product_attributes_set,
)
from servicelayer.errors import Forbidden


def test_an_archived_attribute_takes_no_new_values_but_keeps_and_drops_the_old(
    merchant, make_product
):
    colour = attribute_create(actor=merchant, data=NewAttribute(code="colour", name="Colour"))
    lamp, vase = make_product("Lamp"), make_product("Vase")
    product_attributes_set(
        actor=merchant, data=ProductAttributes(product_id=lamp.pk, values={"colour": "red"})
    )
    renamed = attribute_update(
        actor=merchant, data=AttributeChanges(attribute_id=colour.id, name="Color")
    )
    assert (renamed.code, renamed.name) == ("colour", "Color")
    archived = attribute_archive(actor=merchant, data=AttributeRef(attribute_id=colour.id))
    assert not archived.is_active
    with pytest.raises(AttributeArchived):
        product_attributes_set(
            actor=merchant, data=ProductAttributes(product_id=vase.pk, values={"colour": "blue"})
        )
    assert ProductAttributeValue.objects.get(product_id=lamp.pk).value == "red"  # it stays
    product_attributes_set(
        actor=merchant, data=ProductAttributes(product_id=lamp.pk, values={"colour": None})
    )
    assert not ProductAttributeValue.objects.exists()  # and may be removed


def test_renaming_and_archiving_are_for_merchants_and_known_attributes(merchant, shopper):
    with pytest.raises(Forbidden):
        attribute_create(actor=shopper, data=NewAttribute(code="size", name="Size"))
    with pytest.raises(AttributeMissing):
        attribute_archive(actor=merchant, data=AttributeRef(attribute_id=999))
    with pytest.raises(AttributeMissing):
        attribute_update(actor=merchant, data=AttributeChanges(attribute_id=999, name="X"))


def test_the_api_renames_and_archives(api, merchant):
    made = api(merchant).post("/api/attributes/", {"code": "size", "name": "Size"}, format="json")
    pk = made.json()["id"]
    renamed = api(merchant).patch(f"/api/attributes/{pk}/", {"name": "Sizes"}, format="json")
    assert (renamed.status_code, renamed.json()["name"]) == (200, "Sizes")
    archived = api(merchant).post(f"/api/attributes/{pk}/archive/")
    assert (archived.status_code, archived.json()["is_active"]) == (200, False)
    assert api(None).get("/api/attributes/").json()[0]["is_active"] is False

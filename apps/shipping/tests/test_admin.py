"""The shipping method admin works through shipping's services."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.backoffice.tests.helpers import signed_in
from apps.shipping.models import ShippingMethod


@pytest.fixture
def desk(client, merchant):
    return signed_in(client, merchant)


def test_made_edited_and_archived_through_the_services(desk):
    response = desk.post(
        reverse("admin:shipping_shippingmethod_add"),
        {"name": "Post", "price": "4.90", "free_above": "", "countries": "pt, es,PT"},
    )
    assert response.status_code == 302
    method = ShippingMethod.objects.get()
    assert (method.price, method.free_above, method.countries) == (
        Decimal("4.90"),
        None,
        ["ES", "PT"],
    )
    desk.post(
        reverse("admin:shipping_shippingmethod_change", args=[method.pk]),
        {"name": "Post", "price": "4.90", "free_above": "50", "countries": "ES, PT"},
    )
    assert ShippingMethod.objects.get().free_above == Decimal("50.00")
    desk.post(reverse("admin:shipping_shippingmethod_archive", args=[method.pk]))
    assert not ShippingMethod.objects.get().is_active
    url = reverse("admin:shipping_shippingmethod_delete", args=[method.pk])
    assert desk.get(url).status_code == 403


def test_an_unknown_country_is_the_dtos_error_on_its_field(desk):
    response = desk.post(
        reverse("admin:shipping_shippingmethod_add"),
        {"name": "Post", "price": "4.90", "countries": "XX"},
    )
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["countries"]
    assert not ShippingMethod.objects.exists()

"""The webhook endpoint admin goes through webhooks' services: URLs are checked, the secret is
shown once, deletion is the service's."""

import pytest
from django.urls import reverse

from apps.backoffice.tests.helpers import messages_of, signed_in
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint


@pytest.fixture
def desk(client, merchant, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False  # as in production (this app's conftest allows)
    settings.WEBHOOK_ALLOW_HTTP = False
    return signed_in(client, merchant)


def add(desk, url, kinds="order.paid, order.shipped"):
    return desk.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {"url": url, "event_types": kinds, "is_active": "on"},
        follow=True,  # the messages are read on the page that follows
    )


def test_an_endpoint_is_made_through_the_service_and_its_secret_shown_once(desk):
    response = add(desk, "https://hooks.example.com/x")
    assert response.redirect_chain[-1][0] == reverse("admin:webhooks_webhookendpoint_changelist")
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.event_types == ["order.paid", "order.shipped"]
    assert any(endpoint.secret in message for message in messages_of(response))
    page = desk.get(reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret not in page.content.decode()


@pytest.mark.parametrize(
    ("url", "kinds", "field"),
    [
        ("https://10.0.0.1/x", "order.paid", "url"),
        ("https://localhost/x", "order.paid", "url"),
        ("https://hooks.example.com/x", "order.lost", "event_types"),
    ],
)
def test_what_the_service_refuses_is_a_form_error(desk, url, kinds, field):
    response = add(desk, url, kinds)
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == [field]
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()  # deleted with it, by the service


def test_an_edit_is_checked_too(desk):
    add(desk, "https://hooks.example.com/x")
    endpoint = WebhookEndpoint.objects.get()
    response = desk.post(
        reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]),
        {"url": "https://127.0.0.1/x", "event_types": "order.paid", "is_active": "on"},
    )
    assert response.status_code == 200
    assert WebhookEndpoint.objects.get().url == "https://hooks.example.com/x"


def test_a_new_secret_and_deleting_through_the_services(desk):
    add(desk, "https://hooks.example.com/x")
    endpoint = WebhookEndpoint.objects.get()
    response = desk.post(reverse("admin:webhooks_webhookendpoint_rotate", args=[endpoint.pk]))
    rotated = WebhookEndpoint.objects.get()
    assert rotated.secret != endpoint.secret
    assert any(rotated.secret in message for message in messages_of(response))
    WebhookDelivery.objects.create(
        endpoint=rotated, event_id=1, event_type="order.paid", body="{}", status="succeeded"
    )
    url = reverse("admin:webhooks_webhookendpoint_delete", args=[endpoint.pk])
    assert desk.get(url).status_code == 200
    assert desk.post(url, {"post": "yes"}).status_code == 302
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()  # deleted with it, by the service

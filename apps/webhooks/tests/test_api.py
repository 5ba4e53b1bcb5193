"""Webhook endpoints over REST: merchants only, the secret shown once, refusals as 400s, and
an endpoint's deliveries with their attempts, a page at a time."""

import pytest

from apps.webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

URL = "/api/webhook-endpoints/"


def test_the_secret_is_shown_when_made_and_on_rotation_only(api, merchant, receiver):
    client = api(merchant)
    made = client.post(
        URL, {"url": receiver.url, "event_types": ["order.shipped", "order.paid"]}, format="json"
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["secret"].startswith("whsec_")
    assert len(body["secret"]) > 40
    assert body["event_types"] == ["order.paid", "order.shipped"]
    assert WebhookEndpoint.objects.get().secret == body["secret"]
    member = f"{URL}{body['id']}/"
    assert "secret" not in client.get(member).json()
    assert all("secret" not in row for row in client.get(URL).json())
    assert "secret" not in client.patch(member, {"is_active": False}).json()
    rotated = client.post(f"{member}rotate-secret/").json()
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != body["secret"]
    assert WebhookEndpoint.objects.get().secret == rotated["secret"]


def test_bad_endpoints_are_400s(api, merchant, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    client = api(merchant)
    cases = [
        ({"url": "https://10.0.0.1/x", "event_types": ["order.paid"]}, "url"),
        ({"url": "https://hooks.example.com/x", "event_types": []}, "event_types"),
        ({"url": "https://hooks.example.com/x", "event_types": ["order.lost"]}, "event_types.0"),
        (
            {"url": "https://hooks.example.com/x", "event_types": ["account.password_reset_asked"]},
            "event_types.0",
        ),
        ({"url": "https://hooks.example.com/x"}, "event_types"),
        (
            {"url": "https://hooks.example.com/x", "event_types": ["order.paid"], "secret": "mine"},
            "secret",
        ),
    ]
    for body, field in cases:
        response = client.post(URL, body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()["error"]["fields"], response.json()
    assert not WebhookEndpoint.objects.exists()
    made = client.post(
        URL, {"url": "https://hooks.example.com/x", "event_types": ["order.paid"]}, format="json"
    )
    member = f"{URL}{made.json()['id']}/"
    assert client.patch(member, {}, format="json").status_code == 400
    assert client.patch(member, {"url": "http://hooks.example.com/x"}).status_code == 200
    settings.WEBHOOK_ALLOW_HTTP = False
    assert client.patch(member, {"url": "http://hooks.example.com/x"}).status_code == 400


def test_only_merchants_manage_webhooks(api, shopper, merchant):
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example.com/x", secret="whsec_x", event_types=["order.paid"]
    )
    member = f"{URL}{endpoint.pk}/"
    for client, status in ((api(None), 401), (api(shopper), 403)):
        assert client.get(URL).status_code == status
        assert (
            client.post(
                URL, {"url": "https://a.example.com/", "event_types": ["order.paid"]}, format="json"
            ).status_code
            == status
        )
        assert client.get(member).status_code == status
        assert client.get(f"{member}deliveries/").status_code == status
        assert client.delete(member).status_code == status
    assert api(merchant).get(f"{URL}999/").status_code == 404
    assert api(merchant).get(f"{URL}999/deliveries/").status_code == 404
    assert api(merchant).delete(f"{URL}999/").status_code == 404
    assert api(merchant).delete(member).status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_deliveries_with_their_attempts_a_page_at_a_time(
    api, merchant, receiver, make_endpoint, relay, clock, run_tasks
):
    from apps.webhooks.services import webhook_deliver_due

    endpoint = make_endpoint(receiver.url)
    receiver.script = [500]
    first = relay(subject_id=1)
    clock.advance(30)
    run_tasks(webhook_deliver_due)
    second = relay(subject_id=2)
    url = f"{URL}{endpoint.id}/deliveries/"
    page = api(merchant).get(url, {"page_size": 1}).json()
    [newest] = page["results"]
    assert newest["event_id"] == second
    assert newest["status"] == "succeeded"
    assert [a["status_code"] for a in newest["attempt_log"]] == [200]
    [older] = api(merchant).get(page["next"]).json()["results"]
    assert older["event_id"] == first
    assert older["attempts"] == 2
    log = older["attempt_log"]
    assert [(a["status_code"], a["error"]) for a in log] == [
        (500, "The receiver answered 500."),
        (200, ""),
    ]
    assert set(log[0]) == {"at", "status_code", "error", "duration_ms"}
    assert older["body"].startswith('{"event_id":')
    only_failed = api(merchant).get(url, {"status": "failed"}).json()
    assert only_failed == {"next": None, "results": []}

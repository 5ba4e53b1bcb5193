"""Where webhooks may go: https and public hosts only, unless the settings say otherwise, and
names that resolve inside are refused before anything is sent."""

import pytest

from apps.webhooks.dto import WebhookDeliveryRef
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from apps.webhooks.services import webhook_deliver
from apps.webhooks.targets import UnsafeTarget, check_addresses, check_url


@pytest.fixture
def production(settings):
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/agora",  # plain http in production
        "ftp://hooks.example.com/agora",
        "https://127.0.0.1/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.0.10:8443/hooks",
        "https://169.254.169.254/latest/meta-data/",  # the cloud metadata service
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://[64:ff9b::7f00:1]/hooks",  # NAT64 of 127.0.0.1
        "https://[64:ff9b::a9fe:a9fe]/hooks",  # NAT64 of 169.254.169.254
        "https://[64:ff9b:1::a00:1]/hooks",  # local-use NAT64 (RFC 8215) of 10.0.0.1
        "https://[2002:7f00:1::]/hooks",  # 6to4 of 127.0.0.1
        "https://[2002:c0a8:a::1]/hooks",  # 6to4 of 192.168.0.10
        "https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/hooks",  # Teredo (client 10.0.0.1)
        "https://[fe80::1]/hooks",
        "https://0.0.0.0/hooks",
        "https://localhost/hooks",
        "https://api.localhost/hooks",
        "https://user:pass@hooks.example.com/agora",
        "https://hooks.example.com/agora#part",
        "https:///agora",
        "https://hooks.example.com:99999/",
        "https://hooks.example.com/a b",
        "https://hooks.example.com/" + "a" * 500,
    ],
)
def test_unsafe_urls_are_refused(production, url):
    with pytest.raises(UnsafeTarget):
        check_url(url)


def test_a_public_https_url_is_accepted(production):
    assert check_url("https://hooks.example.com:8443/agora?shop=1") == (
        "https://hooks.example.com:8443/agora?shop=1"
    )
    assert check_url("https://93.184.215.14/agora")


@pytest.mark.parametrize(
    "resolved",
    ["64:ff9b::7f00:1", "2002:7f00:1::", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "127.0.0.1"],
)
def test_a_name_that_resolves_to_an_address_wrapping_a_private_one_is_refused(
    production, monkeypatch, resolved
):
    def getaddrinfo(host, port, **kwargs):
        return [(None, None, 6, "", (resolved, port, 0, 0))]

    monkeypatch.setattr("socket.getaddrinfo", getaddrinfo)
    with pytest.raises(UnsafeTarget, match="not public"):
        check_addresses("https://hooks.example.com/agora")


@pytest.mark.parametrize("resolved", ["64:ff9b::5db8:d70e", "2002:5db8:d70e::1", "93.184.215.14"])
def test_a_name_that_resolves_to_an_address_wrapping_a_public_one_is_accepted(
    production, monkeypatch, resolved
):
    def getaddrinfo(host, port, **kwargs):
        return [(None, None, 6, "", (resolved, port, 0, 0))]

    monkeypatch.setattr("socket.getaddrinfo", getaddrinfo)
    check_addresses("https://hooks.example.com/agora")


def test_development_allows_http_and_tests_allow_loopback(settings):
    settings.WEBHOOK_ALLOW_HTTP, settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True, False
    assert check_url("http://hooks.example.com/agora")
    with pytest.raises(UnsafeTarget):
        check_url("http://127.0.0.1:8000/hooks")
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    assert check_url("http://127.0.0.1:8000/hooks")


@pytest.mark.django_db
def test_a_host_that_resolves_inside_is_not_posted_to(settings, receiver, relay):
    # made before the rule applied (or a name whose DNS answer changed): checked when sent
    WebhookEndpoint.objects.create(
        url=receiver.url.replace("127.0.0.1", "localhost"),
        secret="whsec_x",
        event_types=["order.paid"],
    )
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    relay()
    delivery = WebhookDelivery.objects.get()
    assert receiver.requests == []
    assert delivery.status == "pending"
    assert "not public: not sent" in delivery.last_error
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.status_code is None
    assert not webhook_deliver(data=WebhookDeliveryRef(delivery_id=delivery.pk)).attempted

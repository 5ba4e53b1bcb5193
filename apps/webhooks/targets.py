"""Where a webhook may be sent: the checks that keep merchants' endpoints from pointing the
server at itself or its private network (server-side request forgery).

At creation and on every change, `check_url` refuses:
- a scheme other than https (http too only with WEBHOOK_ALLOW_HTTP, which defaults to DEBUG:
  local development posts to plain-HTTP receivers), credentials in the URL, a fragment, no
  host, or more than MAX_URL characters;
- unless WEBHOOK_ALLOW_PRIVATE_HOSTS (off by default; tests turn it on for a receiver on
  127.0.0.1): `localhost` and its subdomains, and an IP literal that is not a global address
  (loopback, private, link-local such as the cloud metadata address 169.254.169.254,
  shared, reserved, multicast, unspecified).

A name is not resolved then (DNS changes; the check would only be a snapshot). Before every
attempt, `check_addresses` resolves the host and refuses it if any of its addresses is not
global, which also catches names that point inside and numeric forms such as `2130706433`.
The connection then resolves the name again: a DNS server that answers differently within
that second (rebinding) is not excluded; an egress proxy that refuses private addresses is the
complete defence, and httpx honours HTTPS_PROXY."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

MAX_URL = 500


class UnsafeTarget(ValueError):
    """The URL may not receive webhooks; the message says why."""


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_url(url: str) -> str:
    """`url` if it may receive webhooks; UnsafeTarget otherwise (see the module docstring)."""
    if len(url) > MAX_URL:
        raise UnsafeTarget(f"At most {MAX_URL} characters.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (a ValueError for a port that is not a number in range)
    except ValueError:
        raise UnsafeTarget("This is not a valid URL.") from None
    allowed = ("https", "http") if settings.WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise UnsafeTarget(f"The URL must start with {' or '.join(f'{s}://' for s in allowed)}.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeTarget("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget("Credentials in the URL are not allowed: verify the signature.")
    if parts.fragment:
        raise UnsafeTarget("The URL may not have a #fragment.")
    if any(ord(c) <= 32 or ord(c) == 127 for c in url):
        raise UnsafeTarget("The URL may not contain spaces or control characters.")
    if settings.WEBHOOK_ALLOW_PRIVATE_HOSTS:
        return url
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        raise UnsafeTarget("The URL may not point at this server (localhost).")
    address = _ip(host)
    if address is not None and not _is_public(address):
        raise UnsafeTarget("The URL may not point at a private, loopback or link-local address.")
    return url


def check_addresses(url: str) -> None:
    """Resolve the URL's host and refuse it (UnsafeTarget) if an address is not global; a
    name that does not resolve is an OSError. Nothing is checked with
    WEBHOOK_ALLOW_PRIVATE_HOSTS."""
    if settings.WEBHOOK_ALLOW_PRIVATE_HOSTS:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    for *_, sockaddr in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP):
        address = _ip(str(sockaddr[0]).split("%", 1)[0])  # an IPv6 scope id is no address
        if address is None or not _is_public(address):
            raise UnsafeTarget(f"{host} resolves to {sockaddr[0]}, which is not public: not sent.")

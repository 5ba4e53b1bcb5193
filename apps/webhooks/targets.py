"""Where a webhook may be sent: the checks that keep merchants' endpoints from pointing the
server at itself or its private network (server-side request forgery).

At creation and on every change, `check_url` refuses:
- a scheme other than https (http too only with WEBHOOK_ALLOW_HTTP, which defaults to DEBUG:
  local development posts to plain-HTTP receivers), credentials in the URL, a fragment, no
  host, or more than MAX_URL characters;
- unless WEBHOOK_ALLOW_PRIVATE_HOSTS (off by default; tests turn it on for a receiver on
  127.0.0.1): `localhost` and its subdomains, and an IP literal that is not a global address
  (loopback, private, link-local such as the cloud metadata address 169.254.169.254,
  shared, reserved, multicast, unspecified), also when an IPv6 address wraps such an IPv4
  address (IPv4-mapped `::ffff:127.0.0.1`, NAT64 `64:ff9b::7f00:1`, 6to4 `2002:7f00:1::`);
  local-use NAT64 (`64:ff9b:1::/48`) and IPv4-compatible `::a.b.c.d` are refused outright.

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


# IPv6 prefixes that carry an IPv4 address a gateway reaches on the sender's behalf: the
# IPv4 address inside decides (64:ff9b::7f00:1 is 127.0.0.1 through a NAT64 translator)
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the IPv4 address in the last 32 bits
# never public, whatever they carry: local-use NAT64 (RFC 8215, a translator of our own
# network's choosing) and the deprecated IPv4-compatible ::a.b.c.d (Python < 3.13 calls both
# global)
NEVER_PUBLIC = (ipaddress.IPv6Network("64:ff9b:1::/48"), ipaddress.IPv6Network("::/96"))


def _unwrapped(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The IPv4 address an IPv6 address stands for (IPv4-mapped ::ffff:a.b.c.d, NAT64
    64:ff9b::a.b.c.d, 6to4 2002:aabb:ccdd::), or the address itself."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return address  # Teredo (2001::/32) is not global already


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and any(address in n for n in NEVER_PUBLIC):
        return False
    address = _unwrapped(address)
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

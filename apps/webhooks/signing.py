"""How a delivery is signed, which is what a receiver checks (README, "Webhooks").

    Agora-Timestamp: 1718000000
    Agora-Signature: v1=<hex HMAC-SHA256(secret, b"1718000000." + body)>

The timestamp is the attempt's (each retry is signed anew), so a receiver can refuse an old
request replayed by someone who recorded it; the body is the exact bytes posted."""

import hashlib
import hmac
import secrets

SCHEME = "v1"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A signing secret: 256 random bits, URL-safe, recognisable by its prefix."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The `Agora-Signature` header's value for `body` sent at `timestamp` (unix seconds)."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify(secret: str, timestamp: int, body: bytes, header: str) -> bool:
    """Whether `header` is the signature of `body` at `timestamp` (what a receiver does)."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)

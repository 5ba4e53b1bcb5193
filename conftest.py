"""Fixtures shared by every test: users with tokens, API clients, products, hotels, the fake
payment gateway and supplier, and the checks that PostgreSQL or Redis is there when needed."""

import os
import socket
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from rest_framework.test import APIClient

from apps.payments.dto import NewPayment

# the browser tests' screenshot folder, named in the terminal summary (loaded here so that
# pytest-xdist's controller, which collects no tests, has it too)
pytest_plugins = ["tests.browser.screenshots"]


def _missing(message: str) -> None:
    """A service a test needs is not there: skipped here, a failure in CI (which has them all)."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    """Tests marked `postgres` need real row locks."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/agora")


REDIS = ("127.0.0.1", 6379)


@pytest.fixture
def redis_up() -> None:
    """For tests that need Redis on 127.0.0.1:6379 (a real broker or a shared cache)."""
    try:
        with socket.create_connection(REDIS, timeout=1):
            pass
    except OSError:
        _missing("needs Redis on 127.0.0.1:6379")


@pytest.fixture(autouse=True)
def _fresh_sequences() -> None:
    """Each test numbers its users, products and hotels from 1, whatever ran before."""
    from tests.factories import HotelFactory, ProductFactory, UserFactory

    for made in (UserFactory, ProductFactory, HotelFactory):
        made.reset_sequence()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    from tests.factories import UserFactory

    def make(username: str | None = None, *, staff: bool = False, **extra: Any) -> User:
        if username:
            extra["username"] = username
        return UserFactory.create(is_staff=staff, **extra)

    return make


@pytest.fixture
def shopper(make_user: Callable[..., User]) -> User:
    return make_user("alice")


@pytest.fixture
def other_shopper(make_user: Callable[..., User]) -> User:
    return make_user("bob")


@pytest.fixture
def merchant(make_user: Callable[..., User]) -> User:
    return make_user("mia", staff=True)


def client_for(user: User | None) -> APIClient:
    """A client with the token make_user issued for `user` (a new one for other users)."""
    from tests.factories import issue_test_token

    client = APIClient()
    if user is not None:
        key = getattr(user, "test_token_key", None) or issue_test_token(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    """api(user) is a client authenticated with the user's token; api(None) is anonymous."""
    return client_for


@pytest.fixture
def make_product(db: None) -> Callable[..., Any]:
    from tests.factories import ProductFactory

    def make(name: str | None = None, *, price: str | Decimal = "10.00", **extra: Any) -> Any:
        if name:
            extra["name"] = name
        return ProductFactory.create(price=Decimal(price), **extra)

    return make


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Counts in the cache (failed sign-ins) must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> None:
    """Password hashing is deliberately slow; tests create many users."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _fresh_dummy_gateway() -> Any:
    """The dummy payment gateway's test knobs are reset for each test; its charges and
    refunds are rows, which go with each test's database."""
    from apps.payments.gateways import DummyGateway

    DummyGateway.reset()
    yield DummyGateway
    DummyGateway.reset()


@pytest.fixture
def gateway(_fresh_dummy_gateway: Any) -> Any:
    return _fresh_dummy_gateway


@pytest.fixture
def pay() -> Callable[..., Any]:
    """pay(user, order_id) pays an order with a card that works."""
    from apps.payments.services import payment_pay

    def pay(user: User, order_id: int, token: str = "tok_visa") -> Any:
        return payment_pay(actor=user, data=NewPayment(order_id=order_id, card_token=token))

    return pay


@pytest.fixture(autouse=True)
def _fresh_sandbox_supplier() -> Any:
    """The in-process sandbox suppliers keep bookings and faults in memory: reset per test
    (RoomLine's is the one yielded; StayHub's is `sandbox_stayhub().supplier`)."""
    from apps.bookings.gateways import sandbox_supplier
    from apps.bookings.supplier_stayhub import sandbox_stayhub

    supplier, stayhub = sandbox_supplier(), sandbox_stayhub().supplier
    supplier.reset()
    stayhub.reset()
    yield supplier
    supplier.reset()
    stayhub.reset()


@pytest.fixture
def sandbox(_fresh_sandbox_supplier: Any) -> Any:
    return _fresh_sandbox_supplier


@pytest.fixture
def make_hotel(db: None) -> Callable[..., Any]:
    from tests.factories import HotelFactory

    def make(name: str | None = None, **extra: Any) -> Any:
        if name:
            extra["name"] = name
        return HotelFactory.create(**extra)

    return make

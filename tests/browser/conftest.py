"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Fixtures (a stable API, shared by every browser test):

- `browser`: a Playwright `Browser` on Debian's Chromium (`/usr/bin/chromium`, or
  `AGORA_CHROMIUM`), launched through `executable_path`: Playwright's own browsers are never
  downloaded (no `playwright install`). Headless, with a fresh profile (user-data dir) per
  launch, and none of Chromium's background traffic (updates, sync, QUIC).
- `live_url`: the base URL of pytest-django's `live_server` (`http://localhost:<port>`).
- `page`: a `Page` in a fresh context whose network is blocked: every request that is not to
  the live server is aborted, and its URL added to `blocked_requests`.
- `blocked_requests`: the URLs the page tried to reach elsewhere (a CDN, fonts, ...).
- `page_errors`: the page's uncaught exceptions and console errors, as text.
- `screenshot(page, name, full_page=False)`: saves a PNG of the viewport (or the whole page)
  in this run's folder (the terminal summary names it, see tests/browser/screenshots.py) and
  returns its path.
- `sign_in_admin(page, user, password=PASSWORD, next="/admin/")`: signs `user` in through
  the admin's own sign-in form and leaves the page where `next` leads (the admin index); a
  refused sign-in fails the test with the admin's message.
- `admin_page`: `page`, signed in to the admin as the `merchant` fixture (staff, the
  factories' PASSWORD); a module that needs another user overrides `merchant` or calls
  `sign_in_admin` itself.

Chromium missing: the tests are skipped with how to install it, and fail instead when `CI`
is set (`make system-deps` installs it as root; `make test` checks first, `make test-deps`).

Playwright's sync API runs an asyncio loop on the test's thread, which Django's ORM takes for
an async context; the ORM is used synchronously here, so the tests allow it
(`DJANGO_ALLOW_ASYNC_UNSAFE`) for as long as Playwright runs, which is one test: Playwright
is started and stopped per test so that it never outlives a browser test. Meanwhile the ORM
opens connections of its own (on PostgreSQL), closed when Playwright stops.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.db import connections
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Route,
    expect,
    sync_playwright,
)
from pytest_django.live_server_helper import LiveServer

from tests.browser.screenshots import screenshot_dir
from tests.factories import PASSWORD

CHROMIUM = Path(os.environ.get("AGORA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]
# how long a step may wait for the page (an element, a navigation, a response)
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


class Screenshot(Protocol):
    def __call__(self, page: Page, name: str, *, full_page: bool = False) -> Path: ...


class SignInAdmin(Protocol):
    def __call__(
        self, page: Page, user: User, password: str = PASSWORD, next: str = "/admin/"
    ) -> Page: ...


def _missing(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        _missing(
            f"needs Debian's Chromium at {CHROMIUM}: `make system-deps` installs it as root "
            "(apt-get install -y chromium); or run `sudo apt-get install -y chromium`, or set "
            "AGORA_CHROMIUM to a Chromium of your own"
        )
    return CHROMIUM


@pytest.fixture
def playwright(monkeypatch: pytest.MonkeyPatch) -> Iterator[Playwright]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as running:
        try:
            yield running
        finally:
            # while Playwright's loop runs, the ORM keeps its connections apart from the
            # test's others (asgiref's Local): close them, or one outlives the test database
            connections.close_all()


@pytest.fixture
def browser(playwright: Playwright, chromium: Path) -> Iterator[Browser]:
    # Playwright gives each launch a fresh temporary profile (user-data dir) and removes it
    launched = playwright.chromium.launch(
        executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@pytest.fixture
def live_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture
def blocked_requests() -> list[str]:
    return []


@pytest.fixture
def page_errors() -> list[str]:
    return []


@pytest.fixture
def browser_context(
    browser: Browser, live_url: str, blocked_requests: list[str]
) -> Iterator[BrowserContext]:
    """A fresh context (no cookies, no storage) that reaches the live server only."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    allowed = urlsplit(live_url).netloc

    def only_the_live_server(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https") and url.netloc == allowed:
            route.continue_()
        else:
            blocked_requests.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", only_the_live_server)
    yield context
    context.close()


@pytest.fixture
def page(browser_context: BrowserContext, page_errors: list[str]) -> Page:
    opened = browser_context.new_page()
    opened.on("pageerror", lambda error: page_errors.append(f"uncaught: {error}"))
    opened.on(
        "console",
        lambda message: (
            page_errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    return opened


def _file_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "-", text).strip("-")


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Screenshot:
    test = _file_name(request.node.name)

    def save(page: Page, name: str, *, full_page: bool = False) -> Path:
        folder = screenshot_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{test}--{_file_name(name)}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


@pytest.fixture
def sign_in_admin(live_url: str) -> SignInAdmin:
    def sign_in(page: Page, user: User, password: str = PASSWORD, next: str = "/admin/") -> Page:
        page.goto(f"{live_url}/admin/login/?next={next}")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("input[type=submit]")
        if urlsplit(page.url).path == "/admin/login/":
            refused = page.locator(".errornote, .errorlist")
            why = refused.first.inner_text() if refused.count() else page.url
            raise AssertionError(f"{user.get_username()} could not sign in to the admin: {why}")
        return page

    return sign_in


@pytest.fixture
def admin_page(page: Page, sign_in_admin: SignInAdmin, merchant: User) -> Page:
    return sign_in_admin(page, merchant)

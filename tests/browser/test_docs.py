"""The API's docs pages in a real browser, with the network blocked: Swagger UI and ReDoc load
from this server's static files alone, and Swagger runs a request with a token."""

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Screenshot

# ReDoc's "API docs by Redocly" badge: an image ReDoc always asks its CDN for, and hides when it
# does not come; nothing else the page needs is remote
REDOCLY_BADGE = "https://cdn.redoc.ly/redoc/logo-mini.svg"
BLOCKED = "console: Failed to load resource: net::ERR_BLOCKED_BY_CLIENT"


def test_swagger_ui_loads_offline_and_runs_a_request_with_a_token(
    page: Page,
    live_url: str,
    shopper: Any,  # a User with its token's key in `test_token_key`
    blocked_requests: list[str],
    page_errors: list[str],
    screenshot: Screenshot,
) -> None:
    page.goto(f"{live_url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Agora API")
    sign_in = page.locator("#operations-accounts-token_obtain")
    tokens = page.locator("#operations-accounts-token_list")
    expect(tokens).to_be_visible()
    # signing in needs no token: no lock on it; reading your tokens does
    expect(sign_in.locator(".authorization__btn")).to_have_count(0)
    expect(tokens.locator(".authorization__btn")).to_have_count(1)
    screenshot(page, "swagger")

    # Authorize with the bare token, as the scheme's description says
    page.click("button.authorize")
    scheme = page.locator(".modal-ux .auth-container", has_text="tokenAuth")
    expect(scheme).to_contain_text("paste the token alone")
    scheme.locator("input").fill(shopper.test_token_key)
    scheme.locator("button.modal-btn.auth.authorize").click()
    expect(scheme.get_by_text("Authorized")).to_be_visible()
    screenshot(page, "swagger-authorized")
    scheme.locator("button.btn-done").click()

    tokens.locator(".opblock-summary").click()
    tokens.locator("button.try-out__btn").click()
    with page.expect_response(lambda r: r.url.startswith(f"{live_url}/api/auth/tokens/")) as sent:
        tokens.locator("button.execute").click()
    response = sent.value
    assert response.request.headers["authorization"] == f"Bearer {shopper.test_token_key}"
    assert response.status == 200
    expect(tokens.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    expect(tokens.locator(".live-responses-table")).to_contain_text(shopper.test_token_key[:8])
    tokens.locator(".live-responses-table").scroll_into_view_if_needed()
    screenshot(page, "swagger-executed")

    assert blocked_requests == []
    assert page_errors == []


def test_redoc_renders_offline(
    page: Page,
    live_url: str,
    blocked_requests: list[str],
    page_errors: list[str],
    screenshot: Screenshot,
) -> None:
    page.goto(f"{live_url}/api/redoc/")
    expect(page.locator("h1").first).to_contain_text("Agora API")
    expect(page.get_by_text("token_obtain").first).to_be_attached()
    expect(page.locator("[data-section-id^='operation/']").first).to_be_attached()
    screenshot(page, "redoc")
    assert set(blocked_requests) <= {REDOCLY_BADGE}
    assert [e for e in page_errors if not e.startswith(BLOCKED)] == []

"""The browsable API in a real browser: Agora's name, indented JSON, and a write whose body comes
prefilled with an example that the merchant sends as it is."""

from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import Screenshot
from tests.factories import PASSWORD


def test_the_browsable_api_shows_indented_json_under_agoras_name(
    page: Page,
    live_url: str,
    make_product: Any,
    blocked_requests: list[str],
    screenshot: Screenshot,
) -> None:
    make_product("Mug", price="12.50")
    page.goto(f"{live_url}/api/products/")
    expect(page).to_have_title("Products | Agora API")
    expect(page.locator(".navbar-brand")).to_have_text("Agora API")
    body = page.locator(".response-info pre")
    expect(body).to_contain_text('"name": "Mug"')
    # one key per line, indented: not the one-line answer an API client gets
    assert '\n  "results": [\n    {\n' in body.inner_text()
    screenshot(page, "products")
    assert blocked_requests == []


def test_a_write_is_prefilled_with_an_example_that_can_be_sent(
    page: Page,
    live_url: str,
    merchant: Any,
    screenshot: Screenshot,
) -> None:
    page.goto(f"{live_url}/api-auth/login/?next=/api/products/")
    page.fill("#id_username", merchant.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{live_url}/api/products/")

    content = page.locator("#post-generic-content-form textarea[name=_content]")
    example = content.input_value()
    assert '"name": "string"' in example
    assert '"price": 1' in example
    content.fill(example.replace('"name": "string"', '"name": "Teapot"'))
    screenshot(page, "prefilled-post")
    page.locator("#post-generic-content-form button", has_text="POST").click()

    expect(page.locator(".response-info")).to_contain_text("HTTP 201 Created")
    expect(page.locator(".response-info pre")).to_contain_text('"name": "Teapot"')
    screenshot(page, "created")

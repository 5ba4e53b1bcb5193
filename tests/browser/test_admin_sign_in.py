"""The fixtures the admin's browser tests build on: a staff user signs in through the admin's
form; a user who may not is told why."""

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Screenshot, SignInAdmin


def test_admin_page_is_signed_in_as_the_merchant(
    admin_page: Page, merchant: Any, screenshot: Screenshot
) -> None:
    expect(admin_page.locator("#user-tools")).to_contain_text(re.compile(merchant.username, re.I))
    screenshot(admin_page, "admin-index")


def test_a_refused_sign_in_fails_with_the_admins_message(
    page: Page, sign_in_admin: SignInAdmin, shopper: Any
) -> None:
    with pytest.raises(AssertionError, match="could not sign in to the admin"):
        sign_in_admin(page, shopper)  # not staff

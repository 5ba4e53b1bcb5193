"""The lean path (servicelayer.rest.lean): JSON clients of the API skip sessions, CSRF,
authentication and messages middleware; a session-cookie request, the browsable API and the
admin keep the full stack, and a session-authenticated unsafe request still needs its CSRF
token."""

from collections.abc import Iterator
from unittest import mock

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.test import RequestFactory
from rest_framework.test import APIClient

from servicelayer.rest.lean import is_lean, lean_chain

ADDRESS = {
    "name": "Alice Martin",
    "line1": "Torstrasse 12",
    "city": "Berlin",
    "postal_code": "10119",
    "country": "de",
}


class Calls:
    call_count = 0


@pytest.fixture
def full_stack() -> Iterator[Calls]:
    """Counts the requests that went through SessionMiddleware (the full stack)."""
    calls, original = Calls(), SessionMiddleware.process_request

    def counted(self: SessionMiddleware, request: HttpRequest) -> None:
        calls.call_count += 1
        original(self, request)

    with mock.patch.object(SessionMiddleware, "process_request", counted):
        yield calls


def session_client(user, *, csrf: bool) -> APIClient:
    client = APIClient(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def test_an_anonymous_json_request_takes_the_lean_path(db, full_stack):
    response = APIClient().get("/api/products/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert full_stack.call_count == 0
    # what the lean chain keeps: the security headers, X-Frame-Options, the request id, and
    # the Vary the full stack gives an anonymous DRF response
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]
    assert response["Vary"] == "Accept, Cookie"
    assert "csrftoken" not in response.cookies
    assert "sessionid" not in response.cookies


def test_a_token_request_takes_the_lean_path_and_writes(api, shopper, full_stack):
    response = api(shopper).post("/api/addresses/", ADDRESS, format="json")
    assert response.status_code == 201, response.content
    assert full_stack.call_count == 0
    assert "Cookie" not in response.get("Vary", "")  # as the full stack: no session looked at


def test_the_lean_path_still_validates_the_host_and_appends_slashes(db, full_stack):
    assert APIClient().get("/api/products/", HTTP_HOST="evil.example").status_code == 400
    redirect = APIClient().get("/api/products")
    assert (redirect.status_code, redirect["Location"]) == (301, "/api/products/")
    assert full_stack.call_count == 0


def test_an_unknown_api_url_is_the_error_body_on_the_lean_path(db, full_stack):
    response = APIClient().get("/api/nothing-here/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert full_stack.call_count == 0


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/products/", {"HTTP_ACCEPT": "text/html,application/xhtml+xml"}),  # browsable
        ("/api/products/?format=api", {}),
        ("/api/products/?%66ormat=api", {}),  # DRF decodes the query: so does the check
        ("/api/products/", {"HTTP_ACCEPT": "TEXT/HTML"}),  # media types are case-blind
        ("/admin/login/", {}),
        ("/api-auth/login/", {}),
        ("/health/live/", {}),
    ],
)
def test_browsers_the_admin_and_other_paths_keep_the_full_stack(db, full_stack, path, headers):
    APIClient().get(path, **headers)
    assert full_stack.call_count == 1


def test_a_request_with_a_session_cookie_keeps_the_full_stack(shopper, full_stack):
    client = session_client(shopper, csrf=False)
    response = client.get("/api/addresses/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200  # signed in by the session
    assert full_stack.call_count == 1


def test_a_session_authenticated_unsafe_request_without_a_csrf_token_is_403(shopper):
    client = session_client(shopper, csrf=True)
    response = client.post("/api/addresses/", ADDRESS, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_a_session_authenticated_unsafe_request_with_its_csrf_token_goes_through(shopper):
    client = session_client(shopper, csrf=True)
    client.get("/admin/login/")  # a page that sets the CSRF cookie, as a browser gets it
    token = client.cookies["csrftoken"].value
    response = client.post("/api/addresses/", ADDRESS, format="json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


def test_csrf_still_guards_the_admin(shopper):
    client = APIClient(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "alice", "password": "x"})
    assert response.status_code == 403


def test_which_requests_are_lean():
    make = RequestFactory()
    assert is_lean(make.get("/api/products/"))
    assert is_lean(make.get("/api/products/", HTTP_COOKIE="csrftoken=abc"))
    assert not is_lean(make.get("/api/products/", HTTP_COOKIE="csrftoken=abc; sessionid=x"))
    assert not is_lean(make.get("/api/products/", HTTP_ACCEPT="text/html"))
    assert not is_lean(make.get("/api/products/?format=json"))
    assert not is_lean(make.get("/api/products/?page_size=2&%66ormat=api"))
    assert not is_lean(make.get("/api/products/", HTTP_ACCEPT="Text/HTML;q=0.9"))
    assert is_lean(make.get("/api/products/?page_size=2&cursor=abc"))
    assert not is_lean(make.get("/admin/"))
    assert not is_lean(make.get("/apiary/"))


def test_the_lean_chain_refuses_a_middleware_it_would_not_run_fully():
    with pytest.raises(ImproperlyConfigured, match="process_view"):
        lean_chain(["django.middleware.csrf.CsrfViewMiddleware"])
    assert hasattr(CsrfViewMiddleware, "process_view")  # the reason it is refused

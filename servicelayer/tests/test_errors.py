"""Django's error handlers: the one error body under the API prefix, Django's pages elsewhere."""

import orjson
import pytest
from django.core.exceptions import (
    BadRequest,
    DisallowedHost,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404
from django.test import RequestFactory

from servicelayer.rest.errors import ErrorPages

pages = ErrorPages(api_prefix="/api/")
factory = RequestFactory()


def bad_host(path: str):
    """A request whose Host is refused: get_host() raises, as on a real one."""
    return factory.get(path, HTTP_HOST="evil.example")


@pytest.mark.parametrize(
    ("exception", "status", "code"),
    [
        (RequestDataTooBig("too big"), 413, "request_too_large"),
        (TooManyFieldsSent("fields"), 400, "too_many_fields"),
        (TooManyFilesSent("files"), 400, "too_many_files"),
        (DisallowedHost("Invalid HTTP_HOST header: 'evil.example'."), 400, "bad_request"),
        (SuspiciousOperation("something"), 400, "bad_request"),
        (BadRequest("bad"), 400, "bad_request"),
    ],
)
def test_bad_requests_on_the_api(exception, status, code):
    response = pages.bad_request(bad_host("/api/things/"), exception)
    assert response.status_code == status
    error = orjson.loads(response.content)["error"]
    assert error["code"] == code
    assert "evil.example" not in error["message"]  # a refused request's details stay in the log


def test_the_other_handlers_on_the_api():
    request = bad_host("/api/things/")
    cases = [
        (pages.permission_denied(request, PermissionDenied()), 403, "forbidden"),
        (pages.not_found(request, Http404()), 404, "not_found"),
        (pages.server_error(request), 500, "server_error"),
    ]
    for response, status, code in cases:
        assert response.status_code == status
        assert response["Content-Type"] == "application/json"
        assert orjson.loads(response.content)["error"]["code"] == code


@pytest.mark.parametrize("path", ["/admin/login/", "/api-auth/login/", "/apiary/"])
def test_pages_outside_the_api_stay_django_html(path):
    request = bad_host(path)
    responses = [
        (pages.bad_request(request, DisallowedHost("bad host")), 400),
        (pages.permission_denied(request, PermissionDenied()), 403),
        (pages.not_found(request, Http404()), 404),
        (pages.server_error(request), 500),
    ]
    for response, status in responses:
        assert response.status_code == status
        assert response["Content-Type"].startswith("text/html")


def test_the_handlers_are_valid_for_django():
    from django.core.checks.urls import check_url_config

    assert check_url_config(None) == []

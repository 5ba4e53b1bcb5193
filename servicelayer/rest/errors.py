"""One error body for the whole API, for service errors, DRF's own errors and the errors Django
raises before DRF sees a request alike:

{"error": {"code": "out_of_stock", "message": "...", "fields": {...}, "details": {...}}}
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from pydantic import Field
from rest_framework import exceptions as drf
from rest_framework.response import Response

from servicelayer import errors
from servicelayer.dto import Output

STATUS_BY_KIND: dict[type[errors.ServiceError], int] = {
    errors.InvalidInput: 400,
    errors.NotAuthenticated: 401,
    errors.PaymentRequired: 402,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Unprocessable: 422,
    errors.Unavailable: 503,
}


def status_of(error: type[errors.ServiceError]) -> int:
    return STATUS_BY_KIND.get(errors.kind_of(error), 500)


class ErrorDetail(Output):
    code: str = Field(description="Machine-readable error code, e.g. `out_of_stock`.")
    message: str = Field(description="A sentence for humans.")
    fields: dict[str, list[str]] | None = Field(
        default=None, description="Per-field messages, for invalid input."
    )
    details: dict[str, Any] | None = Field(default=None, description="Structured data.")


class Error(Output):
    """The error body of every response with a 4xx or 5xx status."""

    error: ErrorDetail


def _drf_fields(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()
        }
    items = detail if isinstance(detail, list) else [detail]
    return {"non_field_errors": [str(m) for m in items]}


class RequestTooLarge(drf.APIException):
    """A request body over DATA_UPLOAD_MAX_MEMORY_SIZE (or an upload endpoint's own limit),
    refused before it is read."""

    status_code = 413
    default_code = "request_too_large"

    def __init__(self, limit: int | None = None) -> None:
        if limit is None:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        super().__init__(f"The request body is larger than the {limit} bytes accepted.")


def _body_of(exc: drf.APIException) -> dict[str, Any]:
    if isinstance(exc, drf.ValidationError):
        return errors.InvalidInput(fields=_drf_fields(exc.detail)).as_body()
    code = exc.default_code
    if isinstance(exc, drf.AuthenticationFailed):
        code = errors.NotAuthenticated.code
    elif isinstance(exc, drf.PermissionDenied):  # DRF's CSRF check, permission classes
        code = errors.Forbidden.code
    return {"error": {"code": code, "message": str(exc.detail)}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: map service errors and DRF errors to the one body."""
    if isinstance(exc, errors.ServiceError):
        status = status_of(type(exc))
        headers = {"WWW-Authenticate": "Token"} if status == 401 else None
        return Response(exc.as_body(), status=status, headers=headers)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    if not isinstance(exc, drf.APIException):
        return None  # a bug: let Django log it and answer 500
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    wait = getattr(exc, "wait", None)
    if isinstance(exc, drf.Throttled) and wait is not None:
        headers["Retry-After"] = str(int(wait))
    return Response(_body_of(exc), status=exc.status_code, headers=headers)


def _bad_request_body(exception: Exception) -> tuple[int, dict[str, Any]]:
    # Django's message stays in its log (django.security.*): it may echo what the client sent.
    if isinstance(exception, RequestDataTooBig):
        return 413, _body_of(RequestTooLarge())
    if isinstance(exception, TooManyFieldsSent):
        code, message = "too_many_fields", "The request has more fields than are accepted."
    elif isinstance(exception, TooManyFilesSent):
        code, message = "too_many_files", "The request has more files than are accepted."
    elif isinstance(exception, DisallowedHost):
        code, message = "bad_request", "The Host header names no site served here."
    else:
        code, message = "bad_request", "The request is malformed or not allowed."
    return 400, {"error": {"code": code, "message": message}}


class ErrorPages:
    """Django's handler400, handler403, handler404 and handler500 (see config/urls.py).

    They answer what Django raises before or outside DRF: a Host not in ALLOWED_HOSTS, a body
    over DATA_UPLOAD_MAX_MEMORY_SIZE (413), too many fields, a PermissionDenied, an unknown
    URL, a bug. Under `api_prefix` that is the one error body; elsewhere (the admin, the
    browsable API's sign-in page) Django's HTML pages, made for a browser. Under DEBUG Django
    shows its technical pages and calls none of these. None may call `request.get_host()`
    (nor `build_absolute_uri()`): on a bad Host it raises again.
    """

    def __init__(self, api_prefix: str) -> None:
        self.api_prefix = api_prefix

    def _on_api(self, request: HttpRequest) -> bool:
        return request.path_info.startswith(self.api_prefix)

    def bad_request(self, request: HttpRequest, exception: Exception) -> HttpResponse:
        if not self._on_api(request):
            return defaults.bad_request(request, exception)
        status, body = _bad_request_body(exception)
        return JsonResponse(body, status=status)

    def permission_denied(self, request: HttpRequest, exception: Exception) -> HttpResponse:
        if not self._on_api(request):
            return defaults.permission_denied(request, exception)
        return JsonResponse(errors.Forbidden().as_body(), status=403)

    def not_found(self, request: HttpRequest, exception: Exception | None) -> HttpResponse:
        if not self._on_api(request):
            return defaults.page_not_found(request, exception)
        return JsonResponse(errors.NotFound("No such endpoint.").as_body(), status=404)

    def server_error(self, request: HttpRequest) -> HttpResponse:
        """A bug still answers with the error body (and is logged by Django)."""
        if not self._on_api(request):
            return defaults.server_error(request)
        body = {"error": {"code": "server_error", "message": "Something went wrong on our side."}}
        return JsonResponse(body, status=500)

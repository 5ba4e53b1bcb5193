"""One error body for the whole API, for service errors and DRF's own errors alike:

{"error": {"code": "out_of_stock", "message": "...", "fields": {...}, "details": {...}}}
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
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
    if isinstance(exc, drf.ValidationError):
        body = errors.InvalidInput(fields=_drf_fields(exc.detail)).as_body()
    else:
        code = exc.default_code
        if isinstance(exc, drf.AuthenticationFailed):
            code = "not_authenticated"
        body = {"error": {"code": code, "message": str(exc.detail)}}
    return Response(body, status=exc.status_code, headers=headers)


def not_found_view(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """handler404: unknown URLs answer with the same body, not an HTML page."""
    return JsonResponse(errors.NotFound("No such endpoint.").as_body(), status=404)


def server_error_view(request: HttpRequest) -> JsonResponse:
    """handler500: a bug still answers with the error body (and is logged by Django)."""
    body = {"error": {"code": "server_error", "message": "Something went wrong on our side."}}
    return JsonResponse(body, status=500)

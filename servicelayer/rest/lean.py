"""The lean path: API requests of JSON clients skip the middleware only browsers need.

    MIDDLEWARE = [
        "servicelayer.logging_middleware.RequestLogMiddleware",
        "servicelayer.rest.lean.LeanApiMiddleware",  # here a lean request leaves the stack
        ...                                           # the full stack, as Django's docs order it
    ]
    AGORA_LEAN_API_PREFIX = "/api/"
    AGORA_LEAN_API_MIDDLEWARE = [SecurityMiddleware, CommonMiddleware, XFrameOptionsMiddleware]

A request is lean when its path is under the API's prefix, it carries no session cookie, it
does not ask for HTML (`Accept: text/html`, the browsable API) and names no `?format=`. It is
then served by a second chain of AGORA_LEAN_API_MIDDLEWARE around Django's own view
resolution, in place of the rest of MIDDLEWARE. What it skips:

- sessions, authentication middleware, CSRF and messages: without a session cookie no request
  can be authenticated by a session (DRF's SessionAuthentication finds no user), so there is
  nothing for CSRF to protect and no messages to show; a cross-site request rides on cookies,
  and a token travels in a header that another site cannot make a browser send. A request
  with a session cookie, signed in or not, keeps the full stack, and DRF's
  SessionAuthentication checks its CSRF token on every unsafe method;
- whitenoise: static files are not under the API's prefix.

What it keeps: the request id and access log (before this middleware), the security headers
and the HTTPS redirect, Host validation and APPEND_SLASH (CommonMiddleware), X-Frame-Options.
A response the full stack would have marked `Vary: Cookie` (a DRF view's, when no token
authenticated the request, so that the session was looked at) is marked so here too, so that
a cache does not hand a signed-in browser what an anonymous client was served.

The lean chain takes no view, template-response or exception hooks (`process_view` and the
like: CSRF's is one): a middleware with one is refused at start-up rather than silently not run.
The full MIDDLEWARE stays the one Django's checks (`check --deploy`, the admin's) read.
"""

from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponseBase
from django.utils.module_loading import import_string

GetResponse = Callable[[HttpRequest], HttpResponseBase]

DEFAULT_PREFIX = "/api/"
DEFAULT_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
HOOKS = ("process_view", "process_template_response", "process_exception")


def is_lean(request: HttpRequest, prefix: str = DEFAULT_PREFIX) -> bool:
    """Whether `request` is an API request of a client that no session authenticates and that
    wants no HTML page."""
    meta = request.META
    return (
        request.path_info.startswith(prefix)
        and ("HTTP_COOKIE" not in meta or settings.SESSION_COOKIE_NAME not in request.COOKIES)
        # as DRF reads them: media types in any case, the query string decoded
        and "html" not in meta.get("HTTP_ACCEPT", "").lower()
        and (not meta.get("QUERY_STRING") or "format" not in request.GET)
    )


def lean_chain(paths: list[str]) -> GetResponse:
    """Django's view resolution (URL, view, exception responses) wrapped in the middleware of
    `paths`, each as Django's handler wraps it: an exception below a middleware becomes its
    response before that middleware sees it."""
    # BaseHandler's view resolution, private but stable: it reads these three lists, which
    # load_middleware would fill from MIDDLEWARE; the lean chain has no such hooks (below).
    handler: Any = BaseHandler()
    handler._view_middleware = []
    handler._template_response_middleware = []
    handler._exception_middleware = []
    chain: Any = convert_exception_to_response(handler._get_response)
    for path in reversed(paths):
        try:
            middleware = import_string(path)(chain)
        except MiddlewareNotUsed:
            continue
        hooks = [hook for hook in HOOKS if hasattr(middleware, hook)]
        if hooks:
            raise ImproperlyConfigured(
                f"AGORA_LEAN_API_MIDDLEWARE: {path} has {', '.join(hooks)}, which the lean "
                "path does not run: leave it to the full stack."
            )
        chain = convert_exception_to_response(middleware)
    return cast(GetResponse, chain)


class LeanApiMiddleware:
    """Serves lean requests (see `is_lean`) through the lean chain; the rest go on down
    MIDDLEWARE."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.prefix: str = getattr(settings, "AGORA_LEAN_API_PREFIX", DEFAULT_PREFIX)
        self.lean = lean_chain(getattr(settings, "AGORA_LEAN_API_MIDDLEWARE", DEFAULT_MIDDLEWARE))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not is_lean(request, self.prefix):
            return self.get_response(request)
        response = self.lean(request)
        # The full stack's SessionAuthentication looks at the session (and so SessionMiddleware
        # adds the Vary) when a DRF view's request came with no valid token: an anonymous user.
        user = request.__dict__.get("user")
        drf_view = getattr(response, "accepted_renderer", None) is not None
        if drf_view and (user is None or not user.is_authenticated):
            vary = response.get("Vary")
            if not vary:
                response["Vary"] = "Cookie"
            elif "cookie" not in vary.lower():
                response["Vary"] = f"{vary}, Cookie"
        return response

"""Content negotiation with a fast path for the common case."""

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

_ANY_JSON = frozenset({"", "*/*", "application/json"})


class FastContentNegotiation(DefaultContentNegotiation):
    """API clients send no Accept header, `*/*` or `application/json`: they get the first
    renderer (JSON) without DRF's media-type parsing, which costs more than rendering a page.
    Anything else (a browser asking for HTML, `?format=`) is negotiated as DRF does."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str] | Any:
        renderers = list(renderers)
        accept = request.META.get("HTTP_ACCEPT", "")
        first = renderers[0]
        if (
            not format_suffix
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
            and accept in _ANY_JSON
            and first.media_type == "application/json"
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)

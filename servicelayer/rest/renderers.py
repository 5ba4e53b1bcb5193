from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import BaseRenderer

from servicelayer import jsonutil


class ORJSONRenderer(BaseRenderer):
    """Renders plain data (rows, dataclasses, Pydantic models) with orjson: no per-field work."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        # `Accept: application/json; indent=2`, or the browsable API (it asks for an indent)
        indent = bool(accepted_media_type and "indent=" in accepted_media_type) or bool(
            renderer_context and renderer_context.get("indent")
        )
        return jsonutil.dumps(data, indent=indent)

from collections.abc import Mapping
from typing import IO, Any

import orjson
from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from servicelayer.rest.errors import RequestTooLarge


def _declared_length(parser_context: Mapping[str, Any] | None) -> int:
    request = (parser_context or {}).get("request")
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
    except ValueError:
        return 0


class ORJSONParser(BaseParser):
    """JSON bodies, parsed by orjson; over DATA_UPLOAD_MAX_MEMORY_SIZE a 413, before reading.

    DRF hands a parser the raw request stream, which Django's limit (it guards `request.body`
    and forms) does not cover: without this, any anonymous client could have a body of any size
    read into memory and parsed.
    """

    media_type = "application/json"

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None:
            body = stream.read()
        else:
            if _declared_length(parser_context) > limit:
                raise RequestTooLarge()
            # Content-Length may be absent or understated: read one byte past the limit, no more.
            body = stream.read(limit + 1)
            if len(body) > limit:
                raise RequestTooLarge()
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from None

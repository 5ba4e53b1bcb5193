"""The JSON parser refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE before reading all of it."""

import io

import pytest
from django.test import override_settings
from rest_framework.test import APIRequestFactory

from servicelayer.rest.errors import RequestTooLarge
from servicelayer.rest.parsers import ORJSONParser

parser = ORJSONParser()
LIMIT = 100


class CountingStream(io.BytesIO):
    """A body stream that records how much was read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk


def context(content_length: str | None):
    meta = {} if content_length is None else {"CONTENT_LENGTH": content_length}
    request = APIRequestFactory().post("/x/", **meta)
    if content_length is None:
        request.META.pop("CONTENT_LENGTH", None)
    return {"request": request}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=LIMIT)
def test_a_body_within_the_limit_parses():
    body = b'{"name": "' + b"x" * (LIMIT - 12) + b'"}'
    assert len(body) == LIMIT
    assert parser.parse(CountingStream(body), parser_context=context(str(len(body))))


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=LIMIT)
def test_a_declared_oversized_body_is_refused_unread():
    stream = CountingStream(b"[" + b"1," * LIMIT + b"1]")
    with pytest.raises(RequestTooLarge) as refused:
        parser.parse(stream, parser_context=context(str(LIMIT + 1)))
    assert stream.taken == 0
    assert refused.value.status_code == 413
    assert refused.value.get_codes() == "request_too_large"


@pytest.mark.parametrize("content_length", [None, "", "nonsense", "10"])
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=LIMIT)
def test_an_undeclared_or_understated_body_is_read_one_byte_past_the_limit(content_length):
    stream = CountingStream(b"[" + b"1," * (10 * LIMIT) + b"1]")
    with pytest.raises(RequestTooLarge):
        parser.parse(stream, parser_context=context(content_length))
    assert stream.taken == LIMIT + 1


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=None)
def test_no_limit_when_django_has_none():
    body = b"[" + b"1," * (10 * LIMIT) + b"1]"
    assert len(parser.parse(CountingStream(body), parser_context={})) == 10 * LIMIT + 1

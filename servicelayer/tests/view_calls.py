"""What the REST toolkit's tests share: a role and a person to act, an answer shape, and a way to
call one view directly, as Django would, without URLs or a test client."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from django.contrib.auth.models import User
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from servicelayer.dto import Output
from servicelayer.roles import Access, Role

PERSON = Role("person", Access.AUTHENTICATED)
# never saved: the views only read what authentication put on the request
someone = User(id=1, username="someone", is_active=True)
factory = APIRequestFactory()


class Named(Output):
    id: int
    name: str


@dataclass(frozen=True)
class Reply:
    status_code: int
    content: bytes
    response: Response

    def json(self) -> Any:
        return orjson.loads(self.content) if self.content else None

    @property
    def answer(self) -> tuple[int, Any]:
        return self.status_code, self.json()

    def __getitem__(self, header: str) -> str:
        value: str = self.response[header]
        return value


def send(
    view: Callable[..., Response],
    method: str,
    url: str,
    body: Any = None,
    *,
    user: User | None = someone,
    raw: str | None = None,
    format: str = "json",
    headers: dict[str, str] | None = None,
    **url_kwargs: Any,
) -> Reply:
    """Call `view` with a `method` request to `url` carrying `body` (or `raw` JSON text), signed
    in as `user` (None: anonymous); `url_kwargs` are what the URL pattern would capture."""
    make = getattr(factory, method)
    if raw is not None:
        request = make(url, raw, content_type="application/json", **(headers or {}))
    else:
        request = make(url, body, format=format, **(headers or {}))
    if user is not None:
        force_authenticate(request, user=user)
    response = view(request, **url_kwargs)
    response.render()
    return Reply(response.status_code, response.content, response)

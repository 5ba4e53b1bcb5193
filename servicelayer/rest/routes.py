"""Route tables: an app's whole HTTP surface, one line per operation.

    routes = Routes(tag="catalog")
    routes.get("products/", selectors.product_list, name="product-list")
    routes.post("products/", services.product_create, status=201)
    routes.get("products/<pk:product_id>/", selectors.product_get, name="product-detail")
    routes.patch("products/<pk:product_id>/", services.product_update)
    urlpatterns = routes.urls()

`get` reads with a selector declared as a query (`@query`: its role, output and errors are
declared once, on the selector), `post`, `put`, `patch` and `delete` run a registered service (see
servicelayer.rest.views for what an endpoint does). A path parameter is named like the input
field it fills: the DTO field of a service, the keyword argument of a selector. `pk:` marks
the id of the member of a collection (`products/<pk:product_id>/`, an integer): the URL calls
it `pk` and the schema `id`, as DRF does (`reverse("product-detail", kwargs={"pk": 3})`); any
other parameter keeps its name in both (`basket/items/<int:product_id>/`). `urls()` makes one
view per path, dispatching on the method: a method the table does not name is a 405 with the
error body.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict, Unpack

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from pydantic import BaseModel
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from servicelayer.queries import query_of
from servicelayer.rest.views import ReadEndpoint, ServiceEndpoint

PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
MEMBER_ID = "pk"


class Endpoint(Protocol):
    def handle(self, request: Request, **kwargs: Any) -> Response: ...

    def schema(self) -> dict[str, Any]: ...

    def body(self) -> type[BaseModel] | None: ...


@dataclass(frozen=True)
class Guard:
    """Code around one endpoint that the service knows nothing of (e.g. throttling sign-in
    failures): `around(request, proceed)` returns `proceed()`'s response or raises; its
    `responses` are added to the operation's schema."""

    around: Callable[[Request, Callable[[], Response]], Response]
    responses: Mapping[int, Any] = field(default_factory=dict)


class WriteOptions(TypedDict, total=False):
    status: int
    status_for: Callable[[Any], int]
    other_statuses: Iterable[int]
    output: type[BaseModel]
    idempotent: bool
    name: str
    guard: Guard
    authenticate: bool
    files: tuple[str, ...]
    max_upload: Callable[[], int]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # Django's syntax, the member's id as `<int:pk>`
    endpoint: Endpoint
    name: str | None = None
    guard: Guard | None = None
    # False: no authentication at all on the path (sign-in: a stale token must not block it)
    authenticate: bool = True


def url_fields(route_path: str) -> tuple[str, dict[str, str]]:
    """The Django path and its {URL keyword: input field}: the member's id becomes `pk`."""
    url_map: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        name, converter = match["name"], match["converter"]
        if converter == MEMBER_ID:
            converter, kwarg = "int", MEMBER_ID
        else:
            kwarg = name
        url_map[kwarg] = name
        return f"<{converter}:{kwarg}>" if converter else f"<{kwarg}>"

    return PARAMETER.sub(rename, route_path), url_map


class RouteView(APIView):
    """A path of a route table. Access is checked by each endpoint's role, so the view itself
    lets every request through to its endpoint. `endpoints` are its operations by method (the
    browsable API prefills each write's body from them)."""

    permission_classes: list[Any] = []
    endpoints: Mapping[str, Endpoint] = {}


class Routes:
    """One app's route table (see the module docstring); `tag` groups its operations."""

    def __init__(self, *, tag: str) -> None:
        self.tag = tag
        self.routes: list[Route] = []

    def get(
        self, route_path: str, selector: Callable[..., Any], *, name: str | None = None
    ) -> None:
        """A read: a selector declared with `@query`, `selector(actor=..., params=..., **ids)`
        returning rows or a Page."""
        django_path, url_map = url_fields(route_path)
        endpoint = ReadEndpoint(query_of(selector), url_map=url_map)
        self.add(Route("get", django_path, endpoint, name=name))

    def post(
        self, route_path: str, service: Callable[..., Any], **options: Unpack[WriteOptions]
    ) -> None:
        self.write("post", route_path, service, **options)

    def put(
        self, route_path: str, service: Callable[..., Any], **options: Unpack[WriteOptions]
    ) -> None:
        self.write("put", route_path, service, **options)

    def patch(
        self, route_path: str, service: Callable[..., Any], **options: Unpack[WriteOptions]
    ) -> None:
        self.write("patch", route_path, service, **options)

    def delete(
        self, route_path: str, service: Callable[..., Any], **options: Unpack[WriteOptions]
    ) -> None:
        self.write("delete", route_path, service, **options)

    def write(
        self,
        method: str,
        route_path: str,
        service: Callable[..., Any],
        *,
        status: int = 200,
        status_for: Callable[[Any], int] | None = None,
        other_statuses: Iterable[int] = (),
        output: type[BaseModel] | None = None,
        idempotent: bool = False,
        name: str | None = None,
        guard: Guard | None = None,
        authenticate: bool = True,
        files: tuple[str, ...] = (),
        max_upload: Callable[[], int] | None = None,
    ) -> None:
        """A write: the registered `service` runs with the body and the path's ids as input.
        `status_for(result)` picks the status per result among `status` and `other_statuses`;
        `idempotent` honours an `Idempotency-Key` header. `files` names the `bytes` input
        fields that take an uploaded file (multipart/form-data; every other endpoint refuses
        files), in a body of at most `max_upload()` bytes."""
        django_path, url_map = url_fields(route_path)
        endpoint = ServiceEndpoint(
            service,
            url_map=url_map,
            status=status,
            status_for=status_for,
            other_statuses=tuple(other_statuses),
            output=output,
            idempotent=idempotent,
            files=files,
            max_upload=max_upload,
        )
        self.add(Route(method, django_path, endpoint, name, guard, authenticate))

    def add(self, route: Route) -> None:
        if any((r.method, r.path) == (route.method, route.path) for r in self.routes):
            raise ValueError(f"{route.method.upper()} {route.path} is routed twice.")
        self.routes.append(route)

    def urls(self) -> list[URLPattern]:
        """One URL pattern per path, in the order the table names them."""
        by_path: dict[str, list[Route]] = {}
        for route in self.routes:
            by_path.setdefault(route.path, []).append(route)
        return [self._pattern(django_path, routes) for django_path, routes in by_path.items()]

    def _pattern(self, django_path: str, routes: list[Route]) -> URLPattern:
        names = {r.name for r in routes if r.name is not None}
        authenticate = {r.authenticate for r in routes}
        if len(names) > 1 or len(authenticate) > 1:
            raise ValueError(f"{django_path}: its routes disagree on its name or authentication.")
        attrs: dict[str, Any] = {r.method: self._handler(r) for r in routes}
        attrs["endpoints"] = {r.method: r.endpoint for r in routes}
        # the browsable API's description of the page: what each method does
        attrs["__doc__"] = "\n".join(
            f"{r.method.upper()}: {r.endpoint.schema()['summary']}" for r in routes
        )
        if authenticate == {False}:
            attrs["authentication_classes"] = []
        view: type[RouteView] = type(_view_name(django_path), (RouteView,), attrs)
        if not names:
            return path(django_path, view.as_view())
        return path(django_path, view.as_view(), name=names.pop())

    def _handler(self, route: Route) -> Callable[..., Response]:
        endpoint, guard = route.endpoint, route.guard

        def handle(view: APIView, request: Request, **kwargs: Any) -> Response:
            if guard is None:
                return endpoint.handle(request, **kwargs)
            return guard.around(request, lambda: endpoint.handle(request, **kwargs))

        schema = {**endpoint.schema(), "tags": [self.tag]}
        if not route.authenticate:
            # the path reads no credentials (sign-in): the docs show no lock on it
            schema["auth"] = []
        if guard is not None:
            schema["responses"] = {**schema["responses"], **guard.responses}
        return extend_schema(**schema)(handle)


def _view_name(django_path: str) -> str:
    """A class name for the browsable API's title: `products/<int:pk>/stock/` → ProductsStock."""
    words = [part for part in re.split(r"[/_-]", PARAMETER.sub("", django_path)) if part]
    return "".join(word.title() for word in words) or "Root"

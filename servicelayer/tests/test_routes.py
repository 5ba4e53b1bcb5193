"""Route tables: the URL patterns, views and OpenAPI operations a table builds."""

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import OpenApiResponse
from pydantic import Field
from rest_framework.exceptions import Throttled

from servicelayer.dto import DTO, Id
from servicelayer.pagination import Page
from servicelayer.queries import QueryRegistry, query
from servicelayer.registry import Registry, service
from servicelayer.rest.errors import Error
from servicelayer.rest.routes import Guard, Routes
from servicelayer.roles import Access, Role
from servicelayer.tests.view_calls import PERSON, Named, send

pytestmark = pytest.mark.django_db  # the services here are atomic: a call opens a transaction

ANYONE = Role("anyone", Access.PUBLIC)
reg = Registry()
reads = QueryRegistry()


class Rename(DTO):
    shelf_id: Id
    name: str = Field(min_length=1, max_length=10)


class ShelfQuery(DTO):
    colour: str | None = Field(default=None, max_length=10)


@service(role=PERSON, atomic=True, into=reg)
def shelf_rename(*, actor: Any, data: Rename) -> Named:
    """Rename a shelf."""
    return Named(id=data.shelf_id, name=data.name)


class Move(DTO):
    shelf_id: Id
    book_id: Id


@service(role=PERSON, atomic=True, into=reg)
def book_move(*, actor: Any, data: Move) -> Named:
    """Move a book onto a shelf."""
    return Named(id=data.shelf_id, name=f"book {data.book_id}")


@query(role=ANYONE, output=Named, into=reads)
def shelf_get(*, actor: Any, shelf_id: int) -> dict[str, Any]:
    """One shelf."""
    return {"id": shelf_id, "name": "oak"}


@query(role=ANYONE, output=Named, into=reads)
def shelf_list(*, actor: Any, params: ShelfQuery) -> Page:
    """Shelves, by colour."""
    return Page(results=[{"id": 1, "name": params.colour or "any"}], next_cursor=None)


def table() -> Routes:
    routes = Routes(tag="shelves")
    routes.get("shelves/", shelf_list)
    routes.get("shelves/<pk:shelf_id>/", shelf_get, name="shelf")
    routes.patch("shelves/<pk:shelf_id>/", shelf_rename)
    routes.post("shelves/<pk:shelf_id>/books/<int:book_id>/", book_move, status=201)
    return routes


def view_class(pattern):
    return pattern.callback.cls


def test_a_table_makes_one_url_pattern_per_path_with_its_methods():
    patterns = table().urls()
    assert [str(p.pattern) for p in patterns] == [
        "shelves/",
        "shelves/<int:pk>/",  # the member's own id, as DRF names it
        "shelves/<int:pk>/books/<int:book_id>/",
    ]
    assert [p.name for p in patterns] == [None, "shelf", None]
    methods = [set(view_class(p)().allowed_methods) - {"OPTIONS"} for p in patterns]
    assert methods == [{"GET"}, {"GET", "PATCH"}, {"POST"}]


def test_a_method_the_table_does_not_name_is_405_with_the_error_body():
    detail = table().urls()[1].callback
    status, body = send(detail, "delete", "/shelves/3/", pk=3).answer
    assert status == 405
    assert body["error"]["code"] == "method_not_allowed"


def test_path_parameters_fill_the_input_fields_of_their_name():
    detail, books = (p.callback for p in table().urls()[1:])
    assert send(detail, "patch", "/shelves/3/", {"name": "pine"}, pk=3).answer == (
        200,
        {"id": 3, "name": "pine"},
    )
    assert send(detail, "get", "/shelves/3/", pk=3).answer == (200, {"id": 3, "name": "oak"})
    assert send(books, "post", "/shelves/3/books/9/", {}, pk=3, book_id=9).answer == (
        201,
        {"id": 3, "name": "book 9"},
    )


def test_a_path_parameter_that_fills_no_input_field_is_refused_when_the_table_is_built():
    routes = Routes(tag="shelves")
    with pytest.raises(TypeError, match="shelf_number"):
        routes.patch("shelves/<int:shelf_number>/", shelf_rename)
    with pytest.raises(TypeError, match="shelf_number"):
        routes.get("shelves/<int:shelf_number>/", shelf_get)


def test_a_method_routed_twice_on_one_path_is_refused():
    routes = table()
    with pytest.raises(ValueError, match="routed twice"):
        routes.patch("shelves/<pk:shelf_id>/", shelf_rename)


def test_a_read_ignores_the_format_override_of_the_browsable_api():
    shelves = table().urls()[0].callback
    status, body = send(shelves, "get", "/shelves/?colour=red&format=json").answer
    assert status == 200, body
    assert body["results"] == [{"id": 1, "name": "red"}]
    status, body = send(shelves, "get", "/shelves/?shape=round").answer
    assert (status, set(body["error"]["fields"])) == (400, {"shape"})


def test_a_request_is_authorized_once(monkeypatch):
    checks: list[str] = []
    authorize = Role.authorize

    def counted(actor: Role, who: Any) -> None:
        checks.append(actor.name)
        authorize(actor, who)

    monkeypatch.setattr(Role, "authorize", counted)
    detail = table().urls()[1].callback
    assert send(detail, "patch", "/shelves/3/", {"name": "pine"}, pk=3).status_code == 200
    assert checks == ["person"]


def test_an_anonymous_caller_is_told_401_before_its_body_is_read():
    detail = table().urls()[1].callback
    status, body = send(detail, "patch", "/shelves/3/", {"name": ""}, pk=3, user=None).answer
    assert (status, body["error"]["code"]) == (401, "not_authenticated")


def test_the_schema_of_a_table_documents_each_route():
    schema = SchemaGenerator(patterns=table().urls()).get_schema(request=None, public=True)
    assert set(schema["paths"]) == {
        "/shelves/",
        "/shelves/{id}/",
        "/shelves/{id}/books/{book_id}/",
    }
    patch = schema["paths"]["/shelves/{id}/"]["patch"]
    assert patch["operationId"] == "shelf_rename"
    assert patch["tags"] == ["shelves"]
    assert patch["summary"] == "Rename a shelf."
    assert [(p["in"], p["name"]) for p in patch["parameters"]] == [("path", "id")]
    body = patch["requestBody"]["content"]["application/json"]["schema"]
    body_fields = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]["properties"]
    assert set(body_fields) == {"name"}  # the id comes from the path
    assert set(patch["responses"]) == {"200", "400", "401", "404", "413", "429"}
    assert "`request_too_large`" in patch["responses"]["413"]["description"]
    listing = schema["paths"]["/shelves/"]["get"]
    assert listing["operationId"] == "shelf_list"
    assert [p["name"] for p in listing["parameters"]] == ["colour"]
    assert set(listing["responses"]) == {"200", "400", "401", "429"}
    books = schema["paths"]["/shelves/{id}/books/{book_id}/"]["post"]
    assert {p["name"] for p in books["parameters"]} == {"id", "book_id"}
    assert "requestBody" not in books  # every input field comes from the path
    assert "413" not in books["responses"]


def test_a_guard_runs_around_its_endpoint_and_documents_its_responses():
    seen: list[str] = []

    def refuse_pine(request, proceed):
        if request.data.get("name") == "pine":
            raise Throttled(30)
        seen.append("before")
        return proceed()

    routes = Routes(tag="shelves")
    guard = Guard(refuse_pine, responses={429: OpenApiResponse(Error, description="`throttled`")})
    routes.patch("shelves/<pk:shelf_id>/", shelf_rename, guard=guard, authenticate=False)
    [pattern] = routes.urls()
    view = pattern.callback
    assert view_class(pattern).authentication_classes == []
    assert send(view, "patch", "/shelves/3/", {"name": "pine"}, pk=3).status_code == 429
    assert send(view, "patch", "/shelves/3/", {"name": "oak"}, pk=3).answer == (
        200,
        {"id": 3, "name": "oak"},
    )
    assert seen == ["before"]
    schema = SchemaGenerator(patterns=routes.urls()).get_schema(request=None, public=True)
    assert "429" in schema["paths"]["/shelves/{id}/"]["patch"]["responses"]

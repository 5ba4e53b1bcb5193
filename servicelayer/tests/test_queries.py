"""Read-only queries: declared once with @query beside their selector, listed in the catalog."""

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from pydantic import Field

from servicelayer.catalog import Catalog, as_text, catalog
from servicelayer.dto import DTO, Output
from servicelayer.errors import InvalidInput, NotAuthenticated, NotFound
from servicelayer.pagination import Page
from servicelayer.queries import QueryRegistry, queries, query, query_of
from servicelayer.registry import Registry, registry
from servicelayer.roles import Access, Role

PUBLIC = Role("public", Access.PUBLIC)
PERSON = Role("person", Access.AUTHENTICATED)


class ThingQuery(DTO):
    search: str | None = Field(default=None, max_length=10, description="Name contains.")
    page_size: int = Field(default=20, ge=1, le=100)


class ThingOut(Output):
    id: int
    name: str


class ThingNotFound(NotFound):
    code = "thing_not_found"


@pytest.fixture
def reads() -> QueryRegistry:
    return QueryRegistry()


def test_a_query_is_declared_from_its_signature_and_left_unchanged(reads):
    def thing_get(*, actor: Any, thing_id: int) -> dict[str, Any]:
        """One thing. Another person's thing is not found."""
        return {"id": thing_id, "name": "x", "actor": actor}

    declared = query(role=PERSON, output=ThingOut, errors=[ThingNotFound], into=reads)(thing_get)

    assert declared is thing_get  # services and views call the selector itself, as before
    spec = query_of(thing_get)
    assert reads.get("thing_get") is spec
    assert (spec.role, spec.output, spec.params, spec.ids) == (
        PERSON,
        ThingOut,
        None,
        ("thing_id",),
    )
    assert (spec.paginated, spec.many) == (False, False)
    assert spec.summary == "One thing. Another person's thing is not found."
    assert spec.possible_errors() == (InvalidInput, NotAuthenticated, ThingNotFound)


def test_a_query_reads_its_params_and_its_shape_from_the_signature(reads):
    @query(role=PUBLIC, output=ThingOut, into=reads)
    def thing_list(*, actor: Any, params: ThingQuery) -> Page:
        """List things, by name; search
        by name."""
        return Page(results=[], next_cursor=None)

    @query(role=PERSON, output=ThingOut, into=reads)
    def things_of_mine(*, actor: Any) -> list[dict[str, Any]]:
        """Your things."""
        return []

    listed, mine = reads.get("thing_list"), reads.get("things_of_mine")
    assert (listed.params, listed.ids, listed.paginated, listed.many) == (
        ThingQuery,
        (),
        True,
        False,
    )
    assert listed.summary == "List things, by name; search by name."
    assert listed.possible_errors() == (InvalidInput,)
    assert (mine.params, mine.paginated, mine.many) == (None, False, True)
    assert mine.possible_errors() == (NotAuthenticated,)


def test_a_query_must_take_keyword_only_actor_typed_params_and_int_ids(reads):
    with pytest.raises(TypeError, match="keyword-only"):

        @query(role=PUBLIC, output=ThingOut, into=reads)
        def positional(actor: Any) -> dict[str, Any]:
            return {}

    with pytest.raises(TypeError, match="DTO"):

        @query(role=PUBLIC, output=ThingOut, into=reads)
        def untyped(*, actor: Any, params: dict[str, Any]) -> Page:
            return Page(results=[], next_cursor=None)

    with pytest.raises(TypeError, match="int"):

        @query(role=PUBLIC, output=ThingOut, into=reads)
        def text_id(*, actor: Any, thing_id: str) -> dict[str, Any]:
            return {}


def test_two_queries_with_one_name_are_refused(reads):
    @query(role=PUBLIC, output=ThingOut, into=reads)
    def thing_get(*, actor: Any) -> dict[str, Any]:
        return {}

    with pytest.raises(RuntimeError, match="thing_get"):

        @query(role=PUBLIC, output=ThingOut, into=reads)
        def thing_get(*, actor: Any) -> dict[str, Any]:
            return {}


def test_the_catalog_lists_queries_per_actor_beside_the_services(reads):
    @query(role=PUBLIC, output=ThingOut, into=reads)
    def thing_list(*, actor: Any, params: ThingQuery) -> Page:
        """List things."""
        return Page(results=[], next_cursor=None)

    @query(role=PERSON, output=ThingOut, errors=[ThingNotFound], into=reads)
    def thing_get(*, actor: Any, thing_id: int) -> dict[str, Any]:
        """One thing."""
        return {}

    listed = catalog(Registry(), reads)
    assert list(listed) == ["queries"]
    assert list(listed["queries"]) == ["person", "public"]
    [entry] = listed["queries"]["person"]
    assert entry["name"] == "thing_get"
    assert entry["summary"] == "One thing."
    assert entry["input"] == [
        {"name": "thing_id", "type": "int", "required": True, "description": ""}
    ]
    assert entry["result"] == "ThingOut"
    assert [e["code"] for e in entry["errors"]] == [
        "invalid",
        "not_authenticated",
        "thing_not_found",
    ]
    [page] = listed["queries"]["public"]
    assert page["result"] == "Page[ThingOut]"
    assert page["input"][0]["description"] == "Name contains."
    Catalog.model_validate(listed)

    text = as_text(Registry(), reads)
    assert "== person ==\n  read-only queries:\n    thing_get: One thing." in text
    assert "      input:\n        thing_id: int\n      returns: ThingOut" in text
    assert "      errors: invalid, not_authenticated, thing_not_found" in text
    assert "search: str | None (optional)" in text


def test_every_read_of_the_api_is_a_declared_query_with_the_same_contract():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    reads = {
        op["operationId"]: op
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
        if method == "get" and path.startswith("/api/") and op["operationId"] != "service_catalog"
    }
    assert set(reads) == {spec.name for spec in queries}
    for spec in queries:
        op = reads[spec.name]
        documented = {
            code
            for status, response in op["responses"].items()
            if int(status) >= 400
            for code in response["description"].replace("`", "").split(": ")[1].split(", ")
        }
        declared = {error.code for error in spec.possible_errors()}
        # the API adds what any request may answer: a bad token, a path that matches nothing
        assert declared <= documented, spec.name
        assert documented - declared <= {"not_authenticated", "not_found", "throttled"}, spec.name
        assert ({} in op.get("security", [])) == (spec.role.access is Access.PUBLIC), spec.name
        assert {p["name"] for p in op.get("parameters", []) if p["in"] == "path"} <= {
            "id",
            *spec.ids,
        }


def test_no_query_shares_a_name_with_a_service():
    assert not {spec.name for spec in queries} & {spec.name for spec in registry}


def test_the_service_catalog_endpoint_lists_queries_beside_the_services(client):
    body = client.get("/api/services/").json()
    Catalog.model_validate(body)
    assert body["queries"] == catalog()["queries"]
    assert {actor for actor in body if actor != "queries"} == {spec.role.name for spec in registry}
    assert {q["name"] for entries in body["queries"].values() for q in entries} == {
        spec.name for spec in queries
    }

"""The OpenAPI schema is valid and documents every operation's errors with the error body."""

import pytest
import yaml
from django.core.management import call_command

from servicelayer.errors import kind_of
from servicelayer.registry import registry
from servicelayer.rest.errors import STATUS_BY_KIND


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    # --validate checks it against the OpenAPI 3.1 meta-schema; --fail-on-warn refuses guesses
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_error_response_uses_the_error_body(schema):
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/Error"), (path, method, status)


def test_every_service_operation_documents_each_error_it_declares(schema):
    documented = {op["operationId"]: op for _, _, op in operations(schema)}
    exposed = [spec for spec in registry if spec.name in documented]
    assert len(exposed) >= 12
    for spec in exposed:
        responses = documented[spec.name]["responses"]
        for error in spec.possible_errors():
            status = str(STATUS_BY_KIND[kind_of(error)])
            assert status in responses, (spec.name, error.code)
            assert f"`{error.code}`" in responses[status]["description"]


def test_ids_from_the_url_are_not_in_request_bodies(schema):
    bodies = schema["components"]["schemas"]
    assert set(bodies["OrderLineCountBodyRequest"]["properties"]) == {
        "quantity",
        "product_id",
        "variant_id",
    }
    cancel = schema["paths"]["/api/orders/{id}/cancel/"]["post"]
    assert "requestBody" not in cancel


def test_inputs_are_bounded_in_the_schema(schema):
    place = schema["components"]["schemas"]["NewOrderRequest"]["properties"]
    assert place["quantity"]["maximum"] == 1000
    for name in ("product_id", "variant_id"):  # either may be left out: integer or null
        (bounded,) = [a for a in place[name]["anyOf"] if a.get("type") == "integer"]
        assert bounded["maximum"] == 2_147_483_647
    page_size = next(
        p
        for p in schema["paths"]["/api/products/"]["get"]["parameters"]
        if p["name"] == "page_size"
    )
    assert page_size["schema"]["maximum"] == 100


def test_the_docs_and_schema_are_served(client):
    assert client.get("/api/docs/").status_code == 200
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"order_place" in response.content


def test_ids_in_paths_are_bounded_like_the_api_bounds_them(schema):
    for path, _, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter["schema"]["minimum"] == 1, (path, parameter["name"])
                assert parameter["schema"]["maximum"] == 2_147_483_647


def test_public_operations_say_they_take_anonymous_requests(schema):
    listing = schema["paths"]["/api/products/"]["get"]
    assert {} in listing["security"]
    ordering = schema["paths"]["/api/orders/"]["post"]
    assert {} not in ordering["security"]


def test_every_api_operation_documents_the_rate_limit(schema):
    # the whole API is throttled (AGORA_RATE_ANON / AGORA_RATE_USER), so any call may be a 429
    for path, method, operation in operations(schema):
        if path.startswith("/api/") and "operationId" in operation:
            assert "429" in operation["responses"], (path, method)

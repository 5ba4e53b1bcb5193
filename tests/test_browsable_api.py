"""The browsable API: indented JSON under Agora's name, and every write's raw-data form
prefilled with an example body built from its input model."""

import html
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from servicelayer.dto import validate_input
from servicelayer.errors import InvalidInput
from servicelayer.rest.examples import example_of
from servicelayer.rest.routes import RouteView

TEXTAREA = re.compile(r'<textarea name="_content"[^>]*>(.*?)</textarea>', re.S)


def route_views(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from route_views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "view_class", None)
            if view is not None and issubclass(view, RouteView):
                yield prefix + str(entry.pattern), view


def test_every_write_body_has_an_example_that_only_cross_field_rules_refuse():
    bodies = [
        (path, method, endpoint.body())
        for path, view in route_views()
        for method, endpoint in view.endpoints.items()
        if endpoint.body() is not None
    ]
    assert len(bodies) > 20
    refused = {}
    for path, method, body in bodies:
        try:
            validate_input(body, example_of(body))
        except InvalidInput as error:
            refused[method, path] = error.fields
    # only rules across fields ("give exactly one of delta and set_to"): no schema says them
    assert {k: f for k, f in refused.items() if set(f) != {"non_field_errors"}} == {}


@pytest.mark.django_db
def test_the_products_page_is_indented_branded_and_prefilled(client, merchant):
    client.force_login(merchant)
    page = client.get("/api/products/", HTTP_ACCEPT="text/html").content.decode()
    assert "<title>Products | Agora API</title>" in page
    assert ">Agora API</a>" in page
    assert "\n  &quot;results&quot;: []\n}" in page
    textarea = TEXTAREA.search(page)
    assert textarea is not None
    example = html.unescape(textarea.group(1))
    assert '\n  "name": "string",\n' in example


@pytest.mark.django_db
def test_an_api_client_still_gets_compact_json(client):
    response = client.get("/api/products/")
    assert response["Content-Type"] == "application/json"
    assert response.content == b'{"next":null,"results":[]}'

"""The docs pages (Swagger UI, ReDoc) load only this server's files, and the schema tells them
how to send a token: the bare key as HTTP bearer, and none for signing in."""

import re

import pytest
import yaml
from django.core.management import call_command

REMOTE = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--file", str(path))
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_load_nothing_from_another_host(client, path):
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert not REMOTE.search(page), REMOTE.search(page)


def test_the_token_is_documented_as_http_bearer_with_what_to_paste(schema):
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert "paste the token alone" in scheme["description"]


def test_operations_that_read_no_credentials_show_no_lock(schema):
    # sign-in (and registration, activation, password reset) ignore any token they are sent
    for path in ("/api/auth/login/", "/api/auth/register/", "/api/auth/password/reset/"):
        assert "security" not in schema["paths"][path]["post"], path
    assert schema["paths"]["/api/auth/logout/"]["post"]["security"]

"""With production settings (DEBUG off, hashed and compressed static files) the HTML pages serve.

Static files are collected once per session by `make collectstatic`, the deployment's step,
into a temporary STATIC_ROOT; the pages are then served with the production storage.
"""

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.settings_env import production_settings

ROOT = Path(__file__).resolve().parent.parent

HASHED_STATIC = re.compile(r"/static/[\w/.-]+\.[0-9a-f]{12}\.(?:css|js)")


@pytest.fixture(scope="session")
def production_static(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The production static settings, with their files collected into a temporary root."""
    root = tmp_path_factory.mktemp("staticfiles")
    # `-o install`: a test never installs packages, whatever the virtualenv's stamp says.
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", "install", "collectstatic"],
        cwd=ROOT,
        env=os.environ | {"DJANGO_STATIC_ROOT": str(root)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return {"STORAGES": production_settings()["STORAGES"], "STATIC_ROOT": root}


@pytest.fixture
def production_client(production_static: dict[str, Any]) -> Iterator[Client]:
    # A new Client builds its middleware now, so whitenoise indexes the collected root.
    with override_settings(DEBUG=False, **production_static):
        yield Client()


def test_the_production_storage_hashes_static_files(production_static):
    assert "Manifest" in production_static["STORAGES"]["staticfiles"]["BACKEND"]
    assert (Path(production_static["STATIC_ROOT"]) / "staticfiles.json").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/admin/login/", {}),
        ("/api-auth/login/", {}),
        ("/api/?format=api", {}),
        ("/api/products/?format=api", {}),
        ("/api/products/", {"HTTP_ACCEPT": "text/html"}),
        ("/api/", {"HTTP_ACCEPT": "text/html"}),
        ("/api/docs/", {}),
        ("/api/redoc/", {}),
    ],
)
def test_html_pages_serve_with_hashed_static_files(production_client, path, headers):
    response = production_client.get(path, **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    static = HASHED_STATIC.search(response.content.decode())
    assert static, "the page links no hashed static file"
    asset = production_client.get(static.group())
    assert asset.status_code == 200
    assert b"".join(asset.streaming_content)

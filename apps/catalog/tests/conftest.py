"""Catalog test helpers: uploaded files in a temporary MEDIA_ROOT, images made by Pillow."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return settings.MEDIA_ROOT


def image_bytes(
    fmt: str = "JPEG", size: tuple[int, int] = (640, 480), *, exif: bool = False
) -> bytes:
    """An image file; with `exif`, one that says which camera took it, and where."""
    image = Image.new("RGB", size, (200, 60, 30))
    out = io.BytesIO()
    options: dict[str, Any] = {}
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "Acme Cameras"  # Make
        tags[0x0110] = "Spy 3000"  # Model
        tags[0x8825] = {2: (52.0, 31.0, 12.0)}  # GPSInfo: a latitude
        options["exif"] = tags.tobytes()
    image.save(out, format=fmt, **options)
    return out.getvalue()


@pytest.fixture
def make_image() -> Callable[..., bytes]:
    return image_bytes

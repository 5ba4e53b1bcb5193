"""Where images are stored is chosen by environment: the file system, or S3 (django-storages)."""

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages

from tests.settings_env import production_settings, settings_under


def test_images_go_to_the_file_system_by_default():
    settings = settings_under()
    assert settings["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert settings["MEDIA_URL"] == "/media/"
    production = production_settings()["STORAGES"]
    assert production["default"]["BACKEND"].endswith("FileSystemStorage")
    assert "whitenoise" in production["staticfiles"]["BACKEND"]


def test_an_s3_compatible_store_is_chosen_by_environment(settings):
    chosen = settings_under(
        AGORA_MEDIA_STORAGE="s3",
        AGORA_S3_BUCKET="agora-media",
        AGORA_S3_ENDPOINT_URL="https://minio.example:9000",
        AGORA_S3_CUSTOM_DOMAIN="cdn.example",
    )["STORAGES"]["default"]
    assert chosen["BACKEND"] == "storages.backends.s3.S3Storage"
    assert chosen["OPTIONS"]["bucket_name"] == "agora-media"
    # django-storages takes these options as they are: the storage builds without a network
    settings.STORAGES = {**settings.STORAGES, "default": chosen}
    storage: Any = storages["default"]
    assert storage.bucket_name == "agora-media"
    assert storage.endpoint_url == "https://minio.example:9000"
    assert storage.url("products/a.jpg") == "https://cdn.example/media/products/a.jpg"


def test_an_unknown_store_is_refused():
    with pytest.raises(ImproperlyConfigured):
        settings_under(AGORA_MEDIA_STORAGE="ftp")

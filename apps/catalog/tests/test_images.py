"""Product images: uploaded over multipart, checked, stripped of EXIF, thumbnailed once."""

import io
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.catalog import images
from apps.catalog.dto import ImageOrder, NewProductImage, ProductImageRef
from apps.catalog.errors import ImageLimitReached, ImageNotAccepted, ImageTooLarge
from apps.catalog.models import ProductImage
from apps.catalog.services import product_image_add, product_image_delete, product_image_order
from apps.catalog.tests.conftest import image_bytes


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def url(product, suffix=""):
    return f"/api/products/{product.pk}/images/{suffix}"


def stored(name):
    with default_storage.open(name) as f:
        return Image.open(io.BytesIO(f.read()))


def test_a_merchant_uploads_an_image_stored_without_exif_with_a_thumbnail(
    api, merchant, make_product
):
    product = make_product()
    original = image_bytes("JPEG", (1200, 800), exif=True)
    assert Image.open(io.BytesIO(original)).getexif().get(0x010F) == "Acme Cameras"
    response = api(merchant).post(
        url(product), {"image": upload(original), "alt": "A lantern"}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["width"], body["height"], body["alt"], body["position"]) == (
        1200,
        800,
        "A lantern",
        0,
    )
    image = ProductImage.objects.get(pk=body["id"])
    assert body["url"] == f"/media/{image.image.name}"
    kept = stored(image.image.name)
    assert kept.format == "JPEG"
    assert dict(kept.getexif()) == {}
    assert "exif" not in kept.info
    thumbnail = stored(image.thumbnail.name)
    assert max(thumbnail.size) == 320
    assert dict(thumbnail.getexif()) == {}
    detail = api(None).get(f"/api/products/{product.pk}/").json()
    assert detail["images"] == [body]


def test_the_thumbnail_is_made_once_at_upload_never_when_served(api, merchant, make_product):
    product = make_product()
    with mock.patch.object(images, "make_thumbnail", wraps=images.make_thumbnail) as made:
        api(merchant).post(url(product), {"image": upload(image_bytes())}, format="multipart")
        for _ in range(3):
            assert len(api(None).get(f"/api/products/{product.pk}/").json()["images"]) == 1
    assert made.call_count == 1


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("WEBP", "webp")])
def test_png_and_webp_are_accepted(api, merchant, make_product, fmt, ext):
    response = api(merchant).post(
        url(make_product()),
        {"image": upload(image_bytes(fmt), f"x.{ext}", f"image/{ext}")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["url"].endswith(f".{ext}")


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a not really",
        b"%PDF-1.4 a document",
        image_bytes("GIF"),
        image_bytes("JPEG")[:200],  # truncated: the header reads, the pixels do not
    ],
    ids=["text", "pdf", "gif", "truncated"],
)
def test_other_files_are_400(api, merchant, make_product, data):
    response = api(merchant).post(url(make_product()), {"image": upload(data)}, format="multipart")
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "image_type_not_accepted"
    assert not ProductImage.objects.exists()


def test_too_many_bytes_is_400_and_a_body_far_too_large_is_413(
    api, merchant, make_product, settings
):
    product = make_product()
    data = image_bytes("PNG", (300, 300))
    settings.AGORA_IMAGE_MAX_BYTES = len(data) - 1
    response = api(merchant).post(url(product), {"image": upload(data)}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "image_too_large"
    settings.AGORA_IMAGE_MAX_BYTES = 1000
    big = upload(b"\xff" * (200 * 1024))
    response = api(merchant).post(url(product), {"image": big}, format="multipart")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_too_many_pixels_is_400(merchant, make_product, settings):
    settings.AGORA_IMAGE_MAX_PIXELS = 100 * 100
    data = NewProductImage(product_id=make_product().pk, image=image_bytes("PNG", (101, 100)))
    with pytest.raises(ImageTooLarge) as raised:
        product_image_add(actor=merchant, data=data)
    assert raised.value.details["max_pixels"] == 10_000


def test_files_stay_refused_elsewhere_and_the_image_must_be_a_file(api, merchant, make_product):
    product = make_product()
    response = api(merchant).patch(
        f"/api/products/{product.pk}/",
        {"name": "X", "image": upload(image_bytes())},
        format="multipart",
    )
    assert response.status_code == 400
    assert "image" in response.json()["error"]["fields"]
    response = api(merchant).post(url(product), {"image": "not a file"}, format="multipart")
    assert response.status_code == 400
    assert "image" in response.json()["error"]["fields"]


def test_shoppers_cannot_upload(api, shopper, make_product):
    response = api(shopper).post(
        url(make_product()), {"image": upload(image_bytes())}, format="multipart"
    )
    assert response.status_code == 403


def test_order_delete_and_limit(
    api, merchant, make_product, settings, django_capture_on_commit_callbacks
):
    product = make_product()

    def add():
        data = NewProductImage(product_id=product.pk, image=image_bytes("PNG", (20, 20)))
        return product_image_add(actor=merchant, data=data)

    first, second, third = add(), add(), add()
    assert [first.position, second.position, third.position] == [0, 1, 2]
    ordered = product_image_order(
        actor=merchant,
        data=ImageOrder(product_id=product.pk, image_ids=[third.id, first.id, second.id]),
    )
    assert [i.id for i in ordered] == [third.id, first.id, second.id]
    detail = api(None).get(f"/api/products/{product.pk}/").json()
    assert [i["id"] for i in detail["images"]] == [third.id, first.id, second.id]
    response = api(merchant).put(url(product, "order/"), {"image_ids": [first.id]}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (
        400,
        "image_order_mismatch",
    )
    files = ProductImage.objects.get(pk=first.id)
    names = [files.image.name, files.thumbnail.name]
    with django_capture_on_commit_callbacks(execute=True):
        product_image_delete(
            actor=merchant, data=ProductImageRef(product_id=product.pk, image_id=first.id)
        )
    assert not any(default_storage.exists(n) for n in names)
    response = api(merchant).delete(url(product, f"{first.id}/"))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "image_not_found")
    settings.AGORA_IMAGES_PER_PRODUCT = 2
    before = set(default_storage.listdir("products")[1])
    with pytest.raises(ImageLimitReached):
        add()
    assert set(default_storage.listdir("products")[1]) == before  # its files were deleted


def test_a_damaged_image_is_not_accepted_by_the_service(merchant, make_product):
    data = NewProductImage(product_id=make_product().pk, image=b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(ImageNotAccepted):
        product_image_add(actor=merchant, data=data)

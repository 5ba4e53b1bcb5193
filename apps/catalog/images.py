"""Product images: checked, re-encoded without their metadata, and thumbnailed, by Pillow.

`prepare(data)` is all the image work, done once when a merchant uploads: the stored image
and its thumbnail are files in the default storage from then on, served as they are. It
reads settings each call (limits may change in tests), touches no database and no storage.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from apps.catalog.errors import ImageNotAccepted, ImageTooLarge

# Pillow format: (file extension, save options). Saving with no `exif` (nor XMP) option
# writes none: the metadata of the upload (camera, GPS position, ...) is not kept.
FORMATS: dict[str, tuple[str, dict[str, object]]] = {
    "JPEG": ("jpg", {"quality": 85, "optimize": True}),
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 85}),
}


@dataclass(frozen=True)
class Prepared:
    image: bytes
    thumbnail: bytes
    extension: str
    width: int
    height: int


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError):
        raise ImageNotAccepted() from None
    if image.format not in FORMATS:
        raise ImageNotAccepted(details={"format": image.format})
    return image


def _encode(image: Image.Image, fmt: str) -> bytes:
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt, **FORMATS[fmt][1])
    return out.getvalue()


def make_thumbnail(image: Image.Image, fmt: str) -> bytes:
    """The thumbnail: the image within a square of AGORA_IMAGE_THUMBNAIL_PX, proportions kept."""
    side = settings.AGORA_IMAGE_THUMBNAIL_PX
    small = image.copy()
    small.thumbnail((side, side))
    return _encode(small, fmt)


def prepare(data: bytes) -> Prepared:
    """Check an upload (size, type, pixels, integrity) and re-encode it with its thumbnail.

    Raises ImageTooLarge (bytes or pixels over the limits) or ImageNotAccepted (not a JPEG,
    PNG or WebP file, or a damaged one)."""
    limit = settings.AGORA_IMAGE_MAX_BYTES
    if len(data) > limit:
        raise ImageTooLarge(details={"bytes": len(data), "max_bytes": limit})
    header = _open(data)
    fmt = header.format
    assert fmt is not None
    width, height = header.size  # from the header: nothing decoded yet
    max_pixels = settings.AGORA_IMAGE_MAX_PIXELS
    if width * height > max_pixels:
        raise ImageTooLarge(details={"pixels": width * height, "max_pixels": max_pixels})
    try:
        header.verify()  # the file's structure; the decode below finds damaged pixel data
        image = _open(data)
        image.load()
        upright = ImageOps.exif_transpose(image)  # turned as the camera meant it
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ImageNotAccepted() from None
    return Prepared(
        image=_encode(upright, fmt),
        thumbnail=make_thumbnail(upright, fmt),
        extension=FORMATS[fmt][0],
        width=upright.width,
        height=upright.height,
    )

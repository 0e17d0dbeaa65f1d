"""Thumbnails of image attachments: made once with Pillow, stored beside the uploads.

The page never inlines an upload itself: it shows a small re-encoded copy, which strips
whatever the original carried besides pixels (metadata, trailing data, animation).
"""

from __future__ import annotations

import hashlib
import io
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from PIL import Image, ImageOps, UnidentifiedImageError

from tickets.attachments import is_inline
from tickets.models import Attachment

# The box a thumbnail fits in (twice the size it is shown at, for sharp high-DPI screens).
THUMBNAIL_BOX = (320, 240)
# Pixels a source may have: a small file that decodes to gigapixels (a decompression
# bomb) is refused before it is decoded.
MAX_SOURCE_PIXELS = 40_000_000
THUMBNAIL_CONTENT_TYPE = "image/webp"


class ThumbnailUnavailable(Exception):
    """The attachment is not an image we preview, or its image cannot be read."""


def can_preview(attachment: Attachment) -> bool:
    """Whether the page offers a thumbnail: only the raster types shown inline (never SVG)."""
    return is_inline(attachment.content_type)


def thumbnail_name(attachment: Attachment) -> str:
    # From the stored file's own name (a random folder per upload), not the primary key:
    # a key can be reused by another database on the same storage, a file name cannot.
    digest = hashlib.sha256((attachment.file.name or str(attachment.pk)).encode()).hexdigest()[:32]
    return f"thumbnails/{digest[:2]}/{digest}.webp"


def render_thumbnail(source: IO[bytes]) -> bytes:
    """A WebP no larger than THUMBNAIL_BOX from image bytes; ThumbnailUnavailable if the
    bytes are not a readable image or it has too many pixels."""
    try:
        with Image.open(source) as original:
            width, height = original.size
            if width * height > MAX_SOURCE_PIXELS:
                raise ThumbnailUnavailable(f"{width}x{height} is too many pixels")
            original.draft("RGB", THUMBNAIL_BOX)  # JPEG: decode at a reduced scale
            image = ImageOps.exif_transpose(original)
            image.thumbnail(THUMBNAIL_BOX)
            if image.mode not in ("RGB", "RGBA"):
                transparent = "A" in image.getbands() or "transparency" in image.info
                image = image.convert("RGBA" if transparent else "RGB")
            output = io.BytesIO()
            image.save(output, format="WEBP", quality=80, method=4)
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as error:
        raise ThumbnailUnavailable(str(error)) from error
    return output.getvalue()


def attachment_thumbnail(*, attachment: Attachment) -> tuple[Storage, str]:
    """The stored thumbnail of an image attachment (storage, name), made on first use.

    Raises ThumbnailUnavailable for a type we do not preview or an unreadable image. Two
    requests making the same thumbnail at once both succeed; the second copy is dropped.
    """
    if not can_preview(attachment):
        raise ThumbnailUnavailable(f"{attachment.content_type} is not previewed")
    storage, source_name = attachment.file.storage, attachment.file.name
    if not source_name:
        raise ThumbnailUnavailable("the attachment has no file")
    name = thumbnail_name(attachment)
    if storage.exists(name):
        return storage, name
    try:
        with storage.open(source_name, "rb") as source:
            data = render_thumbnail(source)
    except FileNotFoundError as error:
        raise ThumbnailUnavailable("the uploaded file is missing") from error
    saved = storage.save(name, ContentFile(data))
    if saved != name:  # another request stored it first: keep one copy
        storage.delete(saved)
    return storage, name

"""Attachment rules: size limit, refused types, safe names, how they are served."""

from __future__ import annotations

import mimetypes
import os
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

# Shown inline in the browser; everything else (SVG included: it can carry script)
# is served as a download.
INLINE_CONTENT_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def safe_file_name(name: str) -> str:
    """A file name with no path, no leading dots and only harmless characters.

    `../../etc/passwd` becomes `passwd`; `C:\\evil\\x.exe` and `x.exe.` become `x.exe`.
    """
    name = unicodedata.normalize("NFKC", name or "").replace("\\", "/")
    # Windows drops trailing dots and spaces: `x.exe.` is saved as `x.exe`, so they go
    # before the type is checked.
    name = os.path.basename(name).strip(" .")
    try:
        name = get_valid_filename(name)
    except Exception:  # get_valid_filename raises SuspiciousFileOperation on empty names
        name = ""
    stem, ext = os.path.splitext(name)
    name = stem[:150] + ext[:20]
    return name or "attachment"


def validate_upload(upload: UploadedFile) -> None:
    """Refuse files over the size limit and types on the refused list."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; attachments may be at most %(limit)s."),
            params={
                "name": safe_file_name(upload.name or ""),
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            },
            code="too_large",
        )
    extension = os.path.splitext(safe_file_name(upload.name or ""))[1].lower().lstrip(".")
    if extension in settings.ATTACHMENT_REFUSED_EXTENSIONS:
        raise ValidationError(
            _("Files of type .%(extension)s are not accepted."),
            params={"extension": extension},
            code="refused_type",
        )


def guess_content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def is_inline(content_type: str) -> bool:
    return content_type in INLINE_CONTENT_TYPES

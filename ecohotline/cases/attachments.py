"""Photos attached to a case (现场照片): what is accepted, and how a stored file is served back.

A handler takes photos on site with a phone; a browser sends them as JPEG, PNG, WebP, HEIC or GIF. The type is
read from the file's first bytes, never from its name or the browser's word, so a script renamed `.jpg` is
refused and a photo is always served back with its true type.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from ecohotline.cases.exceptions import RuleViolation
from ecohotline.cases.models import Attachment

MAX_PHOTOS = 12
MAX_PHOTO_BYTES = 15 * 1024 * 1024
PHOTO_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic",
                    "image/heif": "heif", "image/gif": "gif"}


def sniff_image(head: bytes) -> str | None:
    """The image type the first bytes of a file announce, or None when they are not a photo we take."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"):
            return "image/heic"
        if brand in (b"mif1", b"msf1"):
            return "image/heif"
    return None


def read_head(file: UploadedFile) -> bytes:
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    return head


def check_photos(photos: Sequence[UploadedFile]) -> None:
    """Refuse the whole set, naming the file, when one is not a photo, is too big or there are too many."""
    if len(photos) > MAX_PHOTOS:
        raise RuleViolation("too_many_photos", _("At most %(count)d photos can be attached at once.")
                            % {"count": MAX_PHOTOS}, field="photos")
    for photo in photos:
        name = photo.name or "?"
        if photo.size is not None and photo.size > MAX_PHOTO_BYTES:
            raise RuleViolation("photo_too_large", _("%(name)s is larger than %(size)d MB.")
                                % {"name": name, "size": MAX_PHOTO_BYTES // (1024 * 1024)}, field="photos")
        if not photo.size or sniff_image(read_head(photo)) is None:
            raise RuleViolation("not_a_photo", _("%(name)s is not a photo (JPEG, PNG, WebP, HEIC or GIF).")
                                % {"name": name}, field="photos")


def attachment_response(attachment: Attachment) -> FileResponse:
    """The stored file, for a caller already allowed to see its case: a photo inline with its true type (sniffed),
    anything else as a download; never run by the browser. 404 when the file is gone from the storage."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    head = handle.read(16)
    handle.seek(0)
    content_type = sniff_image(head)
    name = attachment.original_name or attachment.file.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=content_type is None, filename=name,
                            content_type=content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response

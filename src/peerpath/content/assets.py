"""Uploaded files: check what they really are, store them, make image thumbnails.

The file's bytes decide its type. Its name and the browser's content type are never
trusted: a PNG renamed ``.pdf`` is stored as a PNG, and a web page renamed ``.png``
is refused. Only checked files get a row, and a row always has its files.
"""

from __future__ import annotations

import io
import logging
import warnings
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from PIL import Image, ImageOps, UnidentifiedImageError

from peerpath.content.models import Asset, AssetKind
from peerpath.core import permissions

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from peerpath.people.models import User

logger = logging.getLogger(__name__)

THUMBNAIL_WIDTH = 480
# Enough of the file's start to recognise every type we accept.
_HEAD_BYTES = 4096

# How each kind is described when a file is refused: "That file is not a PDF."
KIND_DESCRIPTIONS = {
    AssetKind.IMAGE: "a PNG, JPEG, GIF or WebP image",
    AssetKind.VIDEO: "an MP4 or WebM video",
    AssetKind.AUDIO: "an MP3, M4A or Ogg audio file",
    AssetKind.PDF: "a PDF",
    AssetKind.DOCUMENT: "a Word, Excel, PowerPoint, OpenDocument, text or CSV file",
}
# Images, video, audio and PDFs open in the browser; everything else downloads.
INLINE_KINDS = frozenset({AssetKind.IMAGE, AssetKind.VIDEO, AssetKind.AUDIO, AssetKind.PDF})


@dataclass(frozen=True)
class Detected:
    """What a file's bytes say it is."""

    kind: AssetKind
    content_type: str
    extension: str
    label: str


_IMAGE_FORMATS = {
    "PNG": Detected(AssetKind.IMAGE, "image/png", "png", "PNG image"),
    "JPEG": Detected(AssetKind.IMAGE, "image/jpeg", "jpg", "JPEG image"),
    "GIF": Detected(AssetKind.IMAGE, "image/gif", "gif", "GIF image"),
    "WEBP": Detected(AssetKind.IMAGE, "image/webp", "webp", "WebP image"),
}
_PDF = Detected(AssetKind.PDF, "application/pdf", "pdf", "PDF")
_MP4 = Detected(AssetKind.VIDEO, "video/mp4", "mp4", "MP4 video")
_WEBM = Detected(AssetKind.VIDEO, "video/webm", "webm", "WebM video")
_M4A = Detected(AssetKind.AUDIO, "audio/mp4", "m4a", "M4A audio")
_MP3 = Detected(AssetKind.AUDIO, "audio/mpeg", "mp3", "MP3 audio")
_OGG = Detected(AssetKind.AUDIO, "audio/ogg", "ogg", "Ogg audio")
_TEXT = Detected(AssetKind.DOCUMENT, "text/plain", "txt", "Text file")
_CSV = Detected(AssetKind.DOCUMENT, "text/csv", "csv", "CSV file")
# Office Open XML and OpenDocument files are zips; one member names the application.
_OOXML = {
    "word/document.xml": Detected(
        AssetKind.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
        "Word document",
    ),
    "xl/workbook.xml": Detected(
        AssetKind.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        "Excel workbook",
    ),
    "ppt/presentation.xml": Detected(
        AssetKind.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
        "PowerPoint presentation",
    ),
}
_ODF = {
    "application/vnd.oasis.opendocument.text": Detected(
        AssetKind.DOCUMENT, "application/vnd.oasis.opendocument.text", "odt", "OpenDocument text"
    ),
    "application/vnd.oasis.opendocument.spreadsheet": Detected(
        AssetKind.DOCUMENT,
        "application/vnd.oasis.opendocument.spreadsheet",
        "ods",
        "OpenDocument spreadsheet",
    ),
    "application/vnd.oasis.opendocument.presentation": Detected(
        AssetKind.DOCUMENT,
        "application/vnd.oasis.opendocument.presentation",
        "odp",
        "OpenDocument presentation",
    ),
}
# ISO base media brands that browsers play as MP4 video, or as M4A audio.
_MP4_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash"}
_M4A_BRANDS = {b"M4A ", b"M4B "}
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body")

LABELS = {d.content_type: d.label for d in (_PDF, _MP4, _WEBM, _M4A, _MP3, _OGG, _TEXT, _CSV)}
LABELS.update({d.content_type: d.label for d in _IMAGE_FORMATS.values()})
LABELS.update({d.content_type: d.label for d in _OOXML.values()})
LABELS.update({d.content_type: d.label for d in _ODF.values()})


def describe_allowed(allowed: Collection[str]) -> str:
    """ "a PDF or a Word, Excel, … file": what may be uploaded, for messages and help text."""
    parts = [KIND_DESCRIPTIONS[AssetKind(k)] for k in AssetKind.values if k in allowed]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " or " + parts[-1]


def _read_head(upload: IO[bytes]) -> bytes:
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    return head


def _sniff_zip(upload: IO[bytes]) -> Detected | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
                odf = _ODF.get(archive.read("mimetype").decode("ascii", "replace").strip())
                if odf is not None:
                    return odf
            if "[Content_Types].xml" in names:
                for member, detected in _OOXML.items():
                    if member in names:
                        return detected
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    finally:
        upload.seek(0)
    return None


def _sniff_text(upload: IO[bytes], name: str) -> Detected | None:
    """Plain text or CSV: valid UTF-8 without control bytes, and not markup in disguise."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if any(ch in text for ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x1b\x7f"):
        return None
    if text.lstrip()[:200].lower().encode().startswith(_MARKUP_STARTS):
        return None
    # The bytes say "text"; the name may only choose between two harmless text types.
    return _CSV if name.lower().endswith(".csv") else _TEXT


def sniff(upload: IO[bytes], name: str = "") -> Detected | None:
    """What the file's bytes say it is, or None when it is nothing we accept."""
    head = _read_head(upload)
    if head.startswith(b"%PDF-"):
        return _PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _IMAGE_FORMATS["PNG"]
    if head.startswith(b"\xff\xd8\xff"):
        return _IMAGE_FORMATS["JPEG"]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return _IMAGE_FORMATS["GIF"]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _IMAGE_FORMATS["WEBP"]
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _M4A_BRANDS:
            return _M4A
        if brand in _MP4_BRANDS:
            return _MP4
        return None
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return _WEBM if b"webm" in head[:64] else None
    if head.startswith(b"OggS"):
        return None if b"theora" in head[:512] else _OGG
    if head.startswith(b"ID3") or (
        len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06
    ):
        return _MP3
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(upload)
    return _sniff_text(upload, name)


def _size_limit(kind: AssetKind) -> int:
    if kind == AssetKind.IMAGE:
        return int(settings.PEERPATH_MAX_IMAGE_BYTES)
    return int(settings.PEERPATH_MAX_ASSET_BYTES)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


@dataclass(frozen=True)
class _Picture:
    width: int
    height: int
    thumbnail: bytes


def _check_image(upload: IO[bytes]) -> _Picture:
    """Decode the image once, safely, and make its thumbnail."""
    limit = int(settings.PEERPATH_MAX_IMAGE_PIXELS)
    damaged = ValidationError(
        "That image is damaged or uses a format we cannot read.", code="damaged"
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns before it refuses; a warning is already too big for us.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if (image.format or "") not in _IMAGE_FORMATS:
                    raise damaged
                width, height = image.size
                if width * height > limit:
                    raise ValidationError(
                        "That image is too large (%(w)s × %(h)s pixels); "
                        "use one under %(mp)s megapixels.",
                        code="too_many_pixels",
                        params={"w": width, "h": height, "mp": limit // 1_000_000},
                    )
                image.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
                oriented = ImageOps.exif_transpose(image)
                width, height = oriented.size
                thumb = oriented.convert("RGBA" if _has_alpha(oriented) else "RGB")
                thumb.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 2))
                out = io.BytesIO()
                thumb.save(out, format="WEBP", quality=80)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            "That image is too large to open safely.", code="too_many_pixels"
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise damaged from exc
    finally:
        upload.seek(0)
    return _Picture(width=width, height=height, thumbnail=out.getvalue())


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )


def stored_name(original: str, extension: str) -> str:
    """A safe file name: the original's stem, slugified, with the detected type's extension."""
    stem = slugify(PurePath(original.replace("\\", "/")).stem)[:80].strip("-_") or "file"
    return f"{stem}.{extension}"


def asset_create(*, owner: User, upload: UploadedFile, allowed: Collection[str]) -> Asset:
    """Check an uploaded file and keep it as an asset of ``owner``.

    ``allowed`` names the kinds (``AssetKind`` values) the caller accepts. Raises
    ValidationError with a message fit to show the author when the file is refused.
    """
    permissions.require(permissions.can_create_module(owner))
    unknown = set(allowed) - set(AssetKind.values)
    if not allowed or unknown:
        raise ValueError(f"Unknown asset kinds: {sorted(unknown)}")
    original = (upload.name or "file")[-200:]
    size = upload.size or 0
    if size == 0:
        raise ValidationError("That file is empty.", code="empty")
    largest = max(_size_limit(AssetKind(k)) for k in allowed)
    if size > largest:
        raise ValidationError(
            "That file is larger than %(limit)s; upload a smaller one.",
            code="too_large",
            params={"limit": _megabytes(largest)},
        )
    stream = upload.file
    if stream is None:
        raise ValidationError("That file is empty.", code="empty")
    detected = sniff(stream, original)
    if detected is None or detected.kind not in allowed:
        raise ValidationError(f"That file is not {describe_allowed(allowed)}.", code="type")
    if size > _size_limit(detected.kind):
        raise ValidationError(
            "That %(label)s is larger than %(limit)s; upload a smaller one.",
            code="too_large",
            params={
                "label": detected.label.lower() if detected.kind != AssetKind.PDF else "PDF",
                "limit": _megabytes(_size_limit(detected.kind)),
            },
        )
    picture = _check_image(stream) if detected.kind == AssetKind.IMAGE else None

    asset = Asset(
        owner=owner,
        kind=detected.kind,
        content_type=detected.content_type,
        original_name=PurePath(original.replace("\\", "/")).name[:200] or "file",
        size=size,
    )
    name = stored_name(original, detected.extension)
    try:
        upload.seek(0)
        asset.file.save(name, upload, save=False)
        if picture is not None:
            asset.width, asset.height = picture.width, picture.height
            thumb_name = f"{PurePath(name).stem}.webp"
            asset.thumbnail.save(thumb_name, ContentFile(picture.thumbnail), save=False)
        with transaction.atomic():
            asset.full_clean()
            asset.save()
    except BaseException:
        _delete_files(asset)
        raise
    return asset


def _delete_files(asset: Asset) -> None:
    """Remove what was stored for a row that will not exist."""
    for field in (asset.file, asset.thumbnail):
        if field.name:
            try:
                field.storage.delete(field.name)
            except Exception:  # the row is gone either way; log and move on
                logger.exception("Could not delete %s after a failed upload", field.name)


def _escape_link_text(text: str) -> str:
    return "".join(f"\\{ch}" if ch in "[]\\*_`<>" else ch for ch in text).replace("\n", " ")


def markdown_snippet(asset: Asset, *, alt: str = "") -> str:
    """What the editor inserts for an uploaded file: an image, a player, or a link."""
    if asset.kind == AssetKind.IMAGE:
        text = alt.strip() or PurePath(asset.original_name).stem
        return f"![{_escape_link_text(text)}]({asset.url})"
    if asset.kind in (AssetKind.VIDEO, AssetKind.AUDIO):
        return f'<{asset.kind} controls preload="metadata" src="{asset.url}"></{asset.kind}>'
    return f"[{_escape_link_text(alt.strip() or asset.original_name)}]({asset.url})"


def type_label(asset: Asset) -> str:
    """ "PDF", "Word document": the file's type in words."""
    return LABELS.get(asset.content_type, "File")

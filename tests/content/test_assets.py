"""Uploaded files are what their bytes say, stored safely, with thumbnails for images."""

from __future__ import annotations

import io
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from PIL import Image

from peerpath.content import assets
from peerpath.content.models import Asset, AssetKind
from tests.content import files
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EVERYTHING = set(AssetKind.values)


def stored_files(media_root: Path) -> list[Path]:
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "kind", "content_type", "extension"),
    [
        ("photo.png", files.image_bytes("PNG"), "image", "image/png", "png"),
        ("photo.jpeg", files.image_bytes("JPEG"), "image", "image/jpeg", "jpg"),
        ("anim.gif", files.image_bytes("GIF"), "image", "image/gif", "gif"),
        ("pic.webp", files.image_bytes("WEBP"), "image", "image/webp", "webp"),
        ("guide.pdf", files.PDF, "pdf", "application/pdf", "pdf"),
        ("clip.mp4", files.MP4, "video", "video/mp4", "mp4"),
        ("clip.webm", files.WEBM, "video", "video/webm", "webm"),
        ("talk.mp3", files.MP3, "audio", "audio/mpeg", "mp3"),
        ("talk.m4a", files.M4A, "audio", "audio/mp4", "m4a"),
        ("talk.ogg", files.OGG, "audio", "audio/ogg", "ogg"),
        (
            "plan.docx",
            files.office_bytes("word/document.xml"),
            "document",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        (
            "rota.xlsx",
            files.office_bytes("xl/workbook.xml"),
            "document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        (
            "deck.pptx",
            files.office_bytes("ppt/presentation.xml"),
            "document",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
        ),
        ("notes.txt", "Café opening hours\n".encode(), "document", "text/plain", "txt"),
        ("shifts.csv", b"name,shift\nMina,early\n", "document", "text/csv", "csv"),
    ],
)
def test_each_accepted_type_is_recognised_by_its_bytes(
    org, name, content, kind, content_type, extension
):
    asset = assets.asset_create(
        owner=org.member,
        upload=files.upload(name, content, "application/x-whatever"),
        allowed=EVERYTHING,
    )
    assert (asset.kind, asset.content_type) == (kind, content_type)
    assert asset.file.name.endswith(f".{extension}")
    assert asset.size == len(content)
    assert asset.owner == org.member
    with asset.file.open("rb") as stored:
        assert stored.read() == content


def test_a_png_renamed_pdf_is_stored_as_the_png_it_is(org):
    asset = assets.asset_create(
        owner=org.member,
        upload=files.upload("Quarterly report.pdf", files.image_bytes("PNG"), "application/pdf"),
        allowed=EVERYTHING,
    )
    assert asset.kind == AssetKind.IMAGE
    assert asset.content_type == "image/png"
    assert asset.file.name == f"assets/{asset.public_id}/quarterly-report.png"
    assert asset.original_name == "Quarterly report.pdf"


def test_a_png_renamed_pdf_is_refused_where_only_documents_are_wanted(org):
    with pytest.raises(ValidationError) as caught:
        assets.asset_create(
            owner=org.member,
            upload=files.upload("report.pdf", files.image_bytes("PNG"), "application/pdf"),
            allowed={AssetKind.PDF},
        )
    assert caught.value.messages == ["That file is not a PDF."]
    assert not Asset.objects.exists()


@pytest.mark.parametrize("content", [files.HTML, files.SVG], ids=["html", "svg"])
def test_markup_named_png_is_refused(org, content, media_root):
    with pytest.raises(ValidationError) as caught:
        assets.asset_create(
            owner=org.member,
            upload=files.upload("cat.png", content, "image/png"),
            allowed={AssetKind.IMAGE},
        )
    assert caught.value.messages == ["That file is not a PNG, JPEG, GIF or WebP image."]
    assert not Asset.objects.exists()
    assert stored_files(media_root) == []


def test_markup_is_not_accepted_as_a_text_document_either(org):
    with pytest.raises(ValidationError, match="not a PDF or a Word, Excel"):
        assets.asset_create(
            owner=org.member,
            upload=files.upload("notes.txt", files.HTML, "text/plain"),
            allowed={AssetKind.PDF, AssetKind.DOCUMENT},
        )


@pytest.mark.parametrize(
    "content",
    [files.MOV, b"\x00\x01\x02binary junk" * 20, b"PK\x03\x04 not really a zip"],
    ids=["quicktime", "binary", "broken-zip"],
)
def test_unknown_content_is_refused(org, content):
    with pytest.raises(ValidationError):
        assets.asset_create(
            owner=org.member, upload=files.upload("x.mp4", content), allowed=EVERYTHING
        )


def test_an_oversized_file_is_refused_before_anything_is_stored(org, settings, media_root):
    settings.PEERPATH_MAX_ASSET_BYTES = 1000
    settings.PEERPATH_MAX_IMAGE_BYTES = 1000
    with pytest.raises(ValidationError) as caught:
        assets.asset_create(
            owner=org.member,
            upload=files.upload("big.pdf", files.PDF + b"x" * 2000),
            allowed=EVERYTHING,
        )
    assert "larger than" in caught.value.messages[0]
    assert stored_files(media_root) == []


def test_images_have_their_own_smaller_limit(org, settings):
    settings.PEERPATH_MAX_IMAGE_BYTES = 100
    with pytest.raises(ValidationError, match="png image is larger than"):
        assets.asset_create(
            owner=org.member,
            upload=files.upload("p.png", files.image_bytes("PNG")),
            allowed=EVERYTHING,
        )
    # The same size is fine for a PDF.
    pdf = assets.asset_create(
        owner=org.member, upload=files.upload("d.pdf", files.PDF + b" " * 200), allowed=EVERYTHING
    )
    assert pdf.kind == AssetKind.PDF


def test_an_empty_file_is_refused(org):
    with pytest.raises(ValidationError, match="empty"):
        assets.asset_create(owner=org.member, upload=files.upload("a.pdf", b""), allowed=EVERYTHING)


def test_a_decompression_bomb_is_refused_without_decoding_it(org, media_root):
    bomb = files.png_claiming(50_000, 50_000)
    assert len(bomb) < 200
    with pytest.raises(ValidationError) as caught:
        assets.asset_create(
            owner=org.member, upload=files.upload("tiny.png", bomb), allowed={AssetKind.IMAGE}
        )
    assert "too large" in caught.value.messages[0]
    assert stored_files(media_root) == []


def test_the_pixel_limit_comes_from_settings(org, settings):
    settings.PEERPATH_MAX_IMAGE_PIXELS = 100 * 100
    with pytest.raises(ValidationError, match=r"200 × 100 pixels"):
        assets.asset_create(
            owner=org.member,
            upload=files.upload("wide.png", files.image_bytes("PNG", (200, 100))),
            allowed={AssetKind.IMAGE},
        )


def test_a_truncated_image_is_refused(org):
    broken = files.image_bytes("JPEG")[:300]
    with pytest.raises(ValidationError, match="damaged"):
        assets.asset_create(
            owner=org.member, upload=files.upload("cut.jpg", broken), allowed={AssetKind.IMAGE}
        )


def test_images_get_a_480px_webp_thumbnail_and_their_size_recorded(org):
    asset = assets.asset_create(
        owner=org.member,
        upload=files.upload("Team photo (final).png", files.image_bytes("PNG", (1200, 800))),
        allowed={AssetKind.IMAGE},
    )
    assert (asset.width, asset.height) == (1200, 800)
    assert asset.thumbnail.name == f"assets/{asset.public_id}/thumb/team-photo-final.webp"
    with asset.thumbnail.open("rb") as stored, Image.open(io.BytesIO(stored.read())) as thumb:
        assert thumb.format == "WEBP"
        assert thumb.size == (480, 320)


def test_exif_orientation_is_applied_to_the_size_and_the_thumbnail(org):
    asset = assets.asset_create(
        owner=org.member,
        upload=files.upload("phone.jpg", files.image_bytes("JPEG", (800, 600), exif_rotate=True)),
        allowed={AssetKind.IMAGE},
    )
    assert (asset.width, asset.height) == (600, 800)
    with asset.thumbnail.open("rb") as stored, Image.open(io.BytesIO(stored.read())) as thumb:
        assert thumb.size == (480, 640)


def test_documents_get_no_thumbnail(org):
    asset = assets.asset_create(
        owner=org.member, upload=files.upload("a.pdf", files.PDF), allowed=EVERYTHING
    )
    assert not asset.thumbnail
    assert asset.width is None


def test_stored_names_are_safe_whatever_the_upload_is_called(org):
    asset = assets.asset_create(
        owner=org.member,
        upload=files.upload("../../etc/<script>passwd.exe.pdf", files.PDF),
        allowed=EVERYTHING,
    )
    assert asset.file.name == f"assets/{asset.public_id}/scriptpasswdexe.pdf"
    assert asset.original_name == "<script>passwd.exe.pdf"


def test_when_the_row_cannot_be_saved_the_files_are_removed(org, media_root):
    with (
        mock.patch.object(Asset, "save", side_effect=IntegrityError("disk full")),
        pytest.raises(IntegrityError),
    ):
        assets.asset_create(
            owner=org.member, upload=files.upload("p.png", files.image_bytes()), allowed=EVERYTHING
        )
    assert stored_files(media_root) == []


def test_deactivated_people_cannot_upload(org):
    gone = UserFactory()
    gone.is_active = False
    with pytest.raises(PermissionDenied):
        assets.asset_create(owner=gone, upload=files.upload("a.pdf", files.PDF), allowed=EVERYTHING)


def test_markdown_snippets(org):
    image = assets.asset_create(
        owner=org.member, upload=files.upload("map.png", files.image_bytes()), allowed=EVERYTHING
    )
    video = assets.asset_create(
        owner=org.member, upload=files.upload("c.mp4", files.MP4), allowed=EVERYTHING
    )
    doc = assets.asset_create(
        owner=org.member, upload=files.upload("Rota [v2].csv", b"a,b\n"), allowed=EVERYTHING
    )
    assert assets.markdown_snippet(image, alt="Floor [plan]") == f"![Floor \\[plan\\]]({image.url})"
    assert assets.markdown_snippet(image) == f"![map]({image.url})"
    assert assets.markdown_snippet(video) == (
        f'<video controls preload="metadata" src="{video.url}"></video>'
    )
    assert assets.markdown_snippet(doc) == f"[Rota \\[v2\\].csv]({doc.url})"
    assert image.url == f"/media/assets/{image.public_id}/map.png"

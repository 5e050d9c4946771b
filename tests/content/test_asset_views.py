"""Uploading from the editor, and serving uploaded files to signed-in colleagues only."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from peerpath.content import assets
from peerpath.content.models import Asset, AssetKind
from peerpath.settings import default_storage
from tests.content import files
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db

UPLOAD = "/create/assets/upload/"


def make_asset(owner, name, content):
    return assets.asset_create(
        owner=owner, upload=files.upload(name, content), allowed=set(AssetKind.values)
    )


def test_upload_url_is_where_the_editor_posts():
    assert reverse("content:asset_upload") == UPLOAD


def test_an_author_uploads_an_image_and_gets_its_markdown(org, client_for, module):
    response = client_for(org.lead).post(
        UPLOAD,
        {
            "file": files.upload("floor.png", files.image_bytes()),
            "alt": "Floor plan",
            "module": module.public_id,
        },
        headers={"HX-Request": "true"},
    )
    asset = Asset.objects.get()
    assert response.status_code == 200
    assert asset.owner == org.lead
    body = response.content.decode()
    assert f'data-snippet="![Floor plan]({asset.url})"' in body
    assert asset.thumbnail_url in body


def test_upload_without_a_module_is_fine_for_a_new_module(org, client_for):
    response = client_for(org.member).post(
        UPLOAD, {"file": files.upload("clip.webm", files.WEBM)}, headers={"HX-Request": "true"}
    )
    asset = Asset.objects.get()
    assert (
        f"&lt;video controls preload=&quot;metadata&quot; src=&quot;{asset.url}&quot;"
        in response.content.decode()
    )


def test_a_refused_file_shows_why_and_stores_nothing(org, client_for):
    response = client_for(org.member).post(
        UPLOAD, {"file": files.upload("cat.png", files.HTML)}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "That file is not a PNG, JPEG, GIF or WebP image, an MP4" in response.content.decode()
    assert not Asset.objects.exists()


def test_without_htmx_the_upload_answers_with_a_page(org, client_for):
    response = client_for(org.member).post(UPLOAD, {"file": files.upload("a.pdf", files.PDF)})
    assert response.status_code == 201
    assert "File uploaded" in response.content.decode()
    assert client_for(org.member).post(UPLOAD, {}).status_code == 400


def test_an_outsider_cannot_upload_into_someone_elses_module(org, client_for, module):
    response = client_for(org.outsider).post(
        UPLOAD,
        {"file": files.upload("x.png", files.image_bytes()), "module": module.public_id},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 403
    assert not Asset.objects.exists()


def test_anonymous_upload_is_sent_to_sign_in(client, db):
    response = client.post(UPLOAD, {"file": files.upload("x.png", files.image_bytes())})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Asset.objects.exists()


def test_images_are_served_inline_with_their_checked_type(org, client_for):
    asset = make_asset(org.lead, "Photo.PNG.pdf", files.image_bytes())
    response = client_for(org.outsider).get(asset.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == files.image_bytes()


def test_thumbnails_are_served_as_webp(org, client_for):
    asset = make_asset(org.lead, "p.png", files.image_bytes())
    response = client_for(org.member).get(asset.thumbnail_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"


def test_office_documents_always_download(org, client_for):
    asset = make_asset(org.lead, "Rota.xlsx", files.office_bytes("xl/workbook.xml"))
    response = client_for(org.member).get(asset.url)
    assert response["Content-Disposition"] == 'attachment; filename="Rota.xlsx"'
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_pdfs_open_inline_and_may_be_framed_by_our_pages_only(org, client_for):
    asset = make_asset(org.lead, "Guide.pdf", files.PDF)
    response = client_for(org.member).get(asset.url)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="Guide.pdf"'
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    download = client_for(org.member).get(asset.url + "?download=1")
    assert download["Content-Disposition"] == 'attachment; filename="Guide.pdf"'


def test_other_names_under_an_asset_are_not_found(org, client_for):
    asset = make_asset(org.lead, "Guide.pdf", files.PDF)
    client = client_for(org.member)
    assert client.get(f"/media/assets/{asset.public_id}/other.pdf").status_code == 404
    assert client.get(f"/media/assets/{asset.public_id}/../../secret_key").status_code == 404
    assert client.get("/media/assets/8c0a3b3e-0000-4000-8000-000000000000/x.pdf").status_code == 404


def test_anonymous_people_cannot_fetch_assets(client, org):
    asset = make_asset(org.lead, "Guide.pdf", files.PDF)
    response = client.get(asset.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_rendered_markdown_keeps_players_for_our_own_files_only(org):
    video = make_asset(org.lead, "c.mp4", files.MP4)
    html = ModuleFactory(
        author=org.lead,
        body_markdown=assets.markdown_snippet(video)
        + '\n\n<video controls src="https://example.com/x.mp4"></video>',
    ).body_html
    assert f'<video controls="" preload="metadata" src="{video.url}"></video>' in html
    assert "example.com" not in html


# --- Storage settings ------------------------------------------------------------------


def test_files_stay_on_disk_unless_a_bucket_is_named():
    assert default_storage({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert default_storage({"PEERPATH_S3_BUCKET": "  "})["BACKEND"].endswith("FileSystemStorage")


def test_a_bucket_switches_to_private_s3_storage():
    config = default_storage(
        {
            "PEERPATH_S3_BUCKET": "learning-files",
            "PEERPATH_S3_ENDPOINT_URL": "https://minio.internal:9000",
            "PEERPATH_S3_REGION": "eu-west-1",
            "PEERPATH_S3_ACCESS_KEY_ID": "key",
            "PEERPATH_S3_SECRET_ACCESS_KEY": "secret",
        }
    )
    assert config == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "learning-files",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 300,
            "endpoint_url": "https://minio.internal:9000",
            "region_name": "eu-west-1",
            "access_key": "key",
            "secret_key": "secret",
        },
    }


def test_the_settings_module_reads_the_bucket_from_the_environment(tmp_path):
    env = {
        **os.environ,
        "PEERPATH_VAR_DIR": str(tmp_path),
        "PEERPATH_S3_BUCKET": "learning-files",
        "DJANGO_SETTINGS_MODULE": "peerpath.settings",
    }
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "storages.backends.s3.S3Storage"


def test_with_s3_assets_redirect_to_a_short_lived_signed_url(org, client_for, settings):
    asset = make_asset(org.lead, "Guide.pdf", files.PDF)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": default_storage(
            {
                "PEERPATH_S3_BUCKET": "learning-files",
                "PEERPATH_S3_ENDPOINT_URL": "https://minio.internal:9000",
                "PEERPATH_S3_REGION": "eu-west-1",
                "PEERPATH_S3_ACCESS_KEY_ID": "key",
                "PEERPATH_S3_SECRET_ACCESS_KEY": "secret",
            }
        ),
    }
    response = client_for(org.member).get(asset.url)
    assert response.status_code == 302
    target = urlparse(response["Location"])
    query = parse_qs(target.query)
    assert target.netloc == "minio.internal:9000"
    assert target.path == f"/learning-files/{asset.file.name}"
    assert {"Signature", "X-Amz-Signature"} & set(query)
    if "X-Amz-Expires" in query:
        assert query["X-Amz-Expires"] == ["300"]
    else:
        assert 290 <= int(query["Expires"][0]) - time.time() <= 300
    assert query["response-content-type"] == ["application/pdf"]
    assert query["response-content-disposition"] == ['inline; filename="Guide.pdf"']

"""Importing SCORM packages: all or nothing, and only by people who may edit the module."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from peerpath.content import services
from peerpath.content.models import ModuleDraft, ModuleKind, ScormPackage
from tests.content import scorm_fixtures as fx
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def stored_files(prefix: str = "scorm") -> list[str]:
    if not default_storage.exists(prefix):
        return []
    folders, files = default_storage.listdir(prefix)
    found = [f"{prefix}/{f}" for f in files]
    for folder in folders:
        found += stored_files(f"{prefix}/{folder}")
    return found


def package_module(author, **kwargs):
    return ModuleFactory(
        author=author,
        title="Phone etiquette",
        kind=ModuleKind.PACKAGE,
        body_markdown="",
        publish=False,
        **kwargs,
    )


def test_import_unpacks_every_file_and_records_the_package(org):
    package = services.scorm_package_import(
        actor=org.member, upload=fx.upload(fx.scorm12_zip(), "phone.zip")
    )
    assert package.title == "Phone etiquette"
    assert package.standard == "scorm12"
    assert package.launch_path == "index.html"
    assert package.file_count == 3
    assert package.mastery_score == 80
    assert package.original_name == "phone.zip"
    assert package.uploaded_by == org.member
    assert sorted(stored_files()) == sorted(
        f"{package.storage_prefix}/{name}"
        for name in ("imsmanifest.xml", "index.html", "css/style.css")
    )
    with default_storage.open(f"{package.storage_prefix}/index.html") as fh:
        assert b"LMSInitialize" in fh.read()


@pytest.mark.parametrize(
    "data",
    [
        fx.traversal_zip(),
        fx.symlink_zip(),
        fx.bomb_zip(),
        fx.no_manifest_zip(),
        fx.bad_xml_zip(),
        fx.missing_launch_zip(),
    ],
    ids=["traversal", "symlink", "bomb", "no-manifest", "bad-xml", "missing-launch"],
)
def test_a_refused_zip_stores_nothing(org, data):
    with pytest.raises(ValidationError):
        services.scorm_package_import(actor=org.member, upload=fx.upload(data))
    assert stored_files() == []
    assert not ScormPackage.objects.exists()


def test_a_failure_while_writing_removes_what_was_written(org):
    real_save = default_storage.save
    calls = []

    def flaky_save(name, content, *args, **kwargs):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(name, content, *args, **kwargs)

    with (
        mock.patch.object(default_storage, "save", side_effect=flaky_save),
        pytest.raises(OSError, match="disk full"),
    ):
        services.scorm_package_import(actor=org.member, upload=fx.upload(fx.scorm12_zip()))
    assert len(calls) == 2
    assert stored_files() == []
    assert not ScormPackage.objects.exists()


def test_attaching_to_a_draft_module_sets_its_package(org):
    module = package_module(org.lead)
    package = services.module_attach_package(
        actor=org.lead, module=module, upload=fx.upload(fx.scorm2004_zip())
    )
    module.refresh_from_db()
    assert module.package == package
    assert package.standard == "scorm2004"
    services.module_publish(actor=org.lead, module=module)
    assert module.versions.get().package == package


def test_attaching_to_a_published_module_waits_in_its_draft(org):
    module = package_module(org.lead)
    first = services.module_attach_package(
        actor=org.lead, module=module, upload=fx.upload(fx.scorm12_zip())
    )
    services.module_publish(actor=org.lead, module=module)
    second = services.module_attach_package(
        actor=org.lead, module=module, upload=fx.upload(fx.scorm2004_zip())
    )
    module.refresh_from_db()
    assert module.package == first
    assert ModuleDraft.objects.get(module=module).package == second


def test_a_package_is_only_for_a_package_module(org):
    module = ModuleFactory(author=org.lead)
    with pytest.raises(ValidationError):
        services.module_attach_package(
            actor=org.lead, module=module, upload=fx.upload(fx.scorm12_zip())
        )
    assert stored_files() == []


def test_an_outsider_cannot_attach_a_package(org):
    module = package_module(org.lead)
    with pytest.raises(PermissionDenied):
        services.module_attach_package(
            actor=org.outsider, module=module, upload=fx.upload(fx.scorm12_zip())
        )
    module.refresh_from_db()
    assert module.package is None
    assert stored_files() == []


def test_a_failure_after_import_removes_the_files(org):
    module = package_module(org.lead)
    with (
        mock.patch.object(services, "module_update", side_effect=ValidationError("nope")),
        pytest.raises(ValidationError),
    ):
        services.module_attach_package(
            actor=org.lead, module=module, upload=fx.upload(fx.scorm12_zip())
        )
    assert stored_files() == []
    assert not ScormPackage.objects.exists()


# --- The upload page ------------------------------------------------------------------------


def test_new_package_module_goes_straight_to_the_upload_page(org, client_for):
    response = client_for(org.admin).post(
        reverse("content:new"),
        {
            "kind": "package",
            "title": "Phone etiquette",
            "summary": "Answer the phone well.",
            "estimated_minutes": "10",
            "save": "1",
        },
    )
    module = org.admin.owned_modules.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("content:package", args=[module.public_id])


def test_author_uploads_a_package_and_sees_it(org, client_for):
    module = package_module(org.lead)
    url = reverse("content:package", args=[module.public_id])
    client = client_for(org.lead)
    assert "Upload package" in client.get(url).content.decode()
    response = client.post(url, {"package": fx.upload(fx.scorm12_zip())})
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.package is not None
    page = client.get(url).content.decode()
    assert "SCORM 1.2" in page
    assert "Replace package" in page
    editor = client.get(reverse("content:edit", args=[module.public_id])).content.decode()
    assert "SCORM 1.2" in editor
    assert "Replace the package" in editor


def test_a_refused_upload_shows_the_reason(org, client_for):
    module = package_module(org.lead)
    response = client_for(org.lead).post(
        reverse("content:package", args=[module.public_id]),
        {"package": fx.upload(fx.traversal_zip())},
    )
    assert response.status_code == 200
    assert "leaves the package folder" in response.content.decode()
    assert stored_files() == []


@pytest.mark.parametrize("who", ["outsider", "member"])
def test_people_who_cannot_edit_the_module_cannot_upload(org, client_for, who):
    module = package_module(org.lead)
    url = reverse("content:package", args=[module.public_id])
    client = client_for(getattr(org, who))
    assert client.get(url).status_code == 403
    assert client.post(url, {"package": fx.upload(fx.scorm12_zip())}).status_code == 403
    module.refresh_from_db()
    assert module.package is None
    assert stored_files() == []


def test_the_upload_page_is_only_for_package_modules(org, client_for):
    module = ModuleFactory(author=org.lead)
    response = client_for(org.lead).get(reverse("content:package", args=[module.public_id]))
    assert response.status_code == 404


def test_the_upload_page_takes_bodies_past_the_site_wide_cap(org, client_for, settings):
    settings.PEERPATH_MAX_UPLOAD_BYTES = 1000
    module = package_module(org.lead)
    url = reverse("content:package", args=[module.public_id])
    response = client_for(org.lead).post(url, {"package": fx.upload(fx.scorm12_zip())})
    assert response.status_code == 302
    settings.PEERPATH_SCORM_MAX_UPLOAD_BYTES = 1000
    response = client_for(org.lead).post(url, {"package": fx.upload(fx.scorm12_zip())})
    assert response.status_code == 413

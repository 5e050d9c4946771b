"""Document modules: the author uploads a PDF or office file; learners read or download it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerpath.content import assets, selectors, services
from peerpath.content.models import Asset, AssetKind, Module, ModuleDraft
from tests.content import files
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db


def make_document(owner, name="Guide.pdf", content=files.PDF):
    return assets.asset_create(
        owner=owner, upload=files.upload(name, content), allowed={AssetKind.PDF, AssetKind.DOCUMENT}
    )


@pytest.fixture
def draft_file_module(org):
    return ModuleFactory(
        author=org.lead, title="Safety handbook", kind="file", body_markdown="", publish=False
    )


def upload_document(client, module, name, content):
    return client.post(
        reverse("content:document", args=[module.public_id]),
        {"document": files.upload(name, content)},
    )


def test_a_new_document_module_goes_to_the_editor_to_upload_its_file(org, client_for):
    response = client_for(org.member).post(
        reverse("content:new"),
        {
            "kind": "file",
            "title": "Handbook",
            "summary": "The handbook.",
            "estimated_minutes": "5",
            "save": "1",
        },
    )
    module = Module.objects.get()
    assert response["Location"] == reverse("content:edit", args=[module.public_id])
    editor = client_for(org.member).get(response["Location"]).content.decode()
    assert f'action="/create/{module.public_id}/document/"' in editor
    assert "Upload document" in editor


def test_an_author_uploads_the_document_of_a_draft_module(org, client_for, draft_file_module):
    response = upload_document(
        client_for(org.lead), draft_file_module, "Handbook v1.pdf", files.PDF
    )
    assert response.status_code == 302
    draft_file_module.refresh_from_db()
    assert draft_file_module.document.original_name == "Handbook v1.pdf"
    assert draft_file_module.title == "Safety handbook"
    services.module_publish(actor=org.lead, module=draft_file_module)
    assert draft_file_module.versions.get().document == draft_file_module.document


def test_a_published_modules_new_document_waits_in_the_draft(org, client_for):
    first = make_document(org.lead, "v1.pdf")
    module = ModuleFactory(author=org.lead, kind="file", body_markdown="", document=first)
    upload_document(
        client_for(org.lead), module, "v2.docx", files.office_bytes("word/document.xml")
    )
    module.refresh_from_db()
    assert module.document == first
    draft = ModuleDraft.objects.get(module=module)
    assert draft.document.original_name == "v2.docx"
    assert selectors.working_copy(module).document == draft.document
    services.module_publish(actor=org.lead, module=module)
    module.refresh_from_db()
    assert module.document.original_name == "v2.docx"


def test_a_file_that_is_not_a_document_is_refused_with_a_message(
    org, client_for, draft_file_module
):
    client = client_for(org.lead)
    response = upload_document(client, draft_file_module, "photo.pdf", files.image_bytes())
    draft_file_module.refresh_from_db()
    assert draft_file_module.document is None
    assert not Asset.objects.exists()
    editor = client.get(response["Location"]).content.decode()
    assert (
        "That file is not a PDF or a Word, Excel, PowerPoint, OpenDocument, text or CSV file."
        in editor
    )


def test_outsiders_cannot_upload_a_modules_document(org, client_for, draft_file_module):
    response = upload_document(client_for(org.outsider), draft_file_module, "x.pdf", files.PDF)
    assert response.status_code == 403
    assert not Asset.objects.exists()


def test_only_document_modules_take_a_document(org, client_for, module):
    response = upload_document(client_for(org.lead), module, "x.pdf", files.PDF)
    assert response.status_code == 404
    assert not Asset.objects.exists()


def test_a_pdf_shows_inline_with_a_download_link(org, client_for):
    pdf = make_document(org.lead, "Safety handbook.pdf")
    module = ModuleFactory(
        author=org.lead, kind="file", body_markdown="Read sections 1–3.", document=pdf
    )
    body = (
        client_for(org.member)
        .get(reverse("learning:module", args=[module.public_id, module.slug]))
        .content.decode()
    )
    assert (
        f'<iframe class="document__frame" src="{pdf.url}#view=FitH" '
        'title="Safety handbook.pdf (PDF)">' in body
    )
    assert f'href="{pdf.url}?download=1" download' in body
    assert "Read sections 1–3." in body


def test_other_documents_show_as_a_download_card_with_type_and_size(org, client_for):
    doc = make_document(org.lead, "Rota.xlsx", files.office_bytes("xl/workbook.xml"))
    module = ModuleFactory(author=org.lead, kind="file", body_markdown="", document=doc)
    body = (
        client_for(org.member)
        .get(reverse("learning:module", args=[module.public_id, module.slug]))
        .content.decode()
    )
    assert "<iframe" not in body
    assert "Excel workbook · " in body
    assert "Rota.xlsx" in body
    assert ">XLSX<" in body

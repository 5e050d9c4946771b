from __future__ import annotations

import pytest
from django.urls import reverse

from peerpath.content.models import Module, ModuleStatus
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db

VALID = {
    "title": "Warm transfers",
    "summary": "Hand a caller over without making them repeat themselves.",
    "estimated_minutes": "8",
    "body_markdown": "## Why\n\nBecause customers hate repeating themselves.",
}


def test_anyone_can_create_and_publish(org, client_for):
    response = client_for(org.member).post(reverse("content:new"), {**VALID, "publish": "1"})
    module = Module.objects.get()
    assert response.status_code == 302
    assert module.owner == org.member
    assert module.status == ModuleStatus.PUBLISHED


def test_saving_a_draft(org, client_for):
    client_for(org.member).post(reverse("content:new"), {**VALID, "save": "1"})
    assert Module.objects.get().status == ModuleStatus.DRAFT


def test_invalid_form_rerenders_with_field_errors_and_saves_nothing(org, client_for):
    response = client_for(org.member).post(
        reverse("content:new"), {**VALID, "title": "", "estimated_minutes": "-3"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required" in body
    assert "greater than or equal to" in body
    assert not Module.objects.exists()


def test_only_the_owner_edits(org, client_for):
    module = ModuleFactory(author=org.member)
    url = reverse("content:edit", args=[module.public_id])
    assert client_for(org.outsider).get(url).status_code == 403
    response = client_for(org.outsider).post(url, {**VALID, "title": "Hijack"})
    assert response.status_code == 403
    module.refresh_from_db()
    assert module.title != "Hijack"
    assert client_for(org.member).post(url, {**VALID, "publish": "1"}).status_code == 302
    module.refresh_from_db()
    assert module.title == "Warm transfers"


def test_unpublish_is_owner_only(org, client_for):
    module = ModuleFactory(author=org.member)
    url = reverse("content:unpublish", args=[module.public_id])
    assert client_for(org.outsider).post(url).status_code == 403
    module.refresh_from_db()
    assert module.is_published
    client_for(org.member).post(url)
    module.refresh_from_db()
    assert not module.is_published


def test_my_modules_lists_only_mine(org, client_for):
    ModuleFactory(author=org.member, title="Mine")
    ModuleFactory(author=org.outsider, title="Theirs")
    body = client_for(org.member).get(reverse("content:mine")).content.decode()
    assert "Mine" in body
    assert "Theirs" not in body


def test_owner_adds_co_authors_by_email_and_unknown_addresses_are_refused(org, client_for):
    module = ModuleFactory(author=org.member)
    url = reverse("content:edit", args=[module.public_id])
    response = client_for(org.member).post(
        url, {**VALID, "co_authors": f"{org.lead.email}, ghost@example.com"}
    )
    assert "ghost@example.com" in response.content.decode()
    assert not module.co_authors.exists()
    client_for(org.member).post(url, {**VALID, "co_authors": org.lead.email.upper()})
    assert list(module.co_authors.all()) == [org.lead]
    # The co-author now edits, but the co-author field is not theirs to change.
    page = client_for(org.lead).get(url).content.decode()
    assert 'name="co_authors"' not in page
    edit = {**VALID, "title": "Edited by lead", "publish": "1"}
    assert client_for(org.lead).post(url, edit).status_code == 302
    module.refresh_from_db()
    assert module.title == "Edited by lead"
    assert list(module.co_authors.all()) == [org.lead]
    assert "Edited by lead" in client_for(org.lead).get(reverse("content:mine")).content.decode()


def test_editing_a_published_module_saves_a_draft_learners_do_not_see(org, client_for):
    module = ModuleFactory(author=org.member, title="Warm transfers v1")
    url = reverse("content:edit", args=[module.public_id])
    client_for(org.member).post(url, {**VALID, "title": "Warm transfers v2"})
    module.refresh_from_db()
    assert module.title == "Warm transfers v1"
    learner_page = client_for(org.outsider).get(
        reverse("learning:module", args=[module.public_id, module.slug])
    )
    assert "Warm transfers v1" in learner_page.content.decode()
    editor = client_for(org.member).get(url).content.decode()
    assert "Warm transfers v2" in editor
    assert "unpublished changes" in editor


def test_autosave_keeps_the_draft_and_reports_problems(org, client_for):
    module = ModuleFactory(author=org.member)
    url = reverse("content:autosave", args=[module.public_id])
    saved = client_for(org.member).post(
        url, {**VALID, "title": "Autosaved"}, HTTP_HX_REQUEST="true"
    )
    assert "Draft saved" in saved.content.decode()
    assert module.draft.title == "Autosaved"
    bad = client_for(org.member).post(url, {**VALID, "title": ""}, HTTP_HX_REQUEST="true")
    assert "Not saved" in bad.content.decode()
    assert client_for(org.outsider).post(url, VALID).status_code == 403


def test_history_and_restore_are_for_editors_only(org, client_for):
    module = ModuleFactory(author=org.member)
    history = reverse("content:history", args=[module.public_id])
    restore = reverse("content:restore", args=[module.public_id, 1])
    assert client_for(org.outsider).get(history).status_code == 403
    assert client_for(org.outsider).post(restore).status_code == 403
    assert client_for(org.member).get(history + "?v=9").status_code == 404
    assert client_for(org.member).get(history + "?v=1").status_code == 200

"""Slide decks on the module page: slides for everyone, notes for authors, progress by slide."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peerpath.learning import services
from peerpath.learning.models import ModuleProgress
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db

DECK = """# Warm transfers

Note: SECRET-NOTE-ONE ask the room first.

---

## Explain why

Note:
SECRET-NOTE-TWO

---

## Stay on the line

---

## Introduce the caller
"""


@pytest.fixture
def deck(org):
    return ModuleFactory(
        author=org.lead, title="Warm transfers deck", kind="deck", body_markdown=DECK
    )


def page_of(client, module):
    return client.get(reverse("learning:module", args=[module.public_id, module.slug]))


def position(client, module, slide):
    return client.post(reverse("learning:position", args=[module.public_id]), {"slide": slide})


def test_learners_get_every_slide_but_never_the_speaker_notes(org, client_for, deck):
    body = page_of(client_for(org.member), deck).content.decode()
    assert body.count('aria-roledescription="slide"') == 4
    assert 'aria-label="3 of 4"' in body
    assert "<h2>Stay on the line</h2>" in body
    assert "SECRET-NOTE" not in body
    assert "Speaker notes" not in body


def test_authors_see_their_notes(org, client_for, deck):
    body = page_of(client_for(org.lead), deck).content.decode()
    assert "SECRET-NOTE-ONE ask the room first." in body
    assert "SECRET-NOTE-TWO" in body
    assert "Speaker notes" in body


def test_co_authors_and_admins_see_notes_outsiders_do_not(org, client_for, deck):
    deck.co_authors.add(org.member)
    assert "SECRET-NOTE-TWO" in page_of(client_for(org.member), deck).content.decode()
    assert "SECRET-NOTE-TWO" in page_of(client_for(org.admin), deck).content.decode()
    assert "SECRET-NOTE-TWO" not in page_of(client_for(org.outsider), deck).content.decode()


def test_the_deck_reports_the_furthest_slide_and_progress_never_goes_back(org, client_for, deck):
    client = client_for(org.member)
    page_of(client, deck)
    assert position(client, deck, 3).json() == {"percent": 75, "resume_at": "3"}
    assert position(client, deck, 2).json() == {"percent": 75, "resume_at": "3"}
    progress = ModuleProgress.objects.get(user=org.member, module=deck)
    assert (progress.percent, progress.resume_at, progress.status) == (75, "3", "in_progress")


def test_reopening_resumes_at_the_furthest_slide(org, client_for, deck):
    client = client_for(org.member)
    position(client, deck, 3)
    body = page_of(client, deck).content.decode()
    assert 'data-start="3"' in body
    assert "Picking up where you left off, at slide 3." in body


def test_slide_numbers_outside_the_deck_are_refused(org, client_for, deck):
    client = client_for(org.member)
    for slide in ["0", "5", "two", ""]:
        assert position(client, deck, slide).status_code == 400
    assert not ModuleProgress.objects.filter(percent__gt=0).exists()


def test_only_decks_report_positions(org, client_for, module):
    assert position(client_for(org.member), module, 1).status_code == 400


def test_nobody_records_progress_on_a_draft_deck(org, client_for):
    draft = ModuleFactory(author=org.lead, kind="deck", body_markdown=DECK, publish=False)
    assert position(client_for(org.outsider), draft, 1).status_code == 403
    assert position(client_for(org.lead), draft, 1).status_code == 403
    assert not ModuleProgress.objects.exists()


def test_anonymous_position_reports_are_sent_to_sign_in(client, deck):
    response = position(client, deck, 1)
    assert response.status_code == 302
    assert not ModuleProgress.objects.exists()


def test_position_reports_need_post(org, client_for, deck):
    assert (
        client_for(org.member).get(reverse("learning:position", args=[deck.public_id])).status_code
        == 405
    )


def test_the_service_refuses_percentages_out_of_range(org, deck):
    with pytest.raises(ValidationError):
        services.progress_record_position(user=org.member, module=deck, percent=101, resume_at="9")


def test_the_service_checks_permission(org):
    draft = ModuleFactory(author=org.lead, kind="deck", body_markdown=DECK, publish=False)
    with pytest.raises(PermissionDenied):
        services.progress_record_position(user=org.member, module=draft, percent=50, resume_at="2")


def test_recording_a_position_keeps_a_completion(org, deck):
    services.progress_complete(user=org.member, module=deck)
    progress = services.progress_record_position(
        user=org.member, module=deck, percent=25, resume_at="1"
    )
    assert progress.status == "completed"
    # Completing counts as seeing it all; an earlier slide reported later changes nothing.
    assert progress.percent == 100


def test_the_last_slide_offers_completion_to_learners(org, client_for, deck):
    body = page_of(client_for(org.member), deck).content.decode()
    assert "That was the last slide." in body


def test_a_deck_without_slides_says_so(org, client_for):
    empty = ModuleFactory(author=org.lead, kind="deck", body_markdown="---\n", publish=False)
    assert "This deck has no slides yet." in page_of(client_for(org.lead), empty).content.decode()


def test_a_deck_with_questions_sends_learners_to_the_quiz_at_the_end(org, client_for):
    deck = ModuleFactory(
        author=org.lead,
        kind="deck",
        body_markdown="# One\n\n---\n\n# Two\n",
        quiz_source="? Ready?\n(x) Yes\n( ) No\n",
    )
    body = page_of(client_for(org.member), deck).content.decode()
    assert "Answer the questions below to complete the deck." in body
    assert 'href="#quiz"' in body
    assert "Mark the deck done" not in body

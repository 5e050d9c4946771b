"""Notes while learning: private by default, published to the profile and the module page,
edited and deleted in place, and exported as Markdown and CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from peerpath.social import notes
from peerpath.social.activity import activity_visibility_set
from peerpath.social.models import Activity, Note, Verb, Visibility
from tests.factories import ModuleFactory


def _note_activity():
    return Activity.objects.filter(verb=Verb.NOTE_PUBLISHED)


pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def panel_url(module):
    return reverse("social:module_notes", args=[module.public_id])


# --- Rules -------------------------------------------------------------------------------


def test_a_note_is_private_until_published(org, module):
    note = notes.note_create(author=org.member, module=module, body="  Breathe first.  ")

    assert note.body == "Breathe first."
    assert not note.is_public
    assert not _note_activity().exists()


def test_publishing_posts_activity_and_unpublishing_withdraws_it(org, module):
    activity_visibility_set(person=org.member, visibility=Visibility.TEAM)
    note = notes.note_create(author=org.member, module=module, body="Name the feeling.")

    notes.note_publish(actor=org.member, note=note)
    activity = _note_activity().get()
    assert activity.verb == "note_published"
    assert (activity.actor, activity.module) == (org.member, module)
    assert activity.excerpt == "Name the feeling."
    assert activity.visibility == Visibility.TEAM
    assert activity.team == org.member.team
    assert note.published_at is not None

    notes.note_unpublish(actor=org.member, note=note)
    assert not _note_activity().exists()
    assert not Note.objects.get().is_public


def test_editing_a_published_note_updates_its_activity(org, module):
    note = notes.note_create(author=org.member, module=module, body="First.", public=True)

    notes.note_update(actor=org.member, note=note, body="Second thoughts.")

    assert _note_activity().get().excerpt == "Second thoughts."


def test_only_the_author_changes_a_note(org, module):
    note = notes.note_create(author=org.member, module=module, body="Mine.")

    for change in (
        lambda: notes.note_update(actor=org.manager, note=note, body="Theirs."),
        lambda: notes.note_publish(actor=org.admin, note=note),
        lambda: notes.note_delete(actor=org.lead, note=note),
    ):
        with pytest.raises(PermissionDenied):
            change()
    note.refresh_from_db()
    assert (note.body, note.is_public) == ("Mine.", False)


def test_an_empty_or_too_long_note_is_refused(org, module):
    with pytest.raises(ValidationError, match="Write something"):
        notes.note_create(author=org.member, module=module, body="   ")
    with pytest.raises(ValidationError, match="Keep a note to 5000 characters"):
        notes.note_create(author=org.member, module=module, body="x" * 5001)
    assert not Note.objects.exists()


def test_notes_are_taken_only_on_published_modules(org):
    draft = ModuleFactory(author=org.member, publish=False)

    with pytest.raises(PermissionDenied):
        notes.note_create(author=org.member, module=draft, body="Too early.")
    assert not Note.objects.exists()


def test_note_taking_is_rate_limited(org, module, monkeypatch):
    monkeypatch.setattr(notes, "NOTES_PER_HOUR", 2)
    for n in range(2):
        notes.note_create(author=org.member, module=module, body=f"Note {n}")

    with pytest.raises(ValidationError, match="You have written 2 notes in the last hour"):
        notes.note_create(author=org.member, module=module, body="One more")
    assert Note.objects.count() == 2


def test_a_note_a_moderator_hid_cannot_be_published_again(org, module):
    note = notes.note_create(author=org.member, module=module, body="Rude.", public=True)
    note.hidden_at = timezone.now()
    note.save()
    notes.note_activity_withdraw(note=note)
    notes.note_unpublish(actor=org.member, note=note)

    with pytest.raises(ValidationError, match="A moderator hid this note"):
        notes.note_publish(actor=org.member, note=note)
    assert not Note.objects.get().is_public
    assert not _note_activity().exists()


def test_deleting_a_published_note_removes_its_activity(org, module):
    note = notes.note_create(author=org.member, module=module, body="Gone soon.", public=True)

    notes.note_delete(actor=org.member, note=note)

    assert not Note.objects.exists()
    assert not _note_activity().exists()


# --- The module page's notes panel -----------------------------------------------------------


def test_the_module_page_loads_the_notes_panel(org, client_for, module):
    page = client_for(org.member).get(
        reverse("learning:module", args=[module.public_id, module.slug])
    )

    assert f'hx-get="{panel_url(module)}"'.encode() in page.content


def test_private_notes_show_only_to_their_author(org, client_for, module):
    notes.note_create(author=org.member, module=module, body="Keep calm and log it.")
    notes.note_create(author=org.member, module=module, body="Ask open questions.", public=True)

    own = client_for(org.member).get(panel_url(module), **HTMX)
    for viewer in (org.lead, org.manager, org.admin, org.outsider):
        other = client_for(viewer).get(panel_url(module), **HTMX)
        assert b"Keep calm and log it" not in other.content
        assert b"Ask open questions" in other.content
        assert b"Mina Member" in other.content
    assert b"Keep calm and log it" in own.content


def test_a_note_is_taken_in_the_panel(org, client_for, module):
    response = client_for(org.member).post(
        panel_url(module), {"body": "Use their **name**.", "public": "on"}, **HTMX
    )

    assert b"Note published." in response.content
    assert b"<strong>name</strong>" in response.content
    assert Note.objects.get().is_public


def test_a_note_without_javascript_goes_back_to_the_module(org, client_for, module):
    response = client_for(org.member).post(panel_url(module), {"body": "Plain."})

    assert response.status_code == 302
    assert response["Location"].endswith("#notes")
    assert not Note.objects.get().is_public


def test_an_empty_note_is_shown_back_with_its_error(org, client_for, module):
    response = client_for(org.member).post(panel_url(module), {"body": ""}, **HTMX)

    assert b"Write something in your note." in response.content
    assert not Note.objects.exists()


def test_notes_are_rendered_safely(org, client_for, module):
    notes.note_create(
        author=org.member,
        module=module,
        body='<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="alert(1)">',
        public=True,
    )

    response = client_for(org.outsider).get(panel_url(module), **HTMX)

    assert b"<script>alert(1)" not in response.content
    assert b'href="javascript:' not in response.content
    assert b"onerror" not in response.content


def test_a_draft_module_has_no_notes_panel_for_others(org, client_for):
    draft = ModuleFactory(author=org.member, publish=False)

    assert client_for(org.outsider).get(panel_url(draft), **HTMX).status_code == 403


def test_editing_publishing_and_deleting_in_place(org, client_for, module):
    note = notes.note_create(author=org.member, module=module, body="Draft thought.")
    client = client_for(org.member)

    form = client.get(reverse("social:note_edit", args=[note.public_id]), **HTMX)
    saved = client.post(
        reverse("social:note_edit", args=[note.public_id]), {"body": "Better thought."}, **HTMX
    )
    published = client.post(
        reverse("social:note_publish", args=[note.public_id]), {"publish": "1"}, **HTMX
    )
    deleted = client.post(reverse("social:note_delete", args=[note.public_id]), **HTMX)

    assert b"Draft thought." in form.content
    assert b"Better thought." in saved.content
    assert b"Make private" in published.content
    assert deleted.content == b""
    assert not Note.objects.exists()


def test_someone_elses_private_note_is_not_found(org, client_for, module):
    note = notes.note_create(author=org.member, module=module, body="Secret.")
    client = client_for(org.manager)

    for url in (
        reverse("social:note_edit", args=[note.public_id]),
        reverse("social:note_row", args=[note.public_id]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("social:note_delete", args=[note.public_id])).status_code == 404
    assert Note.objects.exists()


def test_someone_elses_published_note_cannot_be_changed(org, client_for, module):
    note = notes.note_create(author=org.member, module=module, body="Shared.", public=True)
    client = client_for(org.manager)

    edit = client.post(reverse("social:note_edit", args=[note.public_id]), {"body": "Mine now"})
    unpublish = client.post(reverse("social:note_publish", args=[note.public_id]), {"publish": "0"})

    assert edit.status_code == 403
    assert unpublish.status_code == 403
    note.refresh_from_db()
    assert (note.body, note.is_public) == ("Shared.", True)


def test_the_module_public_notes_page_lists_published_notes_only(org, client_for, module):
    notes.note_create(author=org.member, module=module, body="Published one.", public=True)
    notes.note_create(author=org.member, module=module, body="Private one.")
    hidden = notes.note_create(author=org.lead, module=module, body="Hidden one.", public=True)
    hidden.hidden_at = timezone.now()
    hidden.save()

    response = client_for(org.outsider).get(
        reverse("social:module_public_notes", args=[module.public_id])
    )

    assert b"Published one." in response.content
    assert b"Private one." not in response.content
    assert b"Hidden one." not in response.content


def test_the_notes_panel_takes_the_same_queries_at_two_sizes(
    org, client_for, module, django_assert_max_num_queries
):
    client = client_for(org.member)
    url = panel_url(module)

    def grow(n):
        for i in range(n):
            notes.note_create(author=org.member, module=module, body=f"Mine {i}")
            notes.note_create(author=org.lead, module=module, body=f"Theirs {i}", public=True)

    grow(1)
    client.get(url, **HTMX)
    with django_assert_max_num_queries(12) as small:
        client.get(url, **HTMX)
    grow(8)
    with django_assert_max_num_queries(12) as large:
        client.get(url, **HTMX)

    assert len(small.captured_queries) == len(large.captured_queries)


# --- My notes and export -----------------------------------------------------------------


def test_my_notes_lists_only_mine(org, client_for, module):
    notes.note_create(author=org.member, module=module, body="Mine, privately.")
    notes.note_create(author=org.lead, module=module, body="Leo's, publicly.", public=True)

    response = client_for(org.member).get(reverse("social:my_notes"))

    assert b"Mine, privately." in response.content
    assert b"Leo&#x27;s, publicly." not in response.content
    assert module.title.encode() in response.content


def test_my_notes_export_as_markdown(org, client_for, module):
    notes.note_create(author=org.member, module=module, body="- listen\n- confirm")
    notes.note_create(author=org.lead, module=module, body="Not mine.")

    response = client_for(org.member).get(reverse("social:notes_export_md"))
    text = b"".join(response.streaming_content).decode()

    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="peerpath-notes-')
    assert text.startswith("# Notes by Mina Member")
    assert f"## {module.title}" in text
    assert "(private)" in text
    assert "- listen\n- confirm" in text
    assert "Not mine." not in text


def test_my_notes_export_as_csv_with_formulas_neutralised(org, client_for, module):
    notes.note_create(author=org.member, module=module, body='=HYPERLINK("http://x")')
    notes.note_create(author=org.member, module=module, body="Plain, with a comma.", public=True)

    response = client_for(org.member).get(reverse("social:notes_export_csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))

    assert rows[0] == ["created_at", "updated_at", "module", "module_url", "published", "note"]
    bodies = {row[5]: row[4] for row in rows[1:]}
    assert bodies == {"Plain, with a comma.": "yes", '\'=HYPERLINK("http://x")': "no"}
    assert rows[1][3].startswith("http://testserver/learn/m/")


def test_a_persons_notes_page_lists_their_published_notes_only(org, client_for, module):
    for n in range(5):
        notes.note_create(author=org.member, module=module, body=f"Public {n}.", public=True)
    notes.note_create(author=org.member, module=module, body="Private thought.")
    client = client_for(org.outsider)

    profile = client.get(reverse("people:profile", args=[org.member.public_id]))
    page = client.get(reverse("social:person_notes", args=[org.member.public_id]))

    assert reverse("social:person_notes", args=[org.member.public_id]).encode() in profile.content
    assert page.content.count(b"Public ") == 5
    assert b"Private thought." not in page.content


def test_my_notes_takes_the_same_queries_at_two_sizes(
    org, client_for, module, django_assert_max_num_queries
):
    client = client_for(org.member)
    url = reverse("social:my_notes")
    other = ModuleFactory(author=org.lead)

    def grow(n):
        for i in range(n):
            notes.note_create(author=org.member, module=module, body=f"On one {i}")
            notes.note_create(author=org.member, module=other, body=f"On two {i}", public=True)

    grow(1)
    client.get(url)
    with django_assert_max_num_queries(10) as small:
        client.get(url)
    grow(10)
    with django_assert_max_num_queries(10) as large:
        client.get(url)

    assert len(small.captured_queries) == len(large.captured_queries)

"""Notes learners keep on a module while learning.

A note is private to its author until they publish it; a published note shows on their
profile and on the module's page (and, as activity, in their followers' feeds, under
their activity setting). Notes are Markdown, rendered and sanitised when shown. Authors
export their own notes as Markdown or CSV.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from peerpath.content.rendering import render_markdown
from peerpath.core import permissions
from peerpath.social.models import Activity, Note, Verb
from peerpath.social.profiles import visibility_of

if TYPE_CHECKING:
    from peerpath.content.models import Module
    from peerpath.people.models import User

BODY_MAX = 5000
NOTES_PER_HOUR = 60
NOTES_PER_MODULE = 100
RATE_WINDOW = timedelta(hours=1)
EXCERPT_MAX = 200


def _clean_body(body: str) -> str:
    text = body.replace("\r\n", "\n").replace("\x00", "").strip()
    if not text:
        raise ValidationError({"body": "Write something in your note."})
    if len(text) > BODY_MAX:
        raise ValidationError(
            {"body": f"Keep a note to {BODY_MAX} characters (this one has {len(text)})."}
        )
    return text


def _excerpt(body: str) -> str:
    line = " ".join(body.split())
    return line if len(line) <= EXCERPT_MAX else line[: EXCERPT_MAX - 1].rstrip() + "…"


def _require_author(actor: User, note: Note) -> None:
    if not permissions.can_manage_note(actor, note):
        raise PermissionDenied("Only the note's author can change it.")


# --- Writes ------------------------------------------------------------------------------


@transaction.atomic
def note_create(*, author: User, module: Module, body: str, public: bool = False) -> Note:
    """Take a note on a module (private unless ``public``)."""
    if not permissions.can_take_notes(author, module):
        raise PermissionDenied("You can take notes only on published modules you can open.")
    text = _clean_body(body)
    # Lock the author's row so notes sent at once cannot both slip under the allowance.
    get_user_model().objects.select_for_update().filter(pk=author.pk).first()
    since = timezone.now() - RATE_WINDOW
    if Note.objects.filter(author=author, created_at__gt=since).count() >= NOTES_PER_HOUR:
        raise ValidationError(
            f"You have written {NOTES_PER_HOUR} notes in the last hour, the most for an hour. "
            "Try again a little later."
        )
    if Note.objects.filter(author=author, module=module).count() >= NOTES_PER_MODULE:
        raise ValidationError(
            f"You have {NOTES_PER_MODULE} notes on this module, the most for one module. "
            "Edit or delete one first."
        )
    note = Note(author=author, module=module, body=text)
    note.full_clean()
    note.save()
    if public:
        note_publish(actor=author, note=note)
    return note


@transaction.atomic
def note_update(*, actor: User, note: Note, body: str) -> Note:
    _require_author(actor, note)
    note.body = _clean_body(body)
    note.full_clean()
    note.save(update_fields=["body", "updated_at"])
    if note.is_public:
        Activity.objects.filter(verb=Verb.NOTE_PUBLISHED, source_key=_source_key(note)).update(
            excerpt=_excerpt(note.body)
        )
    return note


def _source_key(note: Note) -> str:
    return f"note:{note.public_id}"


@transaction.atomic
def note_publish(*, actor: User, note: Note) -> Note:
    """Show a note on one's profile and the module's page."""
    _require_author(actor, note)
    if not permissions.can_take_notes(actor, note.module):
        raise ValidationError("The module is no longer published; the note stays private.")
    if note.hidden_at is not None:
        raise ValidationError("A moderator hid this note; it cannot be published again.")
    if note.is_public:
        return note
    note.is_public = True
    note.published_at = timezone.now()
    note.save(update_fields=["is_public", "published_at", "updated_at"])
    team = note.author.team
    Activity.objects.get_or_create(
        verb=Verb.NOTE_PUBLISHED,
        source_key=_source_key(note),
        defaults={
            "actor": note.author,
            "module": note.module,
            "excerpt": _excerpt(note.body),
            "visibility": visibility_of(note.author),
            "team": team,
            "department_id": team.department_id if team is not None else None,
            "created_at": note.published_at,
        },
    )
    return note


@transaction.atomic
def note_unpublish(*, actor: User, note: Note) -> Note:
    """Make a published note private again; it leaves the profile, module page and feeds."""
    _require_author(actor, note)
    if note.is_public:
        note.is_public = False
        note.published_at = None
        note.save(update_fields=["is_public", "published_at", "updated_at"])
    Activity.objects.filter(verb=Verb.NOTE_PUBLISHED, source_key=_source_key(note)).delete()
    return note


def note_activity_withdraw(*, note: Note) -> None:
    """Take a note's activity out of feeds (moderation calls this when it hides a note)."""
    Activity.objects.filter(verb=Verb.NOTE_PUBLISHED, source_key=_source_key(note)).delete()


@transaction.atomic
def note_delete(*, actor: User, note: Note) -> None:
    _require_author(actor, note)
    Activity.objects.filter(verb=Verb.NOTE_PUBLISHED, source_key=_source_key(note)).delete()
    note.delete()


# --- Reads -------------------------------------------------------------------------------


def note_by_public_id(public_id: str) -> Note | None:
    try:
        return Note.objects.select_related("author", "module").get(public_id=public_id)
    except (Note.DoesNotExist, ValueError, ValidationError):
        return None


def my_notes_on(author: User, module: Module) -> QuerySet[Note]:
    return Note.objects.filter(author=author, module=module).order_by("-created_at", "-pk")


def my_notes(author: User) -> QuerySet[Note]:
    """All of one's notes, newest first, with their modules (for the notes page and export)."""
    return (
        Note.objects.filter(author=author)
        .select_related("module")
        .defer("module__body_markdown", "module__body_html")
        .order_by("-created_at", "-pk")
    )


def public_notes_on(module: Module) -> QuerySet[Note]:
    """Published notes on a module, newest first, without those a moderator hid."""
    return (
        Note.objects.filter(module=module, is_public=True, hidden_at__isnull=True)
        .filter(author__is_active=True)
        .select_related("author")
        .order_by("-published_at", "-pk")
    )


def public_notes_by(author: User) -> QuerySet[Note]:
    """A person's published notes on published modules, newest first."""
    return (
        Note.objects.filter(
            author=author, is_public=True, hidden_at__isnull=True, module__status="published"
        )
        .select_related("module")
        .defer("module__body_markdown", "module__body_html")
        .order_by("-published_at", "-pk")
    )


def rendered(note: Note) -> str:
    """The note's Markdown as safe HTML."""
    return render_markdown(note.body)


# --- Export ------------------------------------------------------------------------------


def _module_url(note: Note) -> str:
    return reverse(
        "learning:module", kwargs={"public_id": note.module.public_id, "slug": note.module.slug}
    )


def export_markdown(author: User, *, base_url: str) -> Iterator[str]:
    """One's notes as a Markdown document, grouped by module (streamed a chunk at a time)."""
    stamp = f"{timezone.now():%Y-%m-%d}"
    yield f"# Notes by {author.display_name}\n\nExported from Peerpath on {stamp}.\n"
    current = None
    notes = my_notes(author).order_by("module__title", "module_id", "created_at", "pk")
    for note in notes.iterator(chunk_size=500):
        if note.module_id != current:
            current = note.module_id
            yield f"\n## {note.module.title}\n\n<{base_url}{_module_url(note)}>\n"
        state = "published" if note.is_public else "private"
        stamp = timezone.localtime(note.created_at).strftime("%Y-%m-%d %H:%M")
        yield f"\n### {stamp} ({state})\n\n{note.body}\n"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas: a cell starting like one is read as text."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def export_csv(author: User, *, base_url: str) -> Iterator[str]:
    """One's notes as CSV rows: when, module, link, published, note (streamed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def row(values: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield row(["created_at", "updated_at", "module", "module_url", "published", "note"])
    for note in my_notes(author).iterator(chunk_size=500):
        yield row(
            [
                note.created_at.isoformat(),
                note.updated_at.isoformat(),
                _cell(note.module.title),
                base_url + _module_url(note),
                "yes" if note.is_public else "no",
                _cell(note.body),
            ]
        )

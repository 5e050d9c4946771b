"""Notes while learning: the notes panel on a module page (htmx), editing, publishing and
deleting a note in place, the module's published notes, my notes and their export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest
from peerpath.core.pagination import paginate
from peerpath.social import notes
from peerpath.social.selectors import PublicNote

if TYPE_CHECKING:
    from peerpath.content.models import Module
    from peerpath.social.models import Note

PANEL_PUBLIC_NOTES = 5
NOTES_PER_PAGE = 20


class NoteForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Ids of its own: the module page also holds the discussion and summaries forms.
        kwargs.setdefault("auto_id", "note_%s")
        super().__init__(*args, **kwargs)

    body = forms.CharField(
        label="Note",
        max_length=notes.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": notes.BODY_MAX}),
        help_text="Markdown works: **bold**, lists, links. Only you see it until you publish it.",
        error_messages={"required": "Write something in your note."},
    )
    public = forms.BooleanField(label="Publish on my profile and this module", required=False)


class NoteEditForm(forms.Form):
    body = forms.CharField(
        label="Note",
        max_length=notes.BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": notes.BODY_MAX}),
        error_messages={"required": "Write something in your note."},
    )


def get_note_for_user(user: Any, public_id: str, *, write: bool = False) -> Note:
    """A note the user may read (or change): 404 when absent or private to someone else."""
    note = notes.note_by_public_id(public_id)
    if note is None or not permissions.can_read_note(user, note):
        # A private note is not acknowledged to exist.
        raise Http404("No such note.")
    if write:
        permissions.require(permissions.can_manage_note(user, note))
    return note


def _module_url(module: Module) -> str:
    return reverse("learning:module", kwargs={"public_id": module.public_id, "slug": module.slug})


def _panel(
    request: AuthedRequest, module: Module, *, form: NoteForm | None = None, notice: str = ""
) -> HttpResponse:
    can_take = permissions.can_take_notes(request.user, module)
    mine = list(notes.my_notes_on(request.user, module)) if can_take else []
    others = list(
        notes.public_notes_on(module).exclude(author=request.user)[: PANEL_PUBLIC_NOTES + 1]
    )
    return render(
        request,
        "social/_notes_panel.html",
        {
            "module": module,
            "can_take": can_take,
            "form": form or NoteForm(),
            "mine": [PublicNote(n, notes.rendered(n)) for n in mine],
            "others": [PublicNote(n, notes.rendered(n)) for n in others[:PANEL_PUBLIC_NOTES]],
            "more_others": len(others) > PANEL_PUBLIC_NOTES,
            "notice": notice,
        },
    )


def module_notes(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The notes panel (GET), or take a note (POST)."""
    module = content.get_module_for_user(request.user, public_id)
    if request.method != "POST":
        return _panel(request, module)
    permissions.require(
        permissions.can_take_notes(request.user, module),
        "You can take notes only on published modules.",
    )
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = notes.note_create(
                author=request.user,
                module=module,
                body=form.cleaned_data["body"],
                public=form.cleaned_data["public"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            notice = "Note published." if note.is_public else "Note saved. Only you can see it."
            if not request.htmx:
                messages.success(request, notice)
                return redirect(_module_url(module) + "#notes")
            return _panel(request, module, notice=notice)
    if not request.htmx:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(_module_url(module) + "#notes")
    return _panel(request, module, form=form)


def _show_module(request: AuthedRequest) -> bool:
    """Rows on the my-notes page name their module; rows on a module page do not."""
    return (request.POST.get("show_module") or request.GET.get("show_module")) == "1"


def _row(request: AuthedRequest, note: Note, **extra: Any) -> HttpResponse:
    return render(
        request,
        "social/_notes_row.html",
        {"item": PublicNote(note, notes.rendered(note)), **extra},
    )


def _edit_id(note: Note) -> str:
    """Field ids unique on a page that lists several notes."""
    return f"note-{note.public_id}-%s"


def note_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The edit form in place of the note (GET), or save it (POST)."""
    note = get_note_for_user(request.user, public_id, write=True)
    if request.method == "POST":
        form = NoteEditForm(request.POST, auto_id=_edit_id(note))
        if form.is_valid():
            try:
                notes.note_update(actor=request.user, note=note, body=form.cleaned_data["body"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if not request.htmx:
                    messages.success(request, "Note saved.")
                    return redirect(_module_url(note.module) + "#notes")
                return _row(request, note, show_module=_show_module(request))
        status = 400
    else:
        form = NoteEditForm(initial={"body": note.body}, auto_id=_edit_id(note))
        status = 200
    template = "social/_notes_edit.html" if request.htmx else "social/notes_edit.html"
    return render(
        request,
        template,
        {"note": note, "form": form, "show_module": _show_module(request)},
        status=status,
    )


def note_row(request: AuthedRequest, public_id: str) -> HttpResponse:
    """One note as shown in the panel (cancelling an edit)."""
    note = get_note_for_user(request.user, public_id, write=True)
    return _row(request, note, show_module=_show_module(request))


@require_POST
def note_publish(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Publish (``publish=1``) or make private (``publish=0``) one's note."""
    note = get_note_for_user(request.user, public_id, write=True)
    error = ""
    try:
        if request.POST.get("publish") == "1":
            notes.note_publish(actor=request.user, note=note)
        else:
            notes.note_unpublish(actor=request.user, note=note)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        return _row(request, note, error=error, show_module=_show_module(request))
    if error:
        messages.error(request, error)
    if _show_module(request):
        return redirect("social:my_notes")
    return redirect(_module_url(note.module) + "#notes")


@require_POST
def note_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    note = get_note_for_user(request.user, public_id, write=True)
    module = note.module
    notes.note_delete(actor=request.user, note=note)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, "Note deleted.")
    if _show_module(request):
        return redirect("social:my_notes")
    return redirect(_module_url(module) + "#notes")


def module_public_notes(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Every published note on a module, newest first."""
    module = content.get_module_for_user(request.user, public_id)
    page = paginate(request, notes.public_notes_on(module), per_page=NOTES_PER_PAGE)
    return render(
        request,
        "social/notes_module.html",
        {
            "module": module,
            "page": page,
            "notes": [PublicNote(n, notes.rendered(n)) for n in page.object_list],
        },
    )


def my_notes(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, notes.my_notes(request.user), per_page=NOTES_PER_PAGE)
    return render(
        request,
        "social/notes_mine.html",
        {
            "catalog_url": reverse("learning:catalog"),
            "page": page,
            "notes": [PublicNote(n, notes.rendered(n)) for n in page.object_list],
        },
    )


def _export(
    request: AuthedRequest, rows: Any, *, extension: str, content_type: str
) -> StreamingHttpResponse:
    stamp = timezone.now().strftime("%Y%m%d")
    response = StreamingHttpResponse(rows, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="peerpath-notes-{stamp}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


def export_markdown(request: AuthedRequest) -> StreamingHttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    return _export(
        request,
        notes.export_markdown(request.user, base_url=base),
        extension="md",
        content_type="text/markdown; charset=utf-8",
    )


def export_csv(request: AuthedRequest) -> StreamingHttpResponse:
    base = request.build_absolute_uri("/").rstrip("/")
    return _export(
        request,
        notes.export_csv(request.user, base_url=base),
        extension="csv",
        content_type="text/csv; charset=utf-8",
    )

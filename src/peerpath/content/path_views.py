"""Authoring pages for learning paths: my paths, a new path and the path editor.

Every change to the outline (sections, steps, prerequisites) is a small POST form. With
htmx the editor swaps in the re-rendered outline and announces what changed; without it
the same forms redirect back to the editor.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from peerpath.content import paths, selectors
from peerpath.content.forms import PathEditorsForm, PathForm
from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest
from peerpath.core.pagination import paginate

if TYPE_CHECKING:
    from peerpath.content.models import LearningPath


def my_paths(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_create_path(request.user))
    page = paginate(request, selectors.paths_by_editor(request.user), per_page=20)
    return render(request, "content/my_paths.html", {"page": page})


def path_new(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_create_path(request.user))
    form = PathForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            path = paths.path_create(author=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{path.title}” is saved as a draft. Add its sections.")
            return redirect("content:path_edit", public_id=path.public_id)
    return render(request, "content/path_new.html", {"form": form})


def _editor_context(
    request: AuthedRequest, path: LearningPath, *, adding_to: int | None = None, query: str = ""
) -> dict[str, object]:
    return {
        "path": path,
        "outline": selectors.path_outline(path),
        "can_manage_editors": permissions.can_manage_path_editors(request.user, path),
        "can_unpublish": permissions.can_unpublish_path(request.user, path),
        "adding_to": adding_to,
        "query": query,
        "results": selectors.modules_for_path(path, query=query) if adding_to else [],
    }


def _details_form(path: LearningPath, data: QueryDict | None = None) -> PathForm:
    initial = {
        "title": path.title,
        "summary": path.summary,
        "description_markdown": path.description_markdown,
    }
    return PathForm(data, initial=initial)


def path_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The editor: the outline first; details, cover and editors beside it."""
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    form = _details_form(path, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            paths.path_update(actor=request.user, path=path, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The path's details are saved.")
            return redirect("content:path_edit", public_id=path.public_id)
    editors_form = PathEditorsForm(
        initial={"editors": ", ".join(p.email for p in path.editors.all())}
    )
    # Without JavaScript the module search submits here: ?add_to=<section>&q=<title>.
    add_to = request.GET.get("add_to", "")
    adding_to = int(add_to) if add_to.isdigit() else None
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "content/path_edit.html",
        {
            **_editor_context(request, path, adding_to=adding_to, query=query),
            "form": form,
            "editors_form": editors_form,
        },
    )


@require_POST
def path_editors(request: AuthedRequest, public_id: str) -> HttpResponse:
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    form = PathEditorsForm(request.POST)
    if form.is_valid():
        try:
            paths.path_set_editors(
                actor=request.user, path=path, people=form.cleaned_data["editors"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if form.errors:
        return render(
            request,
            "content/path_edit.html",
            {**_editor_context(request, path), "form": _details_form(path), "editors_form": form},
        )
    messages.success(request, "Editors are saved.")
    return redirect("content:path_edit", public_id=path.public_id)


@require_POST
def path_cover(request: AuthedRequest, public_id: str) -> HttpResponse:
    """Upload a new cover image, or remove the current one."""
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    upload = request.FILES.get("cover")
    try:
        if "remove" in request.POST:
            paths.path_set_cover(actor=request.user, path=path, cover=None)
            messages.success(request, "The cover image is removed.")
        elif upload is None:
            messages.error(request, "Choose an image to upload.")
        else:
            paths.path_upload_cover(actor=request.user, path=path, upload=upload)
            messages.success(request, "The new cover image is saved.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("content:path_edit", public_id=path.public_id)


@require_POST
def path_publish(request: AuthedRequest, public_id: str) -> HttpResponse:
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    try:
        paths.path_publish(actor=request.user, path=path)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("content:path_edit", public_id=path.public_id)
    messages.success(request, f"“{path.title}” is published: learners find it in the catalog.")
    return redirect("learning:path", public_id=path.public_id, slug=path.slug)


@require_POST
def path_unpublish(request: AuthedRequest, public_id: str) -> HttpResponse:
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    paths.path_unpublish(actor=request.user, path=path)
    messages.success(request, f"“{path.title}” is back in draft; learners no longer see it.")
    return redirect("content:path_edit", public_id=path.public_id)


@require_POST
def path_delete(request: AuthedRequest, public_id: str) -> HttpResponse:
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    try:
        paths.path_delete(actor=request.user, path=path)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("content:path_edit", public_id=path.public_id)
    messages.success(request, f"“{path.title}” was deleted. Its modules stay in the catalog.")
    return redirect("content:paths")


# --- The outline -----------------------------------------------------------------------


def _outline(
    request: AuthedRequest,
    path: LearningPath,
    *,
    announce: str = "",
    error: str = "",
    adding_to: int | None = None,
    query: str = "",
) -> HttpResponse:
    """The re-rendered outline for htmx; for a plain form post, back to the editor."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        elif announce:
            messages.success(request, announce)
        return redirect("content:path_edit", public_id=path.public_id)
    return render(
        request,
        "content/_path_outline.html",
        {
            **_editor_context(request, path, adding_to=adding_to, query=query),
            "announce": announce,
            "error": error,
        },
    )


def _run(
    request: AuthedRequest,
    path: LearningPath,
    change: Callable[[], str],
    *,
    adding_to: int | None = None,
    query: str = "",
) -> HttpResponse:
    """Apply one change to the outline; a refusal is shown, not raised."""
    try:
        announce = change()
    except ValidationError as exc:
        return _outline(
            request, path, error=" ".join(exc.messages), adding_to=adding_to, query=query
        )
    return _outline(request, path, announce=announce, adding_to=adding_to, query=query)


def _direction(request: AuthedRequest) -> paths.Direction:
    return "up" if request.POST.get("direction") == "up" else "down"


@require_POST
def section_add(request: AuthedRequest, public_id: str) -> HttpResponse:
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    title = request.POST.get("title", "")

    def change() -> str:
        section = paths.path_section_add(actor=request.user, path=path, title=title)
        return f"Added the section “{section.title}”."

    return _run(request, path, change)


@require_POST
def section_rename(request: AuthedRequest, public_id: str, section_id: int) -> HttpResponse:
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    section = selectors.path_section_by_id(path, section_id)
    title = request.POST.get("title", "")

    def change() -> str:
        paths.path_section_rename(actor=request.user, section=section, title=title)
        return f"Renamed the section to “{section.title}”."

    return _run(request, path, change)


@require_POST
def section_move(request: AuthedRequest, public_id: str, section_id: int) -> HttpResponse:
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    section = selectors.path_section_by_id(path, section_id)
    direction = _direction(request)

    def change() -> str:
        moved = paths.path_section_move(actor=request.user, section=section, direction=direction)
        return f"“{moved.title}” is section {moved.position}."

    return _run(request, path, change)


@require_POST
def section_remove(request: AuthedRequest, public_id: str, section_id: int) -> HttpResponse:
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    section = selectors.path_section_by_id(path, section_id)

    def change() -> str:
        paths.path_section_remove(actor=request.user, section=section)
        return f"Removed the section “{section.title}”."

    return _run(request, path, change)


@require_GET
def module_search(request: AuthedRequest, public_id: str, section_id: int) -> HttpResponse:
    """Live search of published modules to add to a section (results only)."""
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    section = selectors.path_section_by_id(path, section_id)
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "content/_path_search_results.html",
        {
            "path": path,
            "section_id": section.pk,
            "query": query,
            "results": selectors.modules_for_path(path, query=query),
        },
    )


@require_POST
def step_add(request: AuthedRequest, public_id: str, section_id: int) -> HttpResponse:
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    section = selectors.path_section_by_id(path, section_id)
    try:
        module_id = uuid.UUID(request.POST.get("module", ""))
    except ValueError:
        raise Http404("No such module.") from None
    module = selectors.module_by_public_id(module_id)
    if module is None:
        raise Http404("No such module.")

    def change() -> str:
        paths.path_step_add(actor=request.user, section=section, module=module)
        return f"Added “{module.title}” to “{section.title}”."

    return _run(request, path, change, adding_to=section.pk, query=request.POST.get("q", "")[:100])


@require_POST
def step_move(request: AuthedRequest, public_id: str, step_id: int) -> HttpResponse:
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    step = selectors.path_step_by_id(path, step_id)
    direction = _direction(request)

    def change() -> str:
        before = step.position
        moved = paths.path_step_move(actor=request.user, step=step, direction=direction)
        if moved.position == before and moved.section_id == step.section_id:
            edge = "first" if direction == "up" else "last"
            return f"“{step.module.title}” is already the {edge} module."
        return f"“{step.module.title}” is now step {moved.position}."

    return _run(request, path, change)


@require_POST
def step_remove(request: AuthedRequest, public_id: str, step_id: int) -> HttpResponse:
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    step = selectors.path_step_by_id(path, step_id)

    def change() -> str:
        paths.path_step_remove(actor=request.user, step=step)
        return f"Removed “{step.module.title}” from the path."

    return _run(request, path, change)


def step_prerequisites(request: AuthedRequest, public_id: str, step_id: int) -> HttpResponse:
    """Choose which earlier steps a learner finishes first (a partial, or a page)."""
    path = selectors.get_path_for_user(request.user, public_id, write=True)
    step = selectors.path_step_by_id(path, step_id)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("prerequisites") if v.isdigit()]
        chosen = selectors.path_steps_by_ids(path, ids)

        def change() -> str:
            paths.path_step_set_prerequisites(actor=request.user, step=step, prerequisites=chosen)
            if not chosen:
                return f"“{step.module.title}” has no prerequisites."
            return f"“{step.module.title}” now waits for {len(chosen)} module(s)."

        return _run(request, path, change)
    outline = selectors.path_outline(path)
    current = next((s for s in outline.steps if s.step.pk == step.pk), None)
    if current is None:
        raise Http404("No such step in this path.")
    context = {
        "path": path,
        "item": current,
        "earlier": [s for s in outline.steps if s.number < current.number],
        "chosen": {p.pk for p in current.prerequisites},
    }
    template = (
        "content/_path_prerequisites.html" if request.htmx else "content/path_prerequisites.html"
    )
    return render(request, template, context)

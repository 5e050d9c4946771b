"""What a module page shows for each kind of module: its template and its context."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from peerpath.content import selectors as content
from peerpath.learning import player

if TYPE_CHECKING:
    from peerpath.content.models import Module
    from peerpath.core.http import AuthedRequest
    from peerpath.learning.models import ModuleProgress

KindContext = Callable[["AuthedRequest", "Module", "ModuleProgress | None", bool], dict[str, Any]]


def _nothing(
    request: AuthedRequest, module: Module, progress: ModuleProgress | None, can_edit: bool
) -> dict[str, Any]:
    return {}


def _package(
    request: AuthedRequest, module: Module, progress: ModuleProgress | None, can_edit: bool
) -> dict[str, Any]:
    package = module.package
    if package is None:
        return {"player": None}
    return {"player": player.launch(user=request.user, module=module, package=package)}


def resume_slide(progress: ModuleProgress | None, total: int) -> int:
    """The slide a learner comes back to: the furthest they reached, within the deck."""
    if progress is None or not progress.resume_at.isdigit():
        return 1
    return max(1, min(int(progress.resume_at), total))


def _deck(
    request: AuthedRequest, module: Module, progress: ModuleProgress | None, can_edit: bool
) -> dict[str, Any]:
    # Speaker notes are rendered for the module's authors only; learners never receive them.
    slides = content.deck_slides(module, with_notes=can_edit)
    total = len(slides)
    return {
        "slides": slides,
        "slide_total": total,
        "start_slide": resume_slide(progress, total),
        "show_notes": can_edit and any(s.notes_html for s in slides),
        "position_url": reverse("learning:position", kwargs={"public_id": module.public_id})
        if progress is not None
        else "",
    }


def _file(
    request: AuthedRequest, module: Module, progress: ModuleProgress | None, can_edit: bool
) -> dict[str, Any]:
    document = module.document
    return {"document_label": content.document_label(document) if document else ""}


# One entry per kind that needs more than the module itself to render.
_CONTEXT: dict[str, KindContext] = {"deck": _deck, "file": _file, "package": _package}


def context_for(
    request: AuthedRequest, module: Module, progress: ModuleProgress | None, *, can_edit: bool
) -> dict[str, Any]:
    """The module page's context for the module's kind, and which template renders it."""
    extra = _CONTEXT.get(module.kind, _nothing)(request, module, progress, can_edit)
    return {"kind_template": f"learning/kinds/_{module.kind}.html", **extra}

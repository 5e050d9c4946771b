"""What a module page shows for each kind of module: its template and its context."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peerpath.content.models import Module
    from peerpath.core.http import AuthedRequest
    from peerpath.learning.models import ModuleProgress

KindContext = Callable[["AuthedRequest", "Module", "ModuleProgress | None", bool], dict[str, Any]]


def _nothing(
    request: AuthedRequest, module: Module, progress: ModuleProgress | None, can_edit: bool
) -> dict[str, Any]:
    return {}


# One entry per kind that needs more than the module itself to render.
_CONTEXT: dict[str, KindContext] = {}


def context_for(
    request: AuthedRequest, module: Module, progress: ModuleProgress | None, *, can_edit: bool
) -> dict[str, Any]:
    """The module page's context for the module's kind, and which template renders it."""
    extra = _CONTEXT.get(module.kind, _nothing)(request, module, progress, can_edit)
    return {"kind_template": f"learning/kinds/_{module.kind}.html", **extra}

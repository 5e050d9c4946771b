"""What a module page shows for each kind of module: its template and its context."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

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


# One entry per kind that needs more than the module itself to render.
_CONTEXT: dict[str, KindContext] = {"package": _package}


def context_for(
    request: AuthedRequest, module: Module, progress: ModuleProgress | None, *, can_edit: bool
) -> dict[str, Any]:
    """The module page's context for the module's kind, and which template renders it."""
    extra = _CONTEXT.get(module.kind, _nothing)(request, module, progress, can_edit)
    return {"kind_template": f"learning/kinds/_{module.kind}.html", **extra}

"""Every write to modules and learning paths goes through here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from peerpath.content.models import LearningPath, Module, ModuleStatus, PathStep
from peerpath.content.rendering import render_markdown
from peerpath.core import permissions

if TYPE_CHECKING:
    from peerpath.people.models import User
    from peerpath.skills.models import Skill


def _slug(title: str) -> str:
    return slugify(title)[:110] or "module"


@transaction.atomic
def module_create(
    *,
    author: User,
    title: str,
    summary: str,
    body_markdown: str,
    estimated_minutes: int,
    skills: Iterable[Skill] = (),
    publish: bool = False,
) -> Module:
    """Create a draft module owned by ``author`` (published at once when asked)."""
    permissions.require(permissions.can_create_module(author))
    module = Module(
        owner=author,
        title=title.strip(),
        slug=_slug(title),
        summary=summary.strip(),
        body_markdown=body_markdown,
        body_html=render_markdown(body_markdown),
        estimated_minutes=estimated_minutes,
    )
    module.full_clean()
    module.save()
    module.skills.set(list(skills))
    if publish:
        module_publish(actor=author, module=module)
    return module


@transaction.atomic
def module_update(
    *,
    actor: User,
    module: Module,
    title: str,
    summary: str,
    body_markdown: str,
    estimated_minutes: int,
    skills: Iterable[Skill],
) -> Module:
    permissions.require(permissions.can_edit_module(actor, module))
    module.title = title.strip()
    module.slug = _slug(title)
    module.summary = summary.strip()
    module.body_markdown = body_markdown
    module.body_html = render_markdown(body_markdown)
    module.estimated_minutes = estimated_minutes
    module.full_clean()
    module.save()
    module.skills.set(list(skills))
    return module


@transaction.atomic
def module_publish(*, actor: User, module: Module) -> Module:
    """Make a module visible in the catalog to everyone in the organisation."""
    permissions.require(permissions.can_edit_module(actor, module))
    if module.status == ModuleStatus.PUBLISHED:
        return module
    if not module.body_markdown.strip():
        raise ValidationError({"body_markdown": "Write the module before publishing it."})
    module.status = ModuleStatus.PUBLISHED
    module.published_at = timezone.now()
    module.save(update_fields=["status", "published_at", "updated_at"])
    return module


@transaction.atomic
def module_unpublish(*, actor: User, module: Module) -> Module:
    """Return a module to draft; learners' progress on it is kept."""
    permissions.require(permissions.can_unpublish_module(actor, module))
    module.status = ModuleStatus.DRAFT
    module.published_at = None
    module.save(update_fields=["status", "published_at", "updated_at"])
    return module


@transaction.atomic
def path_create(
    *, author: User, title: str, summary: str, modules: Sequence[Module], publish: bool = False
) -> LearningPath:
    """Create a learning path: an ordered list of published modules."""
    permissions.require(permissions.can_create_module(author))
    if not modules:
        raise ValidationError({"modules": "A path needs at least one module."})
    if len({m.pk for m in modules}) != len(modules):
        raise ValidationError({"modules": "A module can appear only once in a path."})
    path = LearningPath(
        owner=author, title=title.strip(), slug=_slug(title), summary=summary.strip()
    )
    if publish:
        path.status = ModuleStatus.PUBLISHED
        path.published_at = timezone.now()
    path.full_clean()
    path.save()
    PathStep.objects.bulk_create(
        PathStep(path=path, module=m, position=i) for i, m in enumerate(modules, start=1)
    )
    return path


MAX_CO_AUTHORS = 10


@transaction.atomic
def module_set_co_authors(*, actor: User, module: Module, people: Sequence[User]) -> Module:
    """Replace the module's co-authors: colleagues who may edit and publish it."""
    permissions.require(
        permissions.can_manage_co_authors(actor, module),
        "Only the module's owner chooses its co-authors.",
    )
    chosen = {p.pk: p for p in people}
    if module.owner_id in chosen:
        raise ValidationError({"co_authors": "The owner is already an author."})
    if any(not p.is_active for p in chosen.values()):
        raise ValidationError({"co_authors": "Deactivated people cannot be co-authors."})
    if len(chosen) > MAX_CO_AUTHORS:
        raise ValidationError({"co_authors": f"A module has at most {MAX_CO_AUTHORS} co-authors."})
    module.co_authors.set(list(chosen.values()))
    return module

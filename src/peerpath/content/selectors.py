"""Reads of modules and learning paths, with their joins, in a bounded number of queries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from peerpath.content import assets, scorm, slides
from peerpath.content.models import (
    Asset,
    LearningPath,
    Module,
    ModuleDraft,
    ModuleStatus,
    ModuleVersion,
    PathStep,
    ScormPackage,
)
from peerpath.core import permissions
from peerpath.skills import selectors as skills

if TYPE_CHECKING:
    from django.core.files import File

    from peerpath.people.models import User
    from peerpath.skills.models import Skill


CARD_FIELDS = (
    "public_id",
    "slug",
    "title",
    "summary",
    "estimated_minutes",
    "status",
    "published_at",
    "updated_at",
    "curated_version",
    "owner",
    "owner__display_name",
)


def modules_for_catalog(*, skill: Skill | None = None, query: str = "") -> QuerySet[Module]:
    """Published modules, newest first, optionally within a skill area (and its sub-skills)."""
    # Cards show a title, a summary, the author's name and skills: load only those columns.
    qs = (
        Module.objects.published()
        .select_related("owner")
        .only(*CARD_FIELDS)
        .prefetch_related(Prefetch("skills", queryset=skills.skills_for_cards()))
    )
    if skill is not None:
        qs = qs.filter(
            Q(skills__path=skill.path) | Q(skills__path__startswith=f"{skill.path} / ")
        ).distinct()
    query = query.strip()
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(summary__icontains=query))
    return qs.order_by("-published_at", "-id")


def module_by_public_id(public_id: uuid.UUID | str) -> Module | None:
    try:
        return (
            Module.objects.select_related("owner", "owner__team")
            .prefetch_related("skills", "co_authors")
            .get(public_id=public_id)
        )
    except (Module.DoesNotExist, ValueError):
        return None


def get_module_for_user(user: User, public_id: uuid.UUID | str, *, write: bool = False) -> Module:
    """A module the user may see (or edit): 404 when absent, 403 when not allowed."""
    module = module_by_public_id(public_id)
    if module is None:
        raise Http404("No such module.")
    if write:
        permissions.require(permissions.can_edit_module(user, module))
    else:
        permissions.require(permissions.can_view_module(user, module))
    return module


def asset_by_public_id(public_id: uuid.UUID | str) -> Asset | None:
    try:
        return Asset.objects.filter(public_id=public_id).first()
    except ValueError:
        return None


def deck_slides(module: Module, *, with_notes: bool) -> list[slides.Slide]:
    """The slides learners see (the module's published text); notes for presenters only."""
    return slides.render_deck(module.body_markdown, with_notes=with_notes)


def deck_slide_count(module: Module) -> int:
    return len(slides.parse_deck(module.body_markdown))


def document_label(asset: Asset) -> str:
    """ "PDF", "Word document": an uploaded file's type in words."""
    return assets.type_label(asset)


def modules_by_owner(user: User) -> QuerySet[Module]:
    return (
        Module.objects.filter(owner=user)
        .exclude(status=ModuleStatus.ARCHIVED)
        .defer("body_markdown", "body_html")
        .prefetch_related("skills")
        .order_by("-updated_at")
    )


def modules_by_author(user: User) -> QuerySet[Module]:
    """Modules the user owns or co-authors, most recently changed first."""
    return (
        Module.objects.filter(Q(owner=user) | Q(co_authors=user))
        .exclude(status=ModuleStatus.ARCHIVED)
        .defer("body_markdown", "body_html")
        .select_related("owner")
        .prefetch_related("skills")
        .distinct()
        .order_by("-updated_at")
    )


def modules_recent(*, limit: int = 6) -> list[Module]:
    return list(modules_for_catalog()[:limit])


def paths_published() -> QuerySet[LearningPath]:
    return (
        LearningPath.objects.filter(status=ModuleStatus.PUBLISHED)
        .annotate(step_count=Count("steps"))
        .order_by("title")
    )


def path_by_public_id(public_id: uuid.UUID | str) -> LearningPath | None:
    steps = PathStep.objects.select_related("module").order_by("position")
    try:
        return (
            LearningPath.objects.select_related("owner")
            .prefetch_related(Prefetch("steps", queryset=steps))
            .get(public_id=public_id)
        )
    except (LearningPath.DoesNotExist, ValueError):
        return None


@dataclass(frozen=True)
class WorkingCopy:
    """What the editor shows: the unpublished draft if there is one, else the module's text."""

    title: str
    summary: str
    body_markdown: str
    estimated_minutes: int
    skill_ids: list[int]
    quiz_source: str
    quiz: dict[str, Any]
    package: ScormPackage | None
    document: Asset | None
    is_draft_of_published: bool
    updated_at: datetime


def _copy_of(
    source: Module | ModuleDraft | ModuleVersion, *, is_draft: bool, updated_at: datetime
) -> WorkingCopy:
    skill_ids = (
        [s.pk for s in source.skills.all()]
        if isinstance(source, Module)
        else list(source.skill_ids)
    )
    return WorkingCopy(
        title=source.title,
        summary=source.summary,
        body_markdown=source.body_markdown,
        estimated_minutes=source.estimated_minutes,
        skill_ids=skill_ids,
        quiz_source=source.quiz_source,
        quiz=dict(source.quiz),
        package=source.package,
        document=source.document,
        is_draft_of_published=is_draft,
        updated_at=updated_at,
    )


def working_copy(module: Module) -> WorkingCopy:
    """The draft if there is one; else a version still waiting for review; else the live text."""
    draft = ModuleDraft.objects.select_related("package", "document").filter(module=module).first()
    if draft is not None:
        return _copy_of(draft, is_draft=True, updated_at=draft.updated_at)
    pending = pending_version(module)
    if pending is not None:
        return _copy_of(pending, is_draft=False, updated_at=pending.published_at)
    return _copy_of(module, is_draft=False, updated_at=module.updated_at)


def pending_version(module: Module) -> ModuleVersion | None:
    """For a curated module, a newer published version that reviewers have not approved."""
    if module.curated_version_id is None:
        return None
    latest = module.versions.order_by("-number").first()
    if latest is None or latest.pk == module.curated_version_id:
        return None
    return latest


def version_by_number(module: Module, number: int) -> ModuleVersion | None:
    return module.versions.select_related("published_by").filter(number=number).first()


def has_unpublished_changes(module: Module) -> bool:
    return ModuleDraft.objects.filter(module=module).exists()


def module_versions(module: Module) -> list[ModuleVersion]:
    return list(module.versions.select_related("published_by").order_by("-number"))


def shown_version_number(module: Module) -> int:
    """The number of the version learners see: the curated one, else the latest (0: none)."""
    if module.curated_version_id is not None:
        number = (
            ModuleVersion.objects.filter(pk=module.curated_version_id)
            .values_list("number", flat=True)
            .first()
        )
        return number or 0
    return module.versions.order_by("-number").values_list("number", flat=True).first() or 0


def latest_version(module: Module) -> ModuleVersion | None:
    return module.versions.order_by("-number").first()


def version_by_id(version_id: int) -> ModuleVersion | None:
    return ModuleVersion.objects.filter(pk=version_id).first()


def module_is_curated(module_id: int) -> bool:
    return Module.objects.filter(pk=module_id, curated_version__isnull=False).exists()


def lock_module(module: Module) -> None:
    """Hold the module's row until the transaction ends (serialises reviews of one module)."""
    Module.objects.select_for_update().filter(pk=module.pk).exists()


def package_file(package: ScormPackage, path: str) -> File[bytes] | None:
    """One file of an imported package, opened from storage; None when there is no such file.

    ``path`` comes from a URL: it is checked like a zip entry, so it cannot leave the package.
    """
    try:
        name = scorm.safe_member_name(path)
    except ValidationError:
        return None
    try:
        return default_storage.open(f"{package.storage_prefix}/{name}", "rb")
    except OSError:
        return None

"""Reads of modules and learning paths, with their joins, in a bounded number of queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from peerpath.content import assets, scorm, slides
from peerpath.content.models import (
    Asset,
    LearningPath,
    Module,
    ModuleDraft,
    ModuleStatus,
    ModuleVersion,
    PathSection,
    PathStep,
    ScormPackage,
)
from peerpath.content.rendering import render_markdown
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
    """Published paths for cards: how many modules learners will see, and their total time."""
    live = Q(steps__module__status=ModuleStatus.PUBLISHED)
    return (
        LearningPath.objects.filter(status=ModuleStatus.PUBLISHED)
        .select_related("cover")
        .annotate(
            step_count=Count("steps", filter=live),
            total_minutes=Sum("steps__module__estimated_minutes", filter=live),
        )
        .order_by("title")
    )


def paths_by_editor(user: User) -> QuerySet[LearningPath]:
    """Paths the user owns or edits, most recently changed first."""
    mine = LearningPath.objects.filter(Q(owner=user) | Q(editors=user)).values("pk")
    return (
        LearningPath.objects.filter(pk__in=mine)
        .select_related("owner")
        .annotate(step_count=Count("steps"))
        .order_by("-updated_at", "-id")
    )


def path_by_public_id(public_id: uuid.UUID | str) -> LearningPath | None:
    try:
        return (
            LearningPath.objects.select_related("owner", "cover")
            .prefetch_related("editors")
            .get(public_id=public_id)
        )
    except (LearningPath.DoesNotExist, ValueError, ValidationError):
        return None


def get_path_for_user(
    user: User, public_id: uuid.UUID | str, *, write: bool = False
) -> LearningPath:
    """A path the user may see (or edit): 404 when absent, 403 when not allowed."""
    path = path_by_public_id(public_id)
    if path is None:
        raise Http404("No such learning path.")
    if write:
        permissions.require(permissions.can_edit_path(user, path))
    else:
        permissions.require(permissions.can_view_path(user, path))
    return path


def path_module_ids(path_ids: list[int]) -> dict[int, set[int]]:
    """The published modules learners see in each of the given paths (one query)."""
    found: dict[int, set[int]] = {pk: set() for pk in path_ids}
    if not path_ids:
        return found
    rows = PathStep.objects.filter(
        path_id__in=path_ids, module__status=ModuleStatus.PUBLISHED
    ).values_list("path_id", "module_id")
    for path_id, module_id in rows:
        found[path_id].add(module_id)
    return found


def published_paths_with_modules(
    module_ids: Iterable[int] | QuerySet[Any, int], *, limit: int = 20
) -> list[LearningPath]:
    """Published paths with any of the modules as a step, oldest first (one query)."""
    holding = PathStep.objects.filter(module_id__in=module_ids).values("path_id")
    return list(
        LearningPath.objects.filter(status=ModuleStatus.PUBLISHED, pk__in=holding)
        .only("pk", "public_id", "slug", "title")
        .order_by("pk")[:limit]
    )


def path_description_html(path: LearningPath) -> str:
    """The description as safe HTML, rendered as it is read so the current sanitiser applies."""
    return render_markdown(path.description_markdown)


def path_estimated_minutes(path: LearningPath, *, published_only: bool = False) -> int:
    """Total estimated time of the path's modules, in minutes."""
    steps = PathStep.objects.filter(path=path)
    if published_only:
        steps = steps.filter(module__status=ModuleStatus.PUBLISHED)
    total = steps.aggregate(total=Sum("module__estimated_minutes"))["total"]
    return int(total or 0)


@dataclass(frozen=True)
class StepOutline:
    """A step as pages show it: its number in the path and the steps it needs first."""

    step: PathStep
    number: int
    prerequisites: list[PathStep]

    @property
    def module(self) -> Module:
        return self.step.module


@dataclass(frozen=True)
class SectionOutline:
    """A section and its steps; ``section`` is None for steps that predate sections."""

    section: PathSection | None
    steps: list[StepOutline]


@dataclass(frozen=True)
class PathOutline:
    path: LearningPath
    sections: list[SectionOutline]

    @property
    def steps(self) -> list[StepOutline]:
        return [step for section in self.sections for step in section.steps]

    @property
    def estimated_minutes(self) -> int:
        return sum(s.module.estimated_minutes for s in self.steps)

    @property
    def section_count(self) -> int:
        return sum(1 for s in self.sections if s.section is not None)


STEP_MODULE_FIELDS = (
    "path",
    "section",
    "position",
    "module__public_id",
    "module__slug",
    "module__title",
    "module__summary",
    "module__estimated_minutes",
    "module__kind",
    "module__status",
    "module__owner",
    "module__owner__display_name",
)


def path_outline(path: LearningPath, *, published_only: bool = False) -> PathOutline:
    """The path's sections, numbered steps and prerequisites, in three queries.

    ``published_only`` is the learner's view: modules taken out of the catalog since the
    path was published drop out, and so do the prerequisites on them and empty sections.
    """
    sections = list(PathSection.objects.filter(path=path).order_by("position"))
    steps_qs = (
        PathStep.objects.filter(path=path)
        .select_related("module", "module__owner")
        .only(*STEP_MODULE_FIELDS)
        .order_by("position")
    )
    if published_only:
        steps_qs = steps_qs.filter(module__status=ModuleStatus.PUBLISHED)
    steps = list(steps_qs)
    by_id = {s.pk: s for s in steps}
    needs: dict[int, list[PathStep]] = {}
    pairs = PathStep.prerequisites.through.objects.filter(from_pathstep__path=path)
    for step_id, needed_id in pairs.values_list("from_pathstep_id", "to_pathstep_id"):
        if needed_id in by_id:
            needs.setdefault(step_id, []).append(by_id[needed_id])
    grouped: dict[int | None, list[StepOutline]] = {None: []}
    grouped.update({s.pk: [] for s in sections})
    for number, step in enumerate(steps, start=1):
        before = sorted(needs.get(step.pk, []), key=lambda s: s.position)
        grouped.setdefault(step.section_id, []).append(StepOutline(step, number, before))
    outline = [SectionOutline(None, grouped[None])] if grouped[None] else []
    outline += [SectionOutline(s, grouped[s.pk]) for s in sections]
    if published_only:
        outline = [s for s in outline if s.steps]
    return PathOutline(path=path, sections=outline)


def modules_for_path(path: LearningPath, *, query: str, limit: int = 8) -> list[Module]:
    """Published modules, by any author, whose title matches and that are not in the path."""
    query = query.strip()
    if not query:
        return []
    return list(
        Module.objects.published()
        .filter(title__icontains=query)
        .exclude(pk__in=PathStep.objects.filter(path=path).values("module_id"))
        .select_related("owner")
        .only("public_id", "slug", "title", "estimated_minutes", "owner__display_name")
        .order_by("title", "id")[:limit]
    )


def path_step_by_id(path: LearningPath, step_id: int) -> PathStep:
    """A step of this path (with its path attached), or 404."""
    step = PathStep.objects.filter(path=path, pk=step_id).select_related("module").first()
    if step is None:
        raise Http404("No such step in this path.")
    step.path = path
    return step


def path_section_by_id(path: LearningPath, section_id: int) -> PathSection:
    """A section of this path (with its path attached), or 404."""
    section = PathSection.objects.filter(path=path, pk=section_id).first()
    if section is None:
        raise Http404("No such section in this path.")
    section.path = path
    return section


def path_steps_by_ids(path: LearningPath, step_ids: list[int]) -> list[PathStep]:
    return list(PathStep.objects.filter(path=path, pk__in=step_ids).select_related("module"))


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


def modules_by_ids(module_ids: Iterable[int]) -> dict[int, Module]:
    """Modules by id with their package, for pages that list many at once (one query)."""
    ids = set(module_ids)
    if not ids:
        return {}
    return {m.pk: m for m in Module.objects.filter(pk__in=ids).select_related("package")}

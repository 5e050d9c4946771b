"""Every write to learning paths: details, cover, sections, steps, prerequisites, publishing.

Steps carry one ``position`` across the whole path, kept dense (1..n) and in the order of
their sections, so the editor and the learner's page read the same order straight from the
table. Each write locks the path row, rebuilds the order in memory and writes it back in
two phases, so the unique positions never collide half-way through.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from peerpath.content import assets
from peerpath.content.models import (
    Asset,
    AssetKind,
    LearningPath,
    Module,
    ModuleStatus,
    PathSection,
    PathStep,
)
from peerpath.core import permissions

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from peerpath.people.models import User

Direction = Literal["up", "down"]

MAX_SECTIONS = 50
MAX_STEPS = 200
MAX_EDITORS = 10
MAX_DESCRIPTION = 20_000
# Positions move this far out of the way before they are written back as 1..n.
_RENUMBER_OFFSET = 10_000
# Where a new step waits (under the path lock) until the order is written back. Parked and
# then shifted, it must still fit PostgreSQL's smallint (at most 32,767).
_PARKED = 20_000


def _slug(title: str) -> str:
    return slugify(title)[:110] or "path"


def _title(step: PathStep) -> str:
    return step.module.title


# --- Details ---------------------------------------------------------------------------


def _apply_details(
    path: LearningPath, *, title: str, summary: str, description_markdown: str
) -> None:
    if len(description_markdown) > MAX_DESCRIPTION:
        raise ValidationError(
            {"description_markdown": f"Keep the description under {MAX_DESCRIPTION} characters."}
        )
    path.title = title.strip()
    path.slug = _slug(path.title)
    path.summary = summary.strip()
    path.description_markdown = description_markdown
    path.full_clean(exclude=["owner", "cover"])


@transaction.atomic
def path_create(
    *,
    author: User,
    title: str,
    summary: str,
    description_markdown: str = "",
    sections: Sequence[tuple[str, Sequence[Module]]] = (),
    publish: bool = False,
) -> LearningPath:
    """Create a draft path owned by ``author``, optionally with sections of modules."""
    permissions.require(permissions.can_create_path(author))
    path = LearningPath(owner=author)
    _apply_details(path, title=title, summary=summary, description_markdown=description_markdown)
    path.save()
    for section_title, modules in sections:
        section = path_section_add(actor=author, path=path, title=section_title)
        for module in modules:
            path_step_add(actor=author, section=section, module=module)
    if publish:
        path_publish(actor=author, path=path)
    return path


@transaction.atomic
def path_update(
    *, actor: User, path: LearningPath, title: str, summary: str, description_markdown: str
) -> LearningPath:
    """Change what the path is called and how it introduces itself (Markdown description)."""
    permissions.require(permissions.can_edit_path(actor, path))
    _apply_details(path, title=title, summary=summary, description_markdown=description_markdown)
    path.save(update_fields=["title", "slug", "summary", "description_markdown", "updated_at"])
    return path


@transaction.atomic
def path_set_cover(*, actor: User, path: LearningPath, cover: Asset | None) -> LearningPath:
    """Show an uploaded image above the path (or no image at all)."""
    permissions.require(permissions.can_edit_path(actor, path))
    if cover is not None and cover.kind != AssetKind.IMAGE:
        raise ValidationError({"cover": "A cover is an image: a JPEG, PNG or WebP file."})
    path.cover = cover
    path.save(update_fields=["cover", "updated_at"])
    return path


@transaction.atomic
def path_upload_cover(*, actor: User, path: LearningPath, upload: UploadedFile) -> LearningPath:
    """Check an uploaded image and make it the path's cover."""
    permissions.require(permissions.can_edit_path(actor, path))
    try:
        cover = assets.asset_create(owner=actor, upload=upload, allowed=[AssetKind.IMAGE])
    except ValidationError as exc:
        raise ValidationError({"cover": exc.messages}) from exc
    return path_set_cover(actor=actor, path=path, cover=cover)


@transaction.atomic
def path_set_editors(*, actor: User, path: LearningPath, people: Sequence[User]) -> LearningPath:
    """Replace the path's editors: colleagues who may arrange and publish it."""
    permissions.require(
        permissions.can_manage_path_editors(actor, path),
        "Only the path's owner chooses its editors.",
    )
    chosen = {p.pk: p for p in people}
    if path.owner_id in chosen:
        raise ValidationError({"editors": "The owner already edits the path."})
    if any(not p.is_active for p in chosen.values()):
        raise ValidationError({"editors": "Deactivated people cannot edit paths."})
    if len(chosen) > MAX_EDITORS:
        raise ValidationError({"editors": f"A path has at most {MAX_EDITORS} editors."})
    path.editors.set(list(chosen.values()))
    return path


@transaction.atomic
def path_publish(*, actor: User, path: LearningPath) -> LearningPath:
    """Show the path to learners: it needs a module, and every module in it published."""
    permissions.require(permissions.can_edit_path(actor, path))
    locked = _lock(path)
    steps = list(PathStep.objects.filter(path=locked).select_related("module").only(*_STEP_FIELDS))
    if not steps:
        raise ValidationError("Add at least one module before publishing the path.")
    drafts = [_title(s) for s in sorted(steps, key=lambda s: s.position) if not _is_live(s)]
    if drafts:
        raise ValidationError(
            "Every module in a published path must be published. Not yet published: "
            + ", ".join(f"“{t}”" for t in drafts)
            + "."
        )
    if locked.status != ModuleStatus.PUBLISHED:
        locked.status = ModuleStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.save(update_fields=["status", "published_at", "updated_at"])
    path.status, path.published_at = locked.status, locked.published_at
    return path


@transaction.atomic
def path_unpublish(*, actor: User, path: LearningPath) -> LearningPath:
    """Return the path to draft; learners' progress in its modules is theirs to keep."""
    permissions.require(permissions.can_unpublish_path(actor, path))
    locked = _lock(path)
    locked.status = ModuleStatus.DRAFT
    locked.published_at = None
    locked.save(update_fields=["status", "published_at", "updated_at"])
    path.status, path.published_at = locked.status, locked.published_at
    return path


@transaction.atomic
def path_delete(*, actor: User, path: LearningPath) -> None:
    """Delete a draft path: its sections and steps go, the modules stay in the catalog.

    A published path may be in learners' hands, so it is unpublished first.
    """
    permissions.require(permissions.can_unpublish_path(actor, path))
    locked = _lock(path)
    if locked.status == ModuleStatus.PUBLISHED:
        raise ValidationError("Unpublish the path before deleting it.")
    locked.delete()


def _is_live(step: PathStep) -> bool:
    return step.module.status == ModuleStatus.PUBLISHED


# --- Order -----------------------------------------------------------------------------

_STEP_FIELDS = ("path", "section", "module", "position", "module__title", "module__status")


def _lock(path: LearningPath) -> LearningPath:
    # Lock the path row: two editors rearranging at once would otherwise each renumber
    # the steps from an order the other has just changed.
    return LearningPath.objects.select_for_update().get(pk=path.pk)


@dataclass
class _Layout:
    """A path's sections and their steps, in order, as the next write will store them."""

    path: LearningPath
    sections: list[PathSection]
    groups: dict[int | None, list[PathStep]] = field(default_factory=dict)

    def steps(self) -> list[PathStep]:
        keys: list[int | None] = [None, *(s.pk for s in self.sections)]
        return [step for key in keys for step in self.groups.get(key, [])]

    def group_of(self, step: PathStep) -> list[PathStep]:
        return self.groups.setdefault(step.section_id, [])

    def find(self, step_id: int) -> PathStep:
        for step in self.steps():
            if step.pk == step_id:
                return step
        raise ValidationError("That module is no longer in the path.")

    def section(self, section_id: int) -> PathSection:
        for section in self.sections:
            if section.pk == section_id:
                return section
        raise ValidationError("That section is no longer in the path.")


def _layout(path: LearningPath) -> _Layout:
    """Lock the path and load its order (sectionless steps, from older paths, come first)."""
    locked = _lock(path)
    sections = list(PathSection.objects.filter(path=locked).order_by("position"))
    layout = _Layout(path=locked, sections=sections, groups={None: []})
    for section in sections:
        layout.groups[section.pk] = []
    steps = PathStep.objects.filter(path=locked).select_related("module").only(*_STEP_FIELDS)
    for step in steps.order_by("position"):
        layout.group_of(step).append(step)
    return layout


def _prerequisite_pairs(path: LearningPath) -> list[tuple[int, int]]:
    """(step, the step it needs first) for every prerequisite in the path, in one query."""
    through = PathStep.prerequisites.through
    return list(
        through.objects.filter(from_pathstep__path=path).values_list(
            "from_pathstep_id", "to_pathstep_id"
        )
    )


def _check_prerequisite_order(layout: _Layout, steps: list[PathStep]) -> None:
    index = {s.pk: i for i, s in enumerate(steps)}
    by_id = {s.pk: s for s in steps}
    for step_id, needed_id in _prerequisite_pairs(layout.path):
        if step_id in index and needed_id in index and index[needed_id] > index[step_id]:
            raise ValidationError(
                f"“{_title(by_id[step_id])}” needs “{_title(by_id[needed_id])}” first, so it "
                "cannot come before it. Change its prerequisites, then move it."
            )


def _save(layout: _Layout) -> None:
    """Write the layout's order back as positions 1..n, sections and steps alike."""
    steps = layout.steps()
    _check_prerequisite_order(layout, steps)
    # Two phases: first move every position out of the 1..n range, then write the final
    # numbers, so no intermediate row ever collides with the unique (path, position).
    PathStep.objects.filter(path=layout.path).update(position=F("position") + _RENUMBER_OFFSET)
    for number, step in enumerate(steps, start=1):
        step.position = number
    PathStep.objects.bulk_update(steps, ["position", "section"])
    PathSection.objects.filter(path=layout.path).update(position=F("position") + _RENUMBER_OFFSET)
    for number, section in enumerate(layout.sections, start=1):
        section.position = number
    PathSection.objects.bulk_update(layout.sections, ["position"])
    layout.path.save(update_fields=["updated_at"])


# --- Sections --------------------------------------------------------------------------


def _clean_section_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Give the section a title, such as “Week 1”."})
    if len(title) > 160:
        raise ValidationError({"title": "Keep section titles under 160 characters."})
    return title


@transaction.atomic
def path_section_add(*, actor: User, path: LearningPath, title: str) -> PathSection:
    """Add an empty section at the end of the path."""
    permissions.require(permissions.can_edit_path(actor, path))
    title = _clean_section_title(title)
    layout = _layout(path)
    if len(layout.sections) >= MAX_SECTIONS:
        raise ValidationError(f"A path has at most {MAX_SECTIONS} sections.")
    return PathSection.objects.create(
        path=layout.path, title=title, position=len(layout.sections) + 1
    )


@transaction.atomic
def path_section_rename(*, actor: User, section: PathSection, title: str) -> PathSection:
    permissions.require(permissions.can_edit_path(actor, section.path))
    section.title = _clean_section_title(title)
    section.save(update_fields=["title"])
    return section


@transaction.atomic
def path_section_move(*, actor: User, section: PathSection, direction: Direction) -> PathSection:
    """Swap a section with its neighbour, steps and all; at either end nothing moves."""
    permissions.require(permissions.can_edit_path(actor, section.path))
    layout = _layout(section.path)
    current = layout.section(section.pk)
    index = layout.sections.index(current)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(layout.sections):
        layout.sections[index], layout.sections[target] = layout.sections[target], current
        _save(layout)
    return current


@transaction.atomic
def path_section_remove(*, actor: User, section: PathSection) -> None:
    """Remove a section and the steps in it (the modules themselves stay in the catalog)."""
    permissions.require(permissions.can_edit_path(actor, section.path))
    layout = _layout(section.path)
    current = layout.section(section.pk)
    leaving = layout.groups.pop(current.pk, [])
    if leaving and layout.path.status == ModuleStatus.PUBLISHED and not layout.steps():
        raise ValidationError(
            "A published path keeps at least one module. Unpublish it first to empty it."
        )
    layout.sections.remove(current)
    PathStep.objects.filter(pk__in=[s.pk for s in leaving]).delete()
    current.delete()
    _save(layout)


# --- Steps -----------------------------------------------------------------------------


@transaction.atomic
def path_step_add(*, actor: User, section: PathSection, module: Module) -> PathStep:
    """Append a published module, by any author, to the end of a section."""
    permissions.require(permissions.can_edit_path(actor, section.path))
    if not module.is_published:
        raise ValidationError({"module": "Only published modules can join a path."})
    layout = _layout(section.path)
    target = layout.section(section.pk)
    steps = layout.steps()
    if any(s.module_id == module.pk for s in steps):
        raise ValidationError({"module": f"“{module.title}” is already in this path."})
    if len(steps) >= MAX_STEPS:
        raise ValidationError({"module": f"A path has at most {MAX_STEPS} modules."})
    step = PathStep.objects.create(
        path=layout.path, section=target, module=module, position=_PARKED
    )
    layout.groups[target.pk].append(step)
    _save(layout)
    return step


@transaction.atomic
def path_step_place(*, actor: User, step: PathStep, section: PathSection, index: int) -> PathStep:
    """Put a step at ``index`` (0-based, clamped) within ``section`` of the same path."""
    permissions.require(permissions.can_edit_path(actor, step.path))
    if section.path_id != step.path_id:
        raise ValidationError("Steps move only between sections of the same path.")
    layout = _layout(step.path)
    current = layout.find(step.pk)
    target = layout.section(section.pk)
    layout.group_of(current).remove(current)
    group = layout.groups[target.pk]
    group.insert(max(0, min(index, len(group))), current)
    current.section = target
    _save(layout)
    return current


@transaction.atomic
def path_step_move(*, actor: User, step: PathStep, direction: Direction) -> PathStep:
    """Move a step one place up or down; past a section's edge it joins the next section.

    At the very start or end of the path nothing moves, so a repeated key press is harmless.
    """
    permissions.require(permissions.can_edit_path(actor, step.path))
    layout = _layout(step.path)
    current = layout.find(step.pk)
    group = layout.group_of(current)
    index = group.index(current)
    if direction == "up" and index > 0:
        group[index - 1], group[index] = current, group[index - 1]
    elif direction == "down" and index < len(group) - 1:
        group[index + 1], group[index] = current, group[index + 1]
    else:
        neighbour = _neighbour_section(layout, current.section_id, direction)
        if neighbour is None:
            return current
        group.remove(current)
        into = layout.groups[neighbour.pk]
        if direction == "up":
            into.append(current)
        else:
            into.insert(0, current)
        current.section = neighbour
    _save(layout)
    return current


def _neighbour_section(
    layout: _Layout, section_id: int | None, direction: Direction
) -> PathSection | None:
    if section_id is None:
        # Steps from before sections existed sit above the first section.
        return layout.sections[0] if direction == "down" and layout.sections else None
    ids = [s.pk for s in layout.sections]
    index = ids.index(section_id) + (-1 if direction == "up" else 1)
    return layout.sections[index] if 0 <= index < len(ids) else None


@transaction.atomic
def path_step_remove(*, actor: User, step: PathStep) -> None:
    """Take a module out of the path; steps that needed it first no longer wait for it."""
    permissions.require(permissions.can_edit_path(actor, step.path))
    layout = _layout(step.path)
    current = layout.find(step.pk)
    if layout.path.status == ModuleStatus.PUBLISHED and len(layout.steps()) == 1:
        raise ValidationError(
            "A published path keeps at least one module. Unpublish it first to empty it."
        )
    layout.group_of(current).remove(current)
    current.delete()
    _save(layout)


@transaction.atomic
def path_step_set_prerequisites(
    *, actor: User, step: PathStep, prerequisites: Collection[PathStep]
) -> PathStep:
    """Replace the steps a learner should finish before this one.

    Prerequisites are earlier steps of the same path; a step never needs itself, and no
    chain of prerequisites may lead back to the step.
    """
    permissions.require(permissions.can_edit_path(actor, step.path))
    layout = _layout(step.path)
    current = layout.find(step.pk)
    steps = layout.steps()
    index = {s.pk: i for i, s in enumerate(steps)}
    chosen = {p.pk: p for p in prerequisites}
    if current.pk in chosen:
        raise ValidationError({"prerequisites": "A module cannot be its own prerequisite."})
    if any(p.path_id != current.path_id or p.pk not in index for p in chosen.values()):
        raise ValidationError({"prerequisites": "Prerequisites are modules from the same path."})
    needs: dict[int, set[int]] = {}
    for step_id, needed_id in _prerequisite_pairs(layout.path):
        if step_id != current.pk:
            needs.setdefault(step_id, set()).add(needed_id)
    by_id = {s.pk: s for s in steps}
    for needed_id in chosen:
        if _leads_to(needs, start=needed_id, goal=current.pk):
            raise ValidationError(
                {
                    "prerequisites": f"“{_title(by_id[needed_id])}” already needs "
                    f"“{_title(current)}” first; the two cannot wait for each other."
                }
            )
    later = [by_id[i] for i in chosen if index[i] > index[current.pk]]
    if later:
        raise ValidationError(
            {
                "prerequisites": "Prerequisites come earlier in the path: "
                + ", ".join(f"“{_title(s)}”" for s in later)
                + f" comes after “{_title(current)}”."
            }
        )
    current.prerequisites.set([by_id[i] for i in chosen])
    layout.path.save(update_fields=["updated_at"])
    return current


def _leads_to(needs: dict[int, set[int]], *, start: int, goal: int) -> bool:
    """Whether following prerequisites from ``start`` reaches ``goal``."""
    seen: set[int] = set()
    todo = [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(needs.get(node, ()))
    return False

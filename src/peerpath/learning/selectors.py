"""Reads of learners' progress, always in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Q, QuerySet

from peerpath.learning.models import ModuleProgress, ProgressStatus

if TYPE_CHECKING:
    from peerpath.content.selectors import PathOutline, SectionOutline, StepOutline
    from peerpath.people.models import User


def progress_by_module(user: User, module_ids: Iterable[int]) -> dict[int, ModuleProgress]:
    """The learner's progress rows for the given modules, keyed by module id (one query)."""
    ids = list(module_ids)
    if not ids or not user.is_authenticated:
        return {}
    rows = ModuleProgress.objects.filter(user=user, module_id__in=ids)
    return {p.module_id: p for p in rows}


def progress_in_progress(user: User) -> QuerySet[ModuleProgress]:
    return (
        ModuleProgress.objects.filter(
            user=user, status=ProgressStatus.IN_PROGRESS, module__status="published"
        )
        .select_related("module")
        .order_by("-last_opened_at")
    )


def progress_completed(user: User) -> QuerySet[ModuleProgress]:
    return (
        ModuleProgress.objects.filter(user=user, status=ProgressStatus.COMPLETED)
        .select_related("module")
        .order_by("-completed_at")
    )


def learning_counts(user: User) -> dict[str, int]:
    totals = ModuleProgress.objects.filter(user=user).aggregate(
        completed=Count("id", filter=Q(status=ProgressStatus.COMPLETED)),
        in_progress=Count(
            "id", filter=Q(status=ProgressStatus.IN_PROGRESS, module__status="published")
        ),
    )
    return {k: int(v or 0) for k, v in totals.items()}


def team_learning(people: Iterable[User]) -> list[User]:
    """Annotate a page of people with completed / in-progress counts and last activity.

    Takes an already paginated list so the aggregation touches only those people's rows,
    however large the reporting line behind the page.
    """
    people = list(people)
    stats = {
        row["user_id"]: row
        for row in ModuleProgress.objects.filter(user__in=[p.pk for p in people])
        .values("user_id")
        .annotate(
            completed=Count("id", filter=Q(status=ProgressStatus.COMPLETED)),
            in_progress=Count("id", filter=Q(status=ProgressStatus.IN_PROGRESS)),
            last=Max("last_opened_at"),
        )
    }
    for person in people:
        row = stats.get(person.pk, {})
        person.completed_count = row.get("completed", 0)  # type: ignore[attr-defined]
        person.in_progress_count = row.get("in_progress", 0)  # type: ignore[attr-defined]
        person.last_activity = row.get("last")  # type: ignore[attr-defined]
    return people


def module_completion_count(module_id: int) -> int:
    return ModuleProgress.objects.filter(
        module_id=module_id, status=ProgressStatus.COMPLETED
    ).count()


@dataclass(frozen=True)
class StepPosition:
    """One step as a learner sees it: their status, and what it waits for."""

    item: StepOutline
    status: str  # "not_started", "in_progress" or "completed"
    waiting_for: list[str]  # titles of prerequisites not completed yet
    is_next: bool

    @property
    def locked(self) -> bool:
        return bool(self.waiting_for)

    @property
    def linked(self) -> bool:
        """Locked steps the learner has not opened stay unlinked, so the order is clear."""
        return not self.locked or self.status != "not_started"


@dataclass(frozen=True)
class PathPosition:
    sections: list[tuple[SectionOutline, list[StepPosition]]]
    done: int
    total: int
    next: StepPosition | None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def path_position(user: User, outline: PathOutline) -> PathPosition:
    """Where the learner is in a path: per-step status, locks and the next step (one query).

    The next step is the first one not completed whose prerequisites are all completed.
    """
    items = outline.steps
    progress = progress_by_module(user, (s.step.module_id for s in items))

    def status_of(module_id: int) -> str:
        row = progress.get(module_id)
        if row is None:
            return "not_started"
        return "completed" if row.status == ProgressStatus.COMPLETED else "in_progress"

    completed = {s.step.pk for s in items if status_of(s.step.module_id) == "completed"}
    next_id = next(
        (
            s.step.pk
            for s in items
            if s.step.pk not in completed and all(p.pk in completed for p in s.prerequisites)
        ),
        None,
    )
    sections = []
    chosen: StepPosition | None = None
    for section in outline.sections:
        rows = []
        for s in section.steps:
            row = StepPosition(
                item=s,
                status=status_of(s.step.module_id),
                waiting_for=[]
                if s.step.pk in completed
                else [p.module.title for p in s.prerequisites if p.pk not in completed],
                is_next=s.step.pk == next_id,
            )
            chosen = row if row.is_next else chosen
            rows.append(row)
        sections.append((section, rows))
    return PathPosition(sections=sections, done=len(completed), total=len(items), next=chosen)

"""Reads of learners' progress, always in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Q, QuerySet

from peerpath.learning.models import ModuleProgress, ProgressStatus, ScormSession

if TYPE_CHECKING:
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


def scorm_saved_data(user: User, module_id: int, package_id: int) -> dict[str, str]:
    """The run-time data the learner's last session of this package committed, if any."""
    row = (
        ScormSession.objects.filter(user=user, module_id=module_id, package_id=package_id)
        .values_list("cmi", flat=True)
        .first()
    )
    return dict(row) if isinstance(row, dict) else {}

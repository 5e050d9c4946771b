"""Reads of learners' progress, always in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Count, Max, Q, QuerySet

from peerpath.learning.models import ModuleProgress, ProgressStatus

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


def team_learning(people: QuerySet[User]) -> QuerySet[User]:
    """Annotate a set of people with their completed / in-progress counts and last activity."""
    return people.select_related("team", "job_role").annotate(
        completed_count=Count(
            "module_progress", filter=Q(module_progress__status=ProgressStatus.COMPLETED)
        ),
        in_progress_count=Count(
            "module_progress", filter=Q(module_progress__status=ProgressStatus.IN_PROGRESS)
        ),
        last_activity=Max("module_progress__last_opened_at"),
    )


def module_completion_count(module_id: int) -> int:
    return ModuleProgress.objects.filter(
        module_id=module_id, status=ProgressStatus.COMPLETED
    ).count()

"""Reads of assignments, each in a fixed number of queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peerpath.core import permissions
from peerpath.learning.models import Assignment, PersonAssignment

if TYPE_CHECKING:
    from peerpath.people.models import User


@dataclass(frozen=True)
class Counts:
    """How the people holding an assignment stand; each person is in exactly one group."""

    completed: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.completed + self.in_progress + self.not_started + self.overdue


def assignments_for_user(user: User, *, withdrawn: bool = False) -> QuerySet[Assignment]:
    """Assignments a user looks after: every one for learning admins, their own for managers."""
    qs = Assignment.objects.select_related(
        "module", "path", "person", "team", "job_role", "created_by"
    ).filter(withdrawn_at__isnull=not withdrawn)
    if not permissions.is_learning_admin(user):
        qs = qs.filter(created_by=user)
    return qs.order_by("-created_at", "-id")


def assignment_counts(
    assignment_ids: Iterable[int], now: datetime | None = None
) -> dict[int, Counts]:
    """Counts by status for a page of assignments, in one query."""
    now = now or timezone.now()
    ids = list(assignment_ids)
    if not ids:
        return {}
    rows = (
        PersonAssignment.objects.filter(assignment_id__in=ids)
        .values("assignment_id")
        .annotate(**{s: Count("id", filter=_status_q(s, now)) for s in STATUS_FILTERS})
    )
    found = {
        r["assignment_id"]: Counts(
            completed=r["completed"],
            in_progress=r["in_progress"],
            not_started=r["not_started"],
            overdue=r["overdue"],
        )
        for r in rows
    }
    return {pk: found.get(pk, Counts()) for pk in ids}


def get_assignment_for_user(user: User, public_id: uuid.UUID | str) -> Assignment:
    """An assignment the user looks after: 404 when absent, 403 when not theirs."""
    try:
        assignment = Assignment.objects.select_related(
            "module", "path", "person", "team", "job_role", "created_by", "withdrawn_by"
        ).get(public_id=public_id)
    except (Assignment.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No such assignment.") from exc
    permissions.require(permissions.can_manage_assignment(user, assignment))
    return assignment


def holder_count(assignment: Assignment) -> int:
    return PersonAssignment.objects.filter(assignment=assignment, removed_at__isnull=True).count()


STATUS_FILTERS = ("completed", "in_progress", "not_started", "overdue")


def _status_q(status: str, now: datetime) -> Q:
    """The rows in one status group, matching ``PersonAssignment.status_at``."""
    if status == "completed":
        return Q(completed_at__isnull=False)
    open_ = Q(completed_at__isnull=True, removed_at__isnull=True)
    if status == "overdue":
        return open_ & Q(due_at__lte=now)
    return open_ & Q(due_at__gt=now, started_at__isnull=status == "not_started")


def assignment_people(
    assignment: Assignment, *, status: str = "", now: datetime | None = None
) -> QuerySet[PersonAssignment]:
    """Everyone who holds (or held and completed) the assignment, by name; optionally
    only those in one status group."""
    rows = PersonAssignment.objects.filter(assignment=assignment).filter(
        Q(removed_at__isnull=True) | Q(completed_at__isnull=False)
    )
    if status in STATUS_FILTERS:
        rows = rows.filter(_status_q(status, now or timezone.now()))
    return rows.select_related("person", "person__team").order_by(
        "person__display_name", "person_id"
    )


def assigned_to(user: User) -> list[tuple[PersonAssignment, str]]:
    """The learner's assignments for My learning: open ones by due date, then the latest
    completed ones, each with its status (two queries)."""
    rows = PersonAssignment.objects.filter(
        person=user, removed_at__isnull=True, assignment__withdrawn_at__isnull=True
    ).select_related("assignment__module", "assignment__path")
    now = timezone.now()
    return [
        (row, row.status_at(now))
        for row in [
            *rows.filter(completed_at__isnull=True).order_by("due_at", "pk")[:100],
            *rows.filter(completed_at__isnull=False).order_by("-completed_at", "-pk")[:10],
        ]
    ]

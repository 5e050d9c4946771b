"""Reads of learning time: requests, the approvals queue, a team's week and time used.

Each read costs a fixed number of queries, whatever the number of people or requests.
"""

from __future__ import annotations

import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peerpath.core import permissions
from peerpath.core.zones import zone_named
from peerpath.learning import selectors as learning
from peerpath.people import selectors as people
from peerpath.schedule import coverage
from peerpath.schedule.models import (
    ApprovalDelegation,
    BlackoutWindow,
    CalendarFeed,
    CoverageRequirement,
    LearningTimeRequest,
    LearningTimeSeries,
    RequestStatus,
    Shift,
    TeamPolicy,
)

if TYPE_CHECKING:
    from peerpath.people.models import Team, User
    from peerpath.schedule.coverage import IntervalCover

# Requests that hold their time: neither declined nor cancelled.
HOLDING = (RequestStatus.PENDING, RequestStatus.APPROVED)
# The widest offset from UTC of any zone: a window in UTC that holds a local day anywhere.
ANY_ZONE = timedelta(hours=14)


def get_request_for_user(
    user: User, public_id: uuid.UUID, *, decide: bool = False
) -> LearningTimeRequest:
    """The request if the user may see it (their own, or one they may decide); else 404.

    ``decide`` asks for the right to approve or decline it: 403 when only seen.
    """
    found = (
        LearningTimeRequest.objects.select_related(
            "person", "person__manager", "team", "module", "path", "series", "decided_by"
        )
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise Http404("No such request.")
    may_decide = permissions.can_decide_learning_time(user, found.person)
    if found.person_id != user.pk and not may_decide:
        raise Http404("No such request.")
    if decide:
        permissions.require(may_decide, "Only the person’s approvers decide this request.")
    return found


def get_series_for_user(user: User, public_id: uuid.UUID) -> LearningTimeSeries:
    """A series is its person's own: anyone else gets a 404."""
    found = LearningTimeSeries.objects.filter(public_id=public_id, person=user).first()
    if found is None:
        raise Http404("No such series.")
    return found


def blackouts_ahead(team: Team) -> QuerySet[BlackoutWindow]:
    """Blackouts not yet over: the only ones that still refuse a request."""
    return BlackoutWindow.objects.filter(team=team, ends_at__gt=timezone.now()).order_by(
        "starts_at", "pk"
    )


def coverage_minimums(team: Team) -> QuerySet[CoverageRequirement]:
    """The team's minimums, in the model's order (queue, weekday, start)."""
    return CoverageRequirement.objects.filter(team=team)


def calendar_feed_of(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(person=user).first()


def month_bounds(zone: zoneinfo.ZoneInfo, month: date) -> tuple[datetime, datetime]:
    """The instants a calendar month starts and ends in a zone (the month of ``month``)."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(following, time.min, tzinfo=zone),
    )


def week_bounds(zone: zoneinfo.ZoneInfo, day: date) -> tuple[datetime, datetime]:
    """The instants the Monday-start week holding ``day`` starts and ends in a zone."""
    monday = day - timedelta(days=day.weekday())
    return (
        datetime.combine(monday, time.min, tzinfo=zone),
        datetime.combine(monday + timedelta(days=7), time.min, tzinfo=zone),
    )


# --- Delegation ------------------------------------------------------------------------


def _active_today(delegation: ApprovalDelegation, now: datetime) -> bool:
    """A delegation runs on the manager's calendar days, in the manager's zone."""
    today = now.astimezone(zone_named(delegation.manager.time_zone)).date()
    return delegation.starts_on <= today <= delegation.ends_on


def managers_delegating_to(user: User) -> list[User]:
    """Active managers whose approvals ``user`` decides today (one query)."""
    if not user.is_authenticated:
        return []
    now = timezone.now()
    rows = ApprovalDelegation.objects.filter(
        delegate_id=user.pk,
        manager__is_active=True,
        starts_on__lte=now.date() + timedelta(days=1),
        ends_on__gte=now.date() - timedelta(days=1),
    ).select_related("manager")
    return [d.manager for d in rows if _active_today(d, now)]


def active_delegates(manager: User) -> list[User]:
    """Active colleagues deciding for ``manager`` today (one query)."""
    now = timezone.now()
    rows = ApprovalDelegation.objects.filter(
        manager_id=manager.pk,
        delegate__is_active=True,
        starts_on__lte=now.date() + timedelta(days=1),
        ends_on__gte=now.date() - timedelta(days=1),
    ).select_related("manager", "delegate")
    return [d.delegate for d in rows if _active_today(d, now)]


def delegations_given(manager: User) -> QuerySet[ApprovalDelegation]:
    """A manager's delegations that have not ended, soonest first."""
    return (
        ApprovalDelegation.objects.filter(manager=manager, ends_on__gte=timezone.now().date())
        .select_related("delegate")
        .order_by("starts_on", "pk")
    )


# --- Requests --------------------------------------------------------------------------


def my_requests(person: User) -> QuerySet[LearningTimeRequest]:
    """A person's requests, latest first, with what they are for and who decided."""
    return (
        LearningTimeRequest.objects.filter(person=person)
        .select_related("module", "path", "series", "decided_by")
        .order_by("-starts_at", "-pk")
    )


def approvals_queue(user: User) -> QuerySet[LearningTimeRequest]:
    """Pending requests ``user`` may decide that have not started yet, oldest first.

    The same people ``permissions.can_decide_learning_time`` allows: everyone for learning
    admins, otherwise the people below the user and below managers who delegated to them.
    """
    pending = LearningTimeRequest.objects.filter(
        status=RequestStatus.PENDING, starts_at__gt=timezone.now()
    ).exclude(person_id=user.pk)
    if not permissions.is_learning_admin(user):
        if not (user.is_authenticated and user.is_active):
            return pending.none()
        managers = [user, *managers_delegating_to(user)]
        scope = Q()
        for manager in managers:
            if manager.line_path:
                scope |= Q(person__in=people.reports_subtree(manager))
        if not scope:
            return pending.none()
        pending = pending.filter(scope)
    return pending.select_related("person", "team", "module", "path", "series").order_by(
        "created_at", "pk"
    )


def pending_count_for(user: User) -> int:
    """How many requests wait for ``user``'s decision (for the navigation badge)."""
    return approvals_queue(user).count()


def teams_user_manages(user: User) -> QuerySet[Team]:
    """Teams whose learning-time schedule ``user`` manages: all of them for learning admins,
    otherwise teams with someone below the user in the reporting line."""
    teams = people.teams_all()
    if permissions.is_learning_admin(user):
        return teams
    if not (user.is_authenticated and user.is_active and user.line_path):
        return teams.none()
    return teams.filter(members__in=people.reports_subtree(user)).distinct()


def policy_for(team: Team | None) -> TeamPolicy | None:
    if team is None:
        return None
    return TeamPolicy.objects.filter(team=team).first()


# --- The team's week -------------------------------------------------------------------


@dataclass(frozen=True)
class PersonWeek:
    """One row of the week view: a person's shifts and learning blocks."""

    person: User
    shifts: list[Shift]
    blocks: list[LearningTimeRequest]


@dataclass(frozen=True)
class TeamWeek:
    team: Team
    zone: zoneinfo.ZoneInfo
    days: list[date]
    starts_at: datetime
    ends_at: datetime
    rows: list[PersonWeek]
    coverage: list[IntervalCover]

    @property
    def previous_week(self) -> date:
        return self.days[0] - timedelta(days=7)

    @property
    def next_week(self) -> date:
        return self.days[0] + timedelta(days=7)


def team_week(user: User, team: Team, week_start: date) -> TeamWeek:
    """The Monday-start week holding ``week_start`` in the viewer's zone: everyone in the team
    (or with a shift in it), their shifts and pending or approved blocks, and coverage."""
    zone = zone_named(user.time_zone)
    starts_at, ends_at = week_bounds(zone, week_start)
    monday = starts_at.date()
    shifts = list(
        Shift.objects.filter(team=team, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related("person")
        .order_by("starts_at", "pk")
    )
    members = {p.pk: p for p in people.people_active().filter(team=team)}
    for shift in shifts:
        members.setdefault(shift.person_id, shift.person)
    blocks = list(
        LearningTimeRequest.objects.filter(
            person_id__in=list(members),
            status__in=HOLDING,
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .select_related("module", "path")
        .order_by("starts_at", "pk")
    )
    rows = [
        PersonWeek(
            person=person,
            shifts=[s for s in shifts if s.person_id == person.pk],
            blocks=[b for b in blocks if b.person_id == person.pk],
        )
        for person in sorted(members.values(), key=lambda p: (p.display_name, p.pk))
    ]
    return TeamWeek(
        team=team,
        zone=zone,
        days=[monday + timedelta(days=n) for n in range(7)],
        starts_at=starts_at,
        ends_at=ends_at,
        rows=rows,
        coverage=coverage.team_coverage(team_id=team.pk, starts_at=starts_at, ends_at=ends_at),
    )


# --- Time used -------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockUse:
    """An approved block, and for one linked to a module whether the module got done."""

    request: LearningTimeRequest
    module_completed: bool | None


@dataclass(frozen=True)
class PersonUsage:
    person: User
    approved_minutes: int
    budget_minutes: int | None
    blocks: list[BlockUse]

    @property
    def remaining_minutes(self) -> int | None:
        if self.budget_minutes is None:
            return None
        return max(0, self.budget_minutes - self.approved_minutes)


@dataclass(frozen=True)
class Usage:
    """Approved learning minutes in a month against the monthly budget, per person; for a
    team the totals add up its people (the budget is per person, so it adds up too)."""

    month: date
    people: list[PersonUsage]

    @property
    def approved_minutes(self) -> int:
        return sum(p.approved_minutes for p in self.people)

    @property
    def budget_minutes(self) -> int | None:
        budgets = [p.budget_minutes for p in self.people]
        if not budgets or any(b is None for b in budgets):
            return None
        return sum(b for b in budgets if b is not None)


def usage(*, month: date, person: User | None = None, team: Team | None = None) -> Usage:
    """Time used in the calendar month of ``month`` (each person's own zone) by one person,
    or by the active people of a team; four queries at most."""
    if (person is None) == (team is None):
        raise ValueError("Ask for one person or one team.")
    if person is not None:
        who = [person]
        policy = policy_for(person.team)
    else:
        who = list(people.people_active().filter(team=team).order_by("display_name", "pk"))
        policy = policy_for(team)
    budget = policy.monthly_budget_minutes if policy is not None else None
    month = month.replace(day=1)
    utc_start, utc_end = month_bounds(zoneinfo.ZoneInfo("UTC"), month)
    approved = list(
        LearningTimeRequest.objects.filter(
            person_id__in=[p.pk for p in who],
            status=RequestStatus.APPROVED,
            starts_at__gte=utc_start - ANY_ZONE,
            starts_at__lt=utc_end + ANY_ZONE,
        )
        .select_related("module", "path")
        .order_by("starts_at", "pk")
    )
    done = learning.completed_modules(
        {r.person_id for r in approved}, {r.module_id for r in approved if r.module_id}
    )
    rows = []
    for someone in who:
        start, end = month_bounds(zone_named(someone.time_zone), month)
        mine = [r for r in approved if r.person_id == someone.pk and start <= r.starts_at < end]
        rows.append(
            PersonUsage(
                person=someone,
                approved_minutes=sum(r.minutes for r in mine),
                budget_minutes=budget,
                blocks=[
                    BlockUse(
                        request=r,
                        module_completed=(
                            (r.person_id, r.module_id) in done if r.module_id else None
                        ),
                    )
                    for r in mine
                ],
            )
        )
    return Usage(month=month, people=rows)

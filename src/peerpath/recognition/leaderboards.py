"""Leaderboard tallies: points per person per week, month and all time, kept as the
ledger is written so that a board is one indexed read at any organisation size.

A tally row carries the person's team, department and whether they are ranked at all
(``listed``), so a board filters on its own index without joins. Those copies are
refreshed, one set-based UPDATE at a time, when people move, opt out, or their team's
leaderboards are switched off or on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.utils import timezone

from peerpath.core import permissions
from peerpath.core.events import PeopleChanged
from peerpath.people import selectors as people
from peerpath.recognition.models import (
    LeaderboardPreference,
    PointTally,
    TallyPeriod,
    TeamLeaderboardSetting,
)

if TYPE_CHECKING:
    from peerpath.people.models import Department, Team, User

ALL_TIME = date(1970, 1, 1)
BOARD_SIZE = 20
# What a board shows of each person (name, avatar, initials, profile link).
SHOWN_PERSON_FIELDS = ("public_id", "display_name", "email", "avatar")
MAX_BOARD_SIZE = 100
# People changed in one event are refreshed this many at a time (one UPDATE each batch),
# well inside every database's limit on query parameters.
REFRESH_BATCH = 500


class Scope(TextChoices):
    TEAM = "team", "Team"
    DEPARTMENT = "department", "Department"
    ORGANISATION = "organisation", "Organisation"


def period_starts(at: datetime) -> dict[str, date]:
    """The week (Monday), month and all-time periods ``at`` falls in, in the
    organisation's time zone, so everyone shares the same boards."""
    day = timezone.localtime(at).date()
    return {
        TallyPeriod.WEEK: day - timedelta(days=day.weekday()),
        TallyPeriod.MONTH: day.replace(day=1),
        TallyPeriod.ALL: ALL_TIME,
    }


def listing_of(person: User) -> tuple[int | None, int | None, bool]:
    """The team and department a person is ranked in, and whether they are ranked at all
    (not if they left, opted out, or their team's leaderboards are switched off); read
    fresh, in one query."""
    place = _viewer_place(person)
    team = place.team
    return (
        team.pk if team else None,
        team.department_id if team else None,
        place.active and not place.opted_out and not place.team_switched_off,
    )


def tally_add(*, person: User, points: int, at: datetime) -> None:
    """Add ``points`` to the person's tallies for the periods ``at`` falls in.

    Call it inside the transaction that writes the ledger entry. Rows are created if
    missing (concurrent creators do not collide) and incremented in the database.
    """
    if points == 0:
        return
    team_id, department_id, listed = listing_of(person)
    starts = period_starts(at)
    PointTally.objects.bulk_create(
        [
            PointTally(
                person=person,
                period=period,
                period_start=start,
                points=0,
                team_id=team_id,
                department_id=department_id,
                listed=listed,
            )
            for period, start in starts.items()
        ],
        ignore_conflicts=True,
    )
    periods = Q()
    for period, start in starts.items():
        periods |= Q(period=period, period_start=start)
    PointTally.objects.filter(periods, person=person).update(points=F("points") + points)


# --- Keeping the copies on tally rows fresh ----------------------------------------------


def _listed_expression() -> Case:
    """Whether the tally row's person is ranked, computed in the database: active, not
    opted out, and not in a team whose leaderboards are switched off."""
    user_model = get_user_model()
    active = Exists(user_model.objects.filter(pk=OuterRef("person_id"), is_active=True))
    hidden = Exists(LeaderboardPreference.objects.filter(person=OuterRef("person_id"), hidden=True))
    team_off = Exists(
        TeamLeaderboardSetting.objects.filter(enabled=False, team__members=OuterRef("person_id"))
    )
    return Case(
        When(Q(active) & ~Q(hidden) & ~Q(team_off), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def _refresh(tallies: QuerySet[PointTally]) -> int:
    """One UPDATE: copy each row's person's team, department and listing onto it."""
    person = get_user_model().objects.filter(pk=OuterRef("person_id"))
    return tallies.update(
        team_id=Subquery(person.values("team_id")[:1]),
        department_id=Subquery(person.values("team__department_id")[:1]),
        listed=_listed_expression(),
    )


def tallies_refresh(*, person_ids: Iterable[int]) -> int:
    """Refresh the tally rows of these people (they moved team, left, came back or
    changed their preference); returns the number of rows written."""
    ids = sorted(set(person_ids))
    written = 0
    for first in range(0, len(ids), REFRESH_BATCH):
        written += _refresh(
            PointTally.objects.filter(person_id__in=ids[first : first + REFRESH_BATCH])
        )
    return written


def on_people_changed(event: PeopleChanged) -> None:
    tallies_refresh(person_ids=event.person_ids)


# --- Preferences and the team switch -----------------------------------------------------


@transaction.atomic
def leaderboard_preference_set(*, person: User, hidden: bool) -> LeaderboardPreference:
    """Opt out of (or back into) every leaderboard. The person still sees the boards
    and still earns points and badges."""
    permissions.require(permissions.can_view_leaderboards(person))
    preference, _ = LeaderboardPreference.objects.update_or_create(
        person=person, defaults={"hidden": hidden}
    )
    tallies_refresh(person_ids=[person.pk])
    return preference


@transaction.atomic
def team_leaderboard_switch(*, actor: User, team: Team, enabled: bool) -> TeamLeaderboardSetting:
    """A manager (or learning admin) switches leaderboards off or on for a team: while
    off, its members are ranked nowhere and the team board says so."""
    permissions.require(
        permissions.can_switch_team_leaderboard(actor, team),
        "Only the team's managers and learning admins can switch its leaderboards.",
    )
    setting, _ = TeamLeaderboardSetting.objects.update_or_create(
        team=team, defaults={"enabled": enabled, "updated_by": actor}
    )
    members = get_user_model().objects.filter(team=team).values("pk")
    _refresh(PointTally.objects.filter(person_id__in=members))
    return setting


def switchable_teams(actor: User) -> QuerySet[Team]:
    """The teams whose leaderboards ``actor`` may switch: every team for learning admins,
    for managers the teams of the people below them; each with ``leaderboard_off``."""
    teams = people.teams_all().annotate(
        leaderboard_off=Exists(
            TeamLeaderboardSetting.objects.filter(team=OuterRef("pk"), enabled=False)
        )
    )
    if permissions.is_learning_admin(actor):
        return teams
    if not permissions.is_manager(actor):
        return teams.none()
    return teams.filter(pk__in=people.reports_subtree(actor).values("team_id"))


# --- Reading a board ---------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """One person's place on a board (competition ranking: ties share a rank)."""

    rank: int
    person: User
    points: int
    is_viewer: bool = False


@dataclass(frozen=True)
class Board:
    scope: str
    period: str
    period_start: date
    # The team or department the board ranks; None for the organisation.
    team: Team | None
    department: Department | None
    # False when the viewer has no team (or department) for this scope.
    available: bool
    # The team's leaderboards are switched off: nobody in it is ranked.
    switched_off: bool
    standings: list[Standing]
    # The viewer's own place: in ``standings`` or below them; None when not ranked.
    viewer: Standing | None
    viewer_opted_out: bool
    viewer_points: int

    @property
    def viewer_below(self) -> bool:
        """The viewer is ranked but outside the standings shown."""
        return self.viewer is not None and all(not s.is_viewer for s in self.standings)


@dataclass(frozen=True)
class _ViewerPlace:
    team: Team | None
    active: bool
    opted_out: bool
    team_switched_off: bool


def _viewer_place(viewer: User) -> _ViewerPlace:
    """The person's team and department, whether they are active, their preference and
    their team's switch, in one query."""
    row = (
        get_user_model()
        .objects.filter(pk=viewer.pk)
        .select_related("team__department")
        .annotate(
            leaderboard_hidden=Exists(
                LeaderboardPreference.objects.filter(person=OuterRef("pk"), hidden=True)
            ),
            leaderboard_team_off=Exists(
                TeamLeaderboardSetting.objects.filter(team=OuterRef("team_id"), enabled=False)
            ),
        )
        .first()
    )
    if row is None:
        return _ViewerPlace(team=None, active=False, opted_out=False, team_switched_off=False)
    return _ViewerPlace(
        team=row.team,
        active=row.is_active,
        opted_out=row.leaderboard_hidden,
        team_switched_off=row.leaderboard_team_off,
    )


def leaderboard(*, scope: str, period: str, viewer: User, limit: int = BOARD_SIZE) -> Board:
    """The board of ``scope`` (the viewer's team, department or the organisation) for the
    current ``period``, with the viewer's own place even when outside the top ``limit``.

    Three queries whatever the size of the organisation: the viewer's place (team,
    department, preference, team switch), the top of the board (one indexed range
    read), and the viewer's tally with the count of people ahead of them (which reads
    the same index).
    """
    if scope not in Scope.values:
        raise ValueError(f"Unknown leaderboard scope {scope!r}")
    if period not in TallyPeriod.values:
        raise ValueError(f"Unknown leaderboard period {period!r}")
    limit = max(1, min(limit, MAX_BOARD_SIZE))
    start = period_starts(timezone.now())[period]
    place = _viewer_place(viewer)
    team = place.team
    department = team.department if team is not None else None
    empty = Board(
        scope=scope,
        period=period,
        period_start=start,
        team=team,
        department=department,
        available=True,
        switched_off=False,
        standings=[],
        viewer=None,
        viewer_opted_out=place.opted_out,
        viewer_points=0,
    )

    tallies = PointTally.objects.filter(period=period, period_start=start, listed=True)
    if scope == Scope.TEAM:
        if team is None:
            return _replace(empty, available=False)
        if place.team_switched_off:
            return _replace(empty, switched_off=True)
        tallies = tallies.filter(team=team)
    elif scope == Scope.DEPARTMENT:
        if department is None:
            return _replace(empty, available=False)
        tallies = tallies.filter(department=department)

    top = list(
        tallies.select_related("person")
        .only(*(f"person__{name}" for name in SHOWN_PERSON_FIELDS), "points", "person_id")
        .order_by("-points", "person_id")[:limit]
    )
    standings: list[Standing] = []
    for position, tally in enumerate(top, start=1):
        tied = standings and standings[-1].points == tally.points
        standings.append(
            Standing(
                rank=standings[-1].rank if tied else position,
                person=tally.person,
                points=tally.points,
                is_viewer=tally.person_id == viewer.pk,
            )
        )

    ahead = (
        tallies.filter(points__gt=OuterRef("points"))
        .order_by()
        # COUNT(*), not of a column: the board's index alone answers it (index-only).
        .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
        .values("n")
    )
    own = (
        PointTally.objects.filter(person=viewer, period=period, period_start=start)
        .annotate(ahead=Subquery(ahead[:1]))
        .first()
    )
    points = own.points if own else 0
    mine = None
    if own is not None and own.listed and _in_scope(own, scope, team):
        mine = Standing(
            rank=own.ahead + 1,
            person=viewer,
            points=own.points,
            is_viewer=True,
        )
    return _replace(empty, standings=standings, viewer=mine, viewer_points=points)


def _in_scope(tally: PointTally, scope: str, team: Team | None) -> bool:
    """The viewer's tally counts on this board (their copies may lag a move by nothing,
    but check rather than rank someone on a board they are not on)."""
    if scope == Scope.TEAM:
        return team is not None and tally.team_id == team.pk
    if scope == Scope.DEPARTMENT:
        return team is not None and tally.department_id == team.department_id
    return True


def _replace(board: Board, **changes: object) -> Board:
    return replace(board, **changes)  # type: ignore[arg-type]

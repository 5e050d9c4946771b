"""Leaderboard tallies: points per person per week, month and all time, kept as the
ledger is written so that a board is one indexed read at any organisation size."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import F
from django.utils import timezone

from peerpath.recognition.models import (
    LeaderboardPreference,
    PointTally,
    TallyPeriod,
    TeamLeaderboardSetting,
)

if TYPE_CHECKING:
    from peerpath.people.models import User

ALL_TIME = date(1970, 1, 1)


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
    (not if they opted out, or their team's leaderboards are switched off)."""
    team = person.team
    hidden = LeaderboardPreference.objects.filter(person=person, hidden=True).exists()
    team_off = (
        team is not None
        and TeamLeaderboardSetting.objects.filter(team=team, enabled=False).exists()
    )
    return (
        team.pk if team else None,
        team.department_id if team else None,
        person.is_active and not hidden and not team_off,
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
    for period, start in starts.items():
        PointTally.objects.filter(person=person, period=period, period_start=start).update(
            points=F("points") + points
        )

"""Weekly learning streaks that respect shift work and leave.

How a week counts, precisely:

* A week runs from Monday 00:00 to Sunday 24:00 in the person's own time zone (their
  profile setting), so night shifts, weekend shifts and rotating rosters all count the
  day they actually learned on. No particular weekday or number of days is required.
* A week is *active* when the person completes a module, makes progress in one, or takes
  an assessment (passed or failed) at least once in it. Opening a module is not enough.
* A week is *away* when the person's away periods (leave, a roster week off, sickness)
  cover at least ``AWAY_DAYS_TO_PAUSE`` of its seven days. An away week without learning
  pauses the streak: it neither counts nor breaks it. Learning in an away week counts.
* The streak is the number of active weeks in a row, skipping away weeks. Any other
  week without learning breaks it; until the current week is over it can still be saved.

Each active week that keeps a streak going (the second week in a row and on) earns a
``streak_week`` ledger entry, once per week.

Away periods are recorded by the person, their managers or learning admins. People may
record their own up to ``OWN_BACKDATE_DAYS`` back (time off is sometimes entered late);
managers and admins further, so that sickness can be recorded on return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from peerpath.core import permissions
from peerpath.core.zones import zone_named
from peerpath.recognition import points
from peerpath.recognition.models import AwayPeriod, PointAction, Streak

if TYPE_CHECKING:
    from peerpath.people.models import User

AWAY_DAYS_TO_PAUSE = 4
OWN_BACKDATE_DAYS = 14
BACKDATE_DAYS = 366
AWAY_MAX_DAYS = 366
NOTE_MAX = 200
WEEK = timedelta(days=7)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def today_for(person: User) -> date:
    return timezone.now().astimezone(zone_named(person.time_zone)).date()


def week_of(person: User, at: datetime) -> date:
    """The Monday of the week ``at`` falls in, in the person's own time zone."""
    return monday_of(at.astimezone(zone_named(person.time_zone)).date())


def away_weeks(person: User, first: date, last: date) -> set[date]:
    """The Mondays from ``first`` to ``last`` (both Mondays) of weeks the person was away
    for at least ``AWAY_DAYS_TO_PAUSE`` days, read in one query."""
    if last < first:
        return set()
    periods = AwayPeriod.objects.filter(
        person=person, starts_on__lte=last + timedelta(days=6), ends_on__gte=first
    ).values_list("starts_on", "ends_on")
    days: set[date] = set()
    for starts_on, ends_on in periods:
        day = max(starts_on, first)
        end = min(ends_on, last + timedelta(days=6))
        while day <= end:
            days.add(day)
            day += timedelta(days=1)
    counts: dict[date, int] = {}
    for day in days:
        counts[monday_of(day)] = counts.get(monday_of(day), 0) + 1
    return {week for week, n in counts.items() if n >= AWAY_DAYS_TO_PAUSE}


def _weeks_between(after: date, before: date) -> list[date]:
    """Mondays strictly between two Mondays."""
    weeks, week = [], after + WEEK
    while week < before:
        weeks.append(week)
        week += WEEK
    return weeks


def _unbroken(person: User, last_active: date, week: date) -> bool:
    """Every week strictly between ``last_active`` and ``week`` was an away week."""
    between = _weeks_between(last_active, week)
    if not between:
        return True
    return set(between) <= away_weeks(person, between[0], between[-1])


def _lock_streak(person: User) -> Streak:
    """Create the person's streak row if needed and lock it until the transaction ends.

    Two learning events in the same new week (a pass and a completion are published
    together) must not both count the week.
    """
    Streak.objects.bulk_create([Streak(person=person)], ignore_conflicts=True)
    return Streak.objects.select_for_update().get(person=person)


@dataclass(frozen=True)
class StreakUpdate:
    streak: Streak
    counted: bool  # this learning counted a week not counted before


@transaction.atomic
def streak_record_learning(*, person: User, at: datetime) -> StreakUpdate:
    """Count the week ``at`` falls in as active, extending or restarting the streak; pay
    the week's streak points when the streak is kept. Idempotent within a week."""
    # Locks are always taken points first, then streak (as a completion's points and
    # then its streak are): the other order could deadlock with a concurrent completion.
    points.lock_balance(person)
    streak = _lock_streak(person)
    week = week_of(person, at)
    last = streak.last_active_week
    if last is not None and week <= last:
        # This week already counted (or a late event for a past week).
        return StreakUpdate(streak, counted=False)
    if last is not None and _unbroken(person, last, week):
        streak.current_weeks += 1
    else:
        streak.current_weeks = 1
    streak.longest_weeks = max(streak.longest_weeks, streak.current_weeks)
    streak.last_active_week = week
    streak.save(update_fields=["current_weeks", "longest_weeks", "last_active_week", "updated_at"])
    if streak.current_weeks >= 2:
        points.points_award(
            person=person,
            action=PointAction.STREAK_WEEK,
            source_key=f"week:{week.isoformat()}",
            description=f"{streak.current_weeks}-week learning streak (week of {week:%d %b %Y})",
            occurred_at=at,
        )
    return StreakUpdate(streak, counted=True)


@dataclass(frozen=True)
class StreakNow:
    """A streak as it stands today, whatever the stored row last saw."""

    current: int
    longest: int
    this_week_counted: bool
    away_this_week: bool
    this_week: date

    @property
    def at_risk(self) -> bool:
        """Alive, not yet counted this week, and not paused: learn by Sunday to keep it."""
        return self.current > 0 and not self.this_week_counted and not self.away_this_week


def streak_now(person: User, *, today: date | None = None) -> StreakNow:
    """The streak today: a stored streak whose last active week is followed by a missed
    (not away) week before this one has lapsed and shows as 0. At most two queries."""
    today = today or today_for(person)
    this_week = monday_of(today)
    row = Streak.objects.filter(person=person).first()
    away_now = this_week in away_weeks(person, this_week, this_week)
    if row is None or row.last_active_week is None:
        return StreakNow(0, 0, False, away_now, this_week)
    last = row.last_active_week
    counted = last >= this_week
    alive = counted or _unbroken(person, last, this_week)
    return StreakNow(
        row.current_weeks if alive else 0, row.longest_weeks, counted, away_now, this_week
    )


# --- Away periods -------------------------------------------------------------------------


def away_periods_of(person: User) -> QuerySet[AwayPeriod]:
    return (
        AwayPeriod.objects.filter(person=person)
        .select_related("created_by")
        .order_by("-starts_on", "-pk")
    )


def _check_away(*, actor: User, person: User, starts_on: date, ends_on: date, note: str) -> str:
    permissions.require(
        permissions.can_record_away(actor, person),
        "Only the person, their managers and learning admins record time away.",
    )
    note = note.strip()
    errors: dict[str, str] = {}
    if len(note) > NOTE_MAX:
        errors["note"] = f"Keep the note under {NOTE_MAX} characters."
    if ends_on < starts_on:
        errors["ends_on"] = "The last day must be on or after the first day."
    elif (ends_on - starts_on).days + 1 > AWAY_MAX_DAYS:
        errors["ends_on"] = "Record at most a year at a time."
    own = actor.pk == person.pk and not permissions.is_learning_admin(actor)
    earliest = today_for(person) - timedelta(days=OWN_BACKDATE_DAYS if own else BACKDATE_DAYS)
    if starts_on < earliest:
        errors["starts_on"] = f"Time away can be recorded from {earliest:%-d %b %Y} on" + (
            "; ask your manager for anything earlier." if own else "."
        )
    if errors:
        raise ValidationError(errors)
    clash = AwayPeriod.objects.filter(
        person=person, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if clash is not None:
        raise ValidationError(
            f"That overlaps time away already recorded ({clash.starts_on:%-d %b} – "
            f"{clash.ends_on:%-d %b %Y}); remove it first or choose other days."
        )
    return note


@transaction.atomic
def away_add(
    *, actor: User, person: User, starts_on: date, ends_on: date, note: str = ""
) -> AwayPeriod:
    """Record time away that pauses the person's streak."""
    # Serialise with the person's streak so two overlapping periods cannot both pass.
    _lock_streak(person)
    note = _check_away(actor=actor, person=person, starts_on=starts_on, ends_on=ends_on, note=note)
    away = AwayPeriod(
        person=person, starts_on=starts_on, ends_on=ends_on, note=note, created_by=actor
    )
    away.full_clean()
    away.save()
    return away


@transaction.atomic
def away_remove(*, actor: User, away: AwayPeriod) -> None:
    permissions.require(
        permissions.can_record_away(actor, away.person),
        "Only the person, their managers and learning admins change time away.",
    )
    if (
        away.created_by_id is not None
        and away.created_by_id != actor.pk
        and actor.pk == away.person_id
        and not permissions.is_learning_admin(actor)
    ):
        raise ValidationError("Your manager recorded this time away; ask them to change it.")
    away.delete()

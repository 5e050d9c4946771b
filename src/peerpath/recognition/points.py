"""The points ledger: every point is one append-only ``PointEntry``.

What each action pays, and how many paid entries a day it may earn, lives in ``RULES``;
the levels live in ``LEVELS``. Anti-gaming is enforced here, for every caller:

* the same source never pays twice (``source_key`` is unique per person and action, so
  completing a module again, or a repeated event, earns nothing and writes nothing);
* past an action's daily cap the entry is still written, with 0 points, so every action
  stays traceable; the day is the person's own calendar day;
* an action whose counterpart is the person themselves (approving one's own module,
  thanking oneself) is written with 0 points;
* learning admins reverse an entry once, with a reason: a new negative entry.

``PointBalance`` (total and level) and the leaderboard tallies are caches of the ledger,
written in the same transaction as each entry; ``points_recompute`` rebuilds the balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from peerpath.core import permissions
from peerpath.core.zones import zone_named
from peerpath.recognition import leaderboards
from peerpath.recognition.models import PointAction, PointBalance, PointEntry

if TYPE_CHECKING:
    from peerpath.people.models import User

REASON_MAX = 500
DESCRIPTION_MAX = 300


@dataclass(frozen=True)
class Rule:
    """What one action pays, and at most how many paid entries per day (None: no cap)."""

    points: int
    daily_cap: int | None


# Every point value and cap, in one place. Learning pays for each new thing learned;
# contributing pays more, because it helps colleagues; caps stop bursts of cheap actions.
RULES: dict[str, Rule] = {
    PointAction.MODULE_COMPLETED: Rule(points=10, daily_cap=20),
    PointAction.ASSESSMENT_PASSED: Rule(points=15, daily_cap=10),
    PointAction.PATH_COMPLETED: Rule(points=50, daily_cap=5),
    PointAction.STREAK_WEEK: Rule(points=20, daily_cap=None),
    PointAction.CERTIFICATION_EARNED: Rule(points=100, daily_cap=5),
    PointAction.MODULE_PUBLISHED: Rule(points=25, daily_cap=3),
    PointAction.MODULE_CURATED: Rule(points=50, daily_cap=5),
    PointAction.REVIEW_DONE: Rule(points=15, daily_cap=10),
    PointAction.SUMMARY_UPVOTED: Rule(points=5, daily_cap=10),
    PointAction.ENDORSEMENT_UPVOTED: Rule(points=5, daily_cap=10),
    PointAction.ANSWER_ACCEPTED: Rule(points=10, daily_cap=5),
    PointAction.KUDOS_RECEIVED: Rule(points=5, daily_cap=5),
}


@dataclass(frozen=True)
class Level:
    number: int
    name: str
    threshold: int  # total points from which the level is reached


LEVELS: tuple[Level, ...] = (
    Level(1, "Newcomer", 0),
    Level(2, "Explorer", 100),
    Level(3, "Contributor", 250),
    Level(4, "Practitioner", 500),
    Level(5, "Guide", 1_000),
    Level(6, "Mentor", 2_000),
    Level(7, "Expert", 3_500),
    Level(8, "Champion", 5_500),
    Level(9, "Luminary", 8_000),
    Level(10, "Legend", 12_000),
)


def level_for(total: int) -> Level:
    """The highest level whose threshold ``total`` reaches (level 1 below zero too)."""
    reached = LEVELS[0]
    for level in LEVELS:
        if total >= level.threshold:
            reached = level
    return reached


def level_named(number: int) -> Level:
    return next((lv for lv in LEVELS if lv.number == number), LEVELS[0])


@dataclass(frozen=True)
class LevelProgress:
    level: Level
    next: Level | None
    points_to_next: int
    percent: int  # of the way from this level's threshold to the next one's


def level_progress(total: int) -> LevelProgress:
    level = level_for(total)
    following = next((lv for lv in LEVELS if lv.number == level.number + 1), None)
    if following is None:
        return LevelProgress(level, None, 0, 100)
    span = following.threshold - level.threshold
    done = max(total - level.threshold, 0)
    percent = min(100, done * 100 // span)
    return LevelProgress(level, following, following.threshold - total, percent)


# --- Reading the ledger ----------------------------------------------------------------


def ledger_of(person: User) -> QuerySet[PointEntry]:
    """The person's ledger, newest first, with who was involved and any reversal."""
    return (
        PointEntry.objects.filter(person=person)
        .select_related("counterpart", "actor", "reversal", "reversal__actor", "reverses")
        .order_by("-occurred_at", "-pk")
    )


@dataclass(frozen=True)
class EarningRule:
    label: str
    points: int
    daily_cap: int | None


def earning_rules() -> list[EarningRule]:
    """What each action pays, for the page that explains points."""
    labels = dict(PointAction.choices)
    return [EarningRule(labels[a], r.points, r.daily_cap) for a, r in RULES.items()]


# --- Writing the ledger ------------------------------------------------------------------


def lock_balance(person: User) -> PointBalance:
    """Create the person's balance row if needed and lock it until the transaction ends.

    Call inside ``transaction.atomic``. Every ledger write for a person goes through this
    lock: without it two awards at once could each count the day's entries below the cap
    and both pay, or each add to a stale total.
    """
    PointBalance.objects.bulk_create([PointBalance(person=person)], ignore_conflicts=True)
    return PointBalance.objects.select_for_update().get(person=person)


def _day_bounds(person: User, at: datetime) -> tuple[datetime, datetime]:
    """The person's calendar day around ``at``, as aware datetimes (DST-safe)."""
    zone = zone_named(person.time_zone)
    day = at.astimezone(zone).date()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _paid_today(person: User, action: str, at: datetime) -> int:
    start, end = _day_bounds(person, at)
    return PointEntry.objects.filter(
        person=person,
        action=action,
        occurred_at__gte=start,
        occurred_at__lt=end,
        points__gt=0,
    ).count()


def _apply(balance: PointBalance, person: User, points: int, at: datetime) -> None:
    if points:
        balance.total += points
        balance.level = level_for(balance.total).number
        balance.save(update_fields=["total", "level", "updated_at"])
    leaderboards.tally_add(person=person, points=points, at=at)


@transaction.atomic
def points_award(
    *,
    person: User,
    action: str,
    source_key: str,
    description: str,
    occurred_at: datetime,
    counterpart: User | None = None,
) -> PointEntry | None:
    """Write the ledger entry for ``action`` from ``source_key``, or nothing if that
    source already paid the person for this action (returns None then).

    Past the action's daily cap, or when the counterpart is the person themselves, the
    entry is written with 0 points.
    """
    if action not in RULES:
        raise ValueError(f"{action!r} is not an action that earns points.")
    if timezone.is_naive(occurred_at):
        raise ValueError("Points take aware datetimes.")
    if not source_key or len(source_key) > 200:
        raise ValueError("A ledger entry needs a source key of at most 200 characters.")
    balance = lock_balance(person)
    if PointEntry.objects.filter(person=person, action=action, source_key=source_key).exists():
        return None
    rule = RULES[action]
    points = rule.points
    note = ""
    if counterpart is not None and counterpart.pk == person.pk:
        points, note = 0, " (your own: no points)"
    elif rule.daily_cap is not None and _paid_today(person, action, occurred_at) >= rule.daily_cap:
        points, note = 0, " (daily limit reached: no points)"
    entry = PointEntry.objects.create(
        person=person,
        action=action,
        points=points,
        source_key=source_key,
        description=(description.strip() + note)[:DESCRIPTION_MAX],
        counterpart=counterpart,
        occurred_at=occurred_at,
    )
    _apply(balance, person, points, occurred_at)
    return entry


def check_points_reverse(*, actor: User, entry: PointEntry, reason: str) -> str:
    """Raise unless ``actor`` may reverse ``entry`` now; return the cleaned reason."""
    permissions.require(
        permissions.can_reverse_points(actor), "Only learning admins reverse points."
    )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the points are reversed."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    if entry.action == PointAction.REVERSAL:
        raise ValidationError("A reversal cannot itself be reversed.")
    if entry.points == 0:
        raise ValidationError("This entry earned no points: there is nothing to reverse.")
    if PointEntry.objects.filter(reverses=entry).exists():
        raise ValidationError("These points were already reversed.")
    return reason


@transaction.atomic
def points_reverse(*, actor: User, entry: PointEntry, reason: str) -> PointEntry:
    """Take back an entry's points with a reason, once: a new negative entry.

    The reversal comes off the leaderboard periods the original entry counted in, so a
    week's board is corrected rather than the current week's penalised.
    """
    person = entry.person
    # Under the person's lock, a second reversal of the same entry waits and then sees
    # the first one (the one-to-one ``reverses`` column backs this up in the database).
    balance = lock_balance(person)
    reason = check_points_reverse(actor=actor, entry=entry, reason=reason)
    reversal = PointEntry.objects.create(
        person=person,
        action=PointAction.REVERSAL,
        points=-entry.points,
        source_key=f"reversal:{entry.pk}",
        description=f"Reversed: {entry.description}"[:DESCRIPTION_MAX],
        occurred_at=timezone.now(),
        reverses=entry,
        reason=reason,
        actor=actor,
    )
    _apply(balance, person, reversal.points, entry.occurred_at)
    return reversal


@dataclass(frozen=True)
class Recomputed:
    balance: PointBalance
    previous_total: int

    @property
    def changed(self) -> bool:
        return self.balance.total != self.previous_total


@transaction.atomic
def points_recompute(person: User) -> Recomputed:
    """Rebuild the person's total and level from the ledger (the source of truth)."""
    balance = lock_balance(person)
    previous = balance.total
    total = PointEntry.objects.filter(person=person).aggregate(total=Sum("points"))["total"] or 0
    balance.total = total
    balance.level = level_for(total).number
    balance.save(update_fields=["total", "level", "updated_at"])
    return Recomputed(balance, previous)

"""Shift coverage: who is on duty in each requirement interval, and what a learning block
would leave.

Everything is computed in whole minutes since the epoch (UTC) from a constant number of
queries, so a decision for a large contact centre stays fast: the team's shifts and
approved blocks in the window are read once with ``values_list`` and counted in memory.

A person is on duty in an interval for queue Q when their shifts in the team (in Q; any
queue for the team-wide requirement "") together cover the whole interval and no approved
learning block of theirs overlaps it.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import F, Func, IntegerField, Q, QuerySet

from peerpath.core.zones import zone_named
from peerpath.schedule.models import (
    CoverageInterval,
    CoverageRequirement,
    LearningTimeRequest,
    RequestStatus,
    Shift,
    TeamPolicy,
)

# The longest shift: the import refuses longer ones, and coverage reads by it.
MAX_SHIFT = dt.timedelta(hours=24)
# How far from the requested start suggest_slots looks, either way: each reach in turn
# until enough slots are found; the last is the furthest it looks.
SUGGESTION_REACHES = (dt.timedelta(hours=12), dt.timedelta(hours=36), dt.timedelta(days=7))

Span = tuple[int, int]  # [start, end) in minutes since the epoch, UTC
# (queue, weekday or None, first minute, end minute, minimum); minutes from local midnight
Requirement = tuple[str, int | None, int, int, int]


@dataclass(frozen=True)
class IntervalCover:
    """One requirement interval of one queue: people on duty against the minimum."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    queue: str  # "" = whole team
    on_duty: int  # after the check's change (or current, in team_coverage)
    minimum: int

    @property
    def short(self) -> bool:
        return self.on_duty < self.minimum


@dataclass(frozen=True)
class CoverageCheck:
    """What taking one person off duty for a block would leave, interval by interval."""

    within_shift: bool  # the block lies entirely inside the person's shifts
    overlaps_shift: bool
    intervals: tuple[IntervalCover, ...]  # the intervals the block takes the person out of

    @property
    def shortfall(self) -> tuple[IntervalCover, ...]:
        return tuple(cover for cover in self.intervals if cover.short)

    @property
    def holds(self) -> bool:
        return not self.shortfall


# ---------------------------------------------------------------------------------------
# Minutes arithmetic (pure; the tests compare it with a minute-by-minute reference)


def to_minutes(moment: dt.datetime, *, round_up: bool = False) -> int:
    """Minutes since the epoch; a start rounds down and an end up, so a block with
    seconds never looks shorter than it is."""
    seconds = int(moment.timestamp())
    return -(-seconds // 60) if round_up else seconds // 60


def from_minutes(minutes: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(minutes * 60, tz=dt.UTC)


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sorted, disjoint spans with touching or overlapping ones joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def covers(spans: Sequence[Span], start: int, end: int) -> bool:
    """Whether one of the merged ``spans`` contains all of [start, end)."""
    index = bisect_right(spans, (start, 2**62)) - 1
    return index >= 0 and spans[index][1] >= end


def overlaps(spans: Sequence[Span], start: int, end: int) -> bool:
    """Whether any of the merged ``spans`` shares a minute with [start, end)."""
    index = bisect_left(spans, (end, -(2**62))) - 1
    return index >= 0 and spans[index][1] > start


def requirement_intervals(
    rows: Iterable[Requirement],
    *,
    zone: ZoneInfo,
    length: int,
    start: int,
    end: int,
) -> dict[str, dict[int, int]]:
    """Every requirement interval overlapping [start, end): queue -> interval start -> the
    highest minimum of the rows that apply. Rows are (queue, weekday, first minute, end
    minute, minimum), the minutes counted from midnight in ``zone``; intervals are
    ``length`` minutes, aligned to local midnight, and a wall-clock time becomes UTC with
    that day's offset."""
    by_weekday: dict[int | None, list[tuple[str, int, int, int]]] = defaultdict(list)
    for queue, weekday, start_minute, end_minute, minimum in rows:
        by_weekday[weekday].append((queue, start_minute, end_minute, minimum))
    result: dict[str, dict[int, int]] = defaultdict(dict)
    if not by_weekday:
        return result
    day = from_minutes(start).astimezone(zone).date() - dt.timedelta(days=1)
    last_day = from_minutes(end).astimezone(zone).date() + dt.timedelta(days=1)
    midnight = to_minutes(dt.datetime.combine(day, dt.time(), tzinfo=zone))
    while day <= last_day:
        next_day = day + dt.timedelta(days=1)
        next_midnight = to_minutes(dt.datetime.combine(next_day, dt.time(), tzinfo=zone))
        # Without a clock change that day, a wall-clock time is plain minutes from midnight.
        steady = next_midnight - midnight == 24 * 60
        for queue, start_minute, end_minute, minimum in (
            *by_weekday.get(None, ()),
            *by_weekday.get(day.weekday(), ()),
        ):
            if steady:
                first, stop = midnight + start_minute, midnight + end_minute
            else:
                first, stop = (
                    _wall_clock(day, start_minute, zone),
                    _wall_clock(day, end_minute, zone),
                )
            interval = midnight + (first - midnight) // length * length
            interval = max(interval, midnight + (start - midnight) // length * length)
            queue_minimums = result[queue]
            while interval < stop and interval < end:
                if interval + length > start and queue_minimums.get(interval, -1) < minimum:
                    queue_minimums[interval] = minimum
                interval += length
        day, midnight = next_day, next_midnight
    return result


def _wall_clock(day: dt.date, minute: int, zone: ZoneInfo) -> int:
    """Minutes since the epoch of ``minute`` minutes after midnight by the clock on ``day``."""
    if minute >= 24 * 60:
        return to_minutes(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone))
    clock = dt.time(minute // 60, minute % 60)
    return to_minutes(dt.datetime.combine(day, clock, tzinfo=zone))


class Roster:
    """The team's shifts and approved learning blocks in a window, per person, ready to
    count who is on duty."""

    def __init__(
        self,
        *,
        shifts: Iterable[tuple[int, int, int, str]],
        approved: Iterable[tuple[int, int, int]],
        length: int,
    ) -> None:
        """``shifts`` are (person, start, end, queue), ``approved`` (person, start, end)."""
        self.length = length
        raw: dict[str, dict[int, list[Span]]] = defaultdict(lambda: defaultdict(list))
        for person, start, end, queue in shifts:
            raw[""][person].append((start, end))
            if queue:
                raw[queue][person].append((start, end))
        # Most people have one shift in the window: nothing to merge.
        self.on_shift: dict[str, dict[int, list[Span]]] = {
            queue: {
                person: spans if len(spans) == 1 else merge_spans(spans)
                for person, spans in people.items()
            }
            for queue, people in raw.items()
        }
        learning: dict[int, list[Span]] = defaultdict(list)
        for person, start, end in approved:
            learning[person].append((start, end))
        self.learning = {person: merge_spans(spans) for person, spans in learning.items()}

    def shifts_of(self, person: int, queue: str = "") -> list[Span]:
        return self.on_shift.get(queue, {}).get(person, [])

    def counts(self, person: int, queue: str, start: int) -> bool:
        """Whether ``person`` is on duty for ``queue`` in the interval from ``start``."""
        end = start + self.length
        return covers(self.shifts_of(person, queue), start, end) and not overlaps(
            self.learning.get(person, []), start, end
        )

    def on_duty(self, queue: str, starts: Sequence[int]) -> list[int]:
        """People on duty for ``queue`` in each interval of the sorted ``starts``: a
        difference array over the intervals each merged shift covers, less the people
        an approved block takes out."""
        length = self.length
        change = [0] * (len(starts) + 1)
        people = self.on_shift.get(queue, {})
        for spans in people.values():
            for start, end in spans:
                low = bisect_left(starts, start)
                high = bisect_right(starts, end - length)
                if low < high:
                    change[low] += 1
                    change[high] -= 1
        result: list[int] = []
        running = 0
        for delta in change[:-1]:
            running += delta
            result.append(running)
        for person, blocks in self.learning.items():
            person_spans = people.get(person)
            if not person_spans:
                continue
            taken: set[int] = set()
            for start, end in blocks:
                low = bisect_right(starts, start - length)
                high = bisect_left(starts, end)
                taken.update(
                    index
                    for index in range(low, high)
                    if covers(person_spans, starts[index], starts[index] + length)
                )
            for index in taken:
                result[index] -= 1
        return result


# ---------------------------------------------------------------------------------------
# Reading the team's data (a constant number of queries)


class _EpochMinutes(Func):
    """A timestamp column as whole minutes since the epoch, computed by the database, so
    thousands of rows are read as integers without building a datetime for each."""

    output_field = IntegerField()

    def __init__(self, column: str, *, round_up: bool = False) -> None:
        super().__init__(F(column))
        self.round_up = round_up

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        seconds = "CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)"
        template = f"({seconds} + 59) / 60" if self.round_up else f"{seconds} / 60"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        rounding = "CEIL" if self.round_up else "FLOOR"
        template = f"{rounding}(EXTRACT(EPOCH FROM %(expressions)s) / 60)::bigint"
        return self.as_sql(compiler, connection, template=template, **extra)


class _DayMinutes(Func):
    """A time-of-day column as minutes from midnight (seconds round an end up)."""

    output_field = IntegerField()

    def __init__(self, column: str, *, round_up: bool = False) -> None:
        super().__init__(F(column))
        self.round_up = round_up

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        seconds = "CAST(strftime('%%%%s', '1970-01-01 ' || %(expressions)s) AS INTEGER)"
        template = f"({seconds} + 59) / 60" if self.round_up else f"{seconds} / 60"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        rounding = "CEIL" if self.round_up else "FLOOR"
        template = f"{rounding}(EXTRACT(EPOCH FROM %(expressions)s) / 60)::integer"
        return self.as_sql(compiler, connection, template=template, **extra)


def _rows(queryset: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """The rows as the database returns them. The columns read here are integers and
    strings already, and skipping the ORM's per-value conversion saves most of the time
    of reading a few thousand rows."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _policy(team_id: int) -> tuple[ZoneInfo, int]:
    """The team's zone and interval length (UTC and 15 minutes without a policy)."""
    policy = TeamPolicy.objects.filter(team_id=team_id).values_list(
        "time_zone", "coverage_interval_minutes"
    )
    zone_name, length = policy.first() or ("UTC", int(CoverageInterval.FIFTEEN))
    return zone_named(zone_name), length


def _requirements(
    *, team_id: int, zone: ZoneInfo, start: int, end: int, queues: Collection[str] | None = None
) -> list[Requirement]:
    """The team's coverage minimums (of ``queues`` only, when given) for the weekdays
    around [start, end)."""
    first_day = from_minutes(start).astimezone(zone).date() - dt.timedelta(days=1)
    days = min((from_minutes(end).astimezone(zone).date() - first_day).days + 2, 7)
    weekdays = {(first_day + dt.timedelta(days=n)).weekday() for n in range(days)}
    rows = CoverageRequirement.objects.filter(team_id=team_id).filter(
        Q(weekday__isnull=True) | Q(weekday__in=weekdays)
    )
    if queues is not None:
        rows = rows.filter(queue__in=queues)
    return _rows(
        rows.annotate(first=_DayMinutes("start_time"), stop=_DayMinutes("end_time", round_up=True))
        .order_by()
        .values_list("queue", "weekday", "first", "stop", "minimum_on_duty")
    )


def _roster(
    *, team_id: int, start: int, end: int, length: int, ignore_request_ids: Collection[int] = ()
) -> Roster:
    """The team's shifts touching [start, end] and its people's approved blocks in it.
    Shifts last at most MAX_SHIFT (the import refuses longer ones), which bounds the
    index range read."""
    window_start, window_end = from_minutes(start), from_minutes(end)
    shifts = Shift.objects.filter(
        team_id=team_id,
        starts_at__gte=window_start - MAX_SHIFT,
        starts_at__lte=window_end,
        ends_at__gte=window_start,
    ).order_by()
    shift_rows = _rows(
        shifts.annotate(
            start=_EpochMinutes("starts_at"), end=_EpochMinutes("ends_at", round_up=True)
        ).values_list("person_id", "start", "end", "queue")
    )
    # The people as a subquery: a list of hundreds of ids costs more to prepare than
    # the database takes to find them again.
    approved = (
        _rows(
            LearningTimeRequest.objects.filter(
                person_id__in=shifts.values("person_id"),
                status=RequestStatus.APPROVED,
                starts_at__lt=window_end,
                ends_at__gt=window_start,
            )
            .exclude(pk__in=list(ignore_request_ids))
            .annotate(start=_EpochMinutes("starts_at"), end=_EpochMinutes("ends_at", round_up=True))
            .order_by()
            .values_list("person_id", "start", "end")
        )
        if shift_rows
        else []
    )
    return Roster(shifts=shift_rows, approved=approved, length=length)


def _queues_of(roster: Roster, person_id: int) -> list[str]:
    """The queues ("" for the whole team) the person's shifts count toward."""
    return [queue for queue, people in roster.on_shift.items() if person_id in people]


def _covers(
    minimums: dict[str, dict[int, int]], counts: dict[str, list[int]], starts: dict[str, list[int]]
) -> list[tuple[int, str, int, int]]:
    return [
        (start, queue, count, minimums[queue][start])
        for queue in starts
        for start, count in zip(starts[queue], counts[queue], strict=True)
    ]


def _cover(start: int, queue: str, on_duty: int, minimum: int, length: int) -> IntervalCover:
    return IntervalCover(
        starts_at=from_minutes(start),
        ends_at=from_minutes(start + length),
        queue=queue,
        on_duty=on_duty,
        minimum=minimum,
    )


# ---------------------------------------------------------------------------------------
# The API


def check_block(
    *,
    team_id: int,
    person_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    ignore_request_ids: Collection[int] = (),
) -> CoverageCheck:
    """What taking ``person_id`` off duty from ``starts_at`` to ``ends_at`` would leave,
    counting already approved blocks (except ``ignore_request_ids``)."""
    start, end = to_minutes(starts_at), to_minutes(ends_at, round_up=True)
    zone, length = _policy(team_id)
    roster = _roster(
        team_id=team_id,
        start=start - length,
        end=end + length,
        length=length,
        ignore_request_ids=ignore_request_ids,
    )
    queues = _queues_of(roster, person_id)
    rows = (
        _requirements(team_id=team_id, zone=zone, start=start, end=end, queues=queues)
        if queues
        else []
    )
    minimums = requirement_intervals(rows, zone=zone, length=length, start=start, end=end)
    affected = {
        queue: sorted(s for s in by_start if roster.counts(person_id, queue, s))
        for queue, by_start in minimums.items()
    }
    counts = {queue: roster.on_duty(queue, starts) for queue, starts in affected.items()}
    intervals = (
        _cover(s, queue, count - 1, minimum, length)
        for s, queue, count, minimum in _covers(minimums, counts, affected)
    )
    shifts = roster.shifts_of(person_id)
    return CoverageCheck(
        within_shift=covers(shifts, start, end),
        overlaps_shift=overlaps(shifts, start, end),
        intervals=tuple(sorted(intervals, key=lambda cover: (cover.starts_at, cover.queue))),
    )


def team_coverage(
    *, team_id: int, starts_at: dt.datetime, ends_at: dt.datetime
) -> list[IntervalCover]:
    """Every requirement interval between ``starts_at`` and ``ends_at`` with the people
    on duty now, for the manager's week view."""
    start, end = to_minutes(starts_at), to_minutes(ends_at, round_up=True)
    zone, length = _policy(team_id)
    roster = _roster(team_id=team_id, start=start - length, end=end + length, length=length)
    rows = _requirements(team_id=team_id, zone=zone, start=start, end=end)
    minimums = requirement_intervals(rows, zone=zone, length=length, start=start, end=end)
    starts = {queue: sorted(by_start) for queue, by_start in minimums.items()}
    counts = {queue: roster.on_duty(queue, s) for queue, s in starts.items()}
    return sorted(
        (_cover(*row, length) for row in _covers(minimums, counts, starts)),
        key=lambda cover: (cover.starts_at, cover.queue),
    )


def suggest_slots(
    *,
    team_id: int,
    person_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    not_before: dt.datetime,
    busy: Sequence[tuple[dt.datetime, dt.datetime]] = (),
    limit: int = 3,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Slots as long as the requested one, inside the person's shifts, that keep coverage:
    the requested start moved by whole intervals, nearest first (a later slot before an
    equally near earlier one), up to a week either way, never before ``not_before`` and
    clear of ``busy`` and the person's approved blocks.

    Half a day either side is searched first, then a day and a half, and the week when
    those find too few: the nearest slots are nearly always in the same shift or the
    next, and half a day's rows are a fraction of a week's."""
    if limit < 1:
        return []
    start, end = to_minutes(starts_at), to_minutes(ends_at, round_up=True)
    taken = [(to_minutes(s), to_minutes(e, round_up=True)) for s, e in busy]
    earliest = to_minutes(not_before, round_up=True)
    zone, length = _policy(team_id)
    slots: list[int] = []
    for reach in SUGGESTION_REACHES:
        minutes = int(reach.total_seconds()) // 60
        slots = _slots(
            team_id=team_id,
            zone=zone,
            length=length,
            person_id=person_id,
            start=start,
            end=end,
            reach=minutes,
            earliest=earliest,
            taken=taken,
            limit=limit,
        )
        if len(slots) == limit:
            break
    return [(from_minutes(s), from_minutes(s + end - start)) for s in slots]


def _slots(
    *,
    team_id: int,
    zone: ZoneInfo,
    length: int,
    person_id: int,
    start: int,
    end: int,
    reach: int,
    earliest: int,
    taken: list[Span],
    limit: int,
) -> list[int]:
    """Starts of up to ``limit`` slots within ``reach`` minutes of the requested one."""
    first, last = start - reach, end + reach
    roster = _roster(team_id=team_id, start=first - length, end=last + length, length=length)
    shifts = roster.shifts_of(person_id)
    if not shifts:
        return []
    queues = _queues_of(roster, person_id)
    rows = _requirements(team_id=team_id, zone=zone, start=first, end=last, queues=queues)
    minimums = requirement_intervals(rows, zone=zone, length=length, start=first, end=last)
    affected = {
        queue: sorted(s for s in by_start if roster.counts(person_id, queue, s))
        for queue, by_start in minimums.items()
    }
    # Intervals that taking this person off duty would leave short, whatever the queue.
    short = sorted(
        s
        for s, queue, count, minimum in _covers(
            minimums,
            {queue: roster.on_duty(queue, starts) for queue, starts in affected.items()},
            affected,
        )
        if count - 1 < minimum
    )
    blocked = merge_spans([*roster.learning.get(person_id, []), *taken])
    slots: list[int] = []
    for step in range(1, reach // length + 1):
        for offset in (step * length, -step * length):
            slot_start, slot_end = start + offset, end + offset
            if (
                slot_start < earliest
                or not covers(shifts, slot_start, slot_end)
                or overlaps(blocked, slot_start, slot_end)
            ):
                continue
            first_short = bisect_right(short, slot_start - length)
            if first_short < len(short) and short[first_short] < slot_end:
                continue
            slots.append(slot_start)
            if len(slots) == limit:
                return slots
    return slots

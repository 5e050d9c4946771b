"""Properties of coverage: the interval arithmetic agrees with counting minute by minute,
and approving only blocks that check_block says hold never breaks a met minimum."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerpath.schedule import coverage
from peerpath.schedule.models import RequestStatus
from tests.factories import TeamFactory, UserFactory
from tests.schedule.factories import (
    CoverageRequirementFactory,
    LearningTimeRequestFactory,
    ShiftFactory,
    TeamPolicyFactory,
)

# A Monday at midnight UTC, in minutes since the epoch.
BASE = coverage.to_minutes(dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
QUEUES = ("", "a", "b")

span = st.tuples(st.integers(0, 230), st.integers(1, 120)).map(
    lambda s: (BASE + s[0], BASE + s[0] + s[1])
)


def minutes_of(spans: list[tuple[int, int]]) -> set[int]:
    return {minute for start, end in spans for minute in range(start, end)}


@given(spans=st.lists(span, max_size=5), probe=span)
def test_covers_and_overlaps_agree_with_minutes(spans, probe):
    merged = coverage.merge_spans(spans)
    inside = minutes_of(spans)
    wanted = set(range(*probe))
    assert minutes_of(merged) == inside
    assert coverage.covers(merged, *probe) == (wanted <= inside)
    assert coverage.overlaps(merged, *probe) == bool(wanted & inside)


@given(
    shifts=st.lists(st.tuples(st.integers(1, 4), span, st.sampled_from(QUEUES)), max_size=10),
    approved=st.lists(st.tuples(st.integers(1, 4), span), max_size=5),
    length=st.sampled_from([15, 30, 60]),
    queue=st.sampled_from(QUEUES),
)
def test_on_duty_agrees_with_counting_minute_by_minute(shifts, approved, length, queue):
    roster = coverage.Roster(
        shifts=[(person, start, end, q) for person, (start, end), q in shifts],
        approved=[(person, start, end) for person, (start, end) in approved],
        length=length,
    )
    starts = list(range(BASE, BASE + 360, length))

    def reference(start: int) -> int:
        interval = set(range(start, start + length))
        on_duty = 0
        for person in range(1, 5):
            own = [s for p, s, q in shifts if p == person and (queue in ("", q))]
            learning = [s for p, s in approved if p == person]
            if interval <= minutes_of(own) and not interval & minutes_of(learning):
                on_duty += 1
        return on_duty

    assert roster.on_duty(queue, starts) == [reference(start) for start in starts]


requirement = st.tuples(
    st.sampled_from(QUEUES),
    st.sampled_from([None, 0, 1]),
    st.integers(0, 24 * 60 - 1),
    st.integers(1, 300),
    st.integers(0, 5),
).map(lambda r: (r[0], r[1], r[2], min(r[2] + r[3], 24 * 60), r[4]))


@given(
    rows=st.lists(requirement, max_size=4),
    length=st.sampled_from([15, 30, 60]),
    zone_name=st.sampled_from(["UTC", "Asia/Kolkata", "America/St_Johns"]),
    window=st.tuples(st.integers(0, 3 * 24 * 60), st.integers(1, 24 * 60)),
)
def test_requirement_intervals_agree_with_minutes(rows, length, zone_name, window):
    """On days without a clock change, checked against local minutes of the day."""
    zone = ZoneInfo(zone_name)
    start = BASE + 24 * 60 + window[0]  # Tuesday 2026-03-03 onwards, no clock change
    end = start + window[1]
    result = coverage.requirement_intervals(rows, zone=zone, length=length, start=start, end=end)
    offset = int(dt.datetime(2026, 3, 4, tzinfo=zone).utcoffset().total_seconds()) // 60
    expected: dict[str, dict[int, int]] = {}
    local_day = (start + offset) // (24 * 60)
    for day in range(local_day - 1, local_day + 3):
        weekday = dt.date.fromordinal(dt.date(1970, 1, 1).toordinal() + day).weekday()
        for first in range(day * 24 * 60, (day + 1) * 24 * 60, length):
            utc = first - offset
            if not (utc < end and utc + length > start):
                continue
            for queue, on_day, first_minute, end_minute, minimum in rows:
                row_start = day * 24 * 60 + first_minute
                row_end = day * 24 * 60 + end_minute
                if on_day in (None, weekday) and first < row_end and first + length > row_start:
                    queue_minimums = expected.setdefault(queue, {})
                    queue_minimums[utc] = max(queue_minimums.get(utc, -1), minimum)
    assert {q: m for q, m in result.items() if m} == expected


# ---------------------------------------------------------------------------------------
# Against the database: auto-approval never breaks a met minimum

STEP = dt.timedelta(minutes=5)
DAY = dt.datetime(2026, 3, 29, tzinfo=dt.UTC)  # a Sunday, and London's clocks change

shift_rows = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.integers(0, 12 * 12),
        st.integers(6, 8 * 12),
        st.sampled_from(QUEUES[:2]),
    ),
    max_size=8,
)
requirement_rows = st.lists(
    st.tuples(
        st.sampled_from(QUEUES[:2]), st.integers(0, 20), st.integers(1, 4), st.integers(0, 4)
    ),
    min_size=1,
    max_size=3,
)
blocks = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 16 * 12), st.integers(3, 24)),
    min_size=1,
    max_size=5,
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    shifts=shift_rows,
    requirements=requirement_rows,
    requests=blocks,
    length=st.sampled_from([15, 30]),
    zone=st.sampled_from(["UTC", "Europe/London"]),
)
def test_approving_blocks_that_hold_never_breaks_a_met_minimum(
    shifts, requirements, requests, length, zone
):
    with transaction.atomic():
        team = TeamFactory()
        TeamPolicyFactory(team=team, coverage_interval_minutes=length, time_zone=zone)
        people = [UserFactory(team=team) for _ in range(4)]
        for person, start, duration, queue in shifts:
            ShiftFactory(
                person=people[person],
                team=team,
                starts_at=DAY + start * STEP,
                ends_at=DAY + (start + duration) * STEP,
                queue=queue,
            )
        for queue, hour, hours, minimum in requirements:
            CoverageRequirementFactory(
                team=team,
                queue=queue,
                start_time=dt.time(hour),
                end_time=dt.time(min(hour + hours, 23)),
                minimum_on_duty=minimum,
            )
        window = {
            "team_id": team.pk,
            "starts_at": DAY - dt.timedelta(hours=2),
            "ends_at": DAY + dt.timedelta(days=1),
        }
        for person, start, duration in requests:
            before = {(c.starts_at, c.queue): c for c in coverage.team_coverage(**window)}
            starts_at = DAY + start * STEP
            ends_at = starts_at + duration * STEP
            check = coverage.check_block(
                team_id=team.pk, person_id=people[person].pk, starts_at=starts_at, ends_at=ends_at
            )
            if not check.holds:
                continue
            LearningTimeRequestFactory(
                person=people[person],
                team=team,
                starts_at=starts_at,
                ends_at=ends_at,
                status=RequestStatus.APPROVED,
            )
            after = {(c.starts_at, c.queue): c for c in coverage.team_coverage(**window)}
            assert after.keys() == before.keys()
            for key, cover in after.items():
                if not before[key].short:
                    assert not cover.short, (key, before[key], cover)
            for cover in check.intervals:
                assert after[(cover.starts_at, cover.queue)].on_duty == cover.on_duty
        transaction.set_rollback(True)


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    shifts=st.lists(
        st.tuples(
            st.integers(0, 2),
            st.integers(0, 9),
            st.integers(6 * 12, 12 * 12),
            st.integers(12, 8 * 12),
        ),
        min_size=1,
        max_size=12,
    ),
    approved=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 9 * 24 * 4), st.integers(1, 4)), max_size=10
    ),
    minimum=st.integers(0, 2),
    request=st.tuples(st.integers(0, 9 * 24 * 4), st.integers(1, 6)),
    busy=st.lists(st.tuples(st.integers(0, 9 * 24 * 4), st.integers(1, 12)), max_size=3),
    early=st.integers(0, 5 * 24 * 4),
)
def test_suggested_slots_are_the_nearest_that_hold(shifts, approved, minimum, request, busy, early):
    """Compared with trying every slot a whole interval away, nearest first, with
    check_block: the staged search finds the same slots."""
    quarter = dt.timedelta(minutes=15)
    with transaction.atomic():
        team = TeamFactory()
        people = [UserFactory(team=team) for _ in range(3)]
        spans: dict[int, list[tuple[int, int]]] = {0: [], 1: [], 2: []}
        learning: list[tuple[int, int]] = []
        for person, day, start, duration in shifts:
            starts_at = DAY + dt.timedelta(days=day) + start * STEP
            ShiftFactory(
                person=people[person],
                team=team,
                starts_at=starts_at,
                ends_at=starts_at + duration * STEP,
            )
            spans[person].append(
                (coverage.to_minutes(starts_at), coverage.to_minutes(starts_at) + duration * 5)
            )
        CoverageRequirementFactory(
            team=team, start_time=dt.time(7), end_time=dt.time(23), minimum_on_duty=minimum
        )
        for person, start, length in approved:
            starts_at = DAY + start * quarter
            LearningTimeRequestFactory(
                person=people[person],
                team=team,
                starts_at=starts_at,
                ends_at=starts_at + length * quarter,
                status=RequestStatus.APPROVED,
            )
            if person == 0:
                learning.append(
                    (coverage.to_minutes(starts_at), coverage.to_minutes(starts_at) + length * 15)
                )
        starts_at = DAY + request[0] * quarter
        ends_at = starts_at + request[1] * quarter
        not_before = DAY + early * quarter
        busy_times = [(DAY + s * quarter, DAY + (s + n) * quarter) for s, n in busy]
        slots = coverage.suggest_slots(
            team_id=team.pk,
            person_id=people[0].pk,
            starts_at=starts_at,
            ends_at=ends_at,
            not_before=not_before,
            busy=busy_times,
            limit=4,
        )
        own = coverage.merge_spans(spans[0])
        blocked = coverage.merge_spans(
            learning + [(coverage.to_minutes(s), coverage.to_minutes(e)) for s, e in busy_times]
        )
        expected = []
        for step in range(1, 7 * 24 * 4 + 1):
            for offset in (step * quarter, -step * quarter):
                slot = (starts_at + offset, ends_at + offset)
                first, last = coverage.to_minutes(slot[0]), coverage.to_minutes(slot[1])
                if (
                    len(expected) < 4
                    and slot[0] >= not_before
                    and coverage.covers(own, first, last)
                    and not coverage.overlaps(blocked, first, last)
                    and coverage.check_block(
                        team_id=team.pk, person_id=people[0].pk, starts_at=slot[0], ends_at=slot[1]
                    ).holds
                ):
                    expected.append(slot)
        assert slots == expected
        transaction.set_rollback(True)

"""Coverage: who is on duty per interval, what a learning block would leave, and the
team's coverage for the week view."""

from __future__ import annotations

import datetime as dt

import pytest

from peerpath.schedule import coverage
from peerpath.schedule.models import RequestStatus
from tests.factories import TeamFactory, UserFactory
from tests.schedule.conftest import ShiftTeam
from tests.schedule.factories import (
    SHIFT_START,
    CoverageRequirementFactory,
    LearningTimeRequestFactory,
    ShiftFactory,
    TeamPolicyFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def check(team: ShiftTeam, person: int, start: dt.datetime, end: dt.datetime, **kw):
    return coverage.check_block(
        team_id=team.team.pk, person_id=person, starts_at=start, ends_at=end, **kw
    )


def approve(person, start: dt.datetime, end: dt.datetime):
    return LearningTimeRequestFactory(
        person=person, starts_at=start, ends_at=end, status=RequestStatus.APPROVED
    )


def test_a_block_inside_the_shift_holds_while_enough_stay_on_duty(shift_team):
    result = check(shift_team, shift_team.agents[2].pk, at(11), at(11, 30))
    assert result.within_shift
    assert result.overlaps_shift
    assert result.holds
    assert [(c.starts_at, c.ends_at, c.queue, c.on_duty, c.minimum) for c in result.intervals] == [
        (at(11), at(11, 15), "", 3, 3),
        (at(11, 15), at(11, 30), "", 3, 3),
    ]


def test_a_second_agent_in_the_same_slot_falls_short(shift_team):
    approve(shift_team.agents[2], at(11), at(11, 30))
    result = check(shift_team, shift_team.agents[3].pk, at(11), at(11, 30))
    assert not result.holds
    assert [(c.starts_at, c.on_duty, c.minimum) for c in result.shortfall] == [
        (at(11), 2, 3),
        (at(11, 15), 2, 3),
    ]


def test_an_approved_block_only_counts_where_it_overlaps(shift_team):
    approve(shift_team.agents[2], at(11, 10), at(11, 20))
    result = check(shift_team, shift_team.agents[3].pk, at(11), at(12))
    assert [c.on_duty for c in result.intervals] == [2, 2, 3, 3]
    assert [c.starts_at for c in result.shortfall] == [at(11), at(11, 15)]


def test_ignored_requests_do_not_count(shift_team):
    earlier = approve(shift_team.agents[2], at(11), at(11, 30))
    result = check(
        shift_team, shift_team.agents[3].pk, at(11), at(11, 30), ignore_request_ids=[earlier.pk]
    )
    assert result.holds


@pytest.mark.parametrize(
    "status", [RequestStatus.PENDING, RequestStatus.DECLINED, RequestStatus.CANCELLED]
)
def test_only_approved_blocks_take_people_off_duty(shift_team, status):
    LearningTimeRequestFactory(
        person=shift_team.agents[2], starts_at=at(11), ends_at=at(11, 30), status=status
    )
    assert check(shift_team, shift_team.agents[3].pk, at(11), at(11, 30)).holds


def test_a_queue_minimum_counts_only_that_queues_shifts(shift_team):
    CoverageRequirementFactory(team=shift_team.team, queue="billing", minimum_on_duty=2)
    billing = check(shift_team, shift_team.agents[0].pk, at(11), at(11, 15))
    assert [(c.queue, c.on_duty, c.minimum, c.short) for c in billing.intervals] == [
        ("", 3, 3, False),
        ("billing", 1, 2, True),
    ]
    general = check(shift_team, shift_team.agents[2].pk, at(11), at(11, 15))
    assert [(c.queue, c.on_duty) for c in general.intervals] == [("", 3)]
    assert general.holds


def test_someone_without_a_shift_leaves_coverage_untouched(shift_team):
    approve(shift_team.agents[2], at(11), at(11, 30))
    result = check(shift_team, shift_team.manager.pk, at(11), at(11, 30))
    assert not result.within_shift
    assert not result.overlaps_shift
    assert result.intervals == ()
    assert result.holds


def test_a_block_running_past_the_shift_end_counts_only_the_shift_part(shift_team):
    result = check(shift_team, shift_team.agents[2].pk, at(16, 45), at(17, 30))
    assert result.overlaps_shift
    assert not result.within_shift
    assert [(c.starts_at, c.on_duty) for c in result.intervals] == [(at(16, 45), 3)]


def test_an_unaligned_block_counts_every_interval_it_touches(shift_team):
    result = check(shift_team, shift_team.agents[2].pk, at(11, 5), at(11, 20))
    assert [c.starts_at for c in result.intervals] == [at(11), at(11, 15)]


def test_the_highest_matching_minimum_applies(shift_team):
    CoverageRequirementFactory(
        team=shift_team.team,
        weekday=0,
        start_time=dt.time(11),
        end_time=dt.time(12),
        minimum_on_duty=4,
    )
    CoverageRequirementFactory(
        team=shift_team.team,
        weekday=1,
        start_time=dt.time(9),
        end_time=dt.time(17),
        minimum_on_duty=9,
    )
    result = check(shift_team, shift_team.agents[2].pk, at(10, 45), at(11, 15))
    assert [(c.starts_at, c.minimum, c.short) for c in result.intervals] == [
        (at(10, 45), 3, False),
        (at(11), 4, True),
    ]


def test_a_weekday_requirement_does_not_apply_on_other_days(shift_team):
    team = TeamFactory()
    agent = UserFactory(team=team)
    ShiftFactory(person=agent, team=team, starts_at=SHIFT_START)
    CoverageRequirementFactory(team=team, weekday=1, minimum_on_duty=5)
    result = coverage.check_block(
        team_id=team.pk, person_id=agent.pk, starts_at=at(11), ends_at=at(11, 30)
    )
    assert result.within_shift
    assert result.intervals == ()


def test_the_policy_interval_length_is_used(shift_team):
    shift_team.policy.coverage_interval_minutes = 60
    shift_team.policy.save()
    result = check(shift_team, shift_team.agents[2].pk, at(11, 30), at(12, 15))
    assert [(c.starts_at, c.ends_at) for c in result.intervals] == [
        (at(11), at(12)),
        (at(12), at(13)),
    ]


def test_without_a_policy_intervals_are_fifteen_minutes_in_utc(shift_team):
    shift_team.policy.delete()
    result = check(shift_team, shift_team.agents[2].pk, at(11), at(11, 30))
    assert len(result.intervals) == 2


def test_back_to_back_shifts_cover_the_interval_between_them():
    team = TeamFactory()
    agent = UserFactory(team=team)
    ShiftFactory(person=agent, team=team, starts_at=at(9), ends_at=at(11, 5))
    ShiftFactory(person=agent, team=team, starts_at=at(11, 5), ends_at=at(13))
    CoverageRequirementFactory(team=team, minimum_on_duty=1)
    result = coverage.check_block(
        team_id=team.pk, person_id=agent.pk, starts_at=at(11), ends_at=at(11, 15)
    )
    assert result.within_shift
    assert [(c.on_duty, c.minimum) for c in result.intervals] == [(0, 1)]


def test_a_shift_starting_inside_an_interval_does_not_count_for_it(shift_team):
    late = UserFactory(team=shift_team.team)
    ShiftFactory(person=late, team=shift_team.team, starts_at=at(11, 5), ends_at=at(15))
    result = check(shift_team, shift_team.agents[2].pk, at(11), at(11, 30))
    assert [c.on_duty for c in result.intervals] == [3, 4]


def test_shifts_and_blocks_of_another_team_do_not_count(shift_team):
    other = TeamFactory()
    stranger = UserFactory(team=other)
    ShiftFactory(person=stranger, team=other, starts_at=SHIFT_START)
    result = check(shift_team, shift_team.agents[2].pk, at(11), at(11, 15))
    assert [c.on_duty for c in result.intervals] == [3]


def test_team_coverage_lists_every_interval_with_people_on_duty_now(
    shift_team, django_assert_max_num_queries
):
    approve(shift_team.agents[2], at(11), at(11, 30))
    CoverageRequirementFactory(team=shift_team.team, queue="billing", minimum_on_duty=1)
    with django_assert_max_num_queries(4):
        covers = coverage.team_coverage(
            team_id=shift_team.team.pk, starts_at=at(0), ends_at=at(0, day=3)
        )
    assert len(covers) == 2 * 32
    by_key = {(c.starts_at, c.queue): c for c in covers}
    assert by_key[(at(9), "")].on_duty == 4
    assert by_key[(at(11), "")].on_duty == 3
    assert by_key[(at(11, 15), "")].on_duty == 3
    assert by_key[(at(11, 30), "")].on_duty == 4
    assert by_key[(at(11), "billing")].on_duty == 2
    assert covers[0].starts_at == at(9)
    assert covers[-1].ends_at == at(17)
    assert not any(c.short for c in covers)


def test_team_coverage_shows_a_gap_with_nobody_on_duty():
    team = TeamFactory()
    CoverageRequirementFactory(team=team, start_time=dt.time(9), end_time=dt.time(10))
    covers = coverage.team_coverage(team_id=team.pk, starts_at=at(0), ends_at=at(0, day=3))
    assert [(c.on_duty, c.short) for c in covers] == [(0, True)] * 4


def test_a_requirement_in_london_follows_the_clock_change():
    team = TeamFactory()
    TeamPolicyFactory(team=team, time_zone="Europe/London")
    CoverageRequirementFactory(team=team, start_time=dt.time(9), end_time=dt.time(17))
    day = dt.datetime(2026, 3, 29, tzinfo=UTC)  # clocks go forward at 01:00 UTC
    covers = coverage.team_coverage(
        team_id=team.pk, starts_at=day - dt.timedelta(days=1), ends_at=day + dt.timedelta(days=1)
    )
    saturday = [c for c in covers if c.starts_at.day == 28]
    sunday = [c for c in covers if c.starts_at.day == 29]
    assert (saturday[0].starts_at.hour, saturday[-1].ends_at.hour) == (9, 17)
    assert (sunday[0].starts_at.hour, sunday[-1].ends_at.hour) == (8, 16)
    assert len(saturday) == len(sunday) == 32


def test_check_block_reads_a_constant_number_of_rows(shift_team, django_assert_max_num_queries):
    for n in range(20):
        agent = UserFactory(team=shift_team.team)
        ShiftFactory(person=agent, team=shift_team.team, starts_at=SHIFT_START, queue=f"q{n % 3}")
        approve(agent, at(10 + n % 6), at(10 + n % 6, 30))
        CoverageRequirementFactory(team=shift_team.team, queue=f"q{n % 3}", weekday=n % 7)
    with django_assert_max_num_queries(4):
        result = check(shift_team, shift_team.agents[2].pk, at(9), at(13))
    assert len(result.intervals) == 16


def test_a_requirement_in_london_follows_the_clock_going_back():
    team = TeamFactory()
    TeamPolicyFactory(team=team, time_zone="Europe/London")
    CoverageRequirementFactory(team=team, start_time=dt.time(9), end_time=dt.time(17))
    day = dt.datetime(2026, 10, 25, tzinfo=UTC)  # clocks go back at 01:00 UTC
    covers = coverage.team_coverage(
        team_id=team.pk, starts_at=day - dt.timedelta(days=1), ends_at=day + dt.timedelta(days=1)
    )
    saturday = [c for c in covers if c.starts_at.day == 24]
    sunday = [c for c in covers if c.starts_at.day == 25]
    assert (saturday[0].starts_at.hour, saturday[-1].ends_at.hour) == (8, 16)
    assert (sunday[0].starts_at.hour, sunday[-1].ends_at.hour) == (9, 17)
    assert len(saturday) == len(sunday) == 32


@pytest.mark.parametrize(
    ("day", "first", "last", "count"),
    [
        # 00:30 GMT to 03:00 BST: the hour from 01:00 does not exist.
        (
            dt.date(2026, 3, 29),
            dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
            dt.datetime(2026, 3, 29, 2, tzinfo=UTC),
            6,
        ),
        # 00:30 BST to 03:00 GMT: the hour from 01:00 happens twice.
        (
            dt.date(2026, 10, 25),
            dt.datetime(2026, 10, 24, 23, 30, tzinfo=UTC),
            dt.datetime(2026, 10, 25, 3, tzinfo=UTC),
            14,
        ),
    ],
)
def test_a_requirement_across_the_clock_change_lasts_as_long_as_it_really_does(
    day, first, last, count
):
    team = TeamFactory()
    TeamPolicyFactory(team=team, time_zone="Europe/London")
    CoverageRequirementFactory(team=team, start_time=dt.time(0, 30), end_time=dt.time(3))
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=UTC)
    covers = coverage.team_coverage(
        team_id=team.pk,
        starts_at=midnight - dt.timedelta(hours=6),
        ends_at=midnight + dt.timedelta(hours=6),
    )
    assert (covers[0].starts_at, covers[-1].ends_at, len(covers)) == (first, last, count)


def test_a_block_on_the_day_clocks_change_is_checked_against_local_hours():
    team = TeamFactory()
    TeamPolicyFactory(team=team, time_zone="Europe/London")
    CoverageRequirementFactory(team=team, start_time=dt.time(9), end_time=dt.time(17))
    agents = [UserFactory(team=team) for _ in range(2)]
    sunday_nine_bst = dt.datetime(2026, 3, 29, 8, tzinfo=UTC)
    for agent in agents:
        ShiftFactory(person=agent, team=team, starts_at=sunday_nine_bst - dt.timedelta(hours=1))
    result = coverage.check_block(
        team_id=team.pk,
        person_id=agents[0].pk,
        starts_at=sunday_nine_bst - dt.timedelta(minutes=30),
        ends_at=sunday_nine_bst + dt.timedelta(minutes=15),
    )
    assert [(c.starts_at, c.on_duty) for c in result.intervals] == [(sunday_nine_bst, 1)]

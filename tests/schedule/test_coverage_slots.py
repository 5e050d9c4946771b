"""Alternative slots: nearest first, inside the person's shifts, keeping coverage."""

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
)

pytestmark = pytest.mark.django_db

EARLY = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=dt.UTC)


def approve(person, start: dt.datetime, end: dt.datetime):
    return LearningTimeRequestFactory(
        person=person, starts_at=start, ends_at=end, status=RequestStatus.APPROVED
    )


def suggest(team: ShiftTeam, person, start, end, **kw):
    kw.setdefault("not_before", EARLY)
    return coverage.suggest_slots(
        team_id=team.team.pk, person_id=person.pk, starts_at=start, ends_at=end, **kw
    )


@pytest.fixture
def crowded(shift_team: ShiftTeam) -> ShiftTeam:
    """Agent Cho is already learning 11:00–11:30, so nobody else can leave then."""
    approve(shift_team.agents[2], at(11), at(11, 30))
    return shift_team


def test_the_nearest_slots_that_keep_coverage_come_first(crowded):
    slots = suggest(crowded, crowded.agents[3], at(11), at(11, 30))
    assert slots == [(at(11, 30), at(12)), (at(10, 30), at(11)), (at(11, 45), at(12, 15))]
    for start, end in slots:
        assert coverage.check_block(
            team_id=crowded.team.pk, person_id=crowded.agents[3].pk, starts_at=start, ends_at=end
        ).holds


def test_slots_start_no_earlier_than_asked(crowded):
    slots = suggest(crowded, crowded.agents[3], at(11), at(11, 30), not_before=at(10, 50))
    assert slots == [(at(11, 30), at(12)), (at(11, 45), at(12, 15)), (at(12), at(12, 30))]


def test_slots_avoid_busy_times(crowded):
    slots = suggest(
        crowded, crowded.agents[3], at(11), at(11, 30), busy=[(at(11, 40), at(12, 10))], limit=2
    )
    assert slots == [(at(10, 30), at(11)), (at(10, 15), at(10, 45))]


def test_slots_avoid_the_persons_own_approved_blocks(crowded):
    slots = suggest(crowded, crowded.agents[2], at(11, 15), at(11, 45), limit=2)
    assert slots == [(at(11, 30), at(12)), (at(11, 45), at(12, 15))]


def test_slots_stay_inside_the_shift(crowded):
    slots = suggest(crowded, crowded.agents[3], at(16, 30), at(17), limit=2)
    assert slots == [(at(16, 15), at(16, 45)), (at(16), at(16, 30))]


def test_the_same_length_is_kept_and_the_step_follows_an_unaligned_start(crowded):
    slots = suggest(crowded, crowded.agents[3], at(11, 5), at(11, 50), limit=1)
    assert slots == [(at(11, 35), at(12, 20))]


def test_slots_reach_shifts_up_to_a_week_away():
    team = TeamFactory()
    agent = UserFactory(team=team)
    ShiftFactory(person=agent, team=team, starts_at=SHIFT_START + dt.timedelta(days=6))
    ShiftFactory(person=agent, team=team, starts_at=SHIFT_START + dt.timedelta(days=8))
    CoverageRequirementFactory(team=team, minimum_on_duty=0)
    slots = coverage.suggest_slots(
        team_id=team.pk,
        person_id=agent.pk,
        starts_at=at(9),
        ends_at=at(9, 30),
        not_before=EARLY,
        limit=40,
    )
    assert slots
    assert {start.date() for start, _ in slots} == {dt.date(2026, 3, 8)}


def test_nobody_without_shifts_gets_slots(crowded):
    assert suggest(crowded, crowded.manager, at(11), at(11, 30)) == []


def test_no_slot_when_coverage_is_short_all_shift(shift_team):
    CoverageRequirementFactory(team=shift_team.team, minimum_on_duty=4)
    assert suggest(shift_team, shift_team.agents[3], at(11), at(11, 30)) == []


def test_slots_read_a_constant_number_of_rows(crowded, django_assert_max_num_queries):
    """Half a day either side is read first (4 queries), then a day and a half and a week only
    when needed (3 more each)."""
    agents = [UserFactory(team=crowded.team) for _ in range(10)]
    for n, agent in enumerate(agents):
        for day in range(5):
            ShiftFactory(
                person=agent, team=crowded.team, starts_at=SHIFT_START + dt.timedelta(days=day)
            )
        approve(agent, at(9 + n % 8, day=2 + n % 5), at(9 + n % 8, 30, day=2 + n % 5))
    with django_assert_max_num_queries(4):
        near = suggest(crowded, agents[0], at(11), at(11, 30), limit=5)
    assert len(near) == 5
    with django_assert_max_num_queries(10):
        far = suggest(crowded, agents[0], at(11), at(11, 30), limit=100)
    assert far[:5] == near
    assert len(far) == 100

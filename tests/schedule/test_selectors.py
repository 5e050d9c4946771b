"""Reads of learning time: a person's requests, the approvals queue, a team's week, time
used against the budget, and the teams a manager runs; each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from peerpath.learning import services as learning
from peerpath.schedule import selectors, services
from peerpath.schedule.models import RequestStatus, TeamPolicy
from tests.factories import ModuleFactory, TeamFactory, UserFactory
from tests.schedule.conftest import ShiftTeam
from tests.schedule.factories import LearningTimeRequestFactory, ShiftFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def pending(person, start: dt.datetime, **kw):
    return LearningTimeRequestFactory(
        person=person, starts_at=start, ends_at=start + dt.timedelta(minutes=30), **kw
    )


# --- My requests -------------------------------------------------------------------------


def test_my_requests_are_the_persons_own_latest_first_in_one_query(
    shift_team: ShiftTeam, django_assert_num_queries
):
    agent = shift_team.agents[0]
    module = ModuleFactory(author=shift_team.manager)
    mine = [pending(agent, at(9 + n), module=module) for n in range(4)]
    pending(shift_team.agents[1], at(9))
    with django_assert_num_queries(1):
        rows = list(selectors.my_requests(agent))
        titles = {r.module.title for r in rows if r.module}
        assert all(r.decided_by is None and r.series is None and r.path is None for r in rows)
    assert [r.pk for r in rows] == [r.pk for r in reversed(mine)]
    assert titles == {module.title}


# --- The approvals queue ---------------------------------------------------------------------


@pytest.fixture
def queue(shift_team: ShiftTeam):
    """Requests in several states, from the team and from elsewhere."""
    agents = shift_team.agents
    stranger = UserFactory(team=TeamFactory(), manager=UserFactory())
    return {
        "newest": pending(agents[0], at(10), created_at=NOW - dt.timedelta(hours=1)),
        "oldest": pending(agents[1], at(11), created_at=NOW - dt.timedelta(days=3)),
        "approved": pending(agents[2], at(12), status=RequestStatus.APPROVED),
        "started": pending(agents[3], at(8, day=1), created_at=NOW - dt.timedelta(days=5)),
        "manager": pending(shift_team.manager, at(13)),
        "stranger": pending(stranger, at(14), created_at=NOW - dt.timedelta(days=4)),
    }


def test_the_manager_sees_pending_requests_of_their_people_oldest_first(
    shift_team: ShiftTeam, queue, django_assert_num_queries
):
    with django_assert_num_queries(2):
        rows = list(selectors.approvals_queue(shift_team.manager))
        names = [(r.person.display_name, r.team and r.team.name) for r in rows]
    assert [r.pk for r in rows] == [queue["oldest"].pk, queue["newest"].pk]
    assert names == [("Agent Ben", "Call Centre"), ("Agent Ana", "Call Centre")]
    with django_assert_num_queries(2):
        assert selectors.pending_count_for(shift_team.manager) == 2


def test_a_learning_admin_sees_every_pending_request_but_their_own(
    shift_team, queue, django_assert_num_queries
):
    admin = UserFactory(is_learning_admin=True)
    pending(admin, at(15))
    with django_assert_num_queries(1):
        rows = list(selectors.approvals_queue(admin))
    assert [r.pk for r in rows] == [
        queue["stranger"].pk,
        queue["oldest"].pk,
        queue["manager"].pk,
        queue["newest"].pk,
    ]


def test_people_without_reports_see_an_empty_queue(shift_team: ShiftTeam, queue):
    for someone in (shift_team.agents[0], UserFactory(team=TeamFactory())):
        assert list(selectors.approvals_queue(someone)) == []
        assert selectors.pending_count_for(someone) == 0


def test_a_delegate_sees_the_managers_queue_while_the_delegation_runs(
    shift_team: ShiftTeam, queue, django_assert_num_queries
):
    stand_in = UserFactory(team=TeamFactory())
    services.delegate_approvals(
        manager=shift_team.manager,
        delegate=stand_in,
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 1),
    )
    with django_assert_num_queries(2):
        rows = list(selectors.approvals_queue(stand_in))
    assert [r.pk for r in rows] == [queue["oldest"].pk, queue["newest"].pk]
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert selectors.pending_count_for(stand_in) == 0


def test_the_queue_matches_who_may_decide(shift_team: ShiftTeam, queue):
    from peerpath.core import permissions

    for user in (shift_team.manager, shift_team.agents[0]):
        shown = {r.pk for r in selectors.approvals_queue(user)}
        for request in queue.values():
            if request.status == RequestStatus.PENDING and request.starts_at > NOW:
                decides = permissions.can_decide_learning_time(user, request.person)
                assert (request.pk in shown) == decides


# --- Teams a user manages ---------------------------------------------------------------------


def test_teams_a_user_manages(shift_team: ShiftTeam):
    other = TeamFactory(name="Sales")
    UserFactory(team=other, manager=shift_team.agents[0])
    # The Sales member reports to Ana, who reports to the manager: both teams are theirs.
    assert list(selectors.teams_user_manages(shift_team.manager)) == [shift_team.team, other]
    assert list(selectors.teams_user_manages(shift_team.agents[0])) == [other]
    assert list(selectors.teams_user_manages(shift_team.agents[1])) == []
    admin = UserFactory(is_learning_admin=True)
    assert set(selectors.teams_user_manages(admin)) >= {shift_team.team, other}


# --- The team's week ---------------------------------------------------------------------------


def test_the_team_week_shows_shifts_blocks_and_coverage(shift_team: ShiftTeam):
    agents = shift_team.agents
    approved = pending(agents[0], at(14), status=RequestStatus.APPROVED)
    waiting = pending(agents[1], at(15))
    pending(agents[2], at(15), status=RequestStatus.DECLINED)
    pending(agents[3], at(10, day=9), status=RequestStatus.APPROVED)  # next week
    visitor = UserFactory(display_name="Agent Zed", team=TeamFactory())
    ShiftFactory(person=visitor, team=shift_team.team, starts_at=at(9, day=4))
    week = selectors.team_week(shift_team.manager, shift_team.team, dt.date(2026, 3, 4))
    assert week.days[0] == dt.date(2026, 3, 2)
    assert week.days[-1] == dt.date(2026, 3, 8)
    assert (week.previous_week, week.next_week) == (dt.date(2026, 2, 23), dt.date(2026, 3, 9))
    people = [row.person.display_name for row in week.rows]
    assert people == [
        "Agent Ana",
        "Agent Ben",
        "Agent Cho",
        "Agent Dev",
        "Agent Zed",
        "Cara Coordinator",
    ]
    by_name = {row.person.display_name: row for row in week.rows}
    assert [b.pk for b in by_name["Agent Ana"].blocks] == [approved.pk]
    assert [b.pk for b in by_name["Agent Ben"].blocks] == [waiting.pk]
    assert by_name["Agent Cho"].blocks == []
    assert by_name["Agent Dev"].blocks == []
    assert len(by_name["Agent Zed"].shifts) == 1
    assert by_name["Cara Coordinator"].shifts == []
    monday = [c for c in week.coverage if c.starts_at.date() == dt.date(2026, 3, 2)]
    assert len(monday) == 32
    at_two = next(c for c in monday if c.starts_at == at(14))
    assert (at_two.on_duty, at_two.minimum) == (3, 3)


def test_the_team_week_costs_the_same_queries_for_more_people(shift_team: ShiftTeam):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            week = selectors.team_week(shift_team.manager, shift_team.team, dt.date(2026, 3, 2))
            for row in week.rows:
                _ = [(b.module, b.path) for b in row.blocks]
        return len(captured)

    before = count()
    for n in range(6):
        agent = UserFactory(team=shift_team.team, manager=shift_team.manager)
        ShiftFactory(person=agent, team=shift_team.team)
        pending(agent, at(10 + n), module=ModuleFactory(author=agent))
    assert count() == before == 7  # the week's three, and coverage's own four


def test_the_week_is_the_viewers_week(shift_team: ShiftTeam):
    viewer = UserFactory(time_zone="America/New_York")
    week = selectors.team_week(viewer, shift_team.team, dt.date(2026, 3, 2))
    assert week.starts_at == dt.datetime(2026, 3, 2, 5, tzinfo=UTC)
    assert week.ends_at == dt.datetime(2026, 3, 9, 4, tzinfo=UTC)  # New York's clocks change


# --- Time used ------------------------------------------------------------------------------------


def test_usage_of_a_person_against_the_budget_with_module_completion(
    shift_team: ShiftTeam, django_assert_num_queries
):
    agent = shift_team.agents[0]
    done = ModuleFactory(author=shift_team.manager, title="Done module")
    open_module = ModuleFactory(author=shift_team.manager, title="Open module")
    learning.progress_complete(user=agent, module=done)
    first = pending(agent, at(9, day=3), module=done, status=RequestStatus.APPROVED)
    second = pending(agent, at(9, day=4), module=open_module, status=RequestStatus.APPROVED)
    third = pending(agent, at(9, day=5), status=RequestStatus.APPROVED)
    pending(agent, at(9, day=6))  # pending: not used yet
    pending(agent, at(8, day=1), status=RequestStatus.APPROVED)
    pending(agent, dt.datetime(2026, 2, 28, 9, tzinfo=UTC), status=RequestStatus.APPROVED)
    agent.refresh_from_db()
    with django_assert_num_queries(4):
        used = selectors.usage(month=dt.date(2026, 3, 17), person=agent)
    (row,) = used.people
    assert used.month == dt.date(2026, 3, 1)
    assert row.approved_minutes == 120
    assert row.budget_minutes == 240
    assert row.remaining_minutes == 120
    assert len(row.blocks) == 4
    blocks = {b.request.pk: b.module_completed for b in row.blocks}
    assert blocks[first.pk] is True
    assert blocks[second.pk] is False
    assert blocks[third.pk] is None
    assert (used.approved_minutes, used.budget_minutes) == (120, 240)


def test_the_month_is_the_persons_month(shift_team: ShiftTeam):
    agent = shift_team.agents[0]
    agent.time_zone = "America/New_York"
    agent.save()
    # 1 March 03:00 UTC is still 28 February in New York.
    pending(agent, dt.datetime(2026, 3, 1, 3, tzinfo=UTC), status=RequestStatus.APPROVED)
    pending(agent, dt.datetime(2026, 4, 1, 2, tzinfo=UTC), status=RequestStatus.APPROVED)
    assert selectors.usage(month=dt.date(2026, 3, 1), person=agent).people[0].approved_minutes == 30
    assert selectors.usage(month=dt.date(2026, 2, 1), person=agent).people[0].approved_minutes == 30


def test_usage_of_a_team_adds_up_its_people(shift_team: ShiftTeam, django_assert_num_queries):
    module = ModuleFactory(author=shift_team.manager)
    for n, agent in enumerate(shift_team.agents):
        pending(agent, at(9 + n, day=10), module=module, status=RequestStatus.APPROVED)
    pending(UserFactory(team=TeamFactory()), at(9, day=10), status=RequestStatus.APPROVED)
    with django_assert_num_queries(4):
        used = selectors.usage(month=dt.date(2026, 3, 1), team=shift_team.team)
    assert [p.person.display_name for p in used.people] == [
        "Agent Ana",
        "Agent Ben",
        "Agent Cho",
        "Agent Dev",
        "Cara Coordinator",
    ]
    assert used.approved_minutes == 120
    assert used.budget_minutes == 5 * 240
    TeamPolicy.objects.filter(team=shift_team.team).update(monthly_budget_minutes=None)
    used = selectors.usage(month=dt.date(2026, 3, 1), team=shift_team.team)
    assert used.budget_minutes is None
    assert used.people[0].remaining_minutes is None


def test_usage_asks_for_one_person_or_one_team(shift_team: ShiftTeam):
    with pytest.raises(ValueError, match="one person or one team"):
        selectors.usage(month=dt.date(2026, 3, 1))


# --- Delegation ----------------------------------------------------------------------------


def test_delegations_a_manager_gave_and_who_holds_whose_approvals(shift_team: ShiftTeam):
    manager = shift_team.manager
    stand_in, later = UserFactory(display_name="Sam"), UserFactory(display_name="Lee")
    now_on = services.delegate_approvals(
        manager=manager,
        delegate=stand_in,
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 2),
    )
    soon = services.delegate_approvals(
        manager=manager, delegate=later, starts_on=dt.date(2026, 3, 9), ends_on=dt.date(2026, 3, 13)
    )
    assert list(selectors.delegations_given(manager)) == [now_on, soon]
    assert selectors.managers_delegating_to(stand_in) == [manager]
    assert selectors.managers_delegating_to(later) == []
    assert selectors.active_delegates(manager) == [stand_in]
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, tzinfo=UTC), tick=False):
        assert list(selectors.delegations_given(manager)) == [soon]
        assert selectors.active_delegates(manager) == [later]
        assert selectors.managers_delegating_to(stand_in) == []

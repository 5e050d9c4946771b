"""Leaderboards read from the tallies: ranking, the viewer's own place, opt-out, the team
switch, people moving, and a bounded number of queries at any size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peerpath.people import services as people_services
from peerpath.recognition import leaderboards
from peerpath.recognition.leaderboards import Scope
from peerpath.recognition.models import PointTally, TeamLeaderboardSetting
from tests.factories import DepartmentFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def earn(person, points, *, days_ago=0):
    leaderboards.tally_add(
        person=person, points=points, at=timezone.now() - timedelta(days=days_ago)
    )


def board(viewer, scope=Scope.ORGANISATION, period="all", limit=20):
    return leaderboards.leaderboard(scope=scope, period=period, viewer=viewer, limit=limit)


def ranking(result):
    return [(s.rank, s.person.display_name, s.points) for s in result.standings]


def test_the_organisation_board_ranks_by_points_and_ties_share_a_rank():
    team = TeamFactory()
    ana, ben, cy, dee = (
        UserFactory(display_name=n, team=team) for n in ["Ana", "Ben", "Cy", "Dee"]
    )
    earn(ana, 30)
    earn(ben, 50)
    earn(cy, 30)
    earn(dee, 10)

    result = board(dee)

    assert ranking(result) == [(1, "Ben", 50), (2, "Ana", 30), (2, "Cy", 30), (4, "Dee", 10)]
    assert result.viewer is not None
    assert result.viewer.rank == 4
    assert not result.viewer_below


def test_the_viewer_sees_their_own_rank_below_the_top_of_the_board():
    team = TeamFactory()
    people = [UserFactory(team=team) for _ in range(5)]
    for points, person in enumerate(people, start=1):
        earn(person, points * 10)
    last = people[0]

    result = board(last, limit=2)

    assert [s.points for s in result.standings] == [50, 40]
    assert result.viewer_below
    assert (result.viewer.rank, result.viewer.points) == (5, 10)


def test_team_and_department_boards_rank_only_their_people():
    department = DepartmentFactory()
    team, sister, elsewhere = (
        TeamFactory(department=department),
        TeamFactory(department=department),
        TeamFactory(),
    )
    me = UserFactory(display_name="Me", team=team)
    mate = UserFactory(display_name="Mate", team=sister)
    far = UserFactory(display_name="Far", team=elsewhere)
    for person in (me, mate, far):
        earn(person, 5)

    assert [s.person for s in board(me, Scope.TEAM).standings] == [me]
    assert {s.person for s in board(me, Scope.DEPARTMENT).standings} == {me, mate}
    assert {s.person for s in board(me, Scope.ORGANISATION).standings} == {me, mate, far}


def test_week_and_month_boards_count_only_their_period():
    person = UserFactory(team=TeamFactory())
    earn(person, 7)
    earn(person, 100, days_ago=70)

    assert board(person, period="week").standings[0].points == 7
    assert board(person, period="all").standings[0].points == 107


def test_someone_without_a_team_has_no_team_or_department_board():
    loner = UserFactory(team=None)
    earn(loner, 5)

    assert not board(loner, Scope.TEAM).available
    assert not board(loner, Scope.DEPARTMENT).available
    assert board(loner, Scope.ORGANISATION).viewer.rank == 1


def test_people_who_opt_out_are_not_ranked_but_still_see_the_boards():
    team = TeamFactory()
    private, public = UserFactory(team=team), UserFactory(team=team)
    earn(private, 90)
    earn(public, 10)

    leaderboards.leaderboard_preference_set(person=private, hidden=True)
    seen_by_private = board(private)

    assert [s.person for s in seen_by_private.standings] == [public]
    assert seen_by_private.viewer is None
    assert seen_by_private.viewer_opted_out
    assert seen_by_private.viewer_points == 90

    leaderboards.leaderboard_preference_set(person=private, hidden=False)
    assert [s.person for s in board(public).standings] == [private, public]


def test_a_team_switched_off_is_ranked_nowhere_and_its_board_says_so(org):
    earn(org.member, 40)
    earn(org.outsider, 20)

    leaderboards.team_leaderboard_switch(actor=org.manager, team=org.member.team, enabled=False)

    assert board(org.member, Scope.TEAM).switched_off
    assert board(org.member, Scope.TEAM).standings == []
    assert [s.person for s in board(org.outsider).standings] == [org.outsider]
    assert board(org.member).viewer is None

    leaderboards.team_leaderboard_switch(actor=org.manager, team=org.member.team, enabled=True)
    assert [s.person for s in board(org.outsider).standings] == [org.member, org.outsider]


def test_switching_back_on_keeps_opted_out_members_off_the_boards(org):
    earn(org.member, 40)
    earn(org.lead, 30)
    leaderboards.leaderboard_preference_set(person=org.lead, hidden=True)
    team = org.member.team

    leaderboards.team_leaderboard_switch(actor=org.admin, team=team, enabled=False)
    leaderboards.team_leaderboard_switch(actor=org.admin, team=team, enabled=True)

    assert [s.person for s in board(org.member).standings] == [org.member]


def test_only_the_teams_managers_and_learning_admins_switch_its_boards(org):
    team = org.member.team
    for outsider in (org.member, org.outsider):
        with pytest.raises(PermissionDenied):
            leaderboards.team_leaderboard_switch(actor=outsider, team=team, enabled=False)
    assert not TeamLeaderboardSetting.objects.exists()

    leaderboards.team_leaderboard_switch(actor=org.admin, team=team, enabled=False)
    assert TeamLeaderboardSetting.objects.get(team=team).enabled is False


def test_moving_team_moves_the_tallies_in_one_update(org):
    earn(org.member, 12)
    new_team = TeamFactory()

    people_services.person_update_profile(person=org.member, team=new_team)

    rows = PointTally.objects.filter(person=org.member)
    assert {(t.team_id, t.department_id) for t in rows} == {(new_team.pk, new_team.department_id)}
    with CaptureQueriesContext(connection) as ctx:
        leaderboards.tallies_refresh(person_ids=[org.member.pk])
    assert len(ctx.captured_queries) == 1
    assert ctx.captured_queries[0]["sql"].startswith("UPDATE")


def test_moving_into_a_team_whose_boards_are_off_unlists_the_person(org):
    earn(org.outsider, 12)
    TeamLeaderboardSetting.objects.create(team=org.member.team, enabled=False)

    people_services.person_update_profile(person=org.outsider, team=org.member.team)

    assert not PointTally.objects.filter(person=org.outsider, listed=True).exists()


def test_deactivated_people_leave_the_boards_and_return_when_reactivated(org):
    earn(org.member, 12)

    people_services.person_deactivate(person=org.member, by=org.admin)
    assert board(org.outsider).standings == []

    people_services.person_reactivate(person=org.member)
    assert [s.person for s in board(org.outsider).standings] == [org.member]


def test_the_switchable_teams_are_the_managers_own_or_all_for_admins(org):
    TeamFactory(name="Elsewhere")

    assert list(leaderboards.switchable_teams(org.manager)) == [org.member.team]
    assert list(leaderboards.switchable_teams(org.member)) == []
    assert len(leaderboards.switchable_teams(org.admin)) == 3


def _queries_of_every_board(viewer):
    counts = {}
    for scope in Scope.values:
        for period in ("week", "month", "all"):
            with CaptureQueriesContext(connection) as ctx:
                board(viewer, scope, period, limit=3)
            counts[(scope, period)] = len(ctx.captured_queries)
    return counts


def _organisation(size, viewer_team):
    """``size`` ranked people spread over teams, all with more points than the viewer."""
    teams = [viewer_team, *(TeamFactory(department=viewer_team.department) for _ in range(3))]
    for n in range(size):
        earn(UserFactory(team=teams[n % len(teams)]), 100 + n)


def test_a_board_takes_the_same_few_queries_at_every_size():
    team = TeamFactory()
    viewer = UserFactory(team=team)
    earn(viewer, 1)
    _organisation(12, team)
    small = _queries_of_every_board(viewer)

    _organisation(60, team)
    large = _queries_of_every_board(viewer)

    assert small == large
    assert set(large.values()) == {3}
    assert board(viewer, limit=3).viewer.rank == 73
    assert board(viewer, Scope.TEAM, limit=3).viewer.rank == 19


def test_adding_points_to_the_tallies_takes_three_queries(org, django_assert_num_queries):
    earn(org.member, 5)  # the rows exist: the second time only increments them

    with django_assert_num_queries(3):
        earn(org.member, 7)

    assert set(PointTally.objects.filter(person=org.member).values_list("points", flat=True)) == {
        12
    }


def test_many_people_changed_at_once_are_refreshed_in_batches(monkeypatch):
    monkeypatch.setattr(leaderboards, "REFRESH_BATCH", 2)
    team, new_team = TeamFactory(), TeamFactory()
    people = [UserFactory(team=team) for _ in range(5)]
    for person in people:
        earn(person, 3)
    for person in people:
        person.team = new_team
        person.save(update_fields=["team"])

    with CaptureQueriesContext(connection) as ctx:
        written = leaderboards.tallies_refresh(person_ids=[p.pk for p in people])

    assert len(ctx.captured_queries) == 3
    assert written == 15
    assert set(PointTally.objects.values_list("team_id", flat=True)) == {new_team.pk}

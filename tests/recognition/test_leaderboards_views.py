"""The leaderboard pages: the board, the opt-out, the team switch and its teams page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from peerpath.recognition import leaderboards
from peerpath.recognition.models import LeaderboardPreference, TeamLeaderboardSetting
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

BOARD = reverse("recognition:leaderboards")


def earn(person, points):
    leaderboards.tally_add(person=person, points=points, at=timezone.now())


def test_the_board_opens_on_the_viewers_team_this_week(org, client_for):
    earn(org.member, 30)
    earn(org.lead, 20)

    response = client_for(org.member).get(BOARD)

    assert response.status_code == 200
    board = response.context["board"]
    assert (board.scope, board.period) == ("team", "week")
    assert [s.person for s in board.standings] == [org.member, org.lead]
    assert b"You are <strong>1st</strong> with 30 points." in response.content


def test_someone_without_a_team_starts_on_the_organisation_board(org, client_for):
    response = client_for(org.admin).get(BOARD)
    assert response.context["board"].scope == "organisation"


def test_unknown_scope_or_period_fall_back_to_the_defaults(org, client_for):
    response = client_for(org.member).get(BOARD, {"scope": "galaxy", "period": "year"})
    assert (response.context["board"].scope, response.context["board"].period) == ("team", "week")


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_board_page_takes_the_same_queries_whatever_the_size(
    org, client_for, django_assert_max_num_queries
):
    team = TeamFactory()
    for n in range(30):
        earn(UserFactory(team=team), n + 5)
    earn(org.member, 1)
    client = client_for(org.member)
    client.get(BOARD, {"scope": "organisation", "period": "all"})

    with django_assert_max_num_queries(12) as small:
        client.get(BOARD, {"scope": "organisation", "period": "all"})
    for n in range(30):
        earn(UserFactory(team=team), n + 5)
    with django_assert_max_num_queries(12) as large:
        response = client.get(BOARD, {"scope": "organisation", "period": "all"})

    assert len(small.captured_queries) == len(large.captured_queries)
    assert response.context["board"].viewer.rank == 61


def test_people_opt_out_and_back_in_from_the_page(org, client_for):
    earn(org.member, 10)
    client = client_for(org.member)

    response = client.post(
        reverse("recognition:leaderboard_preference"),
        {"hidden": "1", "scope": "organisation", "period": "month"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{BOARD}?scope=organisation&period=month"
    assert LeaderboardPreference.objects.get(person=org.member).hidden
    page = client.get(response["Location"])
    assert page.context["board"].standings == []
    assert b"Show me on leaderboards" in page.content

    client.post(reverse("recognition:leaderboard_preference"), {"hidden": "0"})
    assert not LeaderboardPreference.objects.get(person=org.member).hidden


def test_the_opt_out_is_a_post(org, client_for):
    response = client_for(org.member).get(reverse("recognition:leaderboard_preference"))
    assert response.status_code == 405


def test_a_manager_switches_their_teams_board_off_and_on(org, client_for):
    earn(org.member, 10)
    client = client_for(org.manager)
    url = reverse("recognition:leaderboard_team_switch", args=[org.member.team.slug])

    response = client.post(url, {"enabled": "0"})

    assert response.status_code == 302
    assert TeamLeaderboardSetting.objects.get(team=org.member.team).enabled is False
    page = client_for(org.member).get(BOARD, {"scope": "team"})
    assert page.context["board"].switched_off
    assert b"Leaderboards are off for this team" in page.content

    client.post(url, {"enabled": "1"})
    assert TeamLeaderboardSetting.objects.get(team=org.member.team).enabled is True


def test_members_and_outsiders_cannot_switch_a_teams_board(org, client_for):
    url = reverse("recognition:leaderboard_team_switch", args=[org.member.team.slug])

    for person in (org.member, org.outsider):
        assert client_for(person).post(url, {"enabled": "0"}).status_code == 403
    assert not TeamLeaderboardSetting.objects.exists()


def test_switching_an_unknown_team_is_not_found(org, client_for):
    url = reverse("recognition:leaderboard_team_switch", args=["no-such-team"])
    assert client_for(org.admin).post(url, {"enabled": "0"}).status_code == 404


def test_the_board_offers_the_switch_only_to_those_who_may_use_it(org, client_for):
    manager_page = client_for(org.lead).get(BOARD, {"scope": "team"})
    member_page = client_for(org.member).get(BOARD, {"scope": "team"})

    assert manager_page.context["can_switch_team"]
    assert b"Switch off for Contact Centre" in manager_page.content
    assert not member_page.context["can_switch_team"]
    assert b"Switch off for" not in member_page.content


def test_the_teams_page_lists_a_managers_teams(org, client_for, django_assert_max_num_queries):
    TeamLeaderboardSetting.objects.create(team=org.member.team, enabled=False)
    client = client_for(org.manager)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("recognition:leaderboard_teams"))

    assert response.status_code == 200
    assert [t.name for t in response.context["page"].object_list] == ["Contact Centre"]
    assert b"Switch on" in response.content


def test_people_who_manage_nobody_cannot_open_the_teams_page(org, client_for):
    response = client_for(org.member).get(reverse("recognition:leaderboard_teams"))
    assert response.status_code == 403

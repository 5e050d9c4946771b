from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from peerpath.recognition import leaderboards
from peerpath.recognition.models import (
    LeaderboardPreference,
    PointTally,
    TeamLeaderboardSetting,
)
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_points_land_in_the_week_month_and_all_time_tallies_of_the_person():
    person = UserFactory(team=TeamFactory())
    at = datetime(2026, 11, 26, 12, tzinfo=UTC)  # a Thursday

    leaderboards.tally_add(person=person, points=10, at=at)
    leaderboards.tally_add(person=person, points=5, at=at)

    tallies = {
        (t.period, t.period_start): t.points for t in PointTally.objects.filter(person=person)
    }
    assert tallies == {
        ("week", date(2026, 11, 23)): 15,
        ("month", date(2026, 11, 1)): 15,
        ("all", date(1970, 1, 1)): 15,
    }
    assert set(PointTally.objects.values_list("team_id", flat=True)) == {person.team_id}


def test_people_who_opt_out_or_whose_team_switched_boards_off_are_not_listed():
    hidden = UserFactory(team=TeamFactory())
    LeaderboardPreference.objects.create(person=hidden, hidden=True)
    off_team = TeamFactory()
    TeamLeaderboardSetting.objects.create(team=off_team, enabled=False)
    quiet = UserFactory(team=off_team)
    shown = UserFactory(team=TeamFactory())
    at = datetime(2026, 11, 26, 12, tzinfo=UTC)

    for person in (hidden, quiet, shown):
        leaderboards.tally_add(person=person, points=3, at=at)

    listed = set(PointTally.objects.filter(listed=True).values_list("person_id", flat=True))
    assert listed == {shown.pk}


def test_zero_points_write_no_tally():
    person = UserFactory()
    leaderboards.tally_add(person=person, points=0, at=datetime(2026, 11, 26, tzinfo=UTC))
    assert not PointTally.objects.filter(person=person).exists()

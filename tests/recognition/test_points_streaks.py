from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from peerpath.recognition import streaks
from peerpath.recognition.models import AwayPeriod, PointAction, PointEntry, Streak
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 2)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def learn(person, day: date, hour: int = 12) -> Streak:
    return streaks.streak_record_learning(person=person, at=at(day, hour)).streak


def away(person, starts_on: date, ends_on: date) -> AwayPeriod:
    return AwayPeriod.objects.create(person=person, starts_on=starts_on, ends_on=ends_on)


def test_consecutive_weeks_grow_the_streak_on_any_day_of_the_week():
    person = UserFactory()
    learn(person, MONDAY)  # Monday
    learn(person, MONDAY + timedelta(days=13))  # Sunday of the next week
    streak = learn(person, MONDAY + timedelta(days=19))  # Saturday of the third week

    assert (streak.current_weeks, streak.longest_weeks) == (3, 3)
    assert streak.last_active_week == MONDAY + timedelta(days=14)


def test_learning_twice_in_a_week_counts_the_week_once():
    person = UserFactory()
    learn(person, MONDAY)
    again = streaks.streak_record_learning(person=person, at=at(MONDAY + timedelta(days=3)))
    assert (again.streak.current_weeks, again.counted) == (1, False)


def test_a_missed_week_breaks_the_streak_but_keeps_the_longest():
    person = UserFactory()
    for week in range(3):
        learn(person, MONDAY + timedelta(weeks=week))

    streak = learn(person, MONDAY + timedelta(weeks=4))

    assert (streak.current_weeks, streak.longest_weeks) == (1, 3)


def test_an_away_week_pauses_the_streak():
    person = UserFactory()
    learn(person, MONDAY)
    learn(person, MONDAY + timedelta(weeks=1))
    # Leave from Monday to Friday of week 3: five days away.
    away(person, MONDAY + timedelta(weeks=2), MONDAY + timedelta(weeks=2, days=4))

    streak = learn(person, MONDAY + timedelta(weeks=3))

    assert streak.current_weeks == 3


def test_a_few_days_off_do_not_pause_the_week():
    """Three days away leave four days to learn in: the week still needs learning."""
    person = UserFactory()
    learn(person, MONDAY)
    away(person, MONDAY + timedelta(weeks=1), MONDAY + timedelta(weeks=1, days=2))

    streak = learn(person, MONDAY + timedelta(weeks=2))

    assert streak.current_weeks == 1


def test_leave_spanning_two_weeks_pauses_each_week_it_mostly_covers():
    person = UserFactory()
    learn(person, MONDAY)
    # Thursday of week 2 to Sunday of week 3: 4 days of week 2, all 7 of week 3.
    away(person, MONDAY + timedelta(weeks=1, days=3), MONDAY + timedelta(weeks=2, days=6))

    streak = learn(person, MONDAY + timedelta(weeks=3))

    assert streak.current_weeks == 2


def test_weeks_follow_the_persons_time_zone():
    """A night-shift learner in Los Angeles learning late on Sunday stays in that week,
    although it is already Monday in UTC."""
    person = UserFactory(time_zone="America/Los_Angeles")
    learn(person, MONDAY, hour=20)
    sunday_night = datetime(2026, 11, 16, 5, tzinfo=UTC)  # 21:00 Sunday 15 Nov in LA

    update = streaks.streak_record_learning(person=person, at=sunday_night)
    streak = update.streak

    assert streak.last_active_week == date(2026, 11, 9)
    assert streak.current_weeks == 2


def test_keeping_a_streak_earns_streak_points_once_a_week():
    person = UserFactory()
    learn(person, MONDAY)
    assert not PointEntry.objects.filter(person=person, action=PointAction.STREAK_WEEK).exists()

    learn(person, MONDAY + timedelta(weeks=1))
    learn(person, MONDAY + timedelta(weeks=1, days=2))

    entries = PointEntry.objects.filter(person=person, action=PointAction.STREAK_WEEK)
    assert [(e.points, e.source_key) for e in entries] == [(20, "week:2026-11-09")]


def test_streak_now_shows_a_lapsed_streak_as_zero():
    person = UserFactory()
    learn(person, MONDAY)
    learn(person, MONDAY + timedelta(weeks=1))

    assert streaks.streak_now(person, today=MONDAY + timedelta(weeks=1, days=2)).current == 2
    nxt = streaks.streak_now(person, today=MONDAY + timedelta(weeks=2, days=1))
    assert (nxt.current, nxt.at_risk, nxt.this_week_counted) == (2, True, False)
    lapsed = streaks.streak_now(person, today=MONDAY + timedelta(weeks=3, days=1))
    assert (lapsed.current, lapsed.longest) == (0, 2)


def test_streak_now_keeps_a_streak_paused_by_time_away():
    person = UserFactory()
    learn(person, MONDAY)
    away(person, MONDAY + timedelta(weeks=1), MONDAY + timedelta(weeks=2, days=6))

    during = streaks.streak_now(person, today=MONDAY + timedelta(weeks=2, days=2))
    after = streaks.streak_now(person, today=MONDAY + timedelta(weeks=3, days=2))

    assert (during.current, during.away_this_week, during.at_risk) == (1, True, False)
    assert (after.current, after.at_risk) == (1, True)


# --- Away periods ------------------------------------------------------------------------


@time_machine.travel(datetime(2026, 11, 26, 12, tzinfo=UTC))
def test_people_record_their_own_time_away(org):
    made = streaks.away_add(
        actor=org.member,
        person=org.member,
        starts_on=date(2026, 12, 21),
        ends_on=date(2027, 1, 1),
        note=" Holidays ",
    )
    assert (made.note, made.created_by_id) == ("Holidays", org.member.pk)


@time_machine.travel(datetime(2026, 11, 26, 12, tzinfo=UTC))
def test_people_may_backdate_their_own_time_away_two_weeks_managers_further(org):
    with pytest.raises(ValidationError) as refused:
        streaks.away_add(
            actor=org.member,
            person=org.member,
            starts_on=date(2026, 11, 1),
            ends_on=date(2026, 11, 6),
        )
    assert "ask your manager" in refused.value.message_dict["starts_on"][0]
    made = streaks.away_add(
        actor=org.manager, person=org.member, starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 6)
    )
    assert made.created_by_id == org.manager.pk


@time_machine.travel(datetime(2026, 11, 26, 12, tzinfo=UTC))
def test_time_away_must_be_in_order_and_not_overlap(org):
    with pytest.raises(ValidationError) as backwards:
        streaks.away_add(
            actor=org.member,
            person=org.member,
            starts_on=date(2026, 12, 5),
            ends_on=date(2026, 12, 1),
        )
    assert "ends_on" in backwards.value.message_dict
    streaks.away_add(
        actor=org.member, person=org.member, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 5)
    )
    with pytest.raises(ValidationError, match="overlaps"):
        streaks.away_add(
            actor=org.member,
            person=org.member,
            starts_on=date(2026, 12, 5),
            ends_on=date(2026, 12, 9),
        )
    assert AwayPeriod.objects.filter(person=org.member).count() == 1


@pytest.mark.parametrize("who", ["outsider", "lead"])
@time_machine.travel(datetime(2026, 11, 26, 12, tzinfo=UTC))
def test_colleagues_who_do_not_manage_the_person_cannot_record_their_time_away(org, who):
    with pytest.raises(PermissionDenied):
        streaks.away_add(
            actor=getattr(org, who),
            person=org.member,
            starts_on=date(2026, 12, 1),
            ends_on=date(2026, 12, 5),
        )
    assert not AwayPeriod.objects.exists()


@time_machine.travel(datetime(2026, 11, 26, 12, tzinfo=UTC))
def test_a_person_cannot_remove_time_away_their_manager_recorded(org):
    made = streaks.away_add(
        actor=org.manager, person=org.member, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 5)
    )
    with pytest.raises(ValidationError, match="ask them"):
        streaks.away_remove(actor=org.member, away=made)
    with pytest.raises(PermissionDenied):
        streaks.away_remove(actor=org.outsider, away=made)
    streaks.away_remove(actor=org.manager, away=made)
    assert not AwayPeriod.objects.exists()

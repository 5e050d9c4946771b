from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from peerpath.recognition import points
from peerpath.recognition.models import PointAction, PointBalance, PointEntry, PointTally
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 26, 10, tzinfo=UTC)  # a Thursday


def award(person, key, *, action=PointAction.MODULE_COMPLETED, at=AT, counterpart=None):
    return points.points_award(
        person=person,
        action=action,
        source_key=key,
        description=f"Did {key}",
        occurred_at=at,
        counterpart=counterpart,
    )


def balance(person) -> PointBalance:
    return PointBalance.objects.get(person=person)


def test_an_award_writes_one_entry_and_updates_balance_level_and_tallies():
    person = UserFactory(team=TeamFactory())

    entry = award(person, "module:a", action=PointAction.CERTIFICATION_EARNED)

    assert entry is not None
    assert (entry.points, entry.action) == (100, "certification_earned")
    assert (balance(person).total, balance(person).level) == (100, 2)
    assert set(PointTally.objects.filter(person=person).values_list("points", flat=True)) == {100}


def test_the_same_source_never_pays_twice():
    person = UserFactory()
    award(person, "module:a")

    again = award(person, "module:a")

    assert again is None
    assert PointEntry.objects.filter(person=person).count() == 1
    assert balance(person).total == 10


def test_the_same_source_pays_once_per_action():
    person = UserFactory()
    award(person, "module:a", action=PointAction.MODULE_COMPLETED)
    award(person, "module:a", action=PointAction.ASSESSMENT_PASSED)
    assert balance(person).total == 25


def test_past_the_daily_cap_entries_are_written_with_zero_points():
    person = UserFactory()
    cap = points.RULES[PointAction.MODULE_PUBLISHED].daily_cap
    assert cap == 3
    for n in range(cap + 2):
        award(person, f"module:{n}", action=PointAction.MODULE_PUBLISHED)

    entries = list(PointEntry.objects.filter(person=person).order_by("pk"))
    assert [e.points for e in entries] == [25, 25, 25, 0, 0]
    assert "daily limit" in entries[-1].description
    assert balance(person).total == 75
    assert set(PointTally.objects.filter(person=person).values_list("points", flat=True)) == {75}


def test_the_cap_counts_the_persons_own_calendar_day():
    """In Auckland, 11:00 UTC on Thursday is already Friday: a new day, a new cap."""
    person = UserFactory(time_zone="Pacific/Auckland")
    thursday = datetime(2026, 11, 26, 9, tzinfo=UTC)  # 22:00 Thursday in Auckland
    friday = datetime(2026, 11, 26, 11, tzinfo=UTC)  # 00:00 Friday in Auckland
    for n in range(3):
        award(person, f"m:{n}", action=PointAction.MODULE_PUBLISHED, at=thursday)

    late = award(person, "m:late", action=PointAction.MODULE_PUBLISHED, at=thursday)
    next_day = award(person, "m:next", action=PointAction.MODULE_PUBLISHED, at=friday)

    assert late is not None
    assert late.points == 0
    assert next_day is not None
    assert next_day.points == 25


def test_the_cap_resets_the_next_day():
    person = UserFactory()
    for n in range(4):
        award(person, f"m:{n}", action=PointAction.MODULE_PUBLISHED)
    tomorrow = award(person, "m:t", action=PointAction.MODULE_PUBLISHED, at=AT + timedelta(days=1))
    assert tomorrow is not None
    assert tomorrow.points == 25


def test_acting_on_ones_own_work_earns_no_points_but_is_traceable():
    person = UserFactory()

    entry = award(person, "module:own", action=PointAction.MODULE_CURATED, counterpart=person)

    assert entry is not None
    assert entry.points == 0
    assert "your own" in entry.description
    assert balance(person).total == 0
    assert not PointTally.objects.filter(person=person).exists()


def test_a_colleague_as_counterpart_is_paid_and_kept():
    person, giver = UserFactory(), UserFactory()
    entry = award(person, "kudos:1", action=PointAction.KUDOS_RECEIVED, counterpart=giver)
    assert entry is not None
    assert (entry.points, entry.counterpart_id) == (5, giver.pk)


def test_unknown_actions_and_naive_times_are_refused():
    person = UserFactory()
    with pytest.raises(ValueError, match="not an action"):
        award(person, "x", action=PointAction.REVERSAL)
    with pytest.raises(ValueError, match="aware"):
        award(person, "x", at=datetime(2026, 1, 1))  # noqa: DTZ001
    assert not PointEntry.objects.exists()


def test_an_admin_reverses_an_entry_once_with_a_reason(org):
    entry = award(org.member, "module:a", action=PointAction.PATH_COMPLETED)
    assert entry is not None

    reversal = points.points_reverse(actor=org.admin, entry=entry, reason="  Gamed it  ")

    assert (reversal.points, reversal.reverses_id, reversal.reason) == (-50, entry.pk, "Gamed it")
    assert reversal.actor_id == org.admin.pk
    assert balance(org.member).total == 0
    assert set(PointTally.objects.filter(person=org.member).values_list("points", flat=True)) == {0}
    with pytest.raises(ValidationError, match="already reversed"):
        points.points_reverse(actor=org.admin, entry=entry, reason="Again")
    with pytest.raises(ValidationError, match="cannot itself"):
        points.points_reverse(actor=org.admin, entry=reversal, reason="Undo")
    assert PointEntry.objects.filter(person=org.member).count() == 2


def test_reversal_needs_a_reason_and_points(org):
    entry = award(org.member, "module:a")
    assert entry is not None
    with pytest.raises(ValidationError) as no_reason:
        points.points_reverse(actor=org.admin, entry=entry, reason="   ")
    assert "reason" in no_reason.value.message_dict
    for n in range(20):
        award(org.member, f"m:{n}")
    capped = PointEntry.objects.filter(person=org.member, points=0).first()
    assert capped is not None
    with pytest.raises(ValidationError, match="nothing to reverse"):
        points.points_reverse(actor=org.admin, entry=capped, reason="Why")
    assert not PointEntry.objects.filter(action=PointAction.REVERSAL).exists()


@pytest.mark.parametrize("who", ["member", "manager", "outsider"])
def test_only_learning_admins_reverse_points(org, who):
    entry = award(org.member, "module:a")
    assert entry is not None
    with pytest.raises(PermissionDenied):
        points.points_reverse(actor=getattr(org, who), entry=entry, reason="No")
    assert balance(org.member).total == 10
    assert not PointEntry.objects.filter(action=PointAction.REVERSAL).exists()


def test_recomputing_from_the_ledger_equals_the_cached_balance(org):
    person = org.member
    for n in range(25):  # past the cap of 20
        award(person, f"m:{n}", at=AT + timedelta(hours=n % 3))
    award(person, "p:1", action=PointAction.PATH_COMPLETED)
    award(person, "k:1", action=PointAction.KUDOS_RECEIVED, counterpart=org.lead)
    reversed_entry = PointEntry.objects.filter(person=person, points__gt=0).first()
    assert reversed_entry is not None
    points.points_reverse(actor=org.admin, entry=reversed_entry, reason="Duplicate")
    cached = balance(person)

    result = points.points_recompute(person)

    assert not result.changed
    assert (result.balance.total, result.balance.level) == (cached.total, cached.level)
    assert cached.total == 20 * 10 + 50 + 5 - 10


def test_recompute_repairs_a_drifted_balance():
    person = UserFactory()
    award(person, "m:1", action=PointAction.CERTIFICATION_EARNED)
    PointBalance.objects.filter(person=person).update(total=7, level=1)

    result = points.points_recompute(person)

    assert result.changed
    assert result.previous_total == 7
    assert (balance(person).total, balance(person).level) == (100, 2)


@pytest.mark.parametrize(
    ("total", "number", "name"),
    [(0, 1, "Newcomer"), (99, 1, "Newcomer"), (100, 2, "Explorer"), (12_000, 10, "Legend")],
)
def test_levels_follow_the_named_thresholds(total, number, name):
    level = points.level_for(total)
    assert (level.number, level.name) == (number, name)


def test_level_progress_says_how_far_to_the_next_level():
    progress = points.level_progress(175)
    assert progress.level.name == "Explorer"
    assert progress.next is not None
    assert progress.next.name == "Contributor"
    assert (progress.points_to_next, progress.percent) == (75, 50)
    top = points.level_progress(20_000)
    assert top.next is None
    assert top.percent == 100


def test_levels_rise_strictly():
    thresholds = [lv.threshold for lv in points.LEVELS]
    assert thresholds == sorted(set(thresholds))
    assert thresholds[0] == 0
    assert [lv.number for lv in points.LEVELS] == list(range(1, len(points.LEVELS) + 1))


@pytest.mark.django_db(transaction=True)
def test_awards_racing_each_other_never_pay_past_the_cap_or_twice():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises the transactions; PostgreSQL runs them together")
    person = UserFactory()
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            # Each worker repeats one source, and all go past the cap of three a day.
            award(person, f"module:{n % 5}", action=PointAction.MODULE_PUBLISHED)
        except BaseException as exc:  # collected and reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(10)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()

    assert errors == []
    entries = PointEntry.objects.filter(person=person)
    assert entries.count() == 5
    assert sorted(entries.values_list("points", flat=True)) == [0, 0, 25, 25, 25]
    assert balance(person).total == 75
    assert set(PointTally.objects.filter(person=person).values_list("points", flat=True)) == {75}


def test_the_cap_day_is_whole_across_a_daylight_saving_change():
    """London's clocks go back on 25 October 2026: that day lasts 25 hours, all one day."""
    person = UserFactory(time_zone="Europe/London")
    first = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)  # 00:30 BST on the 25th
    last = datetime(2026, 10, 25, 23, 30, tzinfo=UTC)  # 23:30 GMT on the 25th
    for n in range(2):
        award(person, f"m:{n}", action=PointAction.MODULE_PUBLISHED, at=first)
    award(person, "m:2", action=PointAction.MODULE_PUBLISHED, at=last)

    capped = award(person, "m:3", action=PointAction.MODULE_PUBLISHED, at=last)

    assert capped is not None
    assert capped.points == 0

"""Saved modules and personal goals: the rules, and how learners stand against goals."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from peerpath.content import paths
from peerpath.learning import selectors, services
from peerpath.learning.models import GoalKind, LearningGoal, SavedModule
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db

TOKYO = "Asia/Tokyo"
NEXT_MONTH = dt.datetime.now(tz=dt.UTC).date() + dt.timedelta(days=30)


@pytest.fixture
def path(org):
    modules = [ModuleFactory(author=org.lead, title=t) for t in ("Greeting", "Listening", "Wrap")]
    return paths.path_create(
        author=org.lead,
        title="Calls",
        summary="Take calls.",
        sections=[("Basics", modules)],
        publish=True,
    )


def _complete_at(user, module, when: dt.datetime) -> None:
    with time_machine.travel(when, tick=False):
        services.progress_complete(user=user, module=module)


# --- Saving --------------------------------------------------------------------------


def test_saving_twice_keeps_one_save(org, module):
    first = services.saved_module_add(user=org.member, module=module)
    again = services.saved_module_add(user=org.member, module=module)
    assert first.pk == again.pk
    assert SavedModule.objects.filter(user=org.member).count() == 1


def test_unsaving_is_idempotent(org, module):
    services.saved_module_add(user=org.member, module=module)
    services.saved_module_remove(user=org.member, module=module)
    services.saved_module_remove(user=org.member, module=module)
    assert not SavedModule.objects.exists()


def test_an_outsider_cannot_save_someone_elses_draft(org):
    draft = ModuleFactory(author=org.lead, publish=False)
    with pytest.raises(PermissionDenied):
        services.saved_module_add(user=org.outsider, module=draft)
    assert not SavedModule.objects.exists()


def test_even_the_author_cannot_save_an_unpublished_module(org):
    draft = ModuleFactory(author=org.lead, publish=False)
    with pytest.raises(PermissionDenied):
        services.saved_module_add(user=org.lead, module=draft)


def test_saved_list_is_newest_first_marks_completed_and_hides_unpublished(org):
    old, new, gone = (ModuleFactory(author=org.lead, title=t) for t in ("Old", "New", "Gone"))
    start = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
    for offset, m in enumerate((old, new, gone)):
        with time_machine.travel(start + dt.timedelta(minutes=offset), tick=False):
            services.saved_module_add(user=org.member, module=m)
    services.progress_complete(user=org.member, module=old)
    gone.status = "archived"
    gone.save(update_fields=["status"])
    rows = list(selectors.saved_modules(org.member))
    assert [(r.module.title, r.completed) for r in rows] == [("New", False), ("Old", True)]
    assert selectors.saved_modules(org.manager).count() == 0


# --- Creating and archiving goals ------------------------------------------------------


def test_a_pace_goal_needs_a_target_between_1_and_50(org):
    for bad in (None, 0, 51):
        with pytest.raises(ValidationError, match="between 1 and 50"):
            services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_WEEK, target=bad)
    goal = services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_MONTH, target=50)
    assert (goal.kind, goal.target, goal.path, goal.due_on) == ("modules_per_month", 50, None, None)


@time_machine.travel(dt.datetime(2026, 5, 4, 20, 0, tzinfo=dt.UTC), tick=False)
def test_a_path_goal_needs_a_future_date_in_the_learners_calendar(org, path):
    # 20:00 UTC is already 5 May in Tokyo: 5 May is "today" there, not the future.
    org.member.time_zone = TOKYO
    with pytest.raises(ValidationError, match="after today"):
        services.goal_create(
            user=org.member, kind=GoalKind.FINISH_PATH, path=path, due_on=dt.date(2026, 5, 5)
        )
    goal = services.goal_create(
        user=org.member, kind=GoalKind.FINISH_PATH, path=path, due_on=dt.date(2026, 5, 6)
    )
    assert goal.path == path


def test_a_path_goal_needs_a_published_path(org):
    draft = paths.path_create(author=org.lead, title="Draft", summary="Not yet.")
    with pytest.raises(ValidationError, match="published learning path"):
        services.goal_create(
            user=org.outsider,
            kind=GoalKind.FINISH_PATH,
            path=draft,
            due_on=NEXT_MONTH,
        )
    assert not LearningGoal.objects.exists()


def test_at_most_five_active_goals(org):
    goals = [
        services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_WEEK, target=1)
        for _ in range(5)
    ]
    with pytest.raises(ValidationError, match="up to 5 goals"):
        services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_WEEK, target=1)
    services.goal_archive(user=org.member, goal=goals[0])
    services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_WEEK, target=1)


def test_only_the_owner_archives_a_goal(org):
    goal = services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_WEEK, target=2)
    for other in (org.manager, org.outsider, org.admin):
        with pytest.raises(PermissionDenied):
            services.goal_archive(user=other, goal=goal)
    goal.refresh_from_db()
    assert goal.archived_at is None
    services.goal_archive(user=org.member, goal=goal)
    assert selectors.goal_standings(org.member) == []


# --- Standings -----------------------------------------------------------------------


def test_week_follows_the_learners_time_zone(org):
    """Monday 1 June 01:00 in Tokyo is still Sunday in UTC: it counts for Tokyo's new week."""
    org.member.time_zone = TOKYO
    org.member.save(update_fields=["time_zone"])
    services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_WEEK, target=2)
    services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_MONTH, target=4)
    a, b = ModuleFactory(author=org.lead), ModuleFactory(author=org.lead)
    _complete_at(org.member, a, dt.datetime(2026, 5, 31, 14, 59, tzinfo=dt.UTC))  # Sun 23:59
    _complete_at(org.member, b, dt.datetime(2026, 5, 31, 16, 0, tzinfo=dt.UTC))  # Mon 01:00
    with time_machine.travel(dt.datetime(2026, 5, 31, 23, 0, tzinfo=dt.UTC), tick=False):
        week, month = selectors.goal_standings(org.member)
    assert week.text == "1 of 2 this week"
    assert month.text == "1 of 4 this month"
    assert week.state == "on_track"
    # On Sunday in Tokyo only the first completion belongs to that week and month.
    sunday = selectors.goal_standings(org.member, dt.date(2026, 5, 31))
    assert [s.text for s in sunday] == ["1 of 2 this week", "1 of 4 this month"]


def test_week_ends_at_local_midnight_across_a_daylight_saving_change(org):
    """Berlin moves to summer time on Sunday 29 March 2026: that week ends at 22:00 UTC."""
    org.member.time_zone = "Europe/Berlin"
    org.member.save(update_fields=["time_zone"])
    services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_WEEK, target=3)
    a, b = ModuleFactory(author=org.lead), ModuleFactory(author=org.lead)
    _complete_at(org.member, a, dt.datetime(2026, 3, 29, 21, 30, tzinfo=dt.UTC))  # Sun 23:30
    _complete_at(org.member, b, dt.datetime(2026, 3, 29, 22, 30, tzinfo=dt.UTC))  # Mon 00:30
    (sunday,) = selectors.goal_standings(org.member, dt.date(2026, 3, 29))
    (monday,) = selectors.goal_standings(org.member, dt.date(2026, 3, 30))
    assert (sunday.text, monday.text) == ("1 of 3 this week", "1 of 3 this week")


def test_a_utc_learner_counts_both_in_the_same_week(org):
    services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_WEEK, target=2)
    a, b = ModuleFactory(author=org.lead), ModuleFactory(author=org.lead)
    _complete_at(org.member, a, dt.datetime(2026, 5, 31, 14, 59, tzinfo=dt.UTC))
    _complete_at(org.member, b, dt.datetime(2026, 5, 31, 16, 0, tzinfo=dt.UTC))
    (week,) = selectors.goal_standings(org.member, dt.date(2026, 5, 31))
    assert (week.text, week.state, week.percent) == ("2 of 2 this week", "met", 100)
    (next_week,) = selectors.goal_standings(org.member, dt.date(2026, 6, 1))
    assert next_week.text == "0 of 2 this week"


def test_falling_behind_the_weeks_pace(org):
    services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_WEEK, target=2)
    (monday,) = selectors.goal_standings(org.member, dt.date(2026, 6, 1))
    (sunday,) = selectors.goal_standings(org.member, dt.date(2026, 6, 7))
    assert (monday.state, sunday.state) == ("on_track", "behind")


def test_path_goal_counts_steps_and_days_left_then_overdue(org, path):
    with time_machine.travel(dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC), tick=False):
        services.goal_create(
            user=org.member, kind=GoalKind.FINISH_PATH, path=path, due_on=dt.date(2026, 5, 14)
        )
        services.progress_complete(user=org.member, module=path.steps.first().module)
    (early,) = selectors.goal_standings(org.member, dt.date(2026, 5, 4))
    assert (early.text, early.days_left, early.state) == (
        "1 of 3 modules · 10 days left",
        10,
        "on_track",
    )
    assert early.title == "Finish “Calls” by 14 May 2026"
    (due,) = selectors.goal_standings(org.member, dt.date(2026, 5, 14))
    assert (due.text, due.state) == ("1 of 3 modules · due today", "behind")
    (late,) = selectors.goal_standings(org.member, dt.date(2026, 5, 17))
    assert (late.text, late.state) == ("1 of 3 modules · overdue by 3 days", "overdue")
    for step in path.steps.all():
        services.progress_complete(user=org.member, module=step.module)
    (done,) = selectors.goal_standings(org.member, dt.date(2026, 5, 17))
    assert (done.text, done.state) == ("3 of 3 modules · finished", "met")


def test_standings_take_four_queries_however_many_goals(org, path, django_assert_num_queries):
    services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_WEEK, target=2)
    services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_MONTH, target=2)
    other = paths.path_create(
        author=org.lead,
        title="More",
        summary="More.",
        sections=[("A", [ModuleFactory(author=org.lead)])],
        publish=True,
    )
    for p in (path, other):
        services.goal_create(
            user=org.member,
            kind=GoalKind.FINISH_PATH,
            path=p,
            due_on=NEXT_MONTH,
        )
    with django_assert_num_queries(4):
        assert len(selectors.goal_standings(org.member)) == 4

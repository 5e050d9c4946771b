"""A team's learning-time settings: policy, blackouts and coverage minimums, written only
by its managers and learning admins, and checked before they are kept."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from peerpath.schedule import services
from peerpath.schedule.models import BlackoutWindow, CoverageRequirement, TeamPolicy
from tests.factories import TeamFactory, UserFactory
from tests.schedule.conftest import ShiftTeam

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

POLICY = {
    "auto_approve_minutes_per_week": 30,
    "monthly_budget_minutes": 120,
    "notice_hours": 24,
    "require_within_shift": True,
    "coverage_interval_minutes": 30,
    "time_zone": "Europe/London",
}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_teams_manager_sets_the_policy(shift_team: ShiftTeam):
    policy = services.set_team_policy(actor=shift_team.manager, team=shift_team.team, **POLICY)
    policy.refresh_from_db()
    assert {name: getattr(policy, name) for name in POLICY} == POLICY
    assert policy.updated_by == shift_team.manager
    assert TeamPolicy.objects.filter(team=shift_team.team).count() == 1


def test_a_learning_admin_sets_a_policy_for_a_team_that_had_none():
    team = TeamFactory()
    admin = UserFactory(is_learning_admin=True)
    policy = services.set_team_policy(actor=admin, team=team, **POLICY)
    assert policy.team == team
    assert policy.auto_approve_minutes_per_week == 30


def test_empty_limits_mean_no_such_rule(shift_team: ShiftTeam):
    policy = services.set_team_policy(
        actor=shift_team.manager,
        team=shift_team.team,
        **{**POLICY, "auto_approve_minutes_per_week": None, "monthly_budget_minutes": None},
    )
    policy.refresh_from_db()
    assert policy.auto_approve_minutes_per_week is None
    assert policy.monthly_budget_minutes is None


def test_outsiders_and_team_members_cannot_change_a_teams_settings(shift_team: ShiftTeam):
    outsider = UserFactory(team=TeamFactory())
    for actor in (outsider, shift_team.agents[0]):
        with pytest.raises(PermissionDenied):
            services.set_team_policy(actor=actor, team=shift_team.team, **POLICY)
        with pytest.raises(PermissionDenied):
            services.add_blackout(
                actor=actor,
                team=shift_team.team,
                starts_at=NOW + dt.timedelta(days=1),
                ends_at=NOW + dt.timedelta(days=2),
                reason="Close",
            )
        with pytest.raises(PermissionDenied):
            services.add_coverage_requirement(
                actor=actor,
                team=shift_team.team,
                start_time=dt.time(9),
                end_time=dt.time(17),
                minimum_on_duty=1,
            )
    shift_team.policy.refresh_from_db()
    assert shift_team.policy.auto_approve_minutes_per_week == 60
    assert shift_team.policy.updated_by is None
    assert not BlackoutWindow.objects.exists()
    assert CoverageRequirement.objects.count() == 1


def test_policy_values_are_checked(shift_team: ShiftTeam):
    with pytest.raises(ValidationError) as caught:
        services.set_team_policy(
            actor=shift_team.manager,
            team=shift_team.team,
            auto_approve_minutes_per_week=-1,
            monthly_budget_minutes=160 * 60 + 1,
            notice_hours=721,
            require_within_shift=False,
            coverage_interval_minutes=20,
            time_zone="Mars/Olympus",
        )
    assert sorted(caught.value.message_dict) == [
        "auto_approve_minutes_per_week",
        "coverage_interval_minutes",
        "monthly_budget_minutes",
        "notice_hours",
        "time_zone",
    ]
    shift_team.policy.refresh_from_db()
    assert shift_team.policy.coverage_interval_minutes == 15


def test_blackouts_are_added_checked_and_removed(shift_team: ShiftTeam):
    start = NOW + dt.timedelta(days=28)
    blackout = services.add_blackout(
        actor=shift_team.manager,
        team=shift_team.team,
        starts_at=start,
        ends_at=start + dt.timedelta(days=3),
        reason="  Month-end close ",
    )
    assert blackout.reason == "Month-end close"
    assert blackout.created_by == shift_team.manager
    cases = [
        (start, start, "Close", "ends_at"),
        (start, start + dt.timedelta(days=93), "Close", "ends_at"),
        (NOW - dt.timedelta(days=3), NOW - dt.timedelta(days=1), "Close", "ends_at"),
        (start, start + dt.timedelta(days=1), "  ", "reason"),
    ]
    for starts_at, ends_at, reason, field in cases:
        with pytest.raises(ValidationError) as caught:
            services.add_blackout(
                actor=shift_team.manager,
                team=shift_team.team,
                starts_at=starts_at,
                ends_at=ends_at,
                reason=reason,
            )
        assert list(caught.value.message_dict) == [field]
    assert BlackoutWindow.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.remove_blackout(actor=shift_team.agents[0], blackout=blackout)
    assert BlackoutWindow.objects.count() == 1
    services.remove_blackout(actor=shift_team.manager, blackout=blackout)
    assert not BlackoutWindow.objects.exists()


def test_coverage_minimums_are_added_checked_and_removed(shift_team: ShiftTeam):
    minimum = services.add_coverage_requirement(
        actor=shift_team.manager,
        team=shift_team.team,
        queue=" billing ",
        weekday=0,
        start_time=dt.time(8),
        end_time=dt.time(12),
        minimum_on_duty=2,
    )
    assert (minimum.queue, minimum.weekday, minimum.minimum_on_duty) == ("billing", 0, 2)
    with pytest.raises(ValidationError) as caught:
        services.add_coverage_requirement(
            actor=shift_team.manager,
            team=shift_team.team,
            queue="q" * 61,
            start_time=dt.time(8),
            end_time=dt.time(9),
            minimum_on_duty=1,
        )
    assert list(caught.value.message_dict) == ["queue"]
    with pytest.raises(ValidationError) as caught:
        services.add_coverage_requirement(
            actor=shift_team.manager,
            team=shift_team.team,
            weekday=7,
            start_time=dt.time(12),
            end_time=dt.time(8),
            minimum_on_duty=0,
        )
    assert sorted(caught.value.message_dict) == ["end_time", "minimum_on_duty", "weekday"]
    assert CoverageRequirement.objects.count() == 2
    with pytest.raises(PermissionDenied):
        services.remove_coverage_requirement(actor=shift_team.agents[1], requirement=minimum)
    services.remove_coverage_requirement(actor=shift_team.manager, requirement=minimum)
    assert CoverageRequirement.objects.count() == 1

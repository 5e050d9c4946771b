"""A team's learning-time schedule: its rules, blackouts, coverage minimums, shift import and
the week view of shifts, blocks and coverage."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peerpath.schedule import services
from peerpath.schedule.models import BlackoutWindow, CoverageRequirement, Shift, TeamPolicy
from tests.schedule.factories import BlackoutWindowFactory, LearningTimeRequestFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MONDAY = "?week=2026-03-02"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def url(name: str, team, *args) -> str:
    return reverse(f"schedule:{name}", args=[team.slug, *args])


POLICY = {
    "auto_approve_minutes_per_week": "45",
    "monthly_budget_minutes": "180",
    "notice_hours": "24",
    "require_within_shift": "on",
    "coverage_interval_minutes": "30",
    "time_zone": "Europe/London",
}


def test_agents_and_outsiders_cannot_open_or_change_a_teams_schedule(client_for, shift_team, org):
    team = shift_team.team
    blackout = BlackoutWindowFactory(team=team, starts_at=at(0, day=30))
    requirement = CoverageRequirement.objects.get(team=team)
    for user in (shift_team.agents[0], org.outsider):
        client = client_for(user)
        assert client.get(url("team_week", team)).status_code == 403
        assert client.get(url("team_settings", team)).status_code == 403
        assert client.post(url("team_settings", team), POLICY).status_code == 403
        assert client.post(url("blackout_remove", team, blackout.pk)).status_code == 403
        close = {"reason": "Close", "starts_on": "2026-03-30", "ends_on": "2026-03-31"}
        assert client.post(url("blackout_add", team), close).status_code == 403
        minimum = {"start_time": "09:00", "end_time": "10:00", "minimum_on_duty": "9"}
        assert client.post(url("coverage_add", team), minimum).status_code == 403
        assert client.post(url("coverage_remove", team, requirement.pk)).status_code == 403
        upload = SimpleUploadedFile("shifts.csv", b"email,start,end\n")
        assert client.post(url("shift_import", team), {"file": upload}).status_code == 403
    policy = TeamPolicy.objects.get(team=team)
    assert policy.auto_approve_minutes_per_week == 60
    assert list(BlackoutWindow.objects.values_list("pk", flat=True)) == [blackout.pk]
    assert list(CoverageRequirement.objects.values_list("pk", flat=True)) == [requirement.pk]


def test_an_unknown_team_is_not_found(client_for, shift_team):
    response = client_for(shift_team.manager).get(
        reverse("schedule:team_week", args=["no-such-team"])
    )
    assert response.status_code == 404


def test_the_teams_page_lists_the_teams_one_manages(client_for, shift_team, org):
    page = client_for(shift_team.manager).get(reverse("schedule:teams")).content.decode()
    assert "Call Centre" in page
    assert "Sales" not in page
    assert client_for(shift_team.agents[0]).get(reverse("schedule:teams")).status_code == 403


def test_the_manager_sets_the_rules(client_for, shift_team):
    team = shift_team.team
    response = client_for(shift_team.manager).post(url("team_settings", team), POLICY)
    assert response.status_code == 302
    policy = TeamPolicy.objects.get(team=team)
    assert (
        policy.auto_approve_minutes_per_week,
        policy.monthly_budget_minutes,
        policy.notice_hours,
        policy.require_within_shift,
        policy.coverage_interval_minutes,
        policy.time_zone,
        policy.updated_by,
    ) == (45, 180, 24, True, 30, "Europe/London", shift_team.manager)


def test_empty_limits_mean_no_such_rule(client_for, shift_team):
    data = {**POLICY, "auto_approve_minutes_per_week": "", "monthly_budget_minutes": ""}
    client_for(shift_team.manager).post(url("team_settings", shift_team.team), data)
    policy = TeamPolicy.objects.get(team=shift_team.team)
    assert (policy.auto_approve_minutes_per_week, policy.monthly_budget_minutes) == (None, None)


def test_bad_rules_are_shown_on_their_fields(client_for, shift_team):
    data = {**POLICY, "notice_hours": "-1", "time_zone": "Mars/Olympus"}
    response = client_for(shift_team.manager).post(url("team_settings", shift_team.team), data)
    assert response.status_code == 400
    errors = response.context["policy_form"].errors
    assert set(errors) == {"notice_hours", "time_zone"}
    assert TeamPolicy.objects.get(team=shift_team.team).notice_hours == 0


def test_blackouts_are_entered_in_the_teams_zone_and_removed(client_for, shift_team):
    team = shift_team.team
    services.set_team_policy(
        actor=shift_team.manager,
        team=team,
        auto_approve_minutes_per_week=60,
        monthly_budget_minutes=240,
        notice_hours=0,
        require_within_shift=False,
        coverage_interval_minutes=15,
        time_zone="Europe/Paris",
    )
    client = client_for(shift_team.manager)
    response = client.post(
        url("blackout_add", team),
        {"reason": "Month-end close", "starts_on": "2026-03-30", "ends_on": "2026-03-31"},
    )
    assert response.status_code == 302
    blackout = BlackoutWindow.objects.get(team=team)
    # Midnight in Paris (UTC+2 from 29 March) to the end of the last day.
    assert (blackout.starts_at, blackout.ends_at) == (
        dt.datetime(2026, 3, 29, 22, 0, tzinfo=UTC),
        dt.datetime(2026, 3, 31, 22, 0, tzinfo=UTC),
    )
    assert "Month-end close" in client.get(url("team_settings", team)).content.decode()
    client.post(url("blackout_remove", team, blackout.pk))
    assert not BlackoutWindow.objects.exists()


def test_a_blackout_that_ends_before_it_starts_is_refused(client_for, shift_team):
    response = client_for(shift_team.manager).post(
        url("blackout_add", shift_team.team),
        {"reason": "Close", "starts_on": "2026-03-30", "ends_on": "2026-03-20"},
    )
    assert response.status_code == 400
    assert "ends_on" in response.context["blackout_form"].errors
    assert not BlackoutWindow.objects.exists()


def test_coverage_minimums_are_added_and_removed(client_for, shift_team):
    team = shift_team.team
    client = client_for(shift_team.manager)
    data = {
        "queue": "billing",
        "weekday": "0",
        "start_time": "09:00",
        "end_time": "12:00",
        "minimum_on_duty": "2",
    }
    assert client.post(url("coverage_add", team), data).status_code == 302
    added = CoverageRequirement.objects.get(team=team, queue="billing")
    assert (added.weekday, added.start_time, added.end_time, added.minimum_on_duty) == (
        0,
        dt.time(9),
        dt.time(12),
        2,
    )
    page = client.get(url("team_settings", team)).content.decode()
    assert "Monday" in page
    assert "Every day" in page  # the fixture's team-wide minimum
    client.post(url("coverage_remove", team, added.pk))
    assert not CoverageRequirement.objects.filter(queue="billing").exists()


def test_a_coverage_minimum_needs_its_times_in_order(client_for, shift_team):
    data = {"weekday": "", "start_time": "12:00", "end_time": "09:00", "minimum_on_duty": "0"}
    response = client_for(shift_team.manager).post(url("coverage_add", shift_team.team), data)
    assert response.status_code == 400
    assert set(response.context["coverage_form"].errors) == {"end_time", "minimum_on_duty"}
    assert CoverageRequirement.objects.filter(team=shift_team.team).count() == 1


def test_the_week_shows_shifts_blocks_and_where_coverage_falls_short(client_for, shift_team):
    ana, ben = shift_team.agents[:2]
    services.request_learning_time(person=ana, starts_at=at(11), ends_at=at(11, 30))
    LearningTimeRequestFactory(person=ben, starts_at=at(14), status="pending")
    response = client_for(shift_team.manager).get(url("team_week", shift_team.team) + MONDAY)
    page = response.content.decode()
    assert "Week of Monday 2 March 2026" in page
    assert page.count('class="week-shift">09:00–17:00') == 4  # each agent's Monday shift
    assert "Learning: </span>11:00–11:30" in page
    assert "Waiting: </span>14:00–14:30" in page
    assert "Covered · lowest 3 of 3" in page  # Ana's block leaves exactly the minimum
    assert 'href="?week=2026-02-23"' in page
    assert 'href="?week=2026-03-09"' in page
    monday = response.context["coverage_rows"][0].days[0]
    assert [c.level for c in monday.cells[8:10]] == ["tight", "tight"]  # 11:00–11:30
    assert monday.cells[0].level == "ok"


def test_the_week_marks_short_intervals_in_words(client_for, shift_team):
    Shift.objects.filter(person=shift_team.agents[3]).delete()  # three left on duty
    for agent, start, end in ((0, at(11), at(11, 30)), (1, at(15), at(15, 15))):
        pending = services.request_learning_time(
            person=shift_team.agents[agent], starts_at=start, ends_at=end
        )
        # Approved by the manager despite the shortfall.
        services.approve_request(actor=shift_team.manager, request=pending, accept_shortfall=True)
    page = (
        client_for(shift_team.manager)
        .get(url("team_week", shift_team.team) + MONDAY)
        .content.decode()
    )
    assert "Short 11:00–11:30 (2 of 3), 15:00–15:15 (2 of 3)" in page


def test_the_week_is_in_the_viewers_zone(client_for, shift_team):
    manager = shift_team.manager
    manager.time_zone = "Asia/Tokyo"  # UTC+9: the 09:00 UTC shift starts at 18:00
    manager.save(update_fields=["time_zone"])
    page = client_for(manager).get(url("team_week", shift_team.team) + MONDAY).content.decode()
    assert "18:00–02:00" in page
    assert "times in Asia/Tokyo" in page


def test_the_week_reads_a_bounded_number_of_queries(
    client_for, shift_team, django_assert_max_num_queries
):
    client = client_for(shift_team.manager)
    address = url("team_week", shift_team.team) + MONDAY
    client.get(address)
    with django_assert_max_num_queries(16) as small:
        client.get(address)
    for agent in shift_team.agents:
        for day in (3, 4):
            LearningTimeRequestFactory(person=agent, starts_at=at(10, day=day))
    with django_assert_max_num_queries(16) as large:
        client.get(address)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_shift_file_is_imported_and_replaces_the_days_it_covers(client_for, shift_team):
    ana = shift_team.agents[0]
    csv = (
        "email,start,end,queue\n"
        f"{ana.email},2026-03-02T12:00,2026-03-02T20:00,billing\n"
        f"{ana.email},2026-03-03T08:00,2026-03-03T16:00,\n"
    ).encode()
    client = client_for(shift_team.manager)
    upload = SimpleUploadedFile("rota.csv", csv, content_type="text/csv")
    response = client.post(url("shift_import", shift_team.team), {"file": upload}, follow=True)
    page = response.content.decode()
    assert "Imported 2 shifts for 2 Mar – 3 Mar 2026, replacing 4." in page
    assert list(Shift.objects.order_by("starts_at").values_list("person", "starts_at")) == [
        (ana.pk, at(12)),
        (ana.pk, at(8, day=3)),
    ]


def test_a_shift_file_with_problems_shows_each_line_and_writes_nothing(client_for, shift_team):
    csv = (
        "email,start,end\n"
        f"{shift_team.agents[0].email},2026-03-02T12:00,2026-03-02T10:00\n"
        "stranger@example.com,2026-03-02T08:00,2026-03-02T16:00\n"
    ).encode()
    upload = SimpleUploadedFile("rota.csv", csv, content_type="text/csv")
    response = client_for(shift_team.manager).post(
        url("shift_import", shift_team.team), {"file": upload}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Line 2:" in page
    assert Shift.objects.count() == 4  # the fixture's, untouched


def test_the_week_shows_time_used_per_person_and_team_with_linked_modules_done(
    client_for, shift_team, org
):
    from peerpath.learning import services as learning
    from tests.factories import ModuleFactory

    module = ModuleFactory(author=org.lead, title="Calm under pressure")
    ana, ben = shift_team.agents[:2]
    services.request_learning_time(person=ana, starts_at=at(11), ends_at=at(11, 30), module=module)
    services.request_learning_time(person=ben, starts_at=at(14), ends_at=at(14, 15))
    learning.progress_complete(user=ana, module=module)
    response = client_for(shift_team.manager).get(url("team_week", shift_team.team) + MONDAY)
    page = response.content.decode()
    assert "Learning time used in March 2026" in page
    assert "<strong>45 min</strong> approved for the team of a 1200 min budget" in page
    assert [(p.person, linked, done) for p, linked, done in response.context["used_people"]] == [
        (ana, 1, 1),
        (ben, 0, 0),
    ]

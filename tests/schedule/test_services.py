"""Asking for learning time: refusals, automatic approval, what goes to the manager, weekly
series across a daylight-saving change, and cancelling."""

from __future__ import annotations

import contextlib
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerpath.schedule import services
from peerpath.schedule.models import (
    LearningTimeRequest,
    LearningTimeSeries,
    RequestStatus,
    TeamPolicy,
)
from tests.factories import ModuleFactory, TeamFactory, UserFactory
from tests.schedule.conftest import ShiftTeam
from tests.schedule.factories import (
    BlackoutWindowFactory,
    CoverageRequirementFactory,
    LearningTimeRequestFactory,
    ShiftFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")
# The Sunday before the fixture's Monday shift (2026-03-02 09:00–17:00 UTC).
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def ask(person, start: dt.datetime, end: dt.datetime, **kw) -> LearningTimeRequest:
    return services.request_learning_time(person=person, starts_at=start, ends_at=end, **kw)


def refusal(person, start: dt.datetime, end: dt.datetime, **kw) -> dict[str, list[str]]:
    before = LearningTimeRequest.objects.count()
    with pytest.raises(ValidationError) as caught:
        ask(person, start, end, **kw)
    assert LearningTimeRequest.objects.count() == before  # nothing written
    return caught.value.message_dict


# --- Refusals ---------------------------------------------------------------------------


def test_an_end_before_the_start_is_refused(shift_team: ShiftTeam):
    errors = refusal(shift_team.agents[0], at(14), at(13, 30))
    assert errors == {"ends_at": ["The end must be after the start."]}


def test_a_block_in_the_past_is_refused(shift_team: ShiftTeam):
    errors = refusal(shift_team.agents[0], at(8, day=1), at(8, 30, day=1))
    assert errors == {"starts_at": ["That time has passed; choose a start from now on."]}


def test_a_block_longer_than_four_hours_is_refused(shift_team: ShiftTeam):
    errors = refusal(shift_team.agents[0], at(9), at(13, 15))
    assert errors == {
        "ends_at": [
            "A learning block is at most 4 hours; split longer learning into several blocks."
        ]
    }


def test_a_block_overlapping_the_persons_own_request_is_refused(shift_team: ShiftTeam):
    agent = shift_team.agents[0]
    LearningTimeRequestFactory(person=agent, starts_at=at(14), ends_at=at(14, 30))
    errors = refusal(agent, at(14, 15), at(14, 45))
    assert errors == {
        "starts_at": ["This overlaps learning time you already requested: Mon 2 Mar 14:00–14:30."]
    }


def test_a_declined_or_cancelled_request_does_not_block_the_slot(shift_team: ShiftTeam):
    agent = shift_team.agents[2]
    for status in (RequestStatus.DECLINED, RequestStatus.CANCELLED):
        LearningTimeRequestFactory(
            person=agent, starts_at=at(14), ends_at=at(14, 30), status=status
        )
    assert ask(agent, at(14), at(14, 30)).status == RequestStatus.APPROVED


def test_a_block_in_a_blackout_is_refused_and_names_it(shift_team: ShiftTeam):
    BlackoutWindowFactory(
        team=shift_team.team, starts_at=at(12), ends_at=at(18), reason="Month-end close"
    )
    errors = refusal(shift_team.agents[0], at(14), at(14, 30))
    assert errors == {
        "starts_at": [
            "Call Centre takes no learning time during “Month-end close” (Mon 2 Mar 12:00–18:00)."
        ]
    }


def test_outside_the_shift_is_refused_when_the_team_requires_shifts(shift_team: ShiftTeam):
    TeamPolicy.objects.filter(pk=shift_team.policy.pk).update(require_within_shift=True)
    errors = refusal(shift_team.agents[0], at(16, 45), at(17, 15))
    assert errors == {
        "starts_at": [
            "Your team takes learning time inside shifts: choose a time within one of your shifts."
        ]
    }
    assert ask(shift_team.agents[0], at(16, 30), at(17)).status == RequestStatus.APPROVED


def test_outside_the_shift_is_fine_when_the_team_does_not_require_it(shift_team: ShiftTeam):
    request = ask(shift_team.agents[0], at(18), at(18, 30))
    assert request.status == RequestStatus.APPROVED
    assert request.decision_reason == "Auto-approved: within 60 min/week"


def test_beyond_the_monthly_budget_is_refused_with_what_is_left(shift_team: ShiftTeam):
    agent = shift_team.agents[2]
    LearningTimeRequestFactory(
        person=agent, starts_at=at(9, day=10), ends_at=at(12, 40, day=10), status="approved"
    )
    errors = refusal(agent, at(14), at(14, 30))
    assert errors == {
        "ends_at": [
            "Beyond your monthly budget: only 20 of 240 min left in March (this block is 30 min)."
        ]
    }
    assert ask(agent, at(14), at(14, 20)).status == RequestStatus.APPROVED


def test_pending_requests_count_against_the_budget_too(shift_team: ShiftTeam):
    agent = shift_team.agents[2]
    LearningTimeRequestFactory(person=agent, starts_at=at(9, day=10), ends_at=at(13, day=10))
    errors = refusal(agent, at(14), at(14, 15))
    assert errors["ends_at"][0].startswith("Beyond your monthly budget: only 0 of 240 min")


def test_a_module_and_a_path_together_are_refused(shift_team: ShiftTeam):
    from peerpath.content import paths

    module = ModuleFactory(author=shift_team.manager)
    path = paths.path_create(
        author=shift_team.manager, title="Calls", summary="Calls", sections=[("A", [module])]
    )
    errors = refusal(shift_team.agents[0], at(14), at(14, 30), module=module, path=path)
    assert errors == {"module": ["Link the block to a module or a learning path, not both."]}


def test_an_unpublished_module_is_refused(shift_team: ShiftTeam):
    draft = ModuleFactory(author=shift_team.manager, publish=False)
    errors = refusal(shift_team.agents[0], at(14), at(14, 30), module=draft)
    assert errors == {"module": ["Choose a published module."]}


def test_a_long_note_is_refused(shift_team: ShiftTeam):
    errors = refusal(shift_team.agents[0], at(14), at(14, 30), note="x" * 501)
    assert errors == {"note": ["Keep it under 500 characters."]}


def test_an_inactive_person_cannot_ask(shift_team: ShiftTeam):
    agent = shift_team.agents[0]
    agent.is_active = False
    with pytest.raises(PermissionDenied):
        ask(agent, at(14), at(14, 30))
    assert not LearningTimeRequest.objects.exists()


# --- Automatic approval and what goes to the manager ---------------------------------------


def test_within_the_allowance_with_coverage_holding_is_approved_at_once(shift_team: ShiftTeam):
    module = ModuleFactory(author=shift_team.manager, title="Calm calls")
    request = ask(shift_team.agents[0], at(14), at(14, 30), module=module, note="Quiz too")
    assert request.status == RequestStatus.APPROVED
    assert request.auto_approved
    assert request.decision_reason == "Auto-approved: within 60 min/week; coverage holds"
    assert request.decided_at == NOW
    assert request.team == shift_team.team
    assert request.module == module
    assert request.note == "Quiz too"
    assert request.coverage_shortfall == []


def test_a_second_agent_in_the_same_slot_goes_to_the_manager_with_the_shortfall(
    shift_team: ShiftTeam,
):
    first = ask(shift_team.agents[0], at(14), at(14, 30))
    second = ask(shift_team.agents[1], at(14), at(14, 30))
    assert first.status == RequestStatus.APPROVED
    assert second.status == RequestStatus.PENDING
    assert not second.auto_approved
    assert second.decided_at is None
    assert second.decision_reason == "Coverage would drop to 2 of 3 on duty 14:00–14:30"
    assert second.coverage_shortfall == [
        {
            "starts_at": "2026-03-02T14:00:00+00:00",
            "ends_at": "2026-03-02T14:15:00+00:00",
            "queue": "",
            "on_duty": 2,
            "minimum": 3,
        },
        {
            "starts_at": "2026-03-02T14:15:00+00:00",
            "ends_at": "2026-03-02T14:30:00+00:00",
            "queue": "",
            "on_duty": 2,
            "minimum": 3,
        },
    ]
    # The nearest slots that keep coverage, later first when as near.
    assert second.alternatives == [
        {"starts_at": "2026-03-02T14:30:00+00:00", "ends_at": "2026-03-02T15:00:00+00:00"},
        {"starts_at": "2026-03-02T13:30:00+00:00", "ends_at": "2026-03-02T14:00:00+00:00"},
        {"starts_at": "2026-03-02T14:45:00+00:00", "ends_at": "2026-03-02T15:15:00+00:00"},
    ]


def test_alternatives_skip_the_persons_other_blocks(shift_team: ShiftTeam):
    ask(shift_team.agents[0], at(14), at(14, 30))
    LearningTimeRequestFactory(person=shift_team.agents[1], starts_at=at(14, 30), ends_at=at(15))
    second = ask(shift_team.agents[1], at(14), at(14, 30))
    assert [a["starts_at"] for a in second.alternatives] == [
        "2026-03-02T13:30:00+00:00",
        "2026-03-02T13:15:00+00:00",
        "2026-03-02T15:00:00+00:00",
    ]


def test_a_queue_shortfall_names_the_queue(shift_team: ShiftTeam):
    CoverageRequirementFactory(team=shift_team.team, queue="billing", minimum_on_duty=2)
    request = ask(shift_team.agents[0], at(10), at(10, 15))
    assert request.status == RequestStatus.PENDING
    assert request.decision_reason == "Coverage would drop to 1 of 2 on duty 10:00–10:15 (billing)"


def test_less_notice_than_the_policy_asks_goes_to_the_manager(shift_team: ShiftTeam):
    TeamPolicy.objects.filter(pk=shift_team.policy.pk).update(notice_hours=48)
    request = ask(shift_team.agents[0], at(14), at(14, 30))
    assert request.status == RequestStatus.PENDING
    assert request.decision_reason == "Less than 48 h notice"
    assert request.alternatives == []


def test_over_the_weekly_allowance_goes_to_the_manager(shift_team: ShiftTeam):
    agent = shift_team.agents[2]
    LearningTimeRequestFactory(
        person=agent, starts_at=at(9, day=4), ends_at=at(9, 45, day=4), status="approved"
    )
    request = ask(agent, at(14), at(14, 30))
    assert request.status == RequestStatus.PENDING
    assert request.decision_reason == (
        "Over the 60 min/week allowance (45 min already approved that week)"
    )


def test_the_allowance_counts_the_persons_own_week(shift_team: ShiftTeam):
    agent = shift_team.agents[2]
    # Approved time in the week before (Sunday 1 March) does not count against this week.
    LearningTimeRequestFactory(
        person=agent, starts_at=at(12, day=1), ends_at=at(12, 45, day=1), status="approved"
    )
    assert ask(agent, at(14), at(14, 30)).status == RequestStatus.APPROVED


def test_every_reason_is_given_at_once(shift_team: ShiftTeam):
    TeamPolicy.objects.filter(pk=shift_team.policy.pk).update(
        notice_hours=48, auto_approve_minutes_per_week=15
    )
    LearningTimeRequestFactory(
        person=shift_team.agents[0], starts_at=at(14), ends_at=at(14, 15), status="approved"
    )
    request = ask(shift_team.agents[1], at(14), at(14, 30))
    assert request.status == RequestStatus.PENDING
    assert request.decision_reason == (
        "Over the 15 min/week allowance (0 min already approved that week); "
        "Less than 48 h notice; "
        "Coverage would drop to 2 of 3 on duty 14:00–14:15"
    )
    # Alternatives respect the notice: the agent's only shift is within the next 48 hours.
    assert request.alternatives == []


def test_a_team_without_a_policy_sends_every_request_to_the_manager():
    team = TeamFactory()
    person = UserFactory(team=team)
    request = ask(person, at(14), at(14, 30))
    assert request.status == RequestStatus.PENDING
    assert request.decision_reason == "No automatic approval for this team"


def test_a_policy_without_an_allowance_sends_every_request_to_the_manager(shift_team: ShiftTeam):
    TeamPolicy.objects.filter(pk=shift_team.policy.pk).update(auto_approve_minutes_per_week=None)
    request = ask(shift_team.agents[0], at(14), at(14, 30))
    assert request.status == RequestStatus.PENDING
    assert request.decision_reason == "No automatic approval for this team"


def test_someone_outside_any_team_goes_to_the_manager():
    request = ask(UserFactory(), at(14), at(14, 30))
    assert request.status == RequestStatus.PENDING
    assert request.team is None
    assert request.decision_reason == "No automatic approval: you are not in a team"


def test_reasons_are_in_the_persons_time_zone(shift_team: ShiftTeam):
    agent = shift_team.agents[1]
    ask(shift_team.agents[0], at(14), at(14, 30))
    agent.time_zone = "Europe/Paris"
    request = ask(agent, at(14), at(14, 30))
    assert request.decision_reason == "Coverage would drop to 2 of 3 on duty 15:00–15:30"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    asks=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 35), st.integers(1, 8)), max_size=12),
    minimum=st.integers(1, 4),
)
def test_auto_approval_never_takes_coverage_below_the_minimum(shift_team, asks, minimum):
    """Whatever agents ask for, in any order, automatic approvals leave every interval
    of the day at or above the minimum that was met before."""
    from peerpath.schedule import coverage
    from peerpath.schedule.models import CoverageRequirement

    with transaction.atomic():
        CoverageRequirement.objects.filter(team=shift_team.team).update(minimum_on_duty=minimum)
        TeamPolicy.objects.filter(pk=shift_team.policy.pk).update(
            auto_approve_minutes_per_week=600, monthly_budget_minutes=None
        )
        for agent, quarter, quarters in asks:
            start = at(8) + dt.timedelta(minutes=15 * quarter)
            # A block overlapping the agent's own is refused and writes nothing.
            with contextlib.suppress(ValidationError):
                ask(shift_team.agents[agent], start, start + dt.timedelta(minutes=15 * quarters))
        covered = coverage.team_coverage(
            team_id=shift_team.team.pk, starts_at=at(9), ends_at=at(17)
        )
        assert len(covered) == 32
        assert all(c.on_duty >= c.minimum for c in covered)
        transaction.set_rollback(True)


# --- Weekly series ------------------------------------------------------------------------


def london_agent(shift_team: ShiftTeam):
    agent = UserFactory(
        display_name="Agent Eve",
        team=shift_team.team,
        manager=shift_team.manager,
        time_zone="Europe/London",
    )
    return agent


def series(person, first: dt.date, start: dt.time, end: dt.time, count: int, **kw):
    return services.request_learning_series(
        person=person, first_date=first, start_time=start, end_time=end, occurrences=count, **kw
    )


def test_a_weekly_series_keeps_its_local_time_across_the_clock_change(shift_team: ShiftTeam):
    agent = london_agent(shift_team)
    made = series(agent, dt.date(2026, 3, 17), dt.time(14), dt.time(14, 30), 4)
    occurrences = list(made.requests.order_by("starts_at"))
    # The UK moves to summer time on 29 March: 14:00 in London is 14:00 UTC, then 13:00 UTC.
    assert [r.starts_at for r in occurrences] == [
        dt.datetime(2026, 3, 17, 14, tzinfo=UTC),
        dt.datetime(2026, 3, 24, 14, tzinfo=UTC),
        dt.datetime(2026, 3, 31, 13, tzinfo=UTC),
        dt.datetime(2026, 4, 7, 13, tzinfo=UTC),
    ]
    assert {(r.starts_at.astimezone(LONDON).time(), r.minutes) for r in occurrences} == {
        (dt.time(14), 30)
    }
    assert made.time_zone == "Europe/London"
    assert made.occurrences == 4
    assert all(r.status == RequestStatus.APPROVED for r in occurrences)


def test_each_occurrence_is_decided_on_its_own(shift_team: ShiftTeam):
    agent = london_agent(shift_team)
    LearningTimeRequestFactory(
        person=agent,
        starts_at=dt.datetime(2026, 3, 23, 9, tzinfo=UTC),
        ends_at=dt.datetime(2026, 3, 23, 9, 45, tzinfo=UTC),
        status="approved",
    )
    made = series(agent, dt.date(2026, 3, 17), dt.time(14), dt.time(14, 30), 3)
    statuses = list(made.requests.order_by("starts_at").values_list("status", "decision_reason"))
    assert statuses == [
        ("approved", "Auto-approved: within 60 min/week"),
        ("pending", "Over the 60 min/week allowance (45 min already approved that week)"),
        ("approved", "Auto-approved: within 60 min/week"),
    ]


def test_every_other_week(shift_team: ShiftTeam):
    made = series(
        shift_team.agents[2], dt.date(2026, 3, 3), dt.time(9), dt.time(9, 30), 3, interval_weeks=2
    )
    assert [r.starts_at.date() for r in made.requests.order_by("starts_at")] == [
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 17),
        dt.date(2026, 3, 31),
    ]


def test_one_bad_occurrence_refuses_the_whole_series_and_names_its_date(shift_team: ShiftTeam):
    agent = london_agent(shift_team)
    BlackoutWindowFactory(
        team=shift_team.team,
        starts_at=dt.datetime(2026, 3, 30, tzinfo=UTC),
        ends_at=dt.datetime(2026, 4, 1, tzinfo=UTC),
        reason="Quarter-end close",
    )
    with pytest.raises(ValidationError) as caught:
        series(agent, dt.date(2026, 3, 17), dt.time(14), dt.time(14, 30), 4)
    assert caught.value.message_dict == {
        NON_FIELD_ERRORS: [
            "Tuesday 31 March 2026: Call Centre takes no learning time during "
            "“Quarter-end close” (Mon 30 Mar 01:00 – Wed 1 Apr 01:00)."
        ]
    }
    assert not LearningTimeSeries.objects.exists()
    assert not LearningTimeRequest.objects.exists()


def test_a_series_beyond_the_budget_is_refused_at_the_month_it_runs_out(shift_team: ShiftTeam):
    TeamPolicy.objects.filter(pk=shift_team.policy.pk).update(monthly_budget_minutes=60)
    with pytest.raises(ValidationError) as caught:
        series(shift_team.agents[2], dt.date(2026, 3, 3), dt.time(9), dt.time(9, 30), 3)
    assert caught.value.messages == [
        "Tuesday 17 March 2026: Beyond your monthly budget: only 0 of 60 min left in March "
        "(this block is 30 min)."
    ]
    assert not LearningTimeRequest.objects.exists()


def test_a_series_at_a_time_the_clocks_skip_is_refused(shift_team: ShiftTeam):
    agent = london_agent(shift_team)
    with pytest.raises(ValidationError) as caught:
        series(agent, dt.date(2026, 3, 22), dt.time(1), dt.time(1, 30), 2)
    assert caught.value.messages == [
        "Sunday 29 March 2026: 01:00–01:30 does not exist that day (the clocks change); "
        "choose other times."
    ]
    assert not LearningTimeSeries.objects.exists()


def test_series_settings_are_checked(shift_team: ShiftTeam):
    agent = shift_team.agents[0]
    with pytest.raises(ValidationError) as caught:
        series(agent, dt.date(2026, 3, 3), dt.time(10), dt.time(9), 53, interval_weeks=5)
    assert caught.value.message_dict == {
        "occurrences": ["Repeat from 1 to 52 times."],
        "interval_weeks": ["Repeat every 1 to 4 weeks."],
        "end_time": ["The end must be after the start."],
    }
    with pytest.raises(ValidationError) as caught:
        series(agent, dt.date(2026, 2, 24), dt.time(10), dt.time(11), 3)
    assert caught.value.message_dict == {
        "first_date": ["That time has passed; start the series later."]
    }
    assert not LearningTimeSeries.objects.exists()


# --- Cancelling ---------------------------------------------------------------------------


def test_the_person_cancels_before_the_block_starts(shift_team: ShiftTeam):
    agent = shift_team.agents[0]
    request = ask(agent, at(14), at(14, 30))
    cancelled = services.cancel_request(actor=agent, request=request)
    assert cancelled.status == RequestStatus.CANCELLED
    # The slot is free again for a colleague.
    assert ask(shift_team.agents[1], at(14), at(14, 30)).status == RequestStatus.APPROVED


def test_nobody_else_cancels_a_persons_request(shift_team: ShiftTeam):
    request = ask(shift_team.agents[0], at(14), at(14, 30))
    for other in (shift_team.manager, shift_team.agents[1]):
        with pytest.raises(PermissionDenied):
            services.cancel_request(actor=other, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_a_started_block_cannot_be_cancelled(shift_team: ShiftTeam):
    agent = shift_team.agents[0]
    request = ask(agent, at(14), at(14, 30))
    with time_machine.travel(at(14, 5), tick=False), pytest.raises(ValidationError) as caught:
        services.cancel_request(actor=agent, request=request)
    assert caught.value.messages == ["This block has started; it can no longer be cancelled."]
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_a_cancelled_request_cannot_be_cancelled_again(shift_team: ShiftTeam):
    agent = shift_team.agents[0]
    request = ask(agent, at(14), at(14, 30))
    services.cancel_request(actor=agent, request=request)
    with pytest.raises(ValidationError) as caught:
        services.cancel_request(actor=agent, request=request)
    assert caught.value.messages == ["This request was already cancelled."]


def test_cancelling_a_series_cancels_what_has_not_started(shift_team: ShiftTeam):
    agent = shift_team.agents[2]
    made = series(agent, dt.date(2026, 3, 3), dt.time(9), dt.time(9, 30), 3)
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=UTC), tick=False):
        with pytest.raises(PermissionDenied):
            services.cancel_series(actor=shift_team.manager, series=made)
        assert services.cancel_series(actor=agent, series=made) == 1
    assert list(made.requests.order_by("starts_at").values_list("status", flat=True)) == [
        "approved",
        "approved",
        "cancelled",
    ]


def test_a_shift_elsewhere_does_not_count_for_this_team(shift_team: ShiftTeam):
    agent = shift_team.agents[3]
    ShiftFactory(person=agent, team=TeamFactory(), starts_at=at(18), ends_at=at(22))
    TeamPolicy.objects.filter(pk=shift_team.policy.pk).update(require_within_shift=True)
    errors = refusal(agent, at(19), at(19, 30))
    assert list(errors) == ["starts_at"]


# --- Moving ------------------------------------------------------------------------------


def test_moving_to_an_offered_slot_cancels_the_old_request_and_decides_the_new(
    shift_team: ShiftTeam,
):
    ask(shift_team.agents[0], at(14), at(14, 30))
    module = ModuleFactory(author=shift_team.manager)
    waiting = ask(shift_team.agents[1], at(14), at(14, 30), module=module, note="Refunds")
    slot = waiting.alternatives[0]
    moved = services.move_request(
        actor=shift_team.agents[1],
        request=waiting,
        starts_at=dt.datetime.fromisoformat(slot["starts_at"]),
        ends_at=dt.datetime.fromisoformat(slot["ends_at"]),
    )
    waiting.refresh_from_db()
    assert waiting.status == RequestStatus.CANCELLED
    assert moved.status == RequestStatus.APPROVED
    assert (moved.starts_at, moved.ends_at) == (at(14, 30), at(15))
    assert (moved.module, moved.note) == (module, "Refunds")


def test_a_move_that_is_refused_keeps_the_old_request(shift_team: ShiftTeam):
    request = ask(shift_team.agents[0], at(14), at(14, 30))
    with pytest.raises(ValidationError):
        services.move_request(
            actor=shift_team.agents[0],
            request=request,
            starts_at=at(8, day=1),
            ends_at=at(9, day=1),
        )
    with pytest.raises(PermissionDenied):
        services.move_request(
            actor=shift_team.manager, request=request, starts_at=at(15), ends_at=at(15, 30)
        )
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert LearningTimeRequest.objects.count() == 1


def test_a_block_moves_a_little_later_over_its_own_old_time(shift_team: ShiftTeam):
    request = ask(shift_team.agents[0], at(14), at(14, 30))
    moved = services.move_request(
        actor=shift_team.agents[0], request=request, starts_at=at(14, 15), ends_at=at(14, 45)
    )
    assert moved.status == RequestStatus.APPROVED

"""Deciding learning time: who may, the re-check of coverage and policy under the team's
lock, approving despite a shortfall, declining, bulk approval and delegation."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from peerpath.core import permissions
from peerpath.people.models import User
from peerpath.schedule import coverage, services
from peerpath.schedule.models import (
    ApprovalDelegation,
    LearningTimeRequest,
    RequestStatus,
    TeamPolicy,
)
from tests.factories import TeamFactory, UserFactory
from tests.schedule.conftest import ShiftTeam
from tests.schedule.factories import BlackoutWindowFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def manual(shift_team: ShiftTeam) -> ShiftTeam:
    """The shift team with no automatic approval: every request waits for the manager."""
    TeamPolicy.objects.filter(pk=shift_team.policy.pk).update(auto_approve_minutes_per_week=None)
    return shift_team


def ask(person, start: dt.datetime, end: dt.datetime) -> LearningTimeRequest:
    return services.request_learning_time(person=person, starts_at=start, ends_at=end)


def unchanged(request: LearningTimeRequest) -> None:
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert request.decided_by is None
    assert request.decided_at is None


# --- Who decides --------------------------------------------------------------------------


def test_the_manager_approves_in_one_step(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    assert request.status == RequestStatus.PENDING
    approved = services.approve_request(actor=manual.manager, request=request)
    assert approved.status == RequestStatus.APPROVED
    assert approved.decided_by == manual.manager
    assert approved.decided_at == NOW
    assert not approved.auto_approved
    assert approved.decision_reason == "Approved by Cara Coordinator"
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_a_manager_further_up_the_line_and_a_learning_admin_decide():
    boss = UserFactory(display_name="Big Boss")
    manager = UserFactory(manager=boss)
    agent = UserFactory(manager=manager)
    admin = UserFactory(is_learning_admin=True)
    first = ask(agent, at(14), at(14, 30))
    second = ask(agent, at(15), at(15, 30))
    assert permissions.can_decide_learning_time(boss, agent)
    assert services.approve_request(actor=boss, request=first).decided_by == boss
    assert services.decline_request(actor=admin, request=second).decided_by == admin


def test_an_outsider_cannot_decide(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    outsider = UserFactory(team=TeamFactory())
    for decide in (services.approve_request, services.decline_request):
        with pytest.raises(PermissionDenied):
            decide(actor=outsider, request=request)
    unchanged(request)


def test_a_colleague_in_the_same_team_cannot_decide(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    with pytest.raises(PermissionDenied):
        services.approve_request(actor=manual.agents[1], request=request)
    unchanged(request)


def test_nobody_decides_their_own_request_not_even_a_learning_admin(manual: ShiftTeam):
    agent = manual.agents[0]
    agent.is_learning_admin = True
    agent.save()
    request = ask(agent, at(14), at(14, 30))
    assert not permissions.can_decide_learning_time(agent, agent)
    with pytest.raises(PermissionDenied):
        services.approve_request(actor=agent, request=request)
    unchanged(request)


def test_an_inactive_manager_cannot_decide(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    manual.manager.is_active = False
    with pytest.raises(PermissionDenied):
        services.approve_request(actor=manual.manager, request=request)
    unchanged(request)


# --- Delegation ---------------------------------------------------------------------------


def delegate(manager, delegate, first: dt.date, last: dt.date) -> ApprovalDelegation:
    return services.delegate_approvals(
        manager=manager, delegate=delegate, starts_on=first, ends_on=last
    )


def test_a_delegate_decides_while_the_delegation_runs(manual: ShiftTeam):
    stand_in = UserFactory(display_name="Sam Standin", team=TeamFactory())
    delegate(manual.manager, stand_in, dt.date(2026, 3, 1), dt.date(2026, 3, 7))
    request = ask(manual.agents[0], at(14), at(14, 30))
    approved = services.approve_request(actor=stand_in, request=request)
    assert approved.decided_by == stand_in


def test_a_delegate_cannot_decide_before_or_after_the_delegation(manual: ShiftTeam):
    stand_in = UserFactory(team=TeamFactory())
    delegate(manual.manager, stand_in, dt.date(2026, 3, 1), dt.date(2026, 3, 1))
    request = ask(manual.agents[0], at(14), at(14, 30))
    with time_machine.travel(at(9, day=2), tick=False):
        assert not permissions.can_decide_learning_time(stand_in, manual.agents[0])
        with pytest.raises(PermissionDenied):
            services.approve_request(actor=stand_in, request=request)
    unchanged(request)
    ApprovalDelegation.objects.update(starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 3, 5))
    assert not permissions.can_decide_learning_time(stand_in, manual.agents[0])


def test_the_delegation_day_is_the_managers_day(manual: ShiftTeam):
    manual.manager.time_zone = "Pacific/Auckland"
    manual.manager.save()
    stand_in = UserFactory(team=TeamFactory())
    delegate(manual.manager, stand_in, dt.date(2026, 3, 2), dt.date(2026, 3, 3))
    assert not permissions.can_decide_learning_time(stand_in, manual.agents[0])
    # 1 March 12:00 UTC is already 2 March in Auckland.
    with time_machine.travel(at(12, day=1), tick=False):
        assert permissions.can_decide_learning_time(stand_in, manual.agents[0])


def test_a_delegate_of_an_inactive_manager_cannot_decide(manual: ShiftTeam):
    stand_in = UserFactory(team=TeamFactory())
    delegate(manual.manager, stand_in, dt.date(2026, 3, 1), dt.date(2026, 3, 7))
    request = ask(manual.agents[0], at(14), at(14, 30))
    User.objects.filter(pk=manual.manager.pk).update(is_active=False)
    with pytest.raises(PermissionDenied):
        services.approve_request(actor=stand_in, request=request)
    unchanged(request)


def test_a_delegate_decides_only_for_the_managers_people(manual: ShiftTeam):
    stand_in = UserFactory(team=TeamFactory())
    delegate(manual.manager, stand_in, dt.date(2026, 3, 1), dt.date(2026, 3, 7))
    elsewhere = ask(UserFactory(manager=UserFactory()), at(14), at(14, 30))
    with pytest.raises(PermissionDenied):
        services.approve_request(actor=stand_in, request=elsewhere)
    unchanged(elsewhere)


def test_a_delegate_never_decides_their_own_request(manual: ShiftTeam):
    agent = manual.agents[1]
    delegate(manual.manager, agent, dt.date(2026, 3, 1), dt.date(2026, 3, 7))
    own = ask(agent, at(14), at(14, 30))
    colleagues = ask(manual.agents[2], at(15), at(15, 30))
    with pytest.raises(PermissionDenied):
        services.approve_request(actor=agent, request=own)
    unchanged(own)
    assert services.approve_request(actor=agent, request=colleagues).decided_by == agent


def test_delegation_rules(manual: ShiftTeam):
    manager = manual.manager
    inactive = UserFactory()
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    inactive.refresh_from_db()
    cases = [
        (manager, dt.date(2026, 3, 1), dt.date(2026, 3, 2), "delegate"),
        (inactive, dt.date(2026, 3, 1), dt.date(2026, 3, 2), "delegate"),
        (manual.agents[0], dt.date(2026, 3, 5), dt.date(2026, 3, 2), "ends_on"),
        (manual.agents[0], dt.date(2026, 2, 1), dt.date(2026, 2, 28), "ends_on"),
        (manual.agents[0], dt.date(2026, 3, 1), dt.date(2027, 3, 2), "ends_on"),
    ]
    for who, first, last, field in cases:
        with pytest.raises(ValidationError) as caught:
            delegate(manager, who, first, last)
        assert list(caught.value.message_dict) == [field]
    assert not ApprovalDelegation.objects.exists()
    delegate(manager, manual.agents[0], dt.date(2026, 3, 1), dt.date(2026, 3, 7))
    with pytest.raises(ValidationError) as caught:
        delegate(manager, manual.agents[0], dt.date(2026, 3, 5), dt.date(2026, 3, 9))
    assert caught.value.messages == ["Agent Ana already decides for you from 1 Mar to 7 Mar 2026."]


def test_only_managers_delegate_and_only_their_own_delegations_end(manual: ShiftTeam):
    with pytest.raises(PermissionDenied):
        delegate(manual.agents[0], manual.agents[1], dt.date(2026, 3, 1), dt.date(2026, 3, 2))
    assert not ApprovalDelegation.objects.exists()
    given = delegate(manual.manager, manual.agents[0], dt.date(2026, 3, 1), dt.date(2026, 3, 2))
    with pytest.raises(PermissionDenied):
        services.end_delegation(manager=manual.agents[0], delegation=given)
    assert ApprovalDelegation.objects.filter(pk=given.pk).exists()
    services.end_delegation(manager=manual.manager, delegation=given)
    assert not ApprovalDelegation.objects.exists()
    assert not permissions.can_decide_learning_time(manual.agents[0], manual.agents[1])


# --- Re-checking under the lock ---------------------------------------------------------------


def test_a_second_approval_that_would_break_coverage_is_refused(manual: ShiftTeam):
    first = ask(manual.agents[0], at(14), at(14, 30))
    second = ask(manual.agents[1], at(14), at(14, 30))
    # Asked while nothing was approved, neither showed a shortfall.
    assert first.coverage_shortfall == second.coverage_shortfall == []
    services.approve_request(actor=manual.manager, request=first)
    with pytest.raises(ValidationError) as caught:
        services.approve_request(actor=manual.manager, request=second)
    assert caught.value.message_dict == {
        "accept_shortfall": [
            "Coverage would drop to 2 of 3 on duty 14:00–14:30. Approve anyway only if the "
            "team can take the shortfall."
        ]
    }
    unchanged(second)


def test_the_manager_approves_despite_a_shortfall_they_saw(shift_team: ShiftTeam):
    ask(shift_team.agents[0], at(14), at(14, 30))
    second = ask(shift_team.agents[1], at(14), at(14, 30))
    assert second.status == RequestStatus.PENDING
    approved = services.approve_request(
        actor=shift_team.manager, request=second, accept_shortfall=True
    )
    assert approved.status == RequestStatus.APPROVED
    assert approved.decision_reason == (
        "Approved by Cara Coordinator (coverage shortfall accepted: Coverage would drop to "
        "2 of 3 on duty 14:00–14:30)"
    )
    assert [c["on_duty"] for c in approved.coverage_shortfall] == [2, 2]


def test_a_blackout_added_since_refuses_the_approval(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    BlackoutWindowFactory(team=manual.team, starts_at=at(0), ends_at=at(23), reason="Audit")
    with pytest.raises(ValidationError) as caught:
        services.approve_request(actor=manual.manager, request=request, accept_shortfall=True)
    assert caught.value.message_dict == {
        "starts_at": ["Call Centre takes no learning time during “Audit” (Mon 2 Mar 00:00–23:00)."]
    }
    unchanged(request)


def test_the_budget_is_checked_again_without_counting_the_request_itself(manual: ShiftTeam):
    TeamPolicy.objects.filter(pk=manual.policy.pk).update(monthly_budget_minutes=60)
    agent = manual.agents[2]
    first = ask(agent, at(14), at(14, 30))
    second = ask(agent, at(15), at(15, 30))
    services.approve_request(actor=manual.manager, request=first)
    services.approve_request(actor=manual.manager, request=second)
    assert LearningTimeRequest.objects.filter(status="approved").count() == 2


def test_a_decided_or_started_request_cannot_be_decided_again(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    services.decline_request(actor=manual.manager, request=request)
    with pytest.raises(ValidationError) as caught:
        services.approve_request(actor=manual.manager, request=request)
    assert caught.value.messages == ["This request was already declined."]
    late = ask(manual.agents[1], at(15), at(15, 30))
    with time_machine.travel(at(15, 1), tick=False), pytest.raises(ValidationError) as caught:
        services.approve_request(actor=manual.manager, request=late)
    assert caught.value.messages == ["This request's time has passed; it can no longer be decided."]
    unchanged(late)


def test_a_cancelled_request_cannot_be_approved(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    services.cancel_request(actor=manual.agents[0], request=request)
    with pytest.raises(ValidationError):
        services.approve_request(actor=manual.manager, request=request)
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED


def test_declining_keeps_the_reason(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    declined = services.decline_request(
        actor=manual.manager, request=request, reason="  Team meeting then  "
    )
    assert declined.status == RequestStatus.DECLINED
    assert declined.decision_reason == "Team meeting then"
    assert declined.decided_by == manual.manager
    other = ask(manual.agents[1], at(15), at(15, 30))
    assert (
        services.decline_request(actor=manual.manager, request=other).decision_reason
        == "Declined by Cara Coordinator"
    )
    with pytest.raises(ValidationError) as caught:
        services.decline_request(
            actor=manual.manager,
            request=ask(manual.agents[2], at(16), at(16, 30)),
            reason="x" * 501,
        )
    assert list(caught.value.message_dict) == ["reason"]


def test_an_approval_reason_replaces_the_default(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    approved = services.approve_request(actor=manual.manager, request=request, reason="Enjoy")
    assert approved.decision_reason == "Enjoy"


# --- Bulk approval --------------------------------------------------------------------------


def test_bulk_approval_approves_what_it_can_and_says_why_not_for_the_rest(manual: ShiftTeam):
    first = ask(manual.agents[0], at(14), at(14, 30))
    second = ask(manual.agents[1], at(14), at(14, 30))
    third = ask(manual.agents[2], at(10), at(10, 30))
    stranger = ask(UserFactory(manager=UserFactory()), at(14), at(14, 30))
    result = services.approve_requests(
        actor=manual.manager, requests=[stranger, third, second, first]
    )
    assert [r.pk for r in result.approved] == [third.pk, first.pk]
    assert [(r.pk, why) for r, why in result.skipped] == [
        (
            second.pk,
            "Coverage would drop to 2 of 3 on duty 14:00–14:30. Approve anyway only if the "
            "team can take the shortfall.",
        ),
        (
            stranger.pk,
            "Only the person's managers, their delegates and learning admins decide their "
            "learning time.",
        ),
    ]
    unchanged(second)
    unchanged(stranger)


# --- Two approvals at once ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_approvals_that_together_break_coverage_cannot_both_pass(
    manual: ShiftTeam, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises the two transactions; PostgreSQL runs them together")
    first = ask(manual.agents[0], at(14), at(14, 30))
    second = ask(manual.agents[1], at(14), at(14, 30))
    second_manager = UserFactory(display_name="Second Manager", is_learning_admin=True)
    start = threading.Barrier(2)
    # Both approvals try to read coverage together. Under the team's lock the second waits
    # for the first to commit (the first gives up waiting for it after a second); without
    # the lock both would read coverage before either wrote, and both would pass.
    meet = threading.Barrier(2, timeout=1)
    real_check = coverage.check_block

    def check_together(**kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait()
        return real_check(**kwargs)

    monkeypatch.setattr(coverage, "check_block", check_together)
    outcomes: list[str] = []

    def approve(actor, request) -> None:
        try:
            start.wait()
            services.approve_request(actor=actor, request=request)
            outcomes.append("approved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    workers = [
        threading.Thread(target=approve, args=(manual.manager, first)),
        threading.Thread(target=approve, args=(second_manager, second)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(outcomes) == ["approved", "refused"]
    assert LearningTimeRequest.objects.filter(status=RequestStatus.APPROVED).count() == 1
    assert LearningTimeRequest.objects.filter(status=RequestStatus.PENDING).count() == 1


# --- Requests nobody decided ---------------------------------------------------------------


def test_a_request_nobody_decided_lapses_when_its_time_comes(manual: ShiftTeam):
    waiting = ask(manual.agents[0], at(14), at(14, 30))
    later = ask(manual.agents[1], at(15), at(15, 30))
    assert services.lapse_undecided_requests(now=at(14)) == 1
    waiting.refresh_from_db()
    assert waiting.status == RequestStatus.LAPSED
    assert waiting.decided_at == at(14)
    assert waiting.decision_reason == "Nobody decided before it started."
    unchanged(later)
    assert services.lapse_undecided_requests(now=at(14)) == 0
    with pytest.raises(ValidationError):
        services.approve_request(actor=manual.manager, request=waiting)


def test_the_worker_closes_undecided_requests_every_hour():
    from peerpath.core.periodic import SCHEDULE

    entry = next(p for p in SCHEDULE if p.task_path.endswith("lapse_undecided_requests"))
    assert entry.every_seconds == 3600

"""Emailed one-click decisions: who is told of a pending request, the signed links they get,
and that each link works once, for a week, for the approver it was sent to."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail, signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.urls import include, path

from peerpath.people.models import User
from peerpath.schedule import emails, links, services
from peerpath.schedule.models import (
    LearningTimeRequest,
    RequestStatus,
    TeamPolicy,
    UsedApprovalLink,
)
from tests.factories import TeamFactory, UserFactory
from tests.schedule.conftest import ShiftTeam

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _page(request, **kwargs) -> HttpResponse:
    return HttpResponse()


# The learning-time pages' names the emails link to (the pages themselves are tested with
# the views); this module stands in as the URLconf so the links resolve.
urlpatterns = [
    path(
        "time/",
        include(
            (
                [
                    path("", _page, name="mine"),
                    path("approvals/", _page, name="approvals"),
                    path("decide/<str:token>/", _page, name="decide_link"),
                ],
                "schedule",
            )
        ),
    )
]


@pytest.fixture(autouse=True)
def _clock_and_urls(settings):
    settings.ROOT_URLCONF = __name__
    settings.BASE_URL = "https://peerpath.example"
    with time_machine.travel(NOW, tick=False):
        yield


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def manual(shift_team: ShiftTeam) -> ShiftTeam:
    TeamPolicy.objects.filter(pk=shift_team.policy.pk).update(auto_approve_minutes_per_week=None)
    return shift_team


def ask(person, start: dt.datetime, end: dt.datetime) -> LearningTimeRequest:
    return services.request_learning_time(person=person, starts_at=start, ends_at=end)


def tokens_in(body: str) -> dict[str, str]:
    found = re.findall(r"(Approve|Decline): https://peerpath\.example/time/decide/([^/]+)/", body)
    return {action.lower(): token for action, token in found}


# --- Who is told --------------------------------------------------------------------------


def test_a_pending_request_emails_the_manager_and_delegates_with_links(
    manual: ShiftTeam, django_capture_on_commit_callbacks
):
    stand_in = UserFactory(display_name="Sam Standin", team=TeamFactory())
    former = UserFactory(team=TeamFactory())
    services.delegate_approvals(
        manager=manual.manager,
        delegate=stand_in,
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 7),
    )
    services.delegate_approvals(
        manager=manual.manager,
        delegate=former,
        starts_on=dt.date(2026, 3, 3),
        ends_on=dt.date(2026, 3, 7),
    )
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(manual.agents[0], at(14), at(14, 30))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([manual.manager.email, stand_in.email])
    message = next(m for m in mail.outbox if m.to == [manual.manager.email])
    assert message.subject == (
        "Learning time to approve: Agent Ana, Mon 2 Mar 2026, 14:00–14:30 (UTC)"
    )
    assert "Why it needs you: No automatic approval for this team" in message.body
    assert "Your approvals queue: https://peerpath.example/time/approvals/" in message.body
    found = tokens_in(message.body)
    assert set(found) == {"approve", "decline"}
    decision = links.read_decision_token(found["approve"])
    assert decision.request_public_id == str(request.public_id)
    assert decision.approver_public_id == str(manual.manager.public_id)
    assert decision.action == "approve"
    assert links.read_decision_token(found["decline"]).action == "decline"


def test_an_automatic_approval_emails_nobody(
    shift_team: ShiftTeam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(shift_team.agents[0], at(14), at(14, 30))
    assert request.status == RequestStatus.APPROVED
    assert mail.outbox == []


def test_a_refused_request_emails_nobody(shift_team: ShiftTeam, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        ask(shift_team.agents[0], at(14), at(13))
    assert mail.outbox == []


def test_the_next_manager_up_is_told_when_the_direct_one_is_inactive():
    boss = UserFactory(display_name="Big Boss")
    manager = UserFactory(manager=boss)
    agent = UserFactory(manager=manager)
    User.objects.filter(pk=manager.pk).update(is_active=False)
    agent.refresh_from_db()
    assert [u.pk for u in emails.deciders_for(agent)] == [boss.pk]


def test_learning_admins_are_told_when_nobody_in_the_line_is_active():
    admin = UserFactory(is_learning_admin=True)
    agent = UserFactory()
    assert [u.pk for u in emails.deciders_for(agent)] == [admin.pk]


def test_the_email_offers_the_slots_that_keep_coverage(
    shift_team: ShiftTeam, django_capture_on_commit_callbacks
):
    ask(shift_team.agents[0], at(14), at(14, 30))
    shift_team.manager.time_zone = "Europe/Paris"
    shift_team.manager.save()
    with django_capture_on_commit_callbacks(execute=True):
        ask(shift_team.agents[1], at(14), at(14, 30))
    (message,) = mail.outbox
    assert message.subject.endswith("Mon 2 Mar 2026, 15:00–15:30 (Europe/Paris)")
    assert (
        "Why it needs you: Coverage would drop to 2 of 3 on duty 14:00–14:30 (times in UTC)"
        in message.body
    )
    assert (
        "Slots that would keep coverage: Mon 2 Mar, 15:30–16:00; Mon 2 Mar, 14:30–15:00; "
        "Mon 2 Mar, 15:45–16:15\n"
    ) in message.body


def test_a_series_sends_one_email_listing_each_pending_block(
    manual: ShiftTeam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_learning_series(
            person=manual.agents[2],
            first_date=dt.date(2026, 3, 3),
            start_time=dt.time(9),
            end_time=dt.time(9, 30),
            occurrences=3,
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith("Tue 3 Mar 2026, 09:00–09:30 (UTC) and 2 more")
    assert mail.outbox[0].body.count("Approve: https://") == 3


def test_a_decision_emails_the_person(manual: ShiftTeam, django_capture_on_commit_callbacks):
    request = ask(manual.agents[0], at(14), at(14, 30))
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_request(actor=manual.manager, request=request, reason="Busy Monday")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [manual.agents[0].email]
    assert message.subject == "Learning time declined: Mon 2 Mar 2026, 14:00–14:30 (UTC)"
    assert "Cara Coordinator declined your learning time" in message.body
    assert "Busy Monday" in message.body
    assert "https://peerpath.example/time/" in message.body


# --- Links ------------------------------------------------------------------------------


def test_a_link_decides_once(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    token = links.make_decision_token(request, manual.manager, "approve")
    decided = services.decide_by_link(actor=manual.manager, token=token)
    assert decided.status == RequestStatus.APPROVED
    assert UsedApprovalLink.objects.count() == 1
    with pytest.raises(links.LinkRefused) as caught:
        links.read_decision_token(token)
    assert caught.value.messages == ["This link has already been used; each link works once."]
    with pytest.raises(links.LinkRefused):
        services.decide_by_link(actor=manual.manager, token=token)
    assert UsedApprovalLink.objects.count() == 1


def test_a_decline_link_declines(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    token = links.make_decision_token(request, manual.manager, "decline")
    decided = services.decide_by_link(actor=manual.manager, token=token, reason="Not Monday")
    assert decided.status == RequestStatus.DECLINED
    assert decided.decision_reason == "Not Monday"


def test_a_link_expires_after_a_week(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14, day=20), at(14, 30, day=20))
    token = links.make_decision_token(request, manual.manager, "approve")
    with time_machine.travel(NOW + dt.timedelta(days=6, hours=23), tick=False):
        assert links.read_decision_token(token).action == "approve"
    later = time_machine.travel(NOW + dt.timedelta(days=7, seconds=1), tick=False)
    with later, pytest.raises(links.LinkRefused) as caught:
        services.decide_by_link(actor=manual.manager, token=token)
    assert caught.value.messages == [
        "This link has expired; decide from your approvals queue instead."
    ]
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert not UsedApprovalLink.objects.exists()


def test_a_link_works_only_for_the_approver_it_was_sent_to(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    admin = UserFactory(is_learning_admin=True)
    token = links.make_decision_token(request, manual.manager, "approve")
    for someone in (admin, manual.agents[1], manual.agents[0]):
        with pytest.raises(PermissionDenied):
            services.decide_by_link(actor=someone, token=token)
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert not UsedApprovalLink.objects.exists()
    # Still usable by the manager it was sent to.
    assert services.decide_by_link(actor=manual.manager, token=token).status == "approved"


def test_a_link_for_someone_who_may_no_longer_decide_is_refused(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    stand_in = UserFactory(team=TeamFactory())
    given = services.delegate_approvals(
        manager=manual.manager,
        delegate=stand_in,
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 7),
    )
    token = links.make_decision_token(request, stand_in, "approve")
    services.end_delegation(manager=manual.manager, delegation=given)
    with pytest.raises(PermissionDenied):
        services.decide_by_link(actor=stand_in, token=token)
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING
    assert not UsedApprovalLink.objects.exists()


def test_a_forged_or_altered_link_is_refused(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    token = links.make_decision_token(request, manual.manager, "decline")
    payload = signing.loads(token, salt=links.SALT)
    payload["x"] = "approve"
    forged = [
        token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
        signing.dumps(payload, salt="another-salt"),
        signing.dumps(payload),
        "not-a-token",
    ]
    for bad in forged:
        with pytest.raises(links.LinkRefused) as caught:
            services.decide_by_link(actor=manual.manager, token=bad)
        assert caught.value.messages == [
            "This link is not valid; decide from your approvals queue."
        ]
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_a_refused_approval_leaves_the_link_usable_for_approve_anyway(shift_team: ShiftTeam):
    ask(shift_team.agents[0], at(14), at(14, 30))
    second = ask(shift_team.agents[1], at(14), at(14, 30))
    token = links.make_decision_token(second, shift_team.manager, "approve")
    with pytest.raises(ValidationError) as caught:
        services.decide_by_link(actor=shift_team.manager, token=token)
    assert list(caught.value.message_dict) == ["accept_shortfall"]
    assert not UsedApprovalLink.objects.exists()
    decided = services.decide_by_link(actor=shift_team.manager, token=token, accept_shortfall=True)
    assert decided.status == RequestStatus.APPROVED
    assert UsedApprovalLink.objects.count() == 1


def test_a_link_to_a_request_decided_in_the_queue_meanwhile_is_refused(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    token = links.make_decision_token(request, manual.manager, "approve")
    services.decline_request(actor=manual.manager, request=request)
    with pytest.raises(ValidationError) as caught:
        services.decide_by_link(actor=manual.manager, token=token)
    assert caught.value.messages == ["This request was already declined."]
    assert not UsedApprovalLink.objects.exists()


def test_an_unknown_action_is_not_signed(manual: ShiftTeam):
    request = ask(manual.agents[0], at(14), at(14, 30))
    with pytest.raises(ValueError, match="Unknown decision"):
        links.make_decision_token(request, manual.manager, "delete")

"""Deciding learning time: the approvals queue (one click, in place, bulk, approve anyway),
the emailed link's page, and delegation while away."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

import pytest
import time_machine
from django.urls import reverse

from peerpath.schedule import links, services
from peerpath.schedule.models import ApprovalDelegation, RequestStatus, UsedApprovalLink
from tests.factories import UserFactory
from tests.schedule.factories import LearningTimeRequestFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
QUEUE = reverse("schedule:approvals")
BULK = reverse("schedule:approve_bulk")
DELEGATION = reverse("schedule:delegation")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def approve(r) -> str:
    return reverse("schedule:approve", args=[r.public_id])


def decline(r) -> str:
    return reverse("schedule:decline", args=[r.public_id])


@pytest.fixture
def pending(shift_team):
    """Cho asks for 90 minutes: over the weekly allowance, so it waits (coverage holds)."""
    return services.request_learning_time(
        person=shift_team.agents[2], starts_at=at(13), ends_at=at(14, 30)
    )


@pytest.fixture
def short(shift_team):
    """Ana takes 11:00–11:30; Ben's same slot would leave 2 of 3 on duty."""
    ana, ben = shift_team.agents[:2]
    services.request_learning_time(person=ana, starts_at=at(11), ends_at=at(11, 30))
    return services.request_learning_time(person=ben, starts_at=at(11), ends_at=at(11, 30))


def test_agents_and_outsiders_have_no_queue_and_cannot_decide(client_for, shift_team, org, pending):
    for user in (shift_team.agents[0], org.outsider):
        client = client_for(user)
        assert client.get(QUEUE).status_code == 403
        assert client.post(approve(pending)).status_code == 404
        assert client.post(decline(pending), {"reason": "no"}).status_code == 404
        client.post(BULK, {"requests": [str(pending.public_id)]})
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING


def test_a_person_cannot_approve_their_own_request(client_for, shift_team):
    lead_request = LearningTimeRequestFactory(person=shift_team.manager, starts_at=at(12))
    response = client_for(shift_team.manager).post(approve(lead_request))
    assert response.status_code == 403
    lead_request.refresh_from_db()
    assert lead_request.status == RequestStatus.PENDING


def test_the_queue_shows_why_each_request_waits_with_shortfall_and_alternatives(
    client_for, shift_team, pending, short
):
    page = client_for(shift_team.manager).get(QUEUE).content.decode()
    assert "Agent Cho" in page
    assert "Over the 60 min/week allowance" in page
    assert "Agent Ben" in page
    assert "Coverage would drop to 2 of 3 on duty 11:00–11:30" in page
    assert "Slots that keep coverage" in page
    assert page.count("Approve anyway") == 1  # only the request with a shortfall
    assert page.count(f'name="requests" value="{pending.public_id}"') == 1


def test_the_navigation_counts_what_waits_for_the_manager(client_for, shift_team, pending):
    page = client_for(shift_team.manager).get(reverse("core:home")).content.decode()
    assert '<span class="count-badge">1</span>' in page
    assert "(1 waiting for your approval)" in page


def test_one_click_approval_in_place_returns_the_decided_row(client_for, shift_team, pending):
    response = client_for(shift_team.manager).post(approve(pending), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "✓ Approved" in response.content.decode()
    assert f'id="approval-{pending.public_id}"' in response.content.decode()
    assert '<span id="nav-approvals" hx-swap-oob="true"></span>' in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == RequestStatus.APPROVED
    assert pending.decided_by == shift_team.manager


def test_without_javascript_approval_returns_to_the_queue_with_a_message(
    client_for, shift_team, pending
):
    client = client_for(shift_team.manager)
    response = client.post(approve(pending), follow=True)
    assert "Approved: Agent Cho, Mon 2 Mar 13:00–14:30." in response.content.decode()
    assert "Nothing waiting" in response.content.decode()


def test_a_shortfall_needs_approve_anyway(client_for, shift_team, short):
    client = client_for(shift_team.manager)
    refused = client.post(approve(short), HTTP_HX_REQUEST="true").content.decode()
    assert "Approve anyway only if the team can take the shortfall" in refused
    assert "Approve anyway" in refused
    short.refresh_from_db()
    assert short.status == RequestStatus.PENDING
    client.post(approve(short), {"accept_shortfall": "on"}, HTTP_HX_REQUEST="true")
    short.refresh_from_db()
    assert short.status == RequestStatus.APPROVED
    assert "coverage shortfall accepted" in short.decision_reason


def test_declining_keeps_the_optional_reason(client_for, shift_team, pending):
    response = client_for(shift_team.manager).post(
        decline(pending), {"reason": "Quarter-end week"}, HTTP_HX_REQUEST="true"
    )
    assert "Declined" in response.content.decode()
    pending.refresh_from_db()
    assert (pending.status, pending.decision_reason) == (RequestStatus.DECLINED, "Quarter-end week")


def test_bulk_approval_approves_the_ticked_and_skips_a_shortfall(
    client_for, shift_team, pending, short
):
    response = client_for(shift_team.manager).post(
        BULK, {"requests": [str(pending.public_id), str(short.public_id)]}, follow=True
    )
    page = response.content.decode()
    assert "Approved 1 request." in page
    assert "Not approved: Agent Ben, Mon 2 Mar 11:00–11:30" in page
    pending.refresh_from_db()
    short.refresh_from_db()
    assert (pending.status, short.status) == (RequestStatus.APPROVED, RequestStatus.PENDING)


def test_bulk_approval_ignores_requests_outside_the_queue(client_for, shift_team, org, pending):
    elsewhere = LearningTimeRequestFactory(person=org.outsider, starts_at=at(12))
    client_for(shift_team.manager).post(
        BULK, {"requests": [str(pending.public_id), str(elsewhere.public_id)]}
    )
    elsewhere.refresh_from_db()
    pending.refresh_from_db()
    assert elsewhere.status == RequestStatus.PENDING
    assert pending.status == RequestStatus.PENDING  # an invalid choice refuses the whole form


def test_the_queue_reads_a_bounded_number_of_queries(
    client_for, shift_team, pending, django_assert_max_num_queries
):
    client = client_for(shift_team.manager)
    client.get(QUEUE)
    with django_assert_max_num_queries(14) as small:
        client.get(QUEUE)
    for agent, day in zip(shift_team.agents, (3, 4, 5, 6), strict=True):
        LearningTimeRequestFactory(
            person=agent,
            starts_at=at(10, day=day),
            coverage_shortfall=[
                {
                    "starts_at": at(10, day=day).isoformat(),
                    "ends_at": at(10, 15, day=day).isoformat(),
                    "queue": "",
                    "on_duty": 2,
                    "minimum": 3,
                }
            ],
            alternatives=[
                {
                    "starts_at": at(12, day=day).isoformat(),
                    "ends_at": at(12, 30, day=day).isoformat(),
                }
            ],
        )
    with django_assert_max_num_queries(14) as large:
        client.get(QUEUE)
    assert len(large.captured_queries) == len(small.captured_queries)


# --- The emailed link ---------------------------------------------------------------------


def link(r, approver, action: str = "approve") -> str:
    return reverse("schedule:decide_link", args=[links.make_decision_token(r, approver, action)])


def test_the_link_page_shows_the_request_and_changes_nothing_on_get(
    client_for, shift_team, pending
):
    url = link(pending, shift_team.manager)
    page = client_for(shift_team.manager).get(url).content.decode()
    assert "Agent Cho asks for 90 min" in page
    assert ">Approve</button>" in page
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING
    assert not UsedApprovalLink.objects.exists()


def test_the_link_needs_the_approver_signed_in_and_comes_back_after(client, shift_team, pending):
    url = link(pending, shift_team.manager)
    response = client.get(url)
    assert response.status_code == 302
    login, _, query = response["Location"].partition("?")
    assert login == reverse("account_login")
    assert parse_qs(query) == {"next": [url]}
    client.post(url)
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING


def test_posting_the_link_decides_once(client_for, shift_team, pending):
    client = client_for(shift_team.manager)
    url = link(pending, shift_team.manager)
    response = client.post(url)
    assert response["Location"] == reverse("schedule:request_detail", args=[pending.public_id])
    pending.refresh_from_db()
    assert pending.status == RequestStatus.APPROVED
    again = client.get(url)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_a_decline_link_takes_an_optional_reason(client_for, shift_team, pending):
    client = client_for(shift_team.manager)
    url = link(pending, shift_team.manager, "decline")
    assert 'name="reason"' in client.get(url).content.decode()
    client.post(url, {"reason": "Short-staffed that morning"})
    pending.refresh_from_db()
    assert (pending.status, pending.decision_reason) == (
        RequestStatus.DECLINED,
        "Short-staffed that morning",
    )


def test_a_link_sent_to_someone_else_is_refused(client_for, shift_team, org, pending):
    url = link(pending, shift_team.manager)
    for user in (org.outsider, shift_team.agents[0]):
        response = client_for(user).post(url)
        assert response.status_code == 403
        assert "sent to someone else" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING
    assert not UsedApprovalLink.objects.exists()


def test_a_forged_or_expired_link_says_so(client_for, shift_team, pending):
    client = client_for(shift_team.manager)
    forged = client.get(reverse("schedule:decide_link", args=["not-a-token"]))
    assert forged.status_code == 410
    assert "not valid" in forged.content.decode()
    url = link(pending, shift_team.manager)
    with time_machine.travel(NOW + dt.timedelta(days=8), tick=False):
        expired = client.get(url)
    assert expired.status_code == 410
    assert "expired" in expired.content.decode()


def test_a_link_with_a_shortfall_offers_approve_anyway(client_for, shift_team, short):
    client = client_for(shift_team.manager)
    url = link(short, shift_team.manager)
    page = client.get(url).content.decode()
    assert "Coverage would fall short" in page
    assert "Approve anyway" in page
    client.post(url, {"accept_shortfall": "on"})
    short.refresh_from_db()
    assert short.status == RequestStatus.APPROVED


# --- Delegation ---------------------------------------------------------------------------


def test_a_manager_hands_approvals_to_a_colleague_who_then_decides(client_for, shift_team, pending):
    deputy = UserFactory(display_name="Dee Deputy")
    response = client_for(shift_team.manager).post(
        DELEGATION,
        {"delegate": deputy.email, "starts_on": "2026-03-01", "ends_on": "2026-03-07"},
    )
    assert response.status_code == 302
    delegation = ApprovalDelegation.objects.get(manager=shift_team.manager)
    assert delegation.delegate == deputy
    page = client_for(shift_team.manager).get(DELEGATION).content.decode()
    assert "Dee Deputy" in page
    assert "deciding now" in page

    deputy_client = client_for(deputy)
    assert "Agent Cho" in deputy_client.get(QUEUE).content.decode()
    deputy_client.post(approve(pending))
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == (RequestStatus.APPROVED, deputy)


def test_ending_a_delegation_early_takes_the_queue_back(client_for, shift_team, pending):
    deputy = UserFactory()
    delegation = services.delegate_approvals(
        manager=shift_team.manager,
        delegate=deputy,
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 7),
    )
    client_for(shift_team.manager).post(reverse("schedule:delegation_end", args=[delegation.pk]))
    assert not ApprovalDelegation.objects.exists()
    assert client_for(deputy).get(QUEUE).status_code == 403


def test_delegation_errors_are_shown_on_their_fields(client_for, shift_team):
    response = client_for(shift_team.manager).post(
        DELEGATION,
        {"delegate": "nobody@example.com", "starts_on": "2026-03-05", "ends_on": "2026-03-01"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "ends_on" in errors
    assert not ApprovalDelegation.objects.exists()


def test_only_managers_delegate_and_only_their_own(client_for, shift_team, org):
    other = services.delegate_approvals(
        manager=org.manager,
        delegate=org.outsider,
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 3, 7),
    )
    agent = client_for(shift_team.agents[0])
    assert agent.get(DELEGATION).status_code == 403
    response = agent.post(
        DELEGATION,
        {"delegate": org.outsider.email, "starts_on": "2026-03-01", "ends_on": "2026-03-02"},
    )
    assert response.status_code == 403
    end = reverse("schedule:delegation_end", args=[other.pk])
    assert client_for(shift_team.manager).post(end).status_code == 404
    assert ApprovalDelegation.objects.filter(manager=org.manager).count() == 1
    assert not ApprovalDelegation.objects.filter(manager=shift_team.agents[0]).exists()


def test_a_decider_may_decide_from_the_requests_own_page(client_for, shift_team, short):
    client = client_for(shift_team.manager)
    page = client.get(reverse("schedule:request_detail", args=[short.public_id])).content.decode()
    assert "Your decision" in page
    assert "Approve anyway" in page
    page = (
        client_for(short.person)
        .get(reverse("schedule:request_detail", args=[short.public_id]))
        .content.decode()
    )
    assert "Your decision" not in page
    client.post(decline(short), {"reason": "Billing is short"})
    short.refresh_from_db()
    assert short.status == RequestStatus.DECLINED


def test_the_delegation_page_suggests_the_managers_peers_and_own_manager(client_for, org):
    peer = UserFactory(display_name="Pat Peer", manager=org.manager)
    page = client_for(org.lead).get(DELEGATION).content.decode()
    for person in (org.manager, peer, org.member):
        assert f'<option value="{person.email}">' in page
    assert f'<option value="{org.outsider.email}">' not in page


def test_a_link_to_a_request_decided_meanwhile_says_so(client_for, shift_team, pending):
    url = link(pending, shift_team.manager)
    services.decline_request(actor=shift_team.manager, request=pending, reason="Busy week")
    client = client_for(shift_team.manager)
    page = client.get(url).content.decode()
    assert "This request is no longer waiting: it is declined." in page
    assert ">Approve</button>" not in page
    response = client.post(url)
    assert response.status_code == 400
    assert "no longer waiting: it is declined" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == RequestStatus.DECLINED

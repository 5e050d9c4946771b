"""Learning time end to end: an agent's request approved at once, a colleague's same slot
going to the manager (and taking an offered slot instead), the manager approving from the
queue in one click, and the team's week."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peerpath.people.models import Team, User
from peerpath.schedule import services
from peerpath.schedule.models import LearningTimeRequest, RequestStatus
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.schedule.factories import CoverageRequirementFactory, ShiftFactory, TeamPolicyFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@dataclass
class Centre:
    team: Team
    manager: User
    agents: list[User]
    day: dt.date

    def at(self, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(hour, minute), tzinfo=dt.UTC)


@pytest.fixture
def centre(db) -> Centre:
    """Four agents on the 09:00–17:00 shift two days from now, at least three on duty."""
    team = TeamFactory(name="Contact Centre", works_shifts=True)
    TeamPolicyFactory(team=team)
    manager = UserFactory(display_name="Cara Coordinator", team=team, job_title="Team lead")
    agents = [
        UserFactory(display_name=name, team=team, manager=manager)
        for name in ("Ana Alves", "Ben Brooks", "Cho Chen", "Dev Desai")
    ]
    day = timezone.now().date() + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    for number, agent in enumerate(agents):
        ShiftFactory(
            person=agent, team=team, starts_at=start, queue="billing" if number < 2 else ""
        )
    CoverageRequirementFactory(team=team, minimum_on_duty=3)
    return Centre(team, manager, agents, day)


def request_slot(page, day: dt.date, start: str, end: str) -> None:
    page.get_by_label(re.compile(r"^Date\b")).fill(day.isoformat())
    page.get_by_label(re.compile(r"^From\b")).fill(start)
    page.get_by_label(re.compile(r"^To\b")).fill(end)


def test_an_agent_requests_half_an_hour_and_it_is_approved_at_once(
    centre, sign_in, page, screenshot, axe
):
    sign_in(centre.agents[0])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learning time").click()
    expect(page.get_by_role("heading", name="My learning time")).to_be_visible()
    page.get_by_role("link", name="Request time").first.click()
    expect(page.get_by_label("Number of blocks")).to_be_hidden()  # only for a weekly series
    request_slot(page, centre.day, "11:00", "11:30")
    page.get_by_label("Note for your manager").fill("Refund rules refresher")
    assert axe() == []
    screenshot("learning-time-request")
    page.get_by_role("button", name="Send request").click()

    outcome = page.get_by_role("status")
    expect(outcome).to_contain_text("Approved")
    expect(outcome).to_contain_text("Auto-approved: within 60 min/week; coverage holds")
    assert axe() == []
    screenshot("learning-time-approved")
    made = LearningTimeRequest.objects.get(person=centre.agents[0])
    assert (made.status, made.starts_at) == (RequestStatus.APPROVED, centre.at(11))

    page.goto("/time/")
    coming = page.locator("section[aria-labelledby=upcoming-h]")
    expect(coming).to_contain_text("11:00–11:30")
    expect(coming).to_contain_text("✓ Approved")
    page.get_by_role("button", name="Get my calendar address").click()
    expect(page.get_by_label("Calendar feed address")).to_have_value(
        re.compile(r"^http://.+/time/calendar/[\w-]+\.ics$")
    )
    screenshot("learning-time-mine")


def test_the_same_slot_goes_to_the_manager_and_an_offered_slot_is_taken_instead(
    centre, sign_in, page, screenshot, axe
):
    ana, ben = centre.agents[:2]
    services.request_learning_time(person=ana, starts_at=centre.at(11), ends_at=centre.at(11, 30))
    page.set_viewport_size(PHONE)
    sign_in(ben)
    page.goto("/time/request/")
    request_slot(page, centre.day, "11:00", "11:30")
    screenshot("learning-time-request-phone")
    page.get_by_role("button", name="Send request").click()

    outcome = page.get_by_role("status")
    expect(outcome).to_contain_text("Sent to your manager, Cara Coordinator")
    expect(outcome).to_contain_text("Coverage would drop to 2 of 3 on duty 11:00–11:30")
    offered = page.locator(".alternatives__pick")
    expect(offered).to_have_count(3)
    assert axe() == []
    screenshot("learning-time-sent-to-manager-phone")

    pending = LearningTimeRequest.objects.get(person=ben)
    first = dt.datetime.fromisoformat(pending.alternatives[0]["starts_at"])
    offered.first.click()
    expect(page.get_by_role("status")).to_contain_text("Approved")
    taken = LearningTimeRequest.objects.get(person=ben, status=RequestStatus.APPROVED)
    assert taken.starts_at == first
    pending.refresh_from_db()
    assert pending.status == RequestStatus.CANCELLED


def test_the_manager_approves_from_the_queue_in_one_click(centre, sign_in, page, screenshot, axe):
    ana, ben, cho = centre.agents[:3]
    services.request_learning_time(person=ana, starts_at=centre.at(11), ends_at=centre.at(11, 30))
    short = services.request_learning_time(
        person=ben, starts_at=centre.at(11), ends_at=centre.at(11, 30), note="Billing changes"
    )
    over = services.request_learning_time(
        person=cho, starts_at=centre.at(13), ends_at=centre.at(14, 30), note="Whole path in one go"
    )
    sign_in(centre.manager)
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav).to_contain_text("2 waiting for your approval")
    main_nav.get_by_role("link", name="Learning time").click()
    expect(page.get_by_role("heading", name="Approvals")).to_be_visible()
    row = page.locator(f"#approval-{over.public_id}")
    expect(row).to_contain_text("Over the 60 min/week allowance")
    expect(page.locator(f"#approval-{short.public_id}")).to_contain_text(
        "Coverage would drop to 2 of 3 on duty 11:00–11:30"
    )
    expect(page.get_by_role("button", name="Approve anyway")).to_have_count(1)
    assert axe() == []
    screenshot("learning-time-approvals")

    row.get_by_role("button", name="Approve").click()
    expect(page.locator(f"#approval-{over.public_id}")).to_contain_text("✓ Approved")
    expect(main_nav).to_contain_text("1 waiting for your approval")  # the count follows
    over.refresh_from_db()
    assert (over.status, over.decided_by) == (RequestStatus.APPROVED, centre.manager)
    screenshot("learning-time-approved-in-place")

    # Declining the other with a reason, also in place.
    other = page.locator(f"#approval-{short.public_id}")
    other.locator("summary").click()
    other.get_by_label("Reason (optional)").fill("Billing is short that morning")
    other.get_by_role("button", name="Decline").click()
    expect(page.locator(f"#approval-{short.public_id}")).to_contain_text("Declined")
    short.refresh_from_db()
    assert (short.status, short.decision_reason) == (
        RequestStatus.DECLINED,
        "Billing is short that morning",
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_team_week_shows_shifts_blocks_and_coverage(
    centre, sign_in, page, screenshot, axe, scheme
):
    page.emulate_media(color_scheme=scheme)
    ana, ben = centre.agents[:2]
    services.request_learning_time(person=ana, starts_at=centre.at(11), ends_at=centre.at(11, 30))
    services.request_learning_time(person=ben, starts_at=centre.at(11), ends_at=centre.at(11, 30))
    sign_in(centre.manager)
    page.goto("/time/teams/")
    page.get_by_role("link", name="Contact Centre", exact=True).click()
    if centre.day.isocalendar()[:2] != timezone.now().date().isocalendar()[:2]:
        page.get_by_role("link", name="Next week →").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Ana Alves")
    expect(table).to_contain_text("09:00–17:00")
    expect(table.locator(".week-block")).to_have_count(2)
    expect(table.locator(".week-block--pending")).to_have_count(1)
    expect(table).to_contain_text("Covered · lowest 3 of 3")
    assert axe() == []
    screenshot(f"learning-time-team-week-{scheme}")
    page.get_by_role("link", name="Rules & shifts").click()
    expect(page.get_by_role("heading", name="Coverage minimums")).to_be_visible()
    assert axe() == []
    screenshot(f"learning-time-team-settings-{scheme}")


def test_the_emailed_link_asks_to_confirm_and_delegation_hands_over(
    centre, sign_in, page, screenshot, axe
):
    from peerpath.schedule import links

    over = services.request_learning_time(
        person=centre.agents[2], starts_at=centre.at(13), ends_at=centre.at(14, 30)
    )
    token = links.make_decision_token(over, centre.manager, "approve")
    page.goto(f"/time/decide/{token}/")  # signing in first, then back to the link
    page.get_by_label("Email").fill(centre.manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Cho Chen asks for 90 min")).to_be_visible()
    over.refresh_from_db()
    assert over.status == RequestStatus.PENDING  # looking changes nothing
    assert axe() == []
    screenshot("learning-time-email-link")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved. Cho Chen has been told.")
    over.refresh_from_db()
    assert over.status == RequestStatus.APPROVED

    deputy = UserFactory(display_name="Dee Deputy")
    page.goto("/time/delegation/")
    page.get_by_label("Colleague’s email").fill(deputy.email)
    page.get_by_label(re.compile(r"^From\b")).fill(timezone.localdate().isoformat())
    until = timezone.localdate() + dt.timedelta(days=6)
    page.get_by_label(re.compile(r"^Until")).fill(until.isoformat())
    page.get_by_role("button", name="Delegate").click()
    expect(page.get_by_role("status")).to_contain_text("Dee Deputy decides for you then.")
    expect(page.get_by_text("deciding now")).to_be_visible()
    assert axe() == []
    screenshot("learning-time-delegation")


def test_a_weekly_series_is_asked_for_in_one_go(centre, sign_in, page, screenshot, axe):
    ana = centre.agents[0]
    for agent in centre.agents:  # the same shift for everyone in the next two weeks too
        for week in (1, 2):
            start = centre.at(9) + dt.timedelta(weeks=week)
            ShiftFactory(person=agent, team=centre.team, starts_at=start)
    sign_in(ana)
    page.goto("/time/request/")
    page.get_by_label("Repeating").check()
    expect(page.get_by_label("Number of blocks")).to_be_visible()
    request_slot(page, centre.day, "11:00", "11:30")
    page.get_by_label("Number of blocks").fill("3")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", name="11:00–11:30 every week")).to_be_visible()
    expect(page.locator(".time-row")).to_have_count(3)
    expect(page.get_by_text("✓ Approved")).to_have_count(3)
    assert axe() == []
    screenshot("learning-time-series")
    assert LearningTimeRequest.objects.filter(person=ana, series__isnull=False).count() == 3


def test_the_manager_approves_several_at_once(centre, sign_in, page, screenshot):
    ana, ben, cho, dev = centre.agents
    services.request_learning_time(person=ana, starts_at=centre.at(11), ends_at=centre.at(11, 30))
    short = services.request_learning_time(
        person=ben, starts_at=centre.at(11), ends_at=centre.at(11, 30)
    )
    # 90 minutes each: over the weekly allowance, so they wait though coverage holds.
    long_ones = [
        services.request_learning_time(
            person=p, starts_at=centre.at(h), ends_at=centre.at(h) + dt.timedelta(minutes=90)
        )
        for p, h in ((cho, 13), (dev, 15))
    ]
    sign_in(centre.manager)
    page.goto("/time/approvals/")
    page.get_by_label("Select all on this page").check()
    page.get_by_role("button", name="Approve selected").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Approved 2 requests.")
    expect(status).to_contain_text("Not approved: Ben Brooks")
    screenshot("learning-time-bulk")
    for r in long_ones:
        r.refresh_from_db()
        assert r.status == RequestStatus.APPROVED
    short.refresh_from_db()
    assert short.status == RequestStatus.PENDING

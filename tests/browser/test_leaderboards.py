"""Thank a colleague from their profile; read the boards, opt out, and switch a team off."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peerpath.recognition import leaderboards
from peerpath.recognition.models import Kudos
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
NAMES = ("Priya Patel", "Tom Okafor", "Lena Fischer", "Sam Reyes", "Kai Nakamura", "Ines Costa")


def earn(person, points):
    leaderboards.tally_add(person=person, points=points, at=timezone.now())


def test_a_colleague_gives_kudos_from_a_profile(org, sign_in, page, screenshot, axe):
    sign_in(org.member)
    page.goto(f"/people/{org.lead.public_id}/")

    kudos = page.locator("#kudos-panel")
    message = kudos.get_by_label("Thank Leo")
    message.fill("Thanks for <b>covering</b> my Friday queue!")
    kudos.get_by_role("button", name="Give kudos").click()

    expect(kudos.get_by_role("status")).to_have_text("Thank you! Leo will see your kudos.")
    expect(kudos.locator(".kudos__message")).to_have_text(
        "“Thanks for <b>covering</b> my Friday queue!”"
    )
    expect(kudos.get_by_label("Thank Leo")).to_have_value("")
    screenshot("kudos-on-profile")
    assert axe() == []

    kudos.get_by_label("Thank Leo").fill("x" * 279 + "yz")
    expect(kudos.get_by_label("Thank Leo")).to_have_value("x" * 279 + "y")  # the field stops


def test_a_learning_admin_reads_all_kudos_and_hides_one(org, sign_in, page, screenshot, axe):
    givers = (org.member, org.deep, org.manager, org.outsider)
    for n in range(12):
        Kudos.objects.create(
            giver=givers[n % 4], recipient=org.lead, message=f"Thanks for the help with call {n}"
        )
    sign_in(org.admin)
    page.goto(f"/people/{org.lead.public_id}/")
    page.locator("#kudos-panel").get_by_role("link", name="See all").click()

    expect(page.get_by_role("heading", name="Kudos", exact=True)).to_be_visible()
    rows = page.locator(".kudos__row")
    expect(rows).to_have_count(12)
    screenshot("kudos-list")
    assert axe() == []

    page.once("dialog", lambda dialog: dialog.accept())
    rows.first.get_by_role("button", name="Hide kudos from Otto Outsider").click()
    expect(rows.first).to_have_text("Kudos hidden.")
    page.reload()
    expect(rows).to_have_count(11)
    expect(page.get_by_text("call 11")).to_have_count(0)


def test_leaderboards_rank_people_and_respect_opt_out_and_the_team_switch(
    org, sign_in, page, screenshot, axe
):
    team = org.member.team
    for n, name in enumerate(NAMES):
        earn(UserFactory(display_name=name, team=team, manager=org.manager), 140 - 20 * n)
    earn(org.member, 45)
    earn(org.outsider, 200)

    sign_in(org.member)
    page.goto("/leaderboards/")
    board = page.locator(".leaderboard")
    expect(page.get_by_role("heading", name="Contact Centre")).to_be_visible()
    expect(board.get_by_role("row").nth(1)).to_contain_text("Priya Patel")
    expect(board.locator(".leaderboard__me")).to_contain_text("Mina Member")
    expect(page.locator("#board-you")).to_contain_text("You are 6th with 45 points.")
    screenshot("leaderboard-team-week")
    assert axe() == []

    page.get_by_role("link", name="Organisation").click()
    expect(board.get_by_role("row").nth(1)).to_contain_text("Otto Outsider")
    page.get_by_role("button", name="Hide me from leaderboards").click()
    expect(page.get_by_text("You are hidden from leaderboards. You still earn")).to_be_visible()
    expect(board).not_to_contain_text("Mina Member")
    expect(page.locator("#board-you")).to_contain_text("You are hidden from leaderboards")
    screenshot("leaderboard-opted-out")

    page.set_viewport_size(PHONE)
    page.get_by_role("link", name="Month").click()
    expect(board.get_by_role("row").nth(1)).to_contain_text("Otto Outsider")
    screenshot("leaderboard-phone")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 860})
    sign_in(org.manager)
    page.goto("/leaderboards/?scope=team")
    page.get_by_role("button", name="Switch off for Contact Centre").click()
    expect(page.locator(".message")).to_have_text(
        "Leaderboards are off for Contact Centre: its members are not ranked."
    )
    expect(page.get_by_role("heading", name="Leaderboards are off for this team")).to_be_visible()
    screenshot("leaderboard-team-off")
    assert axe() == []

    page.get_by_role("link", name="Organisation").click()
    expect(board).not_to_contain_text("Priya Patel")
    page.get_by_role("link", name="Switch leaderboards for your teams").click()
    expect(page.get_by_role("row", name="Contact Centre")).to_contain_text("Off")
    page.get_by_role("button", name="Switch on for Contact Centre").click()
    expect(page.get_by_role("row", name="Contact Centre")).to_contain_text("On")
    screenshot("leaderboard-teams")
    assert axe() == []

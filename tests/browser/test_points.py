"""Points, levels, streaks and badges: a learner sees what they earned and records time
away; an admin checks a ledger, reverses points and defines a badge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peerpath.core import events
from peerpath.learning import services as learning
from tests.factories import ModuleFactory, UserFactory
from tests.recognition.factories import seed_default_badges

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def learn_and_get_thanked(org) -> None:
    for title in ("Warm transfers", "Phishing drills", "Calm closings"):
        learning.progress_complete(
            user=org.member, module=ModuleFactory(author=org.lead, title=title)
        )
    for n, giver in enumerate((org.lead, org.manager, UserFactory(display_name="Kai Colleague"))):
        events.publish(
            events.KudosGiven(
                kudos_id=n + 1,
                giver_id=giver.pk,
                recipient_id=org.member.pk,
                message="Thanks!",
                at=timezone.now(),
            )
        )


def test_a_learner_sees_points_level_streak_and_badges(org, sign_in, page, screenshot, axe):
    seed_default_badges()
    learn_and_get_thanked(org)
    sign_in(org.member)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Recognition").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My recognition")
    expect(page.locator("section[aria-labelledby=level-h]")).to_contain_text("45 points")
    expect(page.get_by_role("progressbar", name="Progress to level 2, Explorer")).to_have_attribute(
        "aria-valuenow", "45"
    )
    expect(page.locator("section[aria-labelledby=streak-h]")).to_contain_text("This week counts")
    expect(page.locator("section[aria-labelledby=earned-h]")).to_contain_text("First steps")
    expect(page.locator("section[aria-labelledby=to-earn-h]")).to_contain_text("3 of 10 modules")
    expect(page.locator("section[aria-labelledby=recent-h]")).to_contain_text(
        "Kudos from Kai Colleague"
    )
    assert axe() == []
    screenshot("recognition-mine")

    page.get_by_role("link", name="Badges", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Badges")
    expect(page.get_by_text("Five-week streak")).to_be_visible()
    assert axe() == []
    screenshot("recognition-badges")

    page.set_viewport_size(PHONE)
    page.goto("/recognition/")
    assert axe() == []
    screenshot("recognition-mine-phone")

    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 1280, "height": 860})
    assert axe() == []
    screenshot("recognition-mine-dark")


def test_a_learner_records_time_away(org, sign_in, page, screenshot, axe):
    sign_in(org.member)
    page.goto("/recognition/")
    page.get_by_role("link", name="Time away").first.click()

    today = timezone.localdate()
    page.get_by_label("First day away").fill((today + dt.timedelta(days=14)).isoformat())
    page.get_by_label("Last day away").fill((today + dt.timedelta(days=20)).isoformat())
    page.get_by_label("Note").fill("Annual leave")
    page.get_by_role("button", name="Record").click()

    expect(page.get_by_role("status")).to_contain_text("Time away recorded")
    expect(page.locator("section[aria-labelledby=periods-h]")).to_contain_text("Annual leave")
    assert axe() == []
    screenshot("recognition-away")


def test_an_admin_reverses_points_and_defines_a_badge(org, sign_in, page, screenshot, axe):
    seed_default_badges()
    learn_and_get_thanked(org)
    sign_in(org.admin)

    page.goto("/recognition/people/?q=Mina")
    page.get_by_role("link", name="Mina Member").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Points of Mina Member")
    row = page.locator("li.rec-entry").filter(has_text="Kudos from Leo Lead")
    row.locator("summary").click()
    row.get_by_label("Reason").fill("Kudos traded for kudos")
    row.get_by_role("button", name="Reverse 5 points").click()
    expect(page.get_by_role("status")).to_contain_text("Reversed 5 points of Mina Member")
    expect(page.locator("section[aria-labelledby=level-h]")).to_contain_text("40 points")
    expect(page.get_by_text("Reversed", exact=False).first).to_be_visible()
    assert axe() == []
    screenshot("recognition-ledger-admin")

    page.get_by_role("link", name="Manage badges").click()
    page.get_by_role("link", name="New badge").click()
    page.get_by_label("Name").fill("Reviewer of note")
    page.get_by_label("What earns it").fill("Decided ten expert reviews.")
    page.get_by_label("Rule").select_option("reviews_done")
    page.get_by_label("Reached at").fill("10")
    page.get_by_label("Symbol").select_option("eye")
    assert axe() == []
    screenshot("recognition-badge-new")
    page.get_by_role("button", name="Define badge").click()

    expect(page.get_by_role("status")).to_contain_text("“Reviewer of note” is defined")
    expect(page.get_by_role("link", name="Reviewer of note")).to_be_visible()
    assert axe() == []
    screenshot("recognition-badge-admin")

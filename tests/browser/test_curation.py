"""Rating a module, reporting a problem, and a reviewer closing the report."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from peerpath.curation.models import Flag, Rating
from peerpath.people.models import ExpertReviewer
from tests.factories import ModuleFactory, SkillFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_learner_rates_and_reports_then_reviewer_resolves(
    org, sign_in, page, browser, live_server, screenshot, axe
):
    calls = SkillFactory(name="Calls")
    module = ModuleFactory(author=org.lead, title="Warm transfers", skills=[calls])
    ExpertReviewer.objects.create(user=org.outsider, skill=calls)

    sign_in(org.member)
    page.goto(f"/learn/m/{module.public_id}/{module.slug}/")
    page.get_by_text("Rate this module").click()
    page.get_by_text("4 stars", exact=True).click(force=True)
    page.get_by_label("Note to the author").fill("Great, add a script for angry callers")
    page.get_by_role("button", name="Save rating").click()
    expect(page.get_by_role("status").filter(has_text="rating was saved")).to_be_visible()
    expect(page.locator("#quality")).to_contain_text("4.0")
    assert Rating.objects.get().stars == 4

    page.get_by_text("Report a problem with this module").click()
    page.get_by_label("What is the problem?").select_option("outdated")
    page.get_by_label("Details").fill("The transfer code changed to *7 last month.")
    page.get_by_role("button", name="Send report").click()
    expect(page.get_by_role("status").filter(has_text="moderators will look")).to_be_visible()
    screenshot("module-quality-panel")
    assert axe() == []

    reviewer = browser.new_context(base_url=live_server.url).new_page()
    reviewer.goto("/accounts/login/")
    reviewer.get_by_label("Email").fill(org.outsider.email)
    reviewer.get_by_label("Password").fill("correct-horse-battery-9")
    reviewer.get_by_role("button", name="Sign in").click()
    reviewer.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    reviewer.get_by_role("link", name="Reported modules").click()
    expect(reviewer.get_by_role("article")).to_contain_text("The transfer code changed")
    reviewer.screenshot(path=str(screenshot("queue").parent / "review-queue.png"), full_page=True)
    reviewer.get_by_label("Note on the report about Warm transfers").fill("Updated step 2")
    reviewer.get_by_role("button", name="Resolved").click()
    expect(reviewer.get_by_role("status").first).to_contain_text("was closed")
    assert Flag.objects.get().status == "resolved"

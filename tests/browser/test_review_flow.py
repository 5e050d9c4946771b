"""Nominate, request changes, revise, approve: the module shows as Curated."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from peerpath.people.models import ExpertReviewer
from tests.factories import PASSWORD, ModuleFactory, SkillFactory

pytestmark = pytest.mark.django_db(transaction=True)


def login(page: Page, user) -> Page:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    return page


def test_nominate_review_revise_approve(org, page, browser, live_server, screenshot, axe):
    calls = SkillFactory(name="Calls")
    module = ModuleFactory(
        author=org.member,
        title="Warm transfers",
        skills=[calls],
        body_markdown="## Steps\n\nPress transfer.\n",
    )
    ExpertReviewer.objects.create(user=org.outsider, skill=calls)
    module_url = f"/learn/m/{module.public_id}/{module.slug}/"

    login(page, org.member)
    page.goto(module_url)
    expect(page.get_by_text("Community", exact=True)).to_be_visible()
    page.get_by_role("button", name="Nominate for Curated").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Warm transfers")

    reviewer = login(browser.new_context(base_url=live_server.url).new_page(), org.outsider)
    reviewer.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    reviewer.get_by_role("link", name="Warm transfers").click()
    reviewer.get_by_label("Passage (optional)").fill("Press transfer.")
    reviewer.get_by_label("Comment").fill("Say which key: *7.")
    reviewer.get_by_role("button", name="Add comment").click()
    expect(reviewer.get_by_role("listitem").filter(has_text="Say which key: *7.")).to_contain_text(
        "Press transfer."
    )
    reviewer.get_by_label("Note to the author").fill("Please add the transfer code.")
    reviewer.get_by_role("button", name="Request changes").click()
    expect(reviewer.get_by_text("Changes requested").first).to_be_visible()

    page.reload()
    expect(page.get_by_text("Please add the transfer code.")).to_be_visible()
    page.get_by_role("link", name="Revise").click()
    page.get_by_label("Content").fill("## Steps\n\nPress *7, then transfer.\n")
    page.get_by_role("button", name="Publish").click()

    reviewer.reload()
    expect(reviewer.get_by_label("Lines removed and added")).to_have_count(0)  # not curated yet
    expect(reviewer.get_by_text("Press *7, then transfer.")).to_be_visible()
    screenshot_path = screenshot("review").parent / "review-page.png"
    reviewer.screenshot(path=str(screenshot_path), full_page=True)
    reviewer.get_by_role("button", name="Approve as Curated").click()
    expect(reviewer.get_by_role("status").first).to_contain_text("is now Curated")

    page.goto(module_url)
    expect(page.get_by_text("✓ Curated")).to_be_visible()
    expect(page.get_by_text("Press *7, then transfer.")).to_be_visible()
    assert axe() == []


def test_reviewer_comments_on_a_selected_passage(org, page, screenshot):
    calls = SkillFactory(name="Calls")
    module = ModuleFactory(
        author=org.member,
        title="Warm transfers",
        skills=[calls],
        body_markdown="## Steps\n\nPress **transfer** and wait.\n\nStay on the line.\n",
        quiz_source="? Which key transfers?\n(x) *7\n( ) #9\n",
    )
    ExpertReviewer.objects.create(user=org.outsider, skill=calls)
    from peerpath.curation import services

    review = services.module_nominate(user=org.member, module=module)
    login(page, org.outsider)
    page.goto(f"/review/{review.public_id}/")
    expect(page.get_by_text("Which key transfers?")).to_be_visible()
    page.get_by_text("Press transfer and wait.").click(click_count=3)
    page.get_by_role("button", name="Comment on this passage").click()
    expect(page.get_by_label("Passage (optional)")).to_have_value("Press transfer and wait.")
    expect(page.get_by_label("Comment")).to_be_focused()
    page.get_by_label("Comment").fill("Which button is transfer?")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_role("listitem").filter(has_text="Which button")).to_contain_text(
        "Press transfer and wait."
    )
    highlighted = page.evaluate("() => [...CSS.highlights.get('quoted')].map(r => r.toString())")
    assert highlighted == ["Press transfer and wait."]
    screenshot("review-quote")

"""An employee writes a deck with a quiz and takes it to Curated with an expert reviewer."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from peerpath.content.models import Module
from peerpath.people.models import ExpertReviewer
from tests.factories import PASSWORD, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SLIDES = """\
# Warm transfers

Stay with the caller.

Note: Ask who has done a cold transfer this week.

---

## Three steps

1. Explain why you transfer
2. Brief your colleague
3. Introduce the caller
"""

QUESTIONS = """\
? What do you do before transferring?
(x) Explain why to the caller
( ) Transfer straight away
> Callers hate surprises.
"""


def login(page: Page, user) -> Page:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    return page


def test_deck_with_quiz_goes_from_community_to_curated(org, page, browser, live_server, screenshot):
    calls = SkillFactory(name="Customer service")
    ExpertReviewer.objects.create(user=org.outsider, skill=calls)
    learner = UserFactory(display_name="Lee Learner")

    # The employee writes a deck with a question at the end and publishes it.
    login(page, org.member)
    page.goto("/create/new/")
    page.get_by_role("link", name="Slide deck").click()
    page.get_by_label("Title").fill("Warm transfers in two slides")
    page.get_by_label("Summary").fill("How to hand a caller over without dropping them.")
    page.get_by_label("Estimated minutes").fill("4")
    page.get_by_label("Skills").select_option(label="Customer service")
    page.get_by_label("Slides").fill(SLIDES)
    page.get_by_label("Questions at the end (optional)").fill(QUESTIONS)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Warm transfers in two slides")).to_be_visible()
    expect(page.get_by_text("Community", exact=True)).to_be_visible()
    module = Module.objects.get(title="Warm transfers in two slides")
    assert module.kind == "deck"

    # ...and nominates it for Curated.
    page.get_by_role("button", name="Nominate for Curated").click()
    expect(page.get_by_text("Nominated. Expert reviewers")).to_be_visible()

    # The expert reviewer asks for a change.
    reviewer = login(browser.new_context(base_url=live_server.url).new_page(), org.outsider)
    reviewer.goto("/review/")
    reviewer.get_by_role("link", name="Warm transfers in two slides").click()
    expect(reviewer.get_by_text("What do you do before transferring?")).to_be_visible()
    reviewer.get_by_label("Note to the author").fill("Add a slide on what to say to the colleague.")
    reviewer.get_by_role("button", name="Request changes").click()
    expect(reviewer.get_by_text("Changes requested").first).to_be_visible()

    # The author revises and publishes again.
    page.goto("/review/mine/")
    expect(page.get_by_role("row").filter(has_text="Warm transfers")).to_contain_text(
        "Changes requested"
    )
    page.get_by_role("link", name="Read the reviewers’ notes").click()
    expect(page.get_by_text("Add a slide on what to say to the colleague.")).to_be_visible()
    page.get_by_role("link", name="Revise").click()
    page.get_by_label("Slides").fill(
        SLIDES + "\n---\n\n## Brief your colleague\n\nName, account, problem, what you tried.\n"
    )
    page.get_by_role("button", name="Publish").click()

    # The reviewer sees the change and approves.
    reviewer.reload()
    expect(reviewer.get_by_text("Name, account, problem, what you tried.")).to_be_visible()
    reviewer.get_by_role("button", name="Approve as Curated").click()
    expect(reviewer.get_by_role("status").first).to_contain_text("is now Curated")

    # Learners now see it marked Curated, with the revised slides and the quiz.
    other = login(browser.new_context(base_url=live_server.url).new_page(), learner)
    other.goto(f"/learn/m/{module.public_id}/")
    expect(other.get_by_text("✓ Curated")).to_be_visible()
    expect(other.get_by_text("Name, account, problem, what you tried.")).to_be_attached()
    quiz = other.locator("#quiz")
    quiz.get_by_label("Explain why to the caller").check()
    quiz.get_by_role("button", name="Submit answers").click()
    expect(quiz).to_contain_text("Passed — 100%")
    other.screenshot(path=str(screenshot("deck-curated").parent / "deck-curated-learner.png"))

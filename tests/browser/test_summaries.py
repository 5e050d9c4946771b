"""A learner writes a summary, a colleague finds it helpful, and it shows at the top of the
module page; a curator sees promoted summaries."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from peerpath.learning import services as learning
from peerpath.social import summaries
from peerpath.social.models import Summary, SummaryVote
from tests.factories import PASSWORD, ModuleFactory, UserFactory
from tests.social.factories import SummaryFactory

pytestmark = pytest.mark.django_db(transaction=True)

HELPFUL = re.compile(r"^Helpful")


def _signed_in(browser: Browser, live_server, user) -> Page:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    return page


def test_write_a_summary_vote_on_it_and_see_it_at_the_top(
    org, sign_in, page, browser, live_server, screenshot, axe
):
    module = ModuleFactory(author=org.outsider, title="Warm transfers")
    learning.progress_complete(user=org.member, module=module)
    SummaryFactory(
        author=org.deep,
        module=module,
        kind="endorsement",
        body="I used the three-step handover on my first day and nobody was dropped.",
    )
    address = f"/learn/m/{module.public_id}/{module.slug}/"

    # The learner writes a summary in place.
    sign_in(org.member)
    page.goto(address)
    page.get_by_text("Write a summary or endorsement").click()
    page.get_by_label("Your words").fill(
        "Tell the caller who you are handing them to and why, brief your colleague before "
        "you connect, and stay on the line until they have taken over."
    )
    page.locator("#summaries").screenshot(
        path=str(screenshot("summaries-author").parent / "summaries-write.png")
    )
    page.get_by_role("button", name="Publish").click()
    expect(
        page.get_by_role("status").filter(has_text="your summary is on the module page")
    ).to_be_visible()
    mine = page.locator(".summary", has_text="Tell the caller who you are")
    expect(mine).to_contain_text("Mina Member")
    expect(mine.get_by_role("button", name=HELPFUL)).to_have_count(0)
    summary = Summary.objects.get(author=org.member)

    # A colleague finds it helpful; the top of the page shows it at once.
    colleague = _signed_in(browser, live_server, org.lead)
    colleague.goto(address)
    expect(colleague.locator(".summary-top")).to_have_count(0)
    item = colleague.locator(f"#summary-{summary.public_id}")
    item.get_by_role("button", name=HELPFUL).click()
    expect(item.get_by_role("button", name=HELPFUL)).to_have_attribute("aria-pressed", "true")
    expect(item.locator(".vote__n")).to_have_text("1")
    top = colleague.locator(".summary-top")
    expect(top).to_contain_text("Tell the caller who you are")
    expect(top).to_contain_text("1 colleague found it helpful")
    assert SummaryVote.objects.get().voter == org.lead
    colleague.evaluate("window.scrollTo(0, 0)")
    colleague.screenshot(
        path=str(screenshot("summaries-voted").parent / "summaries-module.png"), full_page=True
    )

    # Changing one's mind: not helpful, then withdraw.
    item.get_by_role("button", name="Not helpful").click()
    expect(item.get_by_role("button", name="Not helpful")).to_have_attribute("aria-pressed", "true")
    expect(colleague.locator(".summary-top")).to_have_count(0)
    item.get_by_role("button", name="Not helpful").click()
    expect(item.get_by_role("button", name="Not helpful")).to_have_attribute(
        "aria-pressed", "false"
    )
    assert not SummaryVote.objects.exists()
    colleague.context.close()

    # Back as the author, after another colleague's vote: the top summary is theirs.
    summaries.summary_vote(voter=UserFactory(team=org.member.team), summary=summary, helpful=True)
    page.goto(address)
    expect(page.locator(".summary-top")).to_contain_text("Tell the caller who you are")
    mine = page.locator(f"#summary-{summary.public_id}")
    mine.get_by_role("link", name="Edit").click()
    mine.get_by_label("Your words").fill("Introduce, brief, then hand over — and stay on the line.")
    mine.get_by_role("button", name="Save", exact=True).click()
    expect(mine).to_contain_text("edited")
    expect(page.locator(".summary-top")).to_contain_text("Introduce, brief, then hand over")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("summaries-author")
    assert axe() == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#summaries").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot("summaries-author").parent / "summaries-phone.png"))


def test_a_curator_promotes_a_summary_from_the_promoted_list(org, sign_in, page, screenshot, axe):
    module = ModuleFactory(author=org.outsider, title="Warm transfers")
    first = SummaryFactory(author=org.member, module=module, body="Introduce, brief, hand over.")
    second = SummaryFactory(
        author=org.lead, module=module, body="Stay on the line until they speak."
    )
    summaries.summary_audience_set(actor=org.admin, summary=first, audience="department")
    summaries.summary_audience_set(actor=org.admin, summary=second, audience="department")

    sign_in(org.admin)
    page.goto("/review/")
    page.get_by_role("link", name="Promoted summaries").click()
    page.get_by_role("link", name="Department feeds").click()
    row = page.get_by_role("article").filter(has_text="Introduce, brief")
    expect(row).to_contain_text("set by Ada Admin")
    row.get_by_label("Reaches").select_option("organisation")
    row.get_by_role("button", name="Set").click()
    expect(page.get_by_role("article").filter(has_text="Introduce, brief")).to_have_count(0)
    screenshot("summaries-promoted")
    assert axe() == []
    page.get_by_role("link", name="Organisation-wide").click()
    expect(page.get_by_role("article").filter(has_text="Introduce, brief")).to_be_visible()
    first.refresh_from_db()
    assert first.audience == "organisation"

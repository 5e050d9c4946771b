"""Discuss a module: ask a question mentioning a colleague, reply, react, accept an
answer; moderate a reported post from the queue."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from peerpath.social import moderation
from peerpath.social.models import Comment
from tests.factories import ModuleFactory, SkillFactory
from tests.social.factories import make_expert, reply_to, thread_on

pytestmark = pytest.mark.django_db(transaction=True)


def module_url(module) -> str:
    return f"/learn/m/{module.public_id}/{module.slug}/"


def test_a_learner_asks_a_question_mentioning_a_colleague(org, sign_in, page, screenshot, axe):
    module = ModuleFactory(author=org.lead, title="Warm transfers")
    thread_on(module, author=org.deep, body="Tip: say the caller's name **twice**.")
    sign_in(org.member)
    page.goto(module_url(module))

    discussion = page.locator("#discussion")
    expect(discussion.get_by_role("heading", name="Discussion")).to_be_visible()
    body = discussion.get_by_label("Your post")
    body.fill("How long should I wait before transferring? Asking ")
    body.press_sequentially("@Leo")
    suggestions = page.get_by_role("listbox", name="Colleagues to mention")
    expect(suggestions.get_by_role("option", name="Leo Lead")).to_be_visible()
    body.press("Enter")
    expect(body).to_have_value("How long should I wait before transferring? Asking @[Leo Lead] ")
    discussion.get_by_label("Ask it as a question").check()
    discussion.get_by_role("button", name="Post", exact=True).click()

    question = page.locator(".post--root", has_text="How long should I wait")
    expect(question.get_by_text("Question", exact=True)).to_be_visible()
    expect(question.get_by_role("link", name="@Leo Lead")).to_be_visible()

    tip = page.locator(".post", has_text="say the caller")
    tip.locator("summary.reaction--add").click()
    tip.get_by_role("button", name="Insightful").click()
    expect(
        page.locator(".post", has_text="say the caller").locator(".reaction--mine")
    ).to_contain_text("1")
    screenshot("discussion-question")
    assert axe() == []


def test_the_asker_accepts_an_answer(org, sign_in, page, screenshot, axe):
    skill = SkillFactory(name="Calls")
    module = ModuleFactory(author=org.lead, title="Warm transfers", skills=[skill])
    question = thread_on(
        module, author=org.member, body="When do I **transfer** a call?", question=True
    )
    reply_to(question, author=org.deep, body="When you cannot solve it in 5 minutes.")
    reply_to(question, author=org.lead, body="Check the knowledge base first, then transfer.")
    sign_in(org.member)
    page.goto(module_url(module))

    answer = page.locator(".post", has_text="knowledge base")
    answer.get_by_role("button", name="Accept answer").click()

    accepted = page.locator(".post--accepted")
    expect(accepted).to_contain_text("knowledge base")
    expect(accepted.get_by_text("Accepted answer")).to_be_visible()
    expect(page.locator(".post--root").get_by_text("Answered")).to_be_visible()
    question.refresh_from_db()
    assert question.accepted_answer.author == org.lead

    thread = page.locator(".thread").first
    thread.locator(".post--root").get_by_text("Reply to Mina Member", exact=True).click()
    thread.get_by_label("Your reply to Mina Member").fill("Thanks, both!")
    thread.get_by_role("button", name="Post reply").first.click()
    expect(page.locator(".thread__replies")).to_contain_text("Thanks, both!")
    screenshot("discussion-accepted-answer")
    assert axe() == []

    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#discussion").scroll_into_view_if_needed()
    screenshot("discussion-phone")


def test_a_moderator_hides_a_reported_post_from_the_queue(org, sign_in, page, screenshot, axe):
    skill = SkillFactory(name="Calls")
    module = ModuleFactory(author=org.lead, title="Warm transfers", skills=[skill])
    post = thread_on(module, author=org.outsider, body="Buy cheap headsets at example.com!")
    other = thread_on(module, author=org.deep, body="Transfers are *pointless*.")
    moderation.report_create(reporter=org.member, comment=post, reason="Advertising")
    moderation.report_create(reporter=org.lead, comment=post, reason="Spam")
    moderation.report_create(reporter=org.member, comment=other, reason="Unhelpful")
    make_expert(org.manager, skill)
    sign_in(org.manager)

    page.goto("/review/")
    page.get_by_role("link", name="Reported posts").click()
    expect(page.get_by_role("heading", name="Reported posts, summaries and notes")).to_be_visible()
    expect(page.locator(".report-card")).to_have_count(2)
    expect(page.locator(".report-card").first).to_contain_text("Advertising")
    expect(page.locator(".report-card").first).to_contain_text("Spam")
    screenshot("moderation-queue")
    assert axe() == []

    page.locator(".report-card", has_text="headsets").get_by_role("button", name="Hide it").click()
    expect(page.get_by_role("status")).to_contain_text("hidden; its author was told")
    expect(page.locator(".report-card")).to_have_count(1)
    assert Comment.objects.get(pk=post.pk).hidden_at is not None

    page.goto(module_url(module))
    expect(page.locator(".post--hidden")).to_contain_text("Hidden by a moderator")


def test_a_mention_leads_to_the_thread_page_and_an_edit_shows_its_history(
    org, sign_in, page, screenshot, axe
):
    from peerpath.notifications.models import Notification
    from peerpath.social import discussions

    module = ModuleFactory(author=org.lead, title="Warm transfers")
    question = thread_on(module, author=org.deep, body="Who knows the transfer codes?")
    for n in range(3):
        reply_to(question, author=[org.lead, org.manager, org.outsider][n], body=f"Not me ({n})")
    answer = reply_to(question, author=org.lead, body="Ask @[Mina Member], she wrote them.")
    discussions.comment_edit(
        editor=org.lead, comment=answer, body="Ask @[Mina Member]: she wrote the list."
    )
    notice = Notification.objects.get(recipient=org.member, kind="mention")
    sign_in(org.member)

    page.goto(notice.url)
    expect(page.get_by_role("heading", name="Thread from Dara Deep")).to_be_visible()
    expect(page.locator(f"#comment-{answer.public_id}")).to_contain_text("she wrote the list")
    screenshot("discussion-thread-page")
    assert axe() == []

    page.locator(f"#comment-{answer.public_id}").get_by_role("link", name="edited").click()
    expect(page.get_by_role("heading", name="History of Leo Lead’s post")).to_be_visible()
    expect(page.locator(".post-revision")).to_have_count(2)
    screenshot("discussion-post-history")
    assert axe() == []

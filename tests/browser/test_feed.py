"""The home feed in a real browser: items from colleagues, like and comment in place,
infinite scroll, and a manager approving learning time from the feed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peerpath.schedule.models import RequestStatus
from peerpath.social.models import Audience, Verb
from tests.factories import ModuleFactory
from tests.schedule.factories import LearningTimeRequestFactory
from tests.social.factories import ActivityFactory, FollowFactory, RawSummaryFactory, share_with

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_employee_reads_likes_and_comments_on_their_feed(org, sign_in, page, screenshot, axe):
    now = timezone.now()
    module = ModuleFactory(author=org.admin, title="Calm words for angry callers")
    ActivityFactory(actor=org.lead, module=module, created_at=now - dt.timedelta(minutes=3))
    share_with(
        sender=org.outsider,
        recipients=[org.member],
        path=None,
        module=ModuleFactory(author=org.admin, title="Refund rules in five minutes"),
        message="This saved me on Friday's queue.",
        at=now - dt.timedelta(minutes=20),
    )
    RawSummaryFactory(
        author=org.deep,
        module=module,
        audience=Audience.TEAM,
        promoted_at=now - dt.timedelta(hours=1),
        helpful_count=4,
    )
    ActivityFactory(
        actor=org.manager,
        verb=Verb.KUDOS,
        module=None,
        other_person=org.deep,
        excerpt="Thanks for covering the late shift!",
        created_at=now - dt.timedelta(hours=2),
    )
    sign_in(org.member)
    page.goto("/")

    feed = page.locator(".feed__list")
    expect(feed.get_by_text("shared with you")).to_be_visible()
    expect(feed.get_by_role("link", name="Calm words for angry callers").first).to_be_visible()
    item = page.locator(".feed-item", has_text="Leo Lead")
    item.get_by_role("button", name="Like").click()
    expect(item.get_by_role("button", name="Like")).to_have_attribute("aria-pressed", "true")
    item.get_by_role("button", name="Comment").click()
    item.get_by_label("Your comment").fill("Great one, <b>thanks</b>!")
    item.get_by_role("button", name="Post").click()
    expect(item.locator(".feed-comment__body")).to_have_text("Great one, <b>thanks</b>!")
    expect(page.get_by_role("heading", name="Continue learning")).to_be_visible()
    screenshot("feed-home")
    assert axe() == []


def test_the_feed_scrolls_on_by_itself(org, sign_in, page):
    FollowFactory(follower=org.member, followee=org.outsider)
    for n in range(30):
        ActivityFactory(
            actor=org.outsider,
            module=ModuleFactory(author=org.admin, title=f"Module number {n:02d}"),
        )
    sign_in(org.member)
    page.goto("/")
    expect(page.locator(".feed-item")).to_have_count(20)
    page.locator(".feed__more").scroll_into_view_if_needed()
    expect(page.locator(".feed-item")).to_have_count(30 + 0, timeout=10_000)
    expect(page.get_by_text("You are all caught up.")).to_be_visible()


def test_a_manager_approves_learning_time_from_the_feed(org, sign_in, page, screenshot, axe):
    LearningTimeRequestFactory(
        person=org.member,
        starts_at=timezone.now() + dt.timedelta(days=2),
        created_at=timezone.now() - dt.timedelta(hours=1),
    )
    sign_in(org.manager)
    page.goto("/")
    approvals = page.locator(".feed-approvals")
    expect(approvals.get_by_role("heading")).to_have_text("Learning time waiting for you")
    screenshot("feed-approvals")
    assert axe() == []
    approvals.get_by_role("button", name="Approve").click()
    expect(approvals.get_by_role("status")).to_contain_text("Approved")
    from peerpath.schedule.models import LearningTimeRequest

    assert LearningTimeRequest.objects.get().status == RequestStatus.APPROVED

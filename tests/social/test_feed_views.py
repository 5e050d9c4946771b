"""The feed's in-place actions: more pages, like, comment, save, and learning-time
decisions for deciders; each refuses people who may not act."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peerpath.learning.models import SavedModule
from peerpath.schedule.models import RequestStatus
from peerpath.social.models import ActivityComment, ActivityLike
from tests.schedule.factories import LearningTimeRequestFactory
from tests.social.factories import ActivityFactory, FollowFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_home_shows_the_feed_beside_continue_learning(org, client_for):
    item = ActivityFactory(actor=org.lead)
    page = client_for(org.member).get("/").content.decode()
    assert "Your feed" in page
    assert "Continue learning" in page
    assert item.module.title in page
    assert "Leo Lead" in page


def test_infinite_scroll_loads_the_next_page(org, client_for):
    FollowFactory(follower=org.member, followee=org.outsider)
    items = ActivityFactory.create_batch(25, actor=org.outsider)
    client = client_for(org.member)
    first = client.get("/").content.decode()
    assert 'hx-trigger="revealed"' in first
    oldest = items[-1]
    assert oldest.module.title not in first
    cursor = first.split("?after=")[1].split('"')[0]
    more = client.get(f"/feed/more/?after={cursor}", **HTMX).content.decode()
    assert oldest.module.title in more
    assert "all caught up" in more
    # Without htmx the link leads to the home page's older view.
    plain = client.get(f"/feed/more/?after={cursor}")
    assert plain.status_code == 302
    assert client.get(plain["Location"]).status_code == 200


def test_like_toggles_and_counts(org, client_for):
    item = ActivityFactory(actor=org.lead)
    client = client_for(org.member)
    liked = client.post(f"/feed/items/{item.public_id}/like/", **HTMX).content.decode()
    assert 'aria-pressed="true"' in liked
    item.refresh_from_db()
    assert item.like_count == 1
    client.post(f"/feed/items/{item.public_id}/like/", **HTMX)
    item.refresh_from_db()
    assert item.like_count == 0
    assert not ActivityLike.objects.exists()


def test_comments_are_added_escaped_and_counted(org, client_for):
    item = ActivityFactory(actor=org.lead)
    client = client_for(org.member)
    body = client.post(
        f"/feed/items/{item.public_id}/comments/", {"body": "<b>Nice</b> work"}, **HTMX
    ).content.decode()
    assert "&lt;b&gt;Nice&lt;/b&gt; work" in body
    item.refresh_from_db()
    assert item.comment_count == 1


def test_an_empty_comment_is_refused_with_a_message(org, client_for):
    item = ActivityFactory(actor=org.lead)
    body = (
        client_for(org.member)
        .post(f"/feed/items/{item.public_id}/comments/", {"body": "   "}, **HTMX)
        .content.decode()
    )
    assert "Write something first." in body
    assert not ActivityComment.objects.exists()


def test_commenting_too_fast_is_slowed_down(org, client_for):
    item = ActivityFactory(actor=org.lead)
    client = client_for(org.member)
    for n in range(10):
        client.post(f"/feed/items/{item.public_id}/comments/", {"body": f"c{n}"}, **HTMX)
    body = client.post(
        f"/feed/items/{item.public_id}/comments/", {"body": "one more"}, **HTMX
    ).content.decode()
    assert "wait a minute" in body
    assert ActivityComment.objects.count() == 10


def test_save_and_unsave_a_module_in_place(org, client_for):
    item = ActivityFactory(actor=org.lead)
    client = client_for(org.member)
    saved = client.post(f"/feed/modules/{item.module.public_id}/save/", **HTMX).content.decode()
    assert "Saved" in saved
    assert SavedModule.objects.filter(user=org.member, module=item.module).exists()
    client.post(f"/feed/modules/{item.module.public_id}/save/", **HTMX)
    assert not SavedModule.objects.filter(user=org.member).exists()


def _pending(person):
    starts = timezone.now() + dt.timedelta(days=2)
    return LearningTimeRequestFactory(
        person=person, starts_at=starts, created_at=timezone.now() - dt.timedelta(hours=1)
    )


def test_a_manager_sees_and_approves_learning_time_in_the_feed(org, client_for):
    request = _pending(org.member)
    client = client_for(org.manager)
    assert "Learning time waiting for you" in client.get("/").content.decode()
    body = client.post(f"/feed/approvals/{request.public_id}/approve/", **HTMX).content.decode()
    assert "Approved" in body
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_a_manager_declines_in_place(org, client_for):
    request = _pending(org.member)
    body = (
        client_for(org.manager)
        .post(f"/feed/approvals/{request.public_id}/decline/", **HTMX)
        .content.decode()
    )
    assert "Declined" in body
    request.refresh_from_db()
    assert request.status == RequestStatus.DECLINED


def test_someone_else_cannot_decide_and_sees_no_queue(org, client_for):
    request = _pending(org.member)
    client = client_for(org.outsider)
    assert "Learning time waiting for you" not in client.get("/").content.decode()
    response = client.post(f"/feed/approvals/{request.public_id}/approve/", **HTMX)
    assert response.status_code in (403, 404)
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


def test_signed_out_visitors_are_sent_to_sign_in(org, client):
    item = ActivityFactory(actor=org.lead)
    response = client.post(f"/feed/items/{item.public_id}/like/")
    assert response.status_code == 302
    assert "login" in response["Location"] or "sign" in response["Location"]
    assert not ActivityLike.objects.exists()

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peerpath.social import discussion_selectors as selectors
from peerpath.social import discussions
from peerpath.social.models import Comment, CommentReaction
from tests.factories import ModuleFactory
from tests.social.factories import reply_to, thread_on

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def panel_url(module) -> str:
    return reverse("social:module_discussion", args=[module.public_id])


def test_the_module_page_loads_its_discussion(org, client_for, module):
    page = client_for(org.member).get(
        reverse("learning:module", args=[module.public_id, module.slug])
    )
    assert panel_url(module).encode() in page.content


def test_the_panel_shows_threads_and_the_form(org, client_for, module):
    thread_on(module, author=org.lead, body="Start with **empathy**.")
    response = client_for(org.member).get(panel_url(module), **HTMX)

    assert response.status_code == 200
    assert b"<strong>empathy</strong>" in response.content
    assert b'name="body"' in response.content
    assert b"<html" not in response.content


def test_a_discussion_of_a_draft_is_closed_to_outsiders(org, client_for):
    draft = ModuleFactory(author=org.lead, publish=False)
    assert client_for(org.outsider).get(panel_url(draft), **HTMX).status_code == 403
    response = client_for(org.outsider).post(
        reverse("social:module_thread_start", args=[draft.public_id]), {"body": "Hi"}
    )
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_posting_a_thread_with_htmx_returns_the_panel(org, client_for, module):
    response = client_for(org.member).post(
        reverse("social:module_thread_start", args=[module.public_id]),
        {"body": "How do I calm a caller?", "is_question": "on"},
        **HTMX,
    )
    assert response.status_code == 200
    assert b"How do I calm a caller?" in response.content
    assert Comment.objects.get().is_question


def test_posting_without_htmx_redirects_to_the_discussion(org, client_for, module):
    response = client_for(org.member).post(
        reverse("social:module_thread_start", args=[module.public_id]), {"body": "Hello"}
    )
    assert response.status_code == 302
    assert response.url == panel_url(module)


def test_the_rate_limit_is_shown_on_the_form(org, client_for, module):
    now = timezone.now()
    Comment.objects.bulk_create(
        [
            Comment(module=module, author=org.member, body_markdown="x", body_html="x")
            for _ in range(discussions.BURST_POSTS)
        ]
    )
    Comment.objects.filter(author=org.member).update(created_at=now - timedelta(seconds=5))
    response = client_for(org.member).post(
        reverse("social:module_thread_start", args=[module.public_id]),
        {"body": "One more"},
        **HTMX,
    )
    assert b"Take a breath" in response.content
    assert Comment.objects.count() == discussions.BURST_POSTS


def _bulk_threads(module, author, *, threads: int, replies: int) -> None:
    for _ in range(threads):
        root = Comment.objects.create(
            module=module, author=author, body_markdown="Q", body_html="<p>Q</p>"
        )
        Comment.objects.filter(pk=root.pk).update(root=root)
        Comment.objects.bulk_create(
            [
                Comment(
                    module=module,
                    author=author,
                    parent=root,
                    root=root,
                    body_markdown="A",
                    body_html="<p>A</p>",
                )
                for _ in range(replies)
            ]
        )


def test_the_panel_costs_the_same_queries_whatever_the_thread_sizes(
    org, client_for, module, django_assert_max_num_queries
):
    client = client_for(org.member)
    _bulk_threads(module, org.lead, threads=2, replies=1)
    client.get(panel_url(module), **HTMX)  # warm the session and navigation caches
    with django_assert_max_num_queries(12) as small:
        assert client.get(panel_url(module), **HTMX).status_code == 200
    _bulk_threads(module, org.deep, threads=25, replies=40)
    with django_assert_max_num_queries(12) as large:
        response = client.get(panel_url(module), **HTMX)
    assert len(small.captured_queries) == len(large.captured_queries)
    assert response.content.count(b'id="thread-') == selectors.THREADS_PER_PAGE
    assert b"Show all 40 replies" in response.content
    assert b"Older threads" in response.content


def test_the_thread_page_pages_replies_and_finds_the_linked_one(org, client_for, module):
    root = thread_on(module, author=org.member)
    _bulk = [
        Comment(module=module, author=org.lead, parent=root, root=root, body_markdown="A")
        for _ in range(selectors.REPLIES_PER_PAGE + 5)
    ]
    Comment.objects.bulk_create(_bulk)
    last = Comment.objects.filter(root=root).exclude(pk=root.pk).order_by("created_at", "id").last()
    response = client_for(org.deep).get(
        reverse("social:thread", args=[root.public_id]) + f"?c={last.public_id}"
    )
    assert response.status_code == 200
    assert f'id="comment-{last.public_id}"'.encode() in response.content
    assert b"Page 2 of 2" in response.content


def test_replying_with_htmx_returns_the_thread(org, client_for, module):
    root = thread_on(module, author=org.member)
    response = client_for(org.lead).post(
        reverse("social:reply", args=[root.public_id]),
        {"body": "Try this", "in_panel": "1"},
        **HTMX,
    )
    assert response.status_code == 200
    assert f'id="thread-{root.public_id}"'.encode() in response.content
    assert b"Try this" in response.content


def test_a_reaction_returns_the_post_with_its_count(org, client_for, module):
    root = thread_on(module, author=org.member)
    response = client_for(org.lead).post(
        reverse("social:react", args=[root.public_id]), {"reaction": "insight"}, **HTMX
    )
    assert response.status_code == 200
    assert b'aria-pressed="true"' in response.content
    assert CommentReaction.objects.filter(person=org.lead, reaction="insight").exists()


def test_editing_and_its_history(org, client_for, module):
    root = thread_on(module, author=org.member, body="First words")
    client = client_for(org.member)
    edit_url = reverse("social:edit", args=[root.public_id])

    assert client_for(org.lead).get(edit_url).status_code == 403
    assert client.post(edit_url, {"body": "Better words"}).status_code == 302
    history = client.get(reverse("social:history", args=[root.public_id]))
    assert b"Better words" in history.content
    assert b"First words" in history.content


def test_accepting_an_answer_from_the_panel(org, client_for, module):
    question = thread_on(module, author=org.member, question=True)
    answer = reply_to(question, author=org.lead)

    denied = client_for(org.deep).post(reverse("social:accept", args=[answer.public_id]))
    assert denied.status_code == 403
    response = client_for(org.member).post(
        reverse("social:accept", args=[answer.public_id]), {"in_panel": "1"}, **HTMX
    )
    assert b"Accepted answer" in response.content
    question.refresh_from_db()
    assert question.accepted_answer_id == answer.pk


def test_a_hidden_post_shows_only_a_placeholder_to_colleagues(org, client_for, module):
    root = thread_on(module, author=org.member, body="Something rude")
    client_for(org.admin).post(reverse("social:hide", args=[root.public_id]))

    seen = client_for(org.lead).get(panel_url(module), **HTMX).content
    assert b"Something rude" not in seen
    assert b"This post was hidden by a moderator" in seen
    assert b"Something rude" in client_for(org.member).get(panel_url(module), **HTMX).content
    assert (
        client_for(org.lead).post(reverse("social:hide", args=[root.public_id])).status_code == 403
    )


def test_mention_suggestions_endpoint(org, client_for):
    data = client_for(org.member).get(reverse("social:mention_people"), {"q": "ott"}).json()
    assert data == {
        "people": [
            {"name": "Otto Outsider", "title": "Support Agent", "insert": "@[Otto Outsider]"}
        ]
    }


def test_a_path_page_loads_its_discussion_and_takes_posts(org, client_for, module):
    from peerpath.content import paths

    path = paths.path_create(
        author=org.lead,
        title="Onboarding",
        summary="S",
        sections=[("Start", [module])],
        publish=True,
    )
    client = client_for(org.member)
    page = client.get(reverse("learning:path", args=[path.public_id, path.slug]))
    url = reverse("social:path_discussion", args=[path.public_id])
    assert url.encode() in page.content

    client.post(reverse("social:path_thread_start", args=[path.public_id]), {"body": "Order?"})
    assert b"Order?" in client.get(url).content
    assert Comment.objects.get().path_id == path.pk

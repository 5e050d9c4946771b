from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peerpath.content import paths
from peerpath.core import events
from peerpath.notifications.models import Kind, Notification
from peerpath.people.models import User
from peerpath.recognition.models import PointAction, PointEntry
from peerpath.social import discussion_selectors as selectors
from peerpath.social import discussions
from peerpath.social.models import Comment, CommentMention, CommentReaction, CommentRevision
from tests.factories import ModuleFactory, SkillFactory, UserFactory
from tests.social.factories import make_expert, reply_to, thread_on

pytestmark = pytest.mark.django_db


def notices(person: User, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=person, kind=kind).order_by("pk"))


# --- Threads and replies -------------------------------------------------------------------


def test_a_thread_is_rendered_from_markdown_and_sanitised_when_saved(org, module):
    thread = thread_on(
        module, author=org.member, body="**Tip**: breathe.\n\n<script>alert(1)</script>"
    )

    assert thread.root_id == thread.pk
    assert "<strong>Tip</strong>" in thread.body_html
    assert "<script" not in thread.body_html


def test_an_empty_or_overlong_post_is_refused_and_nothing_is_written(org, module):
    subject = selectors.Subject(module=module)
    with pytest.raises(ValidationError, match="Write something"):
        discussions.thread_start(author=org.member, subject=subject, body="   \n ")
    with pytest.raises(ValidationError, match="Keep it to"):
        discussions.thread_start(author=org.member, subject=subject, body="x" * 10_001)
    assert not Comment.objects.exists()


def test_a_reply_belongs_to_the_thread_and_tells_those_taking_part(org, module):
    thread = thread_on(module, author=org.member)
    first = reply_to(thread, author=org.lead)
    second = reply_to(first, author=org.deep, body="And then this.")

    assert (second.root_id, second.parent_id) == (thread.pk, first.pk)
    assert [n.title for n in notices(org.member, Kind.REPLY)] == [
        f"Leo Lead replied in the discussion of “{module.title}”",
        f"Dara Deep replied in the discussion of “{module.title}”",
    ]
    assert len(notices(org.lead, Kind.REPLY)) == 1
    assert notices(org.deep, Kind.REPLY) == []


def test_nobody_may_post_in_the_discussion_of_a_draft_they_cannot_see(org):
    draft = ModuleFactory(author=org.lead, publish=False)
    with pytest.raises(PermissionDenied):
        thread_on(draft, author=org.outsider)
    assert not Comment.objects.exists()


def test_paths_have_discussions_too(org, module):
    path = paths.path_create(
        author=org.lead,
        title="Onboarding",
        summary="S",
        sections=[("Start", [module])],
        publish=True,
    )
    thread = thread_on(path, author=org.member, body="Which step first?")
    assert thread.path_id == path.pk
    assert thread.module_id is None


# --- Mentions ------------------------------------------------------------------------------


def test_a_mention_links_the_colleague_and_notifies_them(org, module):
    thread = thread_on(module, author=org.member, body="Ask @[Otto Outsider] about this.")

    assert f'href="/people/{org.outsider.public_id}/"' in thread.body_html
    assert "@Otto Outsider" in thread.body_html
    [notice] = notices(org.outsider, Kind.MENTION)
    assert notice.title == f"Mina Member mentioned you in the discussion of “{module.title}”"
    assert notice.url.endswith(f"#comment-{thread.public_id}")


def test_a_mention_never_leaks_an_unpublished_module(org):
    draft = ModuleFactory(author=org.lead, publish=False, title="Secret restructure plan")
    thread = thread_on(draft, author=org.lead, body="What would @[Otto Outsider] think?")

    assert CommentMention.objects.filter(comment=thread, person=org.outsider).exists()
    assert not Notification.objects.filter(recipient=org.outsider).exists()
    assert (
        not Notification.objects.filter(title__contains="Secret")
        .exclude(recipient=org.lead)
        .exists()
    )


def test_replies_in_a_draft_discussion_reach_only_those_who_may_see_it(org):
    draft = ModuleFactory(author=org.lead, publish=False)
    thread = thread_on(draft, author=org.lead, body="Draft notes")
    # The admin may see every draft; a colleague later mentioned in text may not.
    reply_to(thread, author=org.admin, body="Looks good. cc @[Mina Member]")

    assert len(notices(org.lead, Kind.REPLY)) == 1
    assert notices(org.member, Kind.MENTION) == []


def test_an_unknown_or_ambiguous_name_is_explained(org, module):
    UserFactory(display_name="Sam Rivera")
    twin = UserFactory(display_name="Sam Rivera")
    subject = selectors.Subject(module=module)

    with pytest.raises(ValidationError, match="No active colleague is called “Nobody”"):
        discussions.thread_start(author=org.member, subject=subject, body="Hi @[Nobody]")
    with pytest.raises(ValidationError, match="Several colleagues are called “Sam Rivera”"):
        discussions.thread_start(author=org.member, subject=subject, body="Hi @[Sam Rivera]")
    thread = discussions.thread_start(
        author=org.member, subject=subject, body=f"Hi @[Sam Rivera|{twin.public_id}]"
    )
    assert f"/people/{twin.public_id}/" in thread.body_html


def test_a_mention_in_code_stays_literal(org, module):
    thread = thread_on(module, author=org.member, body="Type `@[Nobody]` to mention.")
    assert "@[Nobody]" in thread.body_html
    assert not CommentMention.objects.exists()


def test_mention_suggestions_are_bounded_and_only_active_colleagues(org):
    for n in range(12):
        UserFactory(display_name=f"Sam {n:02}")
    gone = UserFactory(display_name="Sam Gone")
    User.objects.filter(pk=gone.pk).update(is_active=False)

    found = selectors.mention_suggestions("sam")

    assert len(found) == selectors.AUTOCOMPLETE_MAX
    assert "Sam Gone" not in [s.name for s in found]
    assert found[0].insert == "@[Sam 00]"
    assert selectors.mention_suggestions("") == []


# --- Editing -------------------------------------------------------------------------------


def test_editing_keeps_the_earlier_text_and_notifies_new_mentions_only(org, module):
    thread = thread_on(module, author=org.member, body="Ask @[Leo Lead]")
    discussions.comment_edit(
        editor=org.member, comment=thread, body="Ask @[Leo Lead] or @[Otto Outsider]"
    )

    thread.refresh_from_db()
    assert thread.edited_at is not None
    assert "Otto Outsider" in thread.body_html
    assert list(CommentRevision.objects.values_list("body_markdown", flat=True)) == [
        "Ask @[Leo Lead]"
    ]
    assert len(notices(org.lead, Kind.MENTION)) == 1
    assert len(notices(org.outsider, Kind.MENTION)) == 1


def test_only_the_author_edits_and_not_once_hidden_or_locked(org, module):
    make_expert(org.admin, SkillFactory())
    thread = thread_on(module, author=org.member)
    with pytest.raises(PermissionDenied):
        discussions.comment_edit(editor=org.lead, comment=thread, body="Mine now")

    discussions.thread_lock(actor=org.admin, root=thread)
    with pytest.raises(ValidationError, match="locked"):
        discussions.comment_edit(editor=org.member, comment=thread, body="Changed")
    assert not CommentRevision.objects.exists()


# --- Reactions -----------------------------------------------------------------------------


def test_a_reaction_toggles(org, module):
    thread = thread_on(module, author=org.member)
    assert discussions.reaction_toggle(person=org.lead, comment=thread, reaction="thanks")
    assert CommentReaction.objects.count() == 1
    assert not discussions.reaction_toggle(person=org.lead, comment=thread, reaction="thanks")
    assert CommentReaction.objects.count() == 0
    with pytest.raises(ValidationError, match="reactions offered"):
        discussions.reaction_toggle(person=org.lead, comment=thread, reaction="angry")


# --- Questions -----------------------------------------------------------------------------


def test_the_asker_accepts_an_answer_which_pays_and_tells_its_author(org, module):
    published: list[events.AnswerAccepted] = []
    events.subscribe(events.AnswerAccepted, published.append)
    question = thread_on(module, author=org.member, body="How?", question=True)
    answer = reply_to(question, author=org.lead, body="Like this.")

    discussions.answer_accept(actor=org.member, answer=answer)

    question.refresh_from_db()
    assert question.accepted_answer_id == answer.pk
    assert [e.comment_id for e in published] == [answer.pk]
    entry = PointEntry.objects.get(person=org.lead, action=PointAction.ANSWER_ACCEPTED)
    assert entry.points == 10
    assert entry.counterpart_id == org.member.pk
    [notice] = notices(org.lead, Kind.ANSWER_ACCEPTED)
    assert "accepted your answer" in notice.title


def test_an_expert_of_the_modules_skill_may_accept_but_another_colleague_may_not(org):
    skill = SkillFactory(name="Calls")
    module = ModuleFactory(author=org.lead, skills=[skill])
    question = thread_on(module, author=org.member, question=True)
    answer = reply_to(question, author=org.deep)

    with pytest.raises(PermissionDenied):
        discussions.answer_accept(actor=org.outsider, answer=answer)
    question.refresh_from_db()
    assert question.accepted_answer_id is None

    discussions.answer_accept(actor=make_expert(org.manager, skill), answer=answer)
    question.refresh_from_db()
    assert question.accepted_answer_id == answer.pk


def test_only_a_reply_to_a_question_can_be_accepted(org, module):
    chat = thread_on(module, author=org.member)
    reply = reply_to(chat, author=org.lead)
    with pytest.raises(ValidationError, match="not a question"):
        discussions.answer_accept(actor=org.member, answer=reply)
    with pytest.raises(ValidationError, match="Only a reply"):
        discussions.answer_accept(actor=org.member, answer=chat)


def test_accepting_ones_own_answer_pays_nothing(org, module):
    question = thread_on(module, author=org.member, question=True)
    mine = reply_to(question, author=org.member, body="Found it myself.")
    discussions.answer_accept(actor=org.member, answer=mine)
    assert PointEntry.objects.get(person=org.member, action=PointAction.ANSWER_ACCEPTED).points == 0


# --- Rate limits and locks -----------------------------------------------------------------


def test_posting_is_limited_with_a_clear_message(org, module):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(discussions.BURST_POSTS):
            thread_on(module, author=org.member, body=f"Post {n}")
        with pytest.raises(ValidationError, match="Take a breath"):
            thread_on(module, author=org.member, body="One too many")
    assert Comment.objects.count() == discussions.BURST_POSTS
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        thread_on(module, author=org.member, body="Later")


def test_a_locked_thread_takes_no_replies_and_only_moderators_lock(org, module):
    thread = thread_on(module, author=org.member)
    with pytest.raises(PermissionDenied):
        discussions.thread_lock(actor=org.lead, root=thread)

    discussions.thread_lock(actor=org.admin, root=thread)
    with pytest.raises(ValidationError, match="locked"):
        reply_to(thread, author=org.lead)
    discussions.thread_unlock(actor=org.admin, root=thread)
    reply_to(thread, author=org.lead)
    assert Comment.objects.filter(root=thread).count() == 2

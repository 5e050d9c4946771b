"""Writing in discussions on modules and paths: threads, replies, edits with history,
reactions, questions with an accepted answer, and locking.

Bodies are Markdown, rendered and sanitised once when saved (``discussion_rendering``).
Mentions and replies notify only people who may see the module or path; posting has a
burst and a daily allowance.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from peerpath.core import events, permissions
from peerpath.notifications.services import notify
from peerpath.people import selectors as people
from peerpath.social.discussion_rendering import render_comment
from peerpath.social.discussion_selectors import Subject, standing_in, subject_of, thread_url
from peerpath.social.models import (
    Comment,
    CommentMention,
    CommentReaction,
    CommentRevision,
    Reaction,
)

if TYPE_CHECKING:
    from peerpath.people.models import User

BODY_MAX = 10_000
# Posting allowance: a burst limit against floods and a daily one against spam.
BURST_POSTS, BURST_WINDOW = 6, timedelta(minutes=2)
DAILY_POSTS, DAILY_WINDOW = 100, timedelta(hours=24)
REPLY_NOTICES_MAX = 50

# Notification kinds (notifications.models.Kind values; other contexts pass the value).
KIND_MENTION = "mention"
KIND_REPLY = "reply"
KIND_ANSWER_ACCEPTED = "answer_accepted"


def _clean_body(raw: str) -> str:
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    text = "".join(ch for ch in text if ch in "\n\t" or ch >= " ")
    if not text:
        raise ValidationError({"body": "Write something before posting."})
    if len(text) > BODY_MAX:
        raise ValidationError(
            {"body": f"Keep it to {BODY_MAX:,} characters (this has {len(text):,})."}
        )
    return text


def check_post_allowance(author: User, *, now: datetime | None = None) -> None:
    """Refuse a post past the burst or daily allowance, saying when to try again."""
    now = now or timezone.now()
    recent = Comment.objects.filter(author=author, created_at__gt=now - DAILY_WINDOW)
    counts = recent.aggregate(
        day=Count("pk"), burst=Count("pk", filter=Q(created_at__gt=now - BURST_WINDOW))
    )
    if counts["burst"] >= BURST_POSTS:
        raise ValidationError(
            f"You have posted {BURST_POSTS} times in the last two minutes. "
            "Take a breath and try again in a couple of minutes."
        )
    if counts["day"] >= DAILY_POSTS:
        raise ValidationError(
            f"You have posted {DAILY_POSTS} times today, the most for a day. "
            "You can post again tomorrow."
        )


def _lock_author(author: User) -> None:
    # Lock the author's row so two posts sent at once cannot both slip under the allowance.
    get_user_model()._default_manager.select_for_update().filter(pk=author.pk).first()


def _notify_mentions(comment: Comment, subject: Subject, people_: list[User]) -> set[int]:
    """Tell each mentioned colleague who may see the subject; others learn nothing of it."""
    allowed = [p for p in people_ if subject.visible_to(p)]
    notify(
        recipients=allowed,
        kind=KIND_MENTION,
        title=f"{comment.author.display_name} mentioned you in the discussion of “{subject.title}”",
        url=thread_url(comment),
        dedupe_key=f"mention:{comment.public_id}",
        actor=comment.author,
        body=comment.body_markdown[:300],
    )
    return {p.pk for p in allowed}


def _record_mentions(comment: Comment, mentioned: list[User]) -> list[User]:
    """Store who a post mentions; returns those not mentioned by it before."""
    before = set(CommentMention.objects.filter(comment=comment).values_list("person_id", flat=True))
    new = [p for p in mentioned if p.pk not in before]
    CommentMention.objects.bulk_create(
        [CommentMention(comment=comment, person=p) for p in new], ignore_conflicts=True
    )
    return new


def _check_can_post(author: User, subject: Subject) -> None:
    if not permissions.can_take_part_in_discussion(
        author, module=subject.module, path=subject.path
    ):
        raise PermissionDenied("You cannot take part in this discussion.")


@transaction.atomic
def thread_start(
    *, author: User, subject: Subject, body: str, is_question: bool = False
) -> Comment:
    """Start a thread (a question when ``is_question``) on a module or path."""
    _check_can_post(author, subject)
    text = _clean_body(body)
    rendered = render_comment(text)
    _lock_author(author)
    check_post_allowance(author)
    comment = Comment(
        author=author,
        body_markdown=text,
        body_html=rendered.html,
        is_question=is_question,
        **subject.lookup,
    )
    comment.full_clean(exclude=["root"])
    comment.save()
    comment.root = comment
    comment.save(update_fields=["root"])
    _notify_mentions(comment, subject, _record_mentions(comment, rendered.mentioned))
    return comment


@transaction.atomic
def reply_post(*, author: User, parent: Comment, body: str) -> Comment:
    """Reply in a thread; tells the people taking part (and those mentioned)."""
    subject = subject_of(parent)
    _check_can_post(author, subject)
    root = parent.root if parent.root is not None else parent
    # Lock the thread's first post: a lock set at the same moment wins over the reply.
    root = Comment.objects.select_for_update().get(pk=root.pk)
    if root.locked_at is not None:
        raise ValidationError("This thread is locked: no new replies.")
    if parent.hidden_at is not None:
        raise ValidationError("You cannot reply to a hidden post.")
    text = _clean_body(body)
    rendered = render_comment(text)
    _lock_author(author)
    check_post_allowance(author)
    comment = Comment(
        author=author,
        parent=parent,
        root=root,
        body_markdown=text,
        body_html=rendered.html,
        **subject.lookup,
    )
    comment.full_clean()
    comment.save()
    mentioned = _notify_mentions(comment, subject, _record_mentions(comment, rendered.mentioned))
    _notify_reply(comment, root, parent, subject, skip=mentioned)
    return comment


def _notify_reply(
    comment: Comment, root: Comment, parent: Comment, subject: Subject, *, skip: set[int]
) -> None:
    """The thread's starter, the post replied to and the latest others who replied."""
    others = (
        Comment.objects.filter(root=root)
        .exclude(author_id__in=[comment.author_id, root.author_id, parent.author_id])
        .order_by("-created_at")
        .values_list("author_id", flat=True)[: REPLY_NOTICES_MAX * 4]
    )
    ids = list(dict.fromkeys([root.author_id, parent.author_id, *others]))[:REPLY_NOTICES_MAX]
    recipients = [
        p
        for p in people.people_active().filter(pk__in=[i for i in ids if i not in skip])
        if subject.visible_to(p)
    ]
    notify(
        recipients=recipients,
        kind=KIND_REPLY,
        title=f"{comment.author.display_name} replied in the discussion of “{subject.title}”",
        url=thread_url(comment),
        dedupe_key=f"reply:{comment.public_id}",
        actor=comment.author,
        body=comment.body_markdown[:300],
    )


@transaction.atomic
def comment_edit(*, editor: User, comment: Comment, body: str) -> Comment:
    """The author rewrites their post; the previous text is kept as a revision."""
    subject = subject_of(comment)
    standing = standing_in(editor, subject)
    # Lock the post so two edits at once each keep the text they replaced.
    locked_comment = (
        Comment.objects.select_for_update(of=("self",)).select_related("root").get(pk=comment.pk)
    )
    root = locked_comment.root or locked_comment
    if not standing.can_edit(locked_comment, locked=root.locked_at is not None):
        if locked_comment.author_id != editor.pk:
            raise PermissionDenied("Only the author can edit a post.")
        if locked_comment.hidden_at is not None:
            raise ValidationError("A moderator hid this post: it cannot be edited.")
        raise ValidationError("This thread is locked: posts can no longer be edited.")
    text = _clean_body(body)
    if text == locked_comment.body_markdown:
        return locked_comment
    rendered = render_comment(text)
    previous = locked_comment.body_markdown
    CommentRevision.objects.create(comment=locked_comment, body_markdown=previous)
    locked_comment.body_markdown = text
    locked_comment.body_html = rendered.html
    locked_comment.edited_at = timezone.now()
    locked_comment.full_clean()
    locked_comment.save(update_fields=["body_markdown", "body_html", "edited_at"])
    comment.body_markdown, comment.body_html = text, rendered.html
    comment.edited_at = locked_comment.edited_at
    _notify_mentions(comment, subject, _record_mentions(comment, rendered.mentioned))
    return comment


@transaction.atomic
def reaction_toggle(*, person: User, comment: Comment, reaction: str) -> bool:
    """Add the reaction, or take it back if already given; returns whether it is on."""
    if reaction not in Reaction.values:
        raise ValidationError("Choose one of the reactions offered.")
    _check_can_post(person, subject_of(comment))
    if comment.hidden_at is not None:
        raise ValidationError("You cannot react to a hidden post.")
    removed, _ = CommentReaction.objects.filter(
        comment=comment, person=person, reaction=reaction
    ).delete()
    if removed:
        return False
    CommentReaction.objects.bulk_create(
        [CommentReaction(comment=comment, person=person, reaction=reaction)],
        ignore_conflicts=True,
    )
    return True


@transaction.atomic
def answer_accept(*, actor: User, answer: Comment) -> Comment:
    """Mark a reply as the accepted answer to its question (replacing any earlier one).

    Publishes ``AnswerAccepted`` (recognition pays the answer's author) and tells them.
    """
    subject = subject_of(answer)
    standing = standing_in(actor, subject)
    if answer.root_id is None or answer.root_id == answer.pk:
        raise ValidationError("Only a reply can be the accepted answer.")
    # Lock the question: two people accepting at once leave one accepted answer.
    question = Comment.objects.select_for_update().get(pk=answer.root_id)
    if not question.is_question:
        raise ValidationError("This thread is not a question.")
    if not standing.can_accept(question):
        raise PermissionDenied(
            "The person who asked, or an expert in the subject, accepts an answer."
        )
    if answer.hidden_at is not None:
        raise ValidationError("A hidden post cannot be the accepted answer.")
    if question.accepted_answer_id == answer.pk:
        return question
    question.accepted_answer = answer
    question.save(update_fields=["accepted_answer"])
    now = timezone.now()
    events.publish(
        events.AnswerAccepted(
            comment_id=answer.pk,
            author_id=answer.author_id,
            accepted_by_id=actor.pk,
            subject_title=subject.title,
            at=now,
        )
    )
    if subject.visible_to(answer.author):
        notify(
            recipients=[answer.author],
            kind=KIND_ANSWER_ACCEPTED,
            title=f"{actor.display_name} accepted your answer in the discussion of "
            f"“{subject.title}”",
            url=thread_url(answer),
            dedupe_key=f"accepted:{answer.public_id}",
            actor=actor,
        )
    return question


@transaction.atomic
def answer_unaccept(*, actor: User, question: Comment) -> Comment:
    """Withdraw the accepted answer (the points it earned stay in the ledger)."""
    standing = standing_in(actor, subject_of(question))
    question = Comment.objects.select_for_update().get(pk=question.pk)
    if not standing.can_accept(question):
        raise PermissionDenied(
            "The person who asked, or an expert in the subject, accepts an answer."
        )
    if question.accepted_answer_id is not None:
        question.accepted_answer = None
        question.save(update_fields=["accepted_answer"])
    return question


def _check_moderator(actor: User, comment: Comment) -> None:
    subject = subject_of(comment)
    if not permissions.can_moderate_discussion(actor, subject.skill_ids):
        raise PermissionDenied(
            "Learning admins and expert reviewers of the subject moderate its discussion."
        )


@transaction.atomic
def thread_lock(*, actor: User, root: Comment) -> Comment:
    """Close a thread to new replies and edits."""
    _check_moderator(actor, root)
    if root.parent_id is not None:
        raise ValidationError("Lock a thread from its first post.")
    updated = Comment.objects.filter(pk=root.pk, locked_at=None).update(
        locked_at=timezone.now(), locked_by=actor
    )
    if updated:
        root.refresh_from_db(fields=["locked_at", "locked_by"])
    return root


@transaction.atomic
def thread_unlock(*, actor: User, root: Comment) -> Comment:
    _check_moderator(actor, root)
    Comment.objects.filter(pk=root.pk).update(locked_at=None, locked_by=None)
    root.locked_at, root.locked_by = None, None
    return root

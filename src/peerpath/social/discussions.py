"""Discussions on modules and paths: threads, replies, edits with history, @mentions,
reactions, questions with an accepted answer, and locking.

A thread is a top-level post (optionally a question) with its replies; a reply may answer
another reply, but every post keeps a pointer to its thread's first post (``root``) so a
thread, its reply count and its latest replies are each one indexed query. Bodies are
Markdown, rendered and sanitised once when saved. Mentions are written ``@[Name]`` (or
``@[Name|<id>]`` when two colleagues share a name; the autocomplete writes it) and notify
only people who may see the module or path.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from peerpath.content.rendering import render_markdown
from peerpath.core import events, permissions
from peerpath.notifications.services import notify
from peerpath.people import selectors as people
from peerpath.social.models import (
    Comment,
    CommentMention,
    CommentReaction,
    CommentRevision,
    Reaction,
)

if TYPE_CHECKING:
    from peerpath.content.models import LearningPath, Module
    from peerpath.people.models import User

BODY_MAX = 10_000
MENTIONS_MAX = 20
# Posting allowance: a burst limit against floods and a daily one against spam.
BURST_POSTS, BURST_WINDOW = 6, timedelta(minutes=2)
DAILY_POSTS, DAILY_WINDOW = 100, timedelta(hours=24)
THREADS_PER_PAGE = 10
REPLIES_IN_PREVIEW = 3
REPLIES_PER_PAGE = 30
HISTORY_PER_PAGE = 20
REPLY_NOTICES_MAX = 50
AUTOCOMPLETE_MAX = 8

# Notification kinds (notifications.models.Kind values; other contexts pass the value).
KIND_MENTION = "mention"
KIND_REPLY = "reply"
KIND_ANSWER_ACCEPTED = "answer_accepted"


# --- Subjects ------------------------------------------------------------------------------


@dataclass
class Subject:
    """What a discussion is about: a module or a learning path (exactly one)."""

    module: Module | None = None
    path: LearningPath | None = None

    def __post_init__(self) -> None:
        if (self.module is None) == (self.path is None):
            raise ValueError("A discussion is about one module or one path.")

    @property
    def kind(self) -> str:
        return "module" if self.module is not None else "path"

    @property
    def item(self) -> Module | LearningPath:
        if self.module is not None:
            return self.module
        if self.path is None:
            raise ValueError("A discussion is about one module or one path.")
        return self.path

    @property
    def title(self) -> str:
        return self.item.title

    @property
    def public_id(self) -> uuid.UUID:
        return self.item.public_id

    @property
    def url(self) -> str:
        name = "learning:module" if self.module is not None else "learning:path"
        return reverse(name, args=[self.item.public_id, self.item.slug])

    @property
    def discussion_url(self) -> str:
        return reverse(f"social:{self.kind}_discussion", args=[self.public_id])

    @property
    def lookup(self) -> dict[str, Any]:
        return {"module": self.module} if self.module is not None else {"path": self.path}

    @cached_property
    def skill_ids(self) -> set[int]:
        return permissions.discussion_skill_ids(module=self.module, path=self.path)

    def visible_to(self, person: User) -> bool:
        return permissions.can_view_discussion(person, module=self.module, path=self.path)


def subject_of(comment: Comment) -> Subject:
    return Subject(module=comment.module, path=comment.path)


@dataclass
class Standing:
    """What one person may do in one discussion, decided once per request."""

    user: User
    subject: Subject
    can_take_part: bool
    expert: bool
    moderator: bool

    def can_edit(self, comment: Comment, *, locked: bool) -> bool:
        return (
            comment.author_id == self.user.pk
            and comment.hidden_at is None
            and self.can_take_part
            and (not locked or self.moderator)
        )

    def can_accept(self, question: Comment) -> bool:
        return question.is_question and permissions.can_accept_answer(
            self.user, question.author_id, expert=self.expert
        )

    def can_see_body(self, comment: Comment) -> bool:
        return comment.hidden_at is None or self.moderator or comment.author_id == self.user.pk


def standing_in(user: User, subject: Subject) -> Standing:
    expert = permissions.is_discussion_expert(user, subject.skill_ids)
    return Standing(
        user=user,
        subject=subject,
        can_take_part=permissions.can_take_part_in_discussion(
            user, module=subject.module, path=subject.path
        ),
        expert=expert,
        moderator=expert or permissions.is_learning_admin(user),
    )


# --- Reading -------------------------------------------------------------------------------


def _comments() -> QuerySet[Comment]:
    return Comment.objects.select_related(
        "module", "module__owner", "path", "path__owner", "author", "root"
    ).prefetch_related("module__skills", "module__co_authors", "path__editors")


def comment_by_public_id(public_id: uuid.UUID | str) -> Comment | None:
    try:
        return _comments().get(public_id=public_id)
    except (Comment.DoesNotExist, ValueError, ValidationError):
        return None


def get_comment_for_user(user: User, public_id: uuid.UUID | str) -> Comment:
    """A post in a discussion the user may see: 404 when absent, 403 when not allowed."""
    comment = comment_by_public_id(public_id)
    if comment is None:
        raise Http404("No such post.")
    subject = subject_of(comment)
    permissions.require(
        subject.visible_to(user), "This discussion belongs to a page you cannot see."
    )
    return comment


@dataclass(frozen=True)
class ReactionTally:
    code: str
    label: str
    count: int
    mine: bool

    @property
    def emoji(self) -> str:
        return self.label.split(" ", 1)[0]

    @property
    def name(self) -> str:
        return self.label.split(" ", 1)[1]


@dataclass
class Post:
    """A post as a page shows it to one viewer."""

    comment: Comment
    reactions: list[ReactionTally]
    is_root: bool
    is_accepted: bool
    show_body: bool
    can_edit: bool
    can_accept: bool
    can_report: bool
    can_reply: bool
    can_moderate: bool
    root_public_id: uuid.UUID
    in_reply_to: str = ""


@dataclass
class ThreadView:
    root: Post
    replies: list[Post]
    reply_count: int
    locked: bool
    accepted: Post | None = None
    earlier: int = 0
    page: Page[Any] | None = field(default=None)

    @property
    def pinned(self) -> Post | None:
        """The accepted answer, shown under the question when not among the replies shown."""
        if self.accepted is None:
            return None
        shown = {post.comment.pk for post in self.replies}
        return None if self.accepted.comment.pk in shown else self.accepted


def _tallies(comment_ids: list[int], viewer: User) -> dict[int, list[ReactionTally]]:
    """Reaction counts and the viewer's own reactions for many posts, in one query."""
    counts: dict[int, dict[str, tuple[int, bool]]] = {pk: {} for pk in comment_ids}
    if comment_ids:
        rows = (
            CommentReaction.objects.filter(comment_id__in=comment_ids)
            .values("comment_id", "reaction")
            .annotate(n=Count("id"), mine=Count("id", filter=Q(person=viewer)))
        )
        for row in rows:
            counts[row["comment_id"]][row["reaction"]] = (row["n"], row["mine"] > 0)
    return {
        pk: [
            ReactionTally(code, str(label), *found.get(code, (0, False)))
            for code, label in Reaction.choices
        ]
        for pk, found in counts.items()
    }


def _post(
    comment: Comment,
    standing: Standing,
    tallies: dict[int, list[ReactionTally]],
    *,
    root: Comment,
) -> Post:
    locked = root.locked_at is not None
    is_root = comment.pk == root.pk
    visible = comment.hidden_at is None
    parent_name = ""
    if not is_root and comment.parent_id not in (None, root.pk):
        parent = comment.parent
        parent_name = parent.author.display_name if parent is not None else ""
    return Post(
        comment=comment,
        reactions=tallies.get(comment.pk, []),
        is_root=is_root,
        is_accepted=root.accepted_answer_id == comment.pk,
        show_body=standing.can_see_body(comment),
        can_edit=standing.can_edit(comment, locked=locked),
        can_accept=(not is_root and visible and standing.can_accept(root)),
        can_report=visible and permissions.can_report_content(standing.user, comment.author_id),
        can_reply=standing.can_take_part and not locked and visible,
        can_moderate=standing.moderator,
        root_public_id=root.public_id,
        in_reply_to=parent_name,
    )


def _with_reply_counts(roots: QuerySet[Comment]) -> QuerySet[Comment]:
    replies = (
        Comment.objects.filter(root=OuterRef("pk"))
        .exclude(pk=OuterRef("pk"))
        .order_by()
        .values("root")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return roots.annotate(reply_count=Coalesce(Subquery(replies), Value(0)))


def _previews(standing: Standing, shown: list[Comment]) -> list[ThreadView]:
    """Threads with their latest replies: two queries (replies, reactions) for any number."""
    ids = [c.pk for c in shown]
    latest: dict[int, list[Comment]] = {pk: [] for pk in ids}
    if ids:
        ranked = (
            Comment.objects.filter(root_id__in=ids)
            .exclude(pk=F("root_id"))
            .select_related("author", "parent__author")
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("root_id")],
                    order_by=[F("created_at").desc(), F("id").desc()],
                )
            )
            .filter(rank__lte=REPLIES_IN_PREVIEW)
        )
        for reply in ranked:
            latest[reply.root_id].append(reply)  # type: ignore[index]
    accepted = [c.accepted_answer for c in shown if c.accepted_answer is not None]
    every = ids + [r.pk for rows in latest.values() for r in rows] + [a.pk for a in accepted]
    tallies = _tallies(sorted(set(every)), standing.user)
    views = []
    for root in shown:
        replies = sorted(latest[root.pk], key=lambda c: (c.created_at, c.pk))
        count: int = root.reply_count  # type: ignore[attr-defined]
        views.append(
            ThreadView(
                root=_post(root, standing, tallies, root=root),
                replies=[_post(r, standing, tallies, root=root) for r in replies],
                reply_count=count,
                locked=root.locked_at is not None,
                accepted=_post(root.accepted_answer, standing, tallies, root=root)
                if root.accepted_answer is not None
                else None,
                earlier=max(0, count - len(replies)),
            )
        )
    return views


def _roots() -> QuerySet[Comment]:
    return _with_reply_counts(
        Comment.objects.filter(parent=None).select_related(
            "author", "accepted_answer", "accepted_answer__author", "locked_by"
        )
    )


def threads_page(standing: Standing, *, page_number: Any = 1) -> tuple[Page[Any], list[ThreadView]]:
    """One page of a discussion's threads, newest first, each with its latest replies.

    A fixed number of queries whatever the number of threads or replies: the page (and
    its count), the latest replies of its threads, and the reactions of every post shown.
    """
    roots = _roots().filter(**standing.subject.lookup).order_by("-created_at", "-id")
    page = Paginator(roots, THREADS_PER_PAGE).get_page(page_number)
    return page, _previews(standing, list(page.object_list))


def thread_preview(standing: Standing, root: Comment) -> ThreadView:
    """One thread as the discussion panel shows it, after an action on it."""
    return _previews(standing, [_roots().get(pk=root.pk)])[0]


def thread_view(standing: Standing, root: Comment, *, page_number: Any = 1) -> ThreadView:
    """One thread with a page of its replies in order (three queries at any size)."""
    replies = (
        Comment.objects.filter(root=root)
        .exclude(pk=root.pk)
        .select_related("author", "parent__author")
        .order_by("created_at", "id")
    )
    page = Paginator(replies, REPLIES_PER_PAGE).get_page(page_number)
    shown: list[Comment] = list(page.object_list)
    accepted = root.accepted_answer
    ids = [root.pk, *(c.pk for c in shown)] + ([accepted.pk] if accepted else [])
    tallies = _tallies(sorted(set(ids)), standing.user)
    return ThreadView(
        root=_post(root, standing, tallies, root=root),
        replies=[_post(c, standing, tallies, root=root) for c in shown],
        reply_count=page.paginator.count,
        locked=root.locked_at is not None,
        accepted=_post(accepted, standing, tallies, root=root) if accepted else None,
        page=page,
    )


def thread_root(public_id: uuid.UUID | str) -> Comment | None:
    comment = comment_by_public_id(public_id)
    if comment is None or comment.parent_id is not None:
        return None
    return (
        _comments()
        .select_related("accepted_answer", "accepted_answer__author", "locked_by")
        .get(pk=comment.pk)
    )


def reply_page_number(root: Comment, reply_public_id: str) -> int:
    """Which page of the thread shows a reply (for links from notifications)."""
    try:
        reply = Comment.objects.filter(root=root, public_id=reply_public_id).first()
    except (ValueError, ValidationError):
        return 1
    if reply is None or reply.pk == root.pk:
        return 1
    before = (
        Comment.objects.filter(root=root)
        .exclude(pk=root.pk)
        .filter(
            Q(created_at__lt=reply.created_at) | Q(created_at=reply.created_at, pk__lt=reply.pk)
        )
        .count()
    )
    return before // REPLIES_PER_PAGE + 1


def post_view(standing: Standing, comment: Comment) -> Post:
    """One post, re-rendered after an action on it."""
    root = comment.root if comment.root is not None else comment
    return _post(comment, standing, _tallies([comment.pk], standing.user), root=root)


def revisions_page(comment: Comment, *, page_number: Any = 1) -> Page[Any]:
    revisions = CommentRevision.objects.filter(comment=comment).order_by("-replaced_at", "-id")
    return Paginator(revisions, HISTORY_PER_PAGE).get_page(page_number)


def render_revision(revision: CommentRevision) -> str:
    """An earlier text as it read then; mentions of people since gone stay plain text."""
    try:
        return render_comment(revision.body_markdown).html
    except ValidationError:
        return render_markdown(revision.body_markdown)


def thread_url(comment: Comment) -> str:
    """Where a post is read: its thread's page, scrolled to it."""
    root_id = comment.root.public_id if comment.root is not None else comment.public_id
    url = reverse("social:thread", args=[root_id])
    if comment.root_id not in (None, comment.pk):
        url += f"?c={comment.public_id}"
    return f"{url}#comment-{comment.public_id}"


@dataclass(frozen=True)
class Suggestion:
    name: str
    title: str
    insert: str


def mention_suggestions(query: str) -> list[Suggestion]:
    """Active colleagues whose name starts with (or has a word starting with) the query.

    Two indexed-size queries whatever the organisation: the suggestions, then which of
    their names are shared (those insert the unambiguous ``@[Name|id]`` form).
    """
    query = " ".join(query.split())[:60]
    if not query:
        return []
    found = list(
        people.people_active()
        .filter(Q(display_name__istartswith=query) | Q(display_name__icontains=f" {query}"))
        .only("public_id", "display_name", "job_title")
        .order_by("display_name", "pk")[:AUTOCOMPLETE_MAX]
    )
    names = {p.display_name for p in found}
    shared = set(
        people.people_active()
        .filter(display_name__in=names)
        .values("display_name")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("display_name", flat=True)
    )
    return [
        Suggestion(
            name=p.display_name,
            title=p.job_title,
            insert=f"@[{p.display_name}|{p.public_id}]"
            if p.display_name in shared
            else f"@[{p.display_name}]",
        )
        for p in found
    ]


# --- Rendering and mentions ----------------------------------------------------------------

_MENTION = re.compile(r"@\[([^\[\]\n|]{1,120})(?:\|([0-9a-fA-F-]{36}))?\](?!\()")
# Fenced code blocks and inline code spans: mentions inside them stay literal text.
_CODE = re.compile(r"(```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]+`)", re.DOTALL)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


@dataclass(frozen=True)
class Rendered:
    html: str
    mentioned: list[User]


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


def _resolve_mentions(text: str) -> dict[str, User]:
    """Map each mention token in ``text`` to an active colleague, or explain why not."""
    tokens = {m.group(0): (m.group(1).strip(), m.group(2)) for m in _MENTION.finditer(text)}
    if not tokens:
        return {}
    if len(tokens) > MENTIONS_MAX:
        raise ValidationError({"body": f"Mention at most {MENTIONS_MAX} colleagues in a post."})
    names = {name.casefold() for name, _ in tokens.values()}
    ids = {pid.lower() for _, pid in tokens.values() if pid}
    query = Q(public_id__in=ids)
    for name in {name for name, _ in tokens.values()}:
        query |= Q(display_name__iexact=name)
    candidates = list(people.people_active().filter(query).only("public_id", "display_name"))
    by_id = {str(p.public_id): p for p in candidates}
    by_name: dict[str, list[User]] = {}
    for person in candidates:
        if person.display_name.casefold() in names:
            by_name.setdefault(person.display_name.casefold(), []).append(person)
    resolved: dict[str, User] = {}
    for token, (name, pid) in tokens.items():
        if pid:
            chosen = by_id.get(pid.lower())
            if chosen is None:
                raise ValidationError({"body": f"No active colleague matches “{name}”."})
            person = chosen
        else:
            matches = by_name.get(name.casefold(), [])
            if not matches:
                raise ValidationError(
                    {"body": f"No active colleague is called “{name}”: pick from the suggestions."}
                )
            if len(matches) > 1:
                raise ValidationError(
                    {
                        "body": f"Several colleagues are called “{name}”: "
                        "pick the one you mean from the suggestions."
                    }
                )
            person = matches[0]
        resolved[token] = person
    return resolved


def render_comment(source: str) -> Rendered:
    """Markdown to safe HTML, with each mention turned into a link to the person."""
    resolved = _resolve_mentions(_CODE.sub("", source))

    def link(match: re.Match[str]) -> str:
        person = resolved.get(match.group(0))
        if person is None:
            return match.group(0)
        name = _MARKDOWN_SPECIAL.sub(r"\\\1", person.display_name)
        href = reverse("people:profile", args=[person.public_id])
        return f"[@{name}]({href})"

    parts = _CODE.split(source)
    # Odd parts are code (the split keeps the captured delimiters): leave them alone.
    marked = "".join(part if i % 2 else _MENTION.sub(link, part) for i, part in enumerate(parts))
    mentioned = list({p.pk: p for p in resolved.values()}.values())
    return Rendered(html=render_markdown(marked), mentioned=mentioned)


# --- Writing -------------------------------------------------------------------------------


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


def discussion_counts(subject: Subject) -> dict[str, int]:
    """How many threads and posts a discussion has (one query), for headings."""
    row = Comment.objects.filter(**subject.lookup).aggregate(
        threads=Count("pk", filter=Q(parent=None)), posts=Count("pk")
    )
    return {"threads": row["threads"], "posts": row["posts"]}

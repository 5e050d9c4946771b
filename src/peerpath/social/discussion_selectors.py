"""Reading discussions: what a discussion is about, what a viewer may do in it, pages of
threads with their latest replies, a thread's page of replies, and mention suggestions.

A thread is a top-level post (optionally a question) with its replies; every post keeps a
pointer to its thread's first post (``root``), so a page of threads, their reply counts
and their latest replies cost a fixed number of indexed queries at any size.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.urls import reverse

from peerpath.content.rendering import render_markdown
from peerpath.core import permissions
from peerpath.people import selectors as people
from peerpath.social.discussion_rendering import render_comment
from peerpath.social.models import (
    Comment,
    CommentReaction,
    CommentRevision,
    Reaction,
)

if TYPE_CHECKING:
    from peerpath.content.models import LearningPath, Module
    from peerpath.people.models import User

THREADS_PER_PAGE = 10
REPLIES_IN_PREVIEW = 3
REPLIES_PER_PAGE = 30
HISTORY_PER_PAGE = 20
AUTOCOMPLETE_MAX = 8


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

"""The personal home feed, pulled from a fixed set of indexed sources.

Nothing is fanned out to inboxes: each page reads every source once, newest first from
the cursor, with ``LIMIT page_size + 1``; the sources are merged in one total order and
the page is cut there. A page therefore costs the same number of queries at any
organisation size, and a source's query uses the index made for it:

- activity of the people I follow (``activity_actor_idx``),
- activity of my team (``activity_team_idx``),
- modules newly Curated in the skills I follow or declare (``activity_verb_idx``),
- what was shared with me (``share_inbox_idx``),
- summaries promoted to my team, department or the organisation (``summary_audience_idx``).

Keyset cursors. The merged order is ``(at, source kind, id)`` descending, where ``at`` is
the source's own time (``created_at``, or ``promoted_at`` for summaries) and the kind is a
constant per source, so ties between sources are broken the same way on every page. The
cursor is the last item's key; each source continues strictly after it.

Relevance. Within one page, and only among items of the same day (in the reader's time
zone), items that matter more to the reader come first: +2 shared with me by name, +1
about a module in my skills, +1 from my team, +1 when three or more colleagues engaged
(likes + comments, or helpful votes on a summary). Which items make up a page is decided
by the keyset alone, so reordering inside it never skips or repeats an item.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from peerpath.core import zones
from peerpath.learning import selectors as learning
from peerpath.people import selectors as people
from peerpath.social.models import (
    Activity,
    ActivityLike,
    Audience,
    DeclaredSkill,
    Follow,
    ShareRecipient,
    SkillFollow,
    Summary,
    Verb,
    Visibility,
)

if TYPE_CHECKING:
    from peerpath.people.models import User

PAGE_SIZE = 20
ENGAGED_AT = 3
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PUBLISHED = "published"


class Kind:
    """Source kinds, in the order ties at the same instant are broken (higher first)."""

    ACTIVITY = 3
    SHARE = 2
    SUMMARY = 1


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in the merged feed: the key of the last item shown."""

    at: datetime
    kind: int
    pk: int

    def encode(self) -> str:
        micros = (self.at - _EPOCH) // timedelta(microseconds=1)
        raw = f"{micros}.{self.kind}.{self.pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str | None) -> Cursor | None:
        """The cursor in ``value``; ``None`` for a missing or malformed one (first page)."""
        if not value or len(value) > 64:
            return None
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            micros, kind, pk = (int(part) for part in raw.split("."))
            at = _EPOCH + timedelta(microseconds=micros)
        except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError):
            return None
        if kind not in (Kind.ACTIVITY, Kind.SHARE, Kind.SUMMARY) or pk < 0:
            return None
        return cls(at=at, kind=kind, pk=pk)


@dataclass
class FeedItem:
    kind: int
    at: datetime
    pk: int
    activity: Activity | None = None
    share: ShareRecipient | None = None
    summary: Summary | None = None
    relevance: int = 0
    reasons: list[str] = field(default_factory=list)
    liked: bool = False
    saved: bool = False

    @property
    def key(self) -> Cursor:
        return Cursor(at=self.at, kind=self.kind, pk=self.pk)

    @property
    def module(self) -> Any:
        if self.activity is not None:
            return self.activity.module
        if self.share is not None:
            return self.share.share.module
        if self.summary is not None:
            return self.summary.module
        return None

    @property
    def path(self) -> Any:
        if self.activity is not None:
            return self.activity.path
        if self.share is not None:
            return self.share.share.path
        return None

    @property
    def template(self) -> str:
        if self.kind == Kind.SHARE:
            return "social/feed_item_share.html"
        if self.kind == Kind.SUMMARY:
            return "social/feed_item_summary.html"
        return "social/feed_item_activity.html"


@dataclass
class FeedPage:
    items: list[FeedItem]
    next_cursor: str | None


@dataclass(frozen=True)
class Reader:
    """What the feed needs to know about its reader, read once per page."""

    user: User
    team_id: int | None
    department_id: int | None
    skill_ids: frozenset[int]


def reader_for(user: User) -> Reader:
    """The reader's team, department and skills: two queries whatever the data size."""
    department_id = None
    if user.team_id is not None:
        department_id = (
            people.teams_all().filter(pk=user.team_id).values_list("department_id", flat=True)
        ).first()
    followed = SkillFollow.objects.filter(person=user).values_list("skill_id", flat=True)
    declared = DeclaredSkill.objects.filter(person=user).values_list("skill_id", flat=True)
    skill_ids = frozenset(followed.union(declared))
    return Reader(user=user, team_id=user.team_id, department_id=department_id, skill_ids=skill_ids)


# --- Sources ---------------------------------------------------------------------------------


def _after(cursor: Cursor | None, kind: int, at_field: str) -> Q:
    """Rows of one source strictly after ``cursor`` in the merged order."""
    if cursor is None:
        return Q()
    if kind < cursor.kind:
        return Q(**{f"{at_field}__lte": cursor.at})
    if kind > cursor.kind:
        return Q(**{f"{at_field}__lt": cursor.at})
    return Q(**{f"{at_field}__lt": cursor.at}) | Q(**{at_field: cursor.at, "pk__lt": cursor.pk})


def visible_activity(reader: Reader) -> Q:
    """Activity the reader may see: by the actor's setting, and only about published
    modules and paths (an item about something withdrawn disappears with it)."""
    audience = Q(visibility=Visibility.EVERYONE) | Q(actor_id=reader.user.pk)
    if reader.team_id is not None:
        audience |= Q(visibility=Visibility.TEAM, team_id=reader.team_id)
    subject = (Q(module__isnull=True) | Q(module__status=_PUBLISHED)) & (
        Q(path__isnull=True) | Q(path__status=_PUBLISHED)
    )
    return audience & subject


# Long text of modules and paths that feed cards never show.
_MODULE_TEXT = ("body_markdown", "body_html", "quiz_source", "quiz")
_PATH_TEXT = ("description_markdown",)

# An activity source yields only the keys of its rows: the sort then carries two columns,
# and the page's rows are read once, by primary key, after the merge.
Key = tuple[datetime, int]


def _activity_keys() -> QuerySet[Activity, Key]:
    return Activity.objects.order_by("-created_at", "-id").values_list("created_at", "id")


def _activity_rows(pks: list[int]) -> dict[int, Activity]:
    rows = (
        Activity.objects.filter(pk__in=pks)
        .select_related("actor", "module", "path", "other_person")
        .defer(*(f"module__{f}" for f in _MODULE_TEXT), *(f"path__{f}" for f in _PATH_TEXT))
    )
    return {row.pk: row for row in rows}


def followed_activity(reader: Reader, cursor: Cursor | None, limit: int) -> list[Key]:
    followees = Follow.objects.filter(follower=reader.user).values("followee_id")
    rows = _activity_keys().filter(
        visible_activity(reader),
        _after(cursor, Kind.ACTIVITY, "created_at"),
        actor_id__in=followees,
    )
    return list(rows[:limit])


def team_activity(reader: Reader, cursor: Cursor | None, limit: int) -> list[Key]:
    if reader.team_id is None:
        return []
    rows = _activity_keys().filter(
        visible_activity(reader),
        _after(cursor, Kind.ACTIVITY, "created_at"),
        team_id=reader.team_id,
    )
    return list(rows[:limit])


def curated_in_skills(reader: Reader, cursor: Cursor | None, limit: int) -> list[Key]:
    """Modules newly Curated in the reader's skills. The item is about the module (its
    Curated mark is public), so it shows whatever the author's activity setting."""
    if not reader.skill_ids:
        return []
    rows = _activity_keys().filter(
        _after(cursor, Kind.ACTIVITY, "created_at"),
        verb=Verb.CURATED,
        module__status=_PUBLISHED,
        module__in=_modules_in_skills(reader.skill_ids),
    )
    return list(rows[:limit])


def _modules_in_skills(skill_ids: frozenset[int]) -> QuerySet[Any]:
    from peerpath.content.models import Module

    return Module.skills.through.objects.filter(skill_id__in=skill_ids).values("module_id")


def shared_with_me(reader: Reader, cursor: Cursor | None, limit: int) -> list[ShareRecipient]:
    rows = (
        ShareRecipient.objects.filter(
            Q(share__module__status=_PUBLISHED) | Q(share__path__status=_PUBLISHED),
            _after(cursor, Kind.SHARE, "created_at"),
            person=reader.user,
        )
        .select_related("share", "share__sender", "share__module", "share__path")
        .defer(
            *(f"share__module__{f}" for f in _MODULE_TEXT),
            *(f"share__path__{f}" for f in _PATH_TEXT),
        )
        .order_by("-created_at", "-id")
    )
    return list(rows[:limit])


def promoted_summaries(reader: Reader, cursor: Cursor | None, limit: int) -> list[Summary]:
    reach = Q(audience=Audience.ORGANISATION)
    if reader.department_id is not None:
        reach |= Q(audience=Audience.DEPARTMENT, department_id=reader.department_id)
    if reader.team_id is not None:
        reach |= Q(audience=Audience.TEAM, team_id=reader.team_id)
    rows = (
        Summary.objects.filter(
            reach,
            _after(cursor, Kind.SUMMARY, "promoted_at"),
            hidden_at__isnull=True,
            promoted_at__isnull=False,
            module__status=_PUBLISHED,
        )
        .select_related("author", "module")
        .defer(*(f"module__{f}" for f in _MODULE_TEXT))
        .order_by("-promoted_at", "-id")
    )
    return list(rows[:limit])


# --- Assembly --------------------------------------------------------------------------------


def _items(reader: Reader, cursor: Cursor | None, limit: int) -> list[FeedItem]:
    items: dict[tuple[int, int], FeedItem] = {}
    for at, pk in (
        *followed_activity(reader, cursor, limit),
        *team_activity(reader, cursor, limit),
        *curated_in_skills(reader, cursor, limit),
    ):
        items[(Kind.ACTIVITY, pk)] = FeedItem(kind=Kind.ACTIVITY, at=at, pk=pk)
    for share in shared_with_me(reader, cursor, limit):
        items[(Kind.SHARE, share.pk)] = FeedItem(
            kind=Kind.SHARE, at=share.created_at, pk=share.pk, share=share
        )
    for summary in promoted_summaries(reader, cursor, limit):
        assert summary.promoted_at is not None  # noqa: S101 - filtered above
        items[(Kind.SUMMARY, summary.pk)] = FeedItem(
            kind=Kind.SUMMARY, at=summary.promoted_at, pk=summary.pk, summary=summary
        )
    return sorted(items.values(), key=lambda item: item.key, reverse=True)


def _module_skills(module_ids: set[int], skill_ids: frozenset[int]) -> set[int]:
    """Which of these modules teach one of the reader's skills (one query)."""
    if not module_ids or not skill_ids:
        return set()
    from peerpath.content.models import Module

    return set(
        Module.skills.through.objects.filter(
            module_id__in=module_ids, skill_id__in=skill_ids
        ).values_list("module_id", flat=True)
    )


def _rank(reader: Reader, page: list[FeedItem], in_skills: set[int]) -> None:
    for item in page:
        module = item.module
        if item.share is not None:
            item.relevance += 2
            item.reasons.append("shared with you")
        if module is not None and module.pk in in_skills:
            item.relevance += 1
            item.reasons.append("in your skills")
        team_id = (
            item.activity.team_id
            if item.activity is not None
            else item.summary.team_id
            if item.summary is not None
            else None
        )
        if reader.team_id is not None and team_id == reader.team_id:
            item.relevance += 1
        engaged = (
            item.activity.like_count + item.activity.comment_count
            if item.activity is not None
            else item.summary.helpful_count
            if item.summary is not None
            else 0
        )
        if engaged >= ENGAGED_AT:
            item.relevance += 1
            item.reasons.append("popular with colleagues")


def _day_then_relevance(page: list[FeedItem], zone: Any) -> list[FeedItem]:
    """Newest day first; within a day, more relevant first, then newest."""

    def order(item: FeedItem) -> tuple[Any, int, Cursor]:
        return (timezone.localtime(item.at, zone).date(), item.relevance, item.key)

    return sorted(page, key=order, reverse=True)


def feed_page(user: User, *, after: str | None = None, page_size: int = PAGE_SIZE) -> FeedPage:
    """One page of the reader's feed after the cursor ``after`` (first page when absent).

    At most eleven queries, whatever the data size: the reader's department and skills,
    the five sources, the page's activity rows, then the reader's likes and saves and the
    page's modules in the reader's skills (each skipped when there is nothing to ask).
    """
    reader = reader_for(user)
    cursor = Cursor.decode(after)
    merged = _items(reader, cursor, page_size + 1)
    page, more = merged[:page_size], len(merged) > page_size
    next_cursor = page[-1].key.encode() if more and page else None
    activity_ids = [i.pk for i in page if i.kind == Kind.ACTIVITY]
    if activity_ids:
        rows = _activity_rows(activity_ids)
        for item in page:
            if item.kind == Kind.ACTIVITY:
                item.activity = rows.get(item.pk)
        # A row deleted between the two reads leaves the page.
        page = [i for i in page if i.kind != Kind.ACTIVITY or i.activity is not None]
    if page:
        module_ids = {i.module.pk for i in page if i.module is not None}
        liked = set(
            ActivityLike.objects.filter(person=user, activity_id__in=activity_ids).values_list(
                "activity_id", flat=True
            )
        )
        saved = set(
            learning.saved_modules(user)
            .filter(module_id__in=module_ids)
            .values_list("module_id", flat=True)
        )
        in_skills = _module_skills(module_ids, reader.skill_ids)
        for item in page:
            item.liked = item.kind == Kind.ACTIVITY and item.pk in liked
            item.saved = item.module is not None and item.module.pk in saved
        _rank(reader, page, in_skills)
        page = _day_then_relevance(page, zones.zone_named(user.time_zone))
    return FeedPage(items=page, next_cursor=next_cursor)

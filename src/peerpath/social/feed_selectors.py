"""The home feed's reads: a page of the feed, a feed item the viewer may see, its
comments, and the learning-time requests waiting for the viewer's decision."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.http import Http404

from peerpath.core import permissions
from peerpath.schedule import selectors as schedule
from peerpath.social import feed
from peerpath.social.models import Activity, ActivityComment

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from peerpath.people.models import User

# --- Feed ------------------------------------------------------------------------------------

FeedPage = feed.FeedPage
FeedItem = feed.FeedItem


def home_feed(user: User, *, after: str | None = None) -> feed.FeedPage:
    """One page of the person's home feed (a bounded number of queries at any size)."""
    return feed.feed_page(user, after=after)


def get_activity_for_user(user: User, public_id: uuid.UUID | str) -> Activity:
    """A feed item the user may see; 404 otherwise (never confirming it exists)."""
    found = (
        Activity.objects.select_related("actor", "module", "path", "other_person")
        .filter(public_id=public_id)
        .first()
    )
    if found is None or not permissions.can_see_activity(user, found):
        raise Http404("No such item.")
    return found


def activity_comments(activity: Activity) -> QuerySet[ActivityComment]:
    """A feed item's visible comments, oldest first, with their authors."""
    return (
        ActivityComment.objects.filter(activity=activity, hidden_at__isnull=True)
        .select_related("author")
        .order_by("created_at", "id")
    )


APPROVALS_SHOWN = 5


def pending_approvals(user: User) -> tuple[list[Any], bool]:
    """The first learning-time requests waiting for this person's decision (for deciders'
    feeds), and whether more wait in the full queue."""
    rows = list(schedule.approvals_queue(user)[: APPROVALS_SHOWN + 1])
    return rows[:APPROVALS_SHOWN], len(rows) > APPROVALS_SHOWN

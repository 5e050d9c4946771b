"""Each person's private iCalendar feed of approved learning blocks, so the blocks land in
Outlook or Google Calendar. The feed's address holds a random token; only its hash is kept."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

import icalendar
from django.utils import timezone

from peerpath.schedule.models import CalendarFeed, LearningTimeRequest, RequestStatus

if TYPE_CHECKING:
    from peerpath.people.models import User

# Blocks from this long ago stay in the feed, so last weeks' learning still shows.
HISTORY = timedelta(days=60)
# Calendar clients poll the feed; a cap keeps one response bounded.
FEED_MAX = 1000
PRODID = "-//Peerpath//Learning time//EN"


def _summary(request: LearningTimeRequest) -> str:
    item = request.module or request.path
    return f"Learning time: {item.title}" if item is not None else "Learning time"


def render_feed(person: User) -> bytes:
    """The person's approved blocks from 60 days ago on, times in UTC."""
    now = timezone.now()
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "Learning time")
    blocks = (
        LearningTimeRequest.objects.filter(
            person=person, status=RequestStatus.APPROVED, ends_at__gte=now - HISTORY
        )
        .select_related("module", "path")
        .order_by("starts_at", "pk")[:FEED_MAX]
    )
    for block in blocks:
        event = icalendar.Event()
        event.add("uid", f"{block.public_id}@peerpath")
        event.add("dtstamp", (block.decided_at or block.created_at).astimezone(UTC))
        event.add("dtstart", block.starts_at.astimezone(UTC))
        event.add("dtend", block.ends_at.astimezone(UTC))
        event.add("summary", _summary(block))
        if block.note:
            event.add("description", block.note)
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    feed: bytes = calendar.to_ical()
    return feed


def token_hash(token: str) -> str:
    """What is stored of a feed token: its SHA-256, so a leaked table opens no feed."""
    return hashlib.sha256(token.encode()).hexdigest()


def person_for_token(token: str) -> User | None:
    """Whose feed a token opens: an active person, or None for an unknown or revoked token."""
    digest = token_hash(token)
    feed = CalendarFeed.objects.select_related("person").filter(token_hash=digest).first()
    if feed is None or not hmac.compare_digest(feed.token_hash, digest):
        return None
    if not feed.person.is_active:
        return None
    now = timezone.now()
    # Calendar clients poll often: note the use at most once an hour.
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.person

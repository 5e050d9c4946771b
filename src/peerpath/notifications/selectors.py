"""Reading notifications: the bell's count and the person's list, newest first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core import signing
from django.core.cache import cache
from django.db.models import Q

from peerpath.notifications.models import Notification, Preference
from peerpath.notifications.services import unread_cache_key

if TYPE_CHECKING:
    from peerpath.people.models import User

# The bell counts up to this many; more shows as "99+".
UNREAD_CAP = 99
# The bell's count is kept this long between live refreshes; a new notice or a read
# forgets it at once.
UNREAD_SECONDS = 60
PAGE_SIZE = 25
_CURSOR_SALT = "peerpath.notifications.cursor"


def unread_count(person: User) -> int:
    """Unread notices, counted through the partial index and capped (a fixed cost)."""
    rows = Notification.objects.filter(recipient=person, read_at__isnull=True).values("pk")
    count = rows[: UNREAD_CAP + 1].count()
    cache.set(unread_cache_key(person.pk), count, UNREAD_SECONDS)
    return count


def unread_count_if_known(person: User) -> int | None:
    """The bell's count for the page shell, from the cache the live refresh keeps: never
    a query, so the shell costs the same on every page. None when not known yet (the
    bell then fetches it as soon as the page has loaded)."""
    count = cache.get(unread_cache_key(person.pk))
    return None if count is None else int(count)


@dataclass(frozen=True)
class NotificationPage:
    notifications: list[Notification]
    more: str  # a cursor for the next page, or "" at the end


def encode_cursor(notice: Notification) -> str:
    return signing.dumps([notice.created_at.isoformat(), notice.pk], salt=_CURSOR_SALT)


def decode_cursor(token: str) -> tuple[dt.datetime, int] | None:
    """The position a cursor stands for, or None when it is forged or malformed."""
    try:
        created, pk = signing.loads(token, salt=_CURSOR_SALT)
        return dt.datetime.fromisoformat(created), int(pk)
    except (signing.BadSignature, TypeError, ValueError):
        return None


def notifications_page(person: User, *, after: str = "") -> NotificationPage:
    """One page of the person's notices, newest first, skipping kinds they turned off in
    the bell. Keyset paging on (created_at, id): every page costs the same two queries."""
    hidden = list(
        Preference.objects.filter(person=person, in_app=False).values_list("kind", flat=True)
    )
    rows = (
        Notification.objects.filter(recipient=person)
        .exclude(kind__in=hidden)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
    position = decode_cursor(after) if after else None
    if position is not None:
        created, pk = position
        rows = rows.filter(Q(created_at__lt=created) | Q(created_at=created, id__lt=pk))
    found = list(rows[: PAGE_SIZE + 1])
    more = encode_cursor(found[PAGE_SIZE - 1]) if len(found) > PAGE_SIZE else ""
    return NotificationPage(notifications=found[:PAGE_SIZE], more=more)


def notification_for(person: User, notification_id: int) -> Notification | None:
    """One of the person's own notices (someone else's is as good as missing)."""
    return Notification.objects.filter(pk=notification_id, recipient=person).first()

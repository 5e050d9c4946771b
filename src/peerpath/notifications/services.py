"""Writing notifications. Every context notifies through ``notify``; the caller has
already decided the recipients may see what the notice is about."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from peerpath.notifications.models import EmailChoice, Kind, Notification

if TYPE_CHECKING:
    from peerpath.people.models import User

# How each kind is emailed until a person chooses otherwise.
DEFAULT_EMAIL: dict[str, str] = {
    Kind.SHARE: EmailChoice.IMMEDIATELY,
    Kind.MENTION: EmailChoice.IMMEDIATELY,
    Kind.REPLY: EmailChoice.DAILY,
    Kind.ANSWER_ACCEPTED: EmailChoice.IMMEDIATELY,
    Kind.SUMMARY_PROMOTED: EmailChoice.DAILY,
    Kind.SUMMARY_VOTED: EmailChoice.WEEKLY,
    Kind.NEW_FOLLOWER: EmailChoice.WEEKLY,
    Kind.KUDOS: EmailChoice.DAILY,
    Kind.MODERATION: EmailChoice.IMMEDIATELY,
    Kind.REPORT: EmailChoice.DAILY,
}


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    url: str,
    dedupe_key: str,
    actor: User | None = None,
    body: str = "",
) -> list[Notification]:
    """Notify each active recipient once per (kind, dedupe_key); never the actor.

    Call it inside the transaction of the cause: the notices commit or roll back with it.
    Returns the notices written (a repeated cause writes none).
    """
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    people = {
        person.pk: person
        for person in recipients
        if person.is_active and (actor is None or person.pk != actor.pk)
    }
    if not people:
        return []
    taken = set(
        Notification.objects.filter(
            recipient_id__in=people, kind=kind, dedupe_key=dedupe_key
        ).values_list("recipient_id", flat=True)
    )
    rows = [
        Notification(
            recipient=person,
            kind=kind,
            actor=actor,
            title=title[:200],
            body=body[:500],
            url=url,
            dedupe_key=dedupe_key[:200],
        )
        for pk, person in people.items()
        if pk not in taken
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return rows

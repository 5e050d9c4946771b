"""Writing notifications. Every context notifies through ``notify``; the caller has
already decided the recipients may see what the notice is about.

Each person chooses per kind whether a notice shows in the bell and whether it is
emailed at once, in a daily or weekly digest, or never (``Preference``; no row means the
kind's default). Emails go out after the cause commits, from a background task.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peerpath.notifications.models import EmailChoice, Kind, Notification, Preference

if TYPE_CHECKING:
    from peerpath.people.models import User

# Callers name a kind as ``services.Kind.SHARE`` (other contexts never import the models).
__all__ = [
    "DEFAULT_EMAIL",
    "Choice",
    "EmailChoice",
    "Kind",
    "email_unsubscribe",
    "notification_mark_read",
    "notifications_mark_all_read",
    "notify",
    "preferences_for",
    "preferences_set",
]

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


@dataclass(frozen=True)
class Choice:
    """What a person wants for one kind."""

    kind: str
    in_app: bool
    email: str

    @property
    def label(self) -> str:
        return str(Kind(self.kind).label)


def unread_cache_key(person_id: int) -> str:
    return f"peerpath:notifications-unread:{person_id}"


def forget_unread(person_ids: Iterable[int]) -> None:
    """The bell shows a fresh count on the next page after the notices changed."""
    cache.delete_many([unread_cache_key(pk) for pk in person_ids])


def choices_for(person_ids: Iterable[int], kind: str) -> dict[int, Choice]:
    """Each person's choice for ``kind`` (defaults where they chose nothing), in one query."""
    ids = list(person_ids)
    chosen = {
        p.person_id: Choice(kind=kind, in_app=p.in_app, email=p.email)
        for p in Preference.objects.filter(person_id__in=ids, kind=kind)
    }
    default = Choice(kind=kind, in_app=True, email=DEFAULT_EMAIL[kind])
    return {pk: chosen.get(pk, default) for pk in ids}


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
    A person who turned the kind off in the bell gets the notice already read (it stays
    the record of any email); one who wants neither bell nor email gets nothing. Those
    who want it emailed at once are emailed by a background task after the commit.
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
    wanted = choices_for([pk for pk in people if pk not in taken], kind)
    now = timezone.now()
    rows = [
        Notification(
            recipient=people[pk],
            kind=kind,
            actor=actor,
            title=title[:200],
            body=body[:500],
            url=url,
            dedupe_key=dedupe_key[:200],
            created_at=now,
            read_at=None if choice.in_app else now,
        )
        for pk, choice in wanted.items()
        if choice.in_app or choice.email != EmailChoice.NEVER
    ]
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    bell = [r.recipient_id for r in rows if r.read_at is None]
    at_once = [
        r.recipient_id for r in rows if wanted[r.recipient_id].email == EmailChoice.IMMEDIATELY
    ]
    transaction.on_commit(lambda: forget_unread(bell))
    if at_once:
        transaction.on_commit(
            lambda: _enqueue_at_once(kind=kind, dedupe_key=dedupe_key[:200], ids=at_once),
            robust=True,
        )
    return rows


def _enqueue_at_once(*, kind: str, dedupe_key: str, ids: list[int]) -> None:
    from peerpath.notifications import tasks

    tasks.send_at_once.enqueue(kind, dedupe_key, ids)


# --- Reading -----------------------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, person: User, notification: Notification) -> Notification:
    """Mark one of the person's own notices read (reading it twice changes nothing)."""
    if notification.recipient_id != person.pk:
        raise ValidationError("That notification is not yours.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
        transaction.on_commit(lambda: forget_unread([person.pk]))
    return notification


@transaction.atomic
def notifications_mark_all_read(*, person: User) -> int:
    """Mark every unread notice of the person read; returns how many changed."""
    changed = Notification.objects.filter(recipient=person, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    transaction.on_commit(lambda: forget_unread([person.pk]))
    return changed


# --- Preferences -------------------------------------------------------------------------


def preferences_for(person: User, kinds: Iterable[str] | None = None) -> list[Choice]:
    """The person's choice for every kind (or those given), in ``Kind`` order."""
    shown = list(Kind.values if kinds is None else kinds)
    chosen = {
        p.kind: Choice(kind=p.kind, in_app=p.in_app, email=p.email)
        for p in Preference.objects.filter(person=person, kind__in=shown)
    }
    return [
        chosen.get(kind, Choice(kind=kind, in_app=True, email=DEFAULT_EMAIL[kind]))
        for kind in Kind.values
        if kind in shown
    ]


@transaction.atomic
def preferences_set(*, person: User, choices: Iterable[Choice]) -> list[Choice]:
    """Save the person's choices; a choice equal to the default keeps no row. Taking a
    kind out of the bell marks its unread notices read."""
    items = list(choices)
    for choice in items:
        if choice.kind not in Kind.values:
            raise ValidationError(f"Unknown notification kind {choice.kind!r}.")
        if choice.email not in EmailChoice.values:
            raise ValidationError({choice.kind: f"Choose how to email “{choice.label}”."})
    silenced = [c.kind for c in items if not c.in_app]
    if silenced:
        # Notices of a kind taken out of the bell leave the list too: counting them in
        # the bell would point at notices nowhere to be seen.
        Notification.objects.filter(
            recipient=person, kind__in=silenced, read_at__isnull=True
        ).update(read_at=timezone.now())
        transaction.on_commit(lambda: forget_unread([person.pk]))
    for choice in items:
        if choice.in_app and choice.email == DEFAULT_EMAIL[choice.kind]:
            Preference.objects.filter(person=person, kind=choice.kind).delete()
            continue
        Preference.objects.update_or_create(
            person=person,
            kind=choice.kind,
            defaults={"in_app": choice.in_app, "email": choice.email},
        )
    return preferences_for(person)


@transaction.atomic
def email_unsubscribe(*, person: User, kinds: Iterable[str]) -> list[str]:
    """Stop emailing the person about ``kinds`` (the bell is left as it was); returns
    the kinds that changed. Used by the one-click link in every email."""
    changed = []
    current = {c.kind: c for c in preferences_for(person, kinds)}
    for kind, choice in current.items():
        if choice.email == EmailChoice.NEVER:
            continue
        Preference.objects.update_or_create(
            person=person,
            kind=kind,
            defaults={"in_app": choice.in_app, "email": EmailChoice.NEVER},
        )
        changed.append(kind)
    return changed

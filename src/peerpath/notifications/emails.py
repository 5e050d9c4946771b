"""Notification email: a notice at once, or the daily and weekly digests, each with a
one-click unsubscribe (RFC 8058) for what it is about.

Every email is sent from a background task. A notice is emailed at most once: the
sender locks the notice rows, re-checks ``emailed_at`` and stamps it in the transaction
that sends, so two workers (or a retry) never send the same notice twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from peerpath.core.zones import zone_named
from peerpath.notifications.models import EmailChoice, Kind, Notification, Preference
from peerpath.notifications.services import DEFAULT_EMAIL, choices_for, preferences_for

if TYPE_CHECKING:
    from peerpath.people.models import User

UNSUBSCRIBE_SALT = "peerpath.notifications.unsubscribe"
# Digests go out at this local hour: a daily one each morning, a weekly one on Monday.
DIGEST_HOUR = 7
# A digest is news: notices older than this are not dug up (say, after a preference
# changes from never), and the pending set a run scans stays small.
LOOKBACK: dict[str, dt.timedelta] = {
    EmailChoice.DAILY: dt.timedelta(days=3),
    EmailChoice.WEEKLY: dt.timedelta(days=10),
}
DIGEST_SCOPE = "digest"


# --- Unsubscribe links -------------------------------------------------------------------


@dataclass(frozen=True)
class Unsubscribe:
    """What a link unsubscribes from: one kind, or every kind sent in one digest."""

    person_public_id: str
    scope: str  # a Kind value, or "digest"
    cadence: str = ""  # for a digest: daily or weekly

    @property
    def label(self) -> str:
        if self.scope == DIGEST_SCOPE:
            return f"the {self.cadence} digest"
        return f"“{Kind(self.scope).label}”"


def unsubscribe_token(person: User, scope: str, cadence: str = "") -> str:
    """A signed token that unsubscribes ``person`` from ``scope``; it never expires (old
    emails keep working) and grants nothing else."""
    return signing.dumps(
        {"p": str(person.public_id), "s": scope, "c": cadence}, salt=UNSUBSCRIBE_SALT
    )


def read_unsubscribe_token(token: str) -> Unsubscribe | None:
    """What a token stands for, or None when it is forged, tampered with or malformed."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        found = Unsubscribe(
            person_public_id=str(data["p"]), scope=str(data["s"]), cadence=str(data["c"])
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if found.scope == DIGEST_SCOPE:
        ok = found.cadence in {EmailChoice.DAILY, EmailChoice.WEEKLY}
    else:
        ok = found.scope in Kind.values
    return found if ok else None


def unsubscribe_url(person: User, scope: str, cadence: str = "") -> str:
    token = unsubscribe_token(person, scope, cadence)
    return settings.BASE_URL + reverse("notifications:unsubscribe", args=[token])


def _message(*, person: User, subject: str, body: str, unsubscribe: str) -> EmailMessage:
    return EmailMessage(
        subject=subject,
        body=body,
        to=[person.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def _absolute(url: str) -> str:
    return settings.BASE_URL + url if url.startswith("/") else settings.BASE_URL + "/"


def _preferences_url() -> str:
    return settings.BASE_URL + reverse("notifications:preferences")


# --- At once -----------------------------------------------------------------------------


def send_at_once(*, kind: str, dedupe_key: str, recipient_ids: list[int]) -> int:
    """Email each recipient their notice of (kind, dedupe_key) if they still want it at
    once and it was not emailed yet; returns how many emails went out."""
    sent = 0
    wanted = choices_for(recipient_ids, kind)
    for person_id in sorted(recipient_ids):
        if wanted[person_id].email != EmailChoice.IMMEDIATELY:
            continue
        with transaction.atomic():
            # A retry or a second worker may hold the same notice: the lock and the
            # re-check of emailed_at send it once.
            notice = (
                Notification.objects.select_for_update(of=("self",))
                .select_related("recipient", "actor")
                .filter(
                    recipient_id=person_id,
                    kind=kind,
                    dedupe_key=dedupe_key,
                    emailed_at__isnull=True,
                )
                .first()
            )
            if notice is None or not notice.recipient.is_active or not notice.recipient.email:
                continue
            person = notice.recipient
            unsubscribe = unsubscribe_url(person, kind)
            body = render_to_string(
                "notifications/email/notice.txt",
                {
                    "person": person,
                    "notice": notice,
                    "url": _absolute(notice.url),
                    "kind_label": Kind(kind).label,
                    "unsubscribe_url": unsubscribe,
                    "preferences_url": _preferences_url(),
                    "org_name": settings.ORG_NAME,
                },
            )
            # A title is one line (a line break in a header would refuse the email).
            subject = " ".join(notice.title.split())
            message = _message(person=person, subject=subject, body=body, unsubscribe=unsubscribe)
            get_connection().send_messages([message])
            notice.emailed_at = timezone.now()
            notice.save(update_fields=["emailed_at"])
            sent += 1
    return sent


# Notices meant for email at once that did not go (say, the mail server was down) are
# retried once they are this old, for as long as they are news.
RETRY_AFTER = dt.timedelta(minutes=10)
RETRY_FOR = dt.timedelta(days=1)


def send_at_once_missed(*, now: dt.datetime | None = None) -> int:
    """Send the at-once emails whose task failed or never ran; returns how many went."""
    now = now or timezone.now()
    missed = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            created_at__gte=now - RETRY_FOR,
            created_at__lt=now - RETRY_AFTER,
        )
        .filter(_chosen_for(EmailChoice.IMMEDIATELY))
        .order_by("kind", "dedupe_key", "recipient_id")
        .values_list("kind", "dedupe_key", "recipient_id")
    )
    causes: dict[tuple[str, str], list[int]] = defaultdict(list)
    for kind, dedupe_key, person_id in missed:
        causes[(kind, dedupe_key)].append(person_id)
    return sum(
        send_at_once(kind=kind, dedupe_key=key, recipient_ids=ids)
        for (kind, key), ids in causes.items()
    )


# --- Digests -----------------------------------------------------------------------------


def digest_cutoff(cadence: str, now: dt.datetime, zone_name: str) -> dt.datetime:
    """The latest digest moment at or before ``now`` in the person's zone: today's (or
    yesterday's) DIGEST_HOUR for daily, the latest Monday's for weekly. A digest carries
    the notices from before it, so each person gets at most one per day or week."""
    local = now.astimezone(zone_named(zone_name))
    day = local.date()
    if cadence == EmailChoice.WEEKLY:
        day -= dt.timedelta(days=day.weekday())
    moment = dt.datetime.combine(day, dt.time(DIGEST_HOUR), tzinfo=local.tzinfo)
    if moment > local:
        moment -= dt.timedelta(days=7 if cadence == EmailChoice.WEEKLY else 1)
    return moment.astimezone(dt.UTC)


def digests_send(*, cadence: str, now: dt.datetime | None = None) -> int:
    """Send the ``cadence`` digest to everyone whose digest moment has passed and who has
    notices waiting for it; returns how many digests went out. Safe to run often."""
    if cadence not in LOOKBACK:
        raise ValueError(f"No digest is sent {cadence!r}.")
    now = now or timezone.now()
    since = now - LOOKBACK[cadence]
    waiting = (
        Notification.objects.filter(emailed_at__isnull=True, created_at__gte=since)
        .filter(_chosen_for(cadence))
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    for person_id in list(waiting):
        sent += _send_digest(person_id=person_id, cadence=cadence, now=now, since=since)
    return sent


def _chosen_for(cadence: str) -> Q:
    """Notices whose recipient gets their kind in the ``cadence`` digest: by their own
    choice, or by the kind's default when they made none."""
    mine = Preference.objects.filter(person_id=OuterRef("recipient_id"), kind=OuterRef("kind"))
    by_default = [kind for kind, email in DEFAULT_EMAIL.items() if email == cadence]
    return Q(Exists(mine.filter(email=cadence))) | Q(
        Q(kind__in=by_default) & ~Q(Exists(mine.exclude(email=cadence)))
    )


def _send_digest(*, person_id: int, cadence: str, now: dt.datetime, since: dt.datetime) -> int:
    person = get_user_model().objects.filter(pk=person_id, is_active=True).first()
    if person is None or not person.email:
        return 0
    kinds = [c.kind for c in preferences_for(person) if c.email == cadence]
    if not kinds:
        return 0
    cutoff = digest_cutoff(cadence, now, person.time_zone)
    with transaction.atomic():
        # Another run may be sending this person's digest: the lock and the re-check of
        # emailed_at put each notice in one digest only.
        notices = list(
            Notification.objects.select_for_update(of=("self",))
            .select_related("actor")
            .filter(
                recipient_id=person_id,
                kind__in=kinds,
                emailed_at__isnull=True,
                created_at__gte=since,
                created_at__lt=cutoff,
            )
            .order_by("kind", "-created_at", "-id")
        )
        if not notices:
            return 0
        grouped: dict[str, list[Notification]] = defaultdict(list)
        for notice in notices:
            grouped[notice.kind].append(notice)
        sections = [
            {
                "label": Kind(kind).label,
                "notices": [{"notice": n, "url": _absolute(n.url)} for n in grouped[kind]],
                "unsubscribe_url": unsubscribe_url(person, kind),
            }
            for kind in Kind.values
            if kind in grouped
        ]
        unsubscribe = unsubscribe_url(person, DIGEST_SCOPE, cadence)
        word = "daily" if cadence == EmailChoice.DAILY else "weekly"
        count = len(notices)
        subject = f"Your {word} {settings.ORG_NAME} digest: {count} notice{'s' * (count != 1)}"
        body = render_to_string(
            "notifications/email/digest.txt",
            {
                "person": person,
                "word": word,
                "sections": sections,
                "unsubscribe_url": unsubscribe,
                "preferences_url": _preferences_url(),
                "list_url": settings.BASE_URL + reverse("notifications:list"),
                "org_name": settings.ORG_NAME,
            },
        )
        message = _message(person=person, subject=subject, body=body, unsubscribe=unsubscribe)
        get_connection().send_messages([message])
        Notification.objects.filter(pk__in=[n.pk for n in notices]).update(emailed_at=now)
    return 1

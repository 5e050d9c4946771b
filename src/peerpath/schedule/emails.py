"""Learning-time email: a pending request to the people who decide it (with one-click
links), and a decision to the person who asked. Sent after the request is committed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format

from peerpath.core.zones import zone_named
from peerpath.people import selectors as people
from peerpath.schedule import links
from peerpath.schedule import selectors as schedule
from peerpath.schedule.models import LearningTimeRequest, RequestStatus

if TYPE_CHECKING:
    from peerpath.people.models import User

# Learning admins told of a request from someone with no active manager above them.
ADMINS_TOLD = 20


def deciders_for(person: User) -> list[User]:
    """Who is asked to decide: the direct manager (or the next active one up the line)
    with their delegates; learning admins when nobody in the line is active."""
    manager = person.manager
    while manager is not None and not manager.is_active:
        manager = manager.manager
    if manager is not None:
        found = [manager, *schedule.active_delegates(manager)]
    else:
        found = list(
            people.people_active().filter(is_learning_admin=True).order_by("pk")[:ADMINS_TOLD]
        )
    unique = {u.pk: u for u in found if u.pk != person.pk and u.email}
    return list(unique.values())


def when(request: LearningTimeRequest, reader: User) -> str:
    """ "Tue 3 Mar 2026, 14:00–14:30 (Europe/London)" in the reader's zone."""
    zone = zone_named(reader.time_zone)
    start, end = request.starts_at.astimezone(zone), request.ends_at.astimezone(zone)
    return f"{date_format(start, 'D j M Y')}, {start:%H:%M}–{end:%H:%M} ({zone.key})"


def alternatives(request: LearningTimeRequest, reader: User) -> list[str]:
    """The slots offered instead, in the reader's zone."""
    zone = zone_named(reader.time_zone)
    found = []
    for slot in request.alternatives:
        start = datetime.fromisoformat(slot["starts_at"]).astimezone(zone)
        end = datetime.fromisoformat(slot["ends_at"]).astimezone(zone)
        found.append(f"{date_format(start, 'D j M')}, {start:%H:%M}–{end:%H:%M}")
    return found


def _url(name: str, **kwargs: Any) -> str:
    return settings.BASE_URL + reverse(name, kwargs=kwargs or None)


def _item_title(request: LearningTimeRequest) -> str:
    item = request.module or request.path
    return item.title if item is not None else ""


def send_pending_notice(request_ids: Sequence[int]) -> int:
    """Email each decider the requests (one person's, e.g. a series) still pending, each
    with its own approve and decline links; returns how many emails went out."""
    requests = list(
        LearningTimeRequest.objects.filter(pk__in=request_ids, status=RequestStatus.PENDING)
        .select_related("person", "person__manager", "module", "path")
        .order_by("starts_at", "pk")
    )
    if not requests:
        return 0
    person = requests[0].person
    messages = []
    requester_zone = zone_named(person.time_zone)
    for decider in deciders_for(person):
        # Reasons were written in the requester's zone; say so when the decider's differs.
        same_zone = requester_zone == zone_named(decider.time_zone)
        reason_zone = "" if same_zone else requester_zone.key
        items = [
            {
                "request": r,
                "when": when(r, decider),
                "title": _item_title(r),
                "alternatives": alternatives(r, decider),
                "reason_zone": reason_zone,
                "approve_url": _url(
                    "schedule:decide_link",
                    token=links.make_decision_token(r, decider, "approve"),
                ),
                "decline_url": _url(
                    "schedule:decide_link",
                    token=links.make_decision_token(r, decider, "decline"),
                ),
            }
            for r in requests
        ]
        more = f" and {len(items) - 1} more" if len(items) > 1 else ""
        subject = f"Learning time to approve: {person.display_name}, {items[0]['when']}{more}"
        body = render_to_string(
            "schedule/email/request_pending.txt",
            {
                "decider": decider,
                "person": person,
                "items": items,
                "queue_url": _url("schedule:approvals"),
                "days": links.MAX_AGE.days,
            },
        )
        messages.append(EmailMessage(subject=subject, body=body, to=[decider.email]))
    return get_connection().send_messages(messages) or 0


def send_decision_notice(request_id: int) -> int:
    """Tell the person a manager approved or declined their request."""
    request = (
        LearningTimeRequest.objects.select_related("person", "decided_by", "module", "path")
        .filter(pk=request_id, status__in=[RequestStatus.APPROVED, RequestStatus.DECLINED])
        .first()
    )
    if request is None or not request.person.is_active or not request.person.email:
        return 0
    person = request.person
    verb = "approved" if request.status == RequestStatus.APPROVED else "declined"
    body = render_to_string(
        "schedule/email/request_decided.txt",
        {
            "person": person,
            "request": request,
            "verb": verb,
            "when": when(request, person),
            "title": _item_title(request),
            "mine_url": _url("schedule:mine"),
        },
    )
    subject = f"Learning time {verb}: {when(request, person)}"
    message = EmailMessage(subject=subject, body=body, to=[person.email])
    return get_connection().send_messages([message]) or 0

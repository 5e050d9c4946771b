"""Kudos: a colleague thanks someone with a short message.

The message is plain text: stored as typed (control characters removed, whitespace
tidied) and escaped wherever it is shown. A giver has a daily allowance so that thanks
stay meaningful and cannot be farmed for points.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from peerpath.core import events, permissions
from peerpath.core.text import one_line
from peerpath.notifications import services as notifications
from peerpath.recognition.models import Kudos

if TYPE_CHECKING:
    from peerpath.people.models import User

MAX_LENGTH = 280
KUDOS_PER_DAY = 10
RATE_WINDOW = timedelta(hours=24)


def given_recently(giver: User, *, now: datetime | None = None) -> int:
    """How many kudos ``giver`` gave in the last 24 hours (hidden ones count too)."""
    since = (now or timezone.now()) - RATE_WINDOW
    return Kudos.objects.filter(giver=giver, created_at__gt=since).count()


def check_kudos(*, giver: User, recipient: User, message: str) -> str:
    """Validate a kudos before giving it; returns the cleaned message."""
    if giver.pk == recipient.pk:
        raise ValidationError("You cannot give kudos to yourself.")
    if not recipient.is_active:
        raise ValidationError(f"{recipient.display_name} is no longer active.")
    if not permissions.can_give_kudos(giver, recipient):
        raise PermissionDenied("You cannot give kudos to this person.")
    text = one_line(message)
    if not text:
        raise ValidationError({"message": "Write a short message to say thank you."})
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            {"message": f"Keep it to {MAX_LENGTH} characters (this message has {len(text)})."}
        )
    return text


@transaction.atomic
def kudos_give(*, giver: User, recipient: User, message: str) -> Kudos:
    """Thank ``recipient``; publishes ``KudosGiven`` (which pays the recipient points)."""
    text = check_kudos(giver=giver, recipient=recipient, message=message)
    # Lock the giver's row so two kudos sent at once cannot both slip under the allowance.
    get_user_model().objects.select_for_update().filter(pk=giver.pk).first()
    if given_recently(giver) >= KUDOS_PER_DAY:
        raise ValidationError(
            f"You have given {KUDOS_PER_DAY} kudos in the last 24 hours, the most for a day. "
            "You can thank more colleagues tomorrow."
        )
    kudos = Kudos(giver=giver, recipient=recipient, message=text)
    kudos.full_clean()
    kudos.save()
    events.publish(
        events.KudosGiven(
            kudos_id=kudos.pk,
            giver_id=giver.pk,
            recipient_id=recipient.pk,
            message=text,
            at=kudos.created_at,
        )
    )
    notifications.notify(
        recipients=[recipient],
        kind=notifications.Kind.KUDOS,
        title=f"{giver.display_name} gave you kudos",
        body=text,
        url=reverse("recognition:kudos_received", args=[recipient.public_id]),
        dedupe_key=f"kudos:{kudos.public_id}",
        actor=giver,
    )
    return kudos


@transaction.atomic
def kudos_hide(*, actor: User, kudos: Kudos) -> Kudos:
    """A learning admin hides a kudos from profiles and lists (it stays in the record)."""
    permissions.require(permissions.can_hide_kudos(actor), "Only learning admins can hide kudos.")
    if kudos.hidden_at is None:
        kudos.hidden_at = timezone.now()
        kudos.hidden_by = actor
        kudos.save(update_fields=["hidden_at", "hidden_by"])
    return kudos


def kudos_by_public_id(public_id: str) -> Kudos | None:
    try:
        return Kudos.objects.select_related("recipient").get(public_id=public_id)
    except (Kudos.DoesNotExist, ValueError, ValidationError):
        return None

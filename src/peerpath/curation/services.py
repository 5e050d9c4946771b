"""Writes to quality signals: rating a module, flagging it, and closing flags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peerpath.core import permissions
from peerpath.curation.models import Flag, FlagReason, FlagStatus, Rating
from peerpath.learning import selectors as learning

if TYPE_CHECKING:
    from peerpath.content.models import Module
    from peerpath.people.models import User


@transaction.atomic
def module_rate(*, user: User, module: Module, stars: int, comment: str = "") -> Rating:
    """Rate a module 1–5 (rating again replaces the earlier rating)."""
    permissions.require(
        permissions.can_rate_module(user, module), "You cannot rate your own module."
    )
    if not learning.progress_by_module(user, [module.pk]):
        raise ValidationError("Open the module before rating it.")
    if stars not in range(1, 6):
        raise ValidationError({"stars": "Choose from one to five stars."})
    comment = comment.strip()
    if len(comment) > 1000:
        raise ValidationError({"comment": "Keep the note to the author under 1,000 characters."})
    rating, _ = Rating.objects.update_or_create(
        module=module, user=user, defaults={"stars": stars, "comment": comment}
    )
    return rating


@transaction.atomic
def module_flag(*, user: User, module: Module, reason: str, details: str) -> Flag:
    """Report a problem with a module into the moderation queue."""
    permissions.require(permissions.can_flag_module(user, module))
    if reason not in FlagReason.values:
        raise ValidationError({"reason": "Choose what is wrong."})
    details = details.strip()
    if len(details) < 10:
        raise ValidationError({"details": "Say what is wrong in a sentence or two."})
    # Lock the module's open flags by this reporter: two quick submissions make one report.
    existing = (
        Flag.objects.select_for_update()
        .filter(module=module, reporter=user, status=FlagStatus.OPEN)
        .first()
    )
    if existing is not None:
        raise ValidationError("You have already reported this module; moderators are on it.")
    flag = Flag(module=module, reporter=user, reason=reason, details=details)
    flag.full_clean()
    flag.save()
    return flag


@transaction.atomic
def flag_close(*, actor: User, flag: Flag, resolved: bool, note: str = "") -> Flag:
    """Close a flag as resolved (the module was fixed) or dismissed (nothing to fix)."""
    flag = Flag.objects.select_for_update().select_related("module").get(pk=flag.pk)
    permissions.require(permissions.can_moderate_module(actor, flag.module))
    if flag.status != FlagStatus.OPEN:
        raise ValidationError("This report is already closed.")
    flag.status = FlagStatus.RESOLVED if resolved else FlagStatus.DISMISSED
    flag.closed_by = actor
    flag.closed_at = timezone.now()
    flag.closing_note = note.strip()[:500]
    flag.save(update_fields=["status", "closed_by", "closed_at", "closing_note"])
    return flag

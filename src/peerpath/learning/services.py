"""Writes to learners' progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from peerpath.core import permissions
from peerpath.learning.models import ModuleProgress, ProgressStatus

if TYPE_CHECKING:
    from peerpath.content.models import Module
    from peerpath.people.models import User


def progress_open(*, user: User, module: Module) -> ModuleProgress:
    """Record that a learner opened a module: starts it, or refreshes "last opened"."""
    permissions.require(permissions.can_record_progress(user, module))
    now = timezone.now()
    updated = ModuleProgress.objects.filter(user=user, module=module).update(last_opened_at=now)
    if updated:
        return ModuleProgress.objects.get(user=user, module=module)
    try:
        with transaction.atomic():
            return ModuleProgress.objects.create(
                user=user, module=module, started_at=now, last_opened_at=now
            )
    except IntegrityError:
        # A second tab opened the module at the same moment; its row is as good as ours.
        return ModuleProgress.objects.get(user=user, module=module)


@transaction.atomic
def progress_complete(*, user: User, module: Module) -> ModuleProgress:
    """Mark a module completed; completing twice keeps the first completion time."""
    permissions.require(permissions.can_record_progress(user, module))
    now = timezone.now()
    progress, _ = ModuleProgress.objects.select_for_update().get_or_create(
        user=user, module=module, defaults={"started_at": now, "last_opened_at": now}
    )
    if progress.status != ProgressStatus.COMPLETED:
        progress.status = ProgressStatus.COMPLETED
        progress.completed_at = now
        progress.last_opened_at = now
        progress.save(update_fields=["status", "completed_at", "last_opened_at"])
    return progress


@transaction.atomic
def progress_record_position(
    *, user: User, module: Module, percent: int, resume_at: str
) -> ModuleProgress:
    """Record how far a learner got (a deck's furthest slide); progress never goes back.

    ``resume_at`` is kept only with a percentage at least as high as the one recorded,
    so an old tab reporting an earlier slide cannot move the learner's place back.
    """
    permissions.require(permissions.can_record_progress(user, module))
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": "Progress is a percentage from 0 to 100."})
    if len(resume_at) > 1000:
        raise ValidationError({"resume_at": "The position is too long."})
    now = timezone.now()
    # Lock the learner's row: two tabs reporting at once must not lower each other's mark.
    progress, _ = ModuleProgress.objects.select_for_update().get_or_create(
        user=user, module=module, defaults={"started_at": now, "last_opened_at": now}
    )
    if percent >= progress.percent:
        progress.percent = percent
        progress.resume_at = resume_at
        progress.save(update_fields=["percent", "resume_at"])
    return progress

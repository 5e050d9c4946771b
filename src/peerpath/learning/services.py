"""Writes to learners' progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

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

"""Writes to learners' progress."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from peerpath.core import permissions
from peerpath.learning import cmi
from peerpath.learning.models import ModuleProgress, ProgressStatus, ScormSession, SuccessStatus

if TYPE_CHECKING:
    from peerpath.content.models import Module, ScormPackage
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
def scorm_commit(
    *, user: User, module: Module, package: ScormPackage, data: object
) -> ModuleProgress:
    """Keep a package's run-time data for the learner and carry its results onto progress.

    Completion is kept once reached (with its first date), the best score and a pass are
    kept, and the package's location becomes where the learner resumes.
    """
    permissions.require(permissions.can_record_progress(user, module))
    if module.package_id != package.pk:
        raise ValidationError("This module no longer plays that package; reopen the module.")
    values = cmi.clean(data)
    now = timezone.now()
    # Lock the learner's session row, then their progress row (always in that order): two
    # commits racing (an autocommit and the final one) must not lose each other's update.
    session = _locked_scorm_session(user=user, module=module, package=package, now=now)
    session.cmi = values
    session.commit_count += 1
    session.updated_at = now
    session.save(update_fields=["cmi", "commit_count", "updated_at"])

    progress, _ = ModuleProgress.objects.select_for_update().get_or_create(
        user=user, module=module, defaults={"started_at": now, "last_opened_at": now}
    )
    result = cmi.outcome(package.standard, values)
    if result.completed and progress.status != ProgressStatus.COMPLETED:
        progress.status = ProgressStatus.COMPLETED
        progress.completed_at = now
    if result.success == SuccessStatus.PASSED or (
        result.success == SuccessStatus.FAILED and progress.success_status != SuccessStatus.PASSED
    ):
        progress.success_status = result.success
    if result.score is not None and (progress.score is None or result.score > progress.score):
        progress.score = result.score
    if result.percent is not None:
        progress.percent = max(progress.percent, result.percent)
    if progress.status == ProgressStatus.COMPLETED:
        progress.percent = 100
    progress.resume_at = result.location[:1000]
    progress.last_opened_at = now
    progress.save()
    return progress


def _locked_scorm_session(
    *, user: User, module: Module, package: ScormPackage, now: datetime
) -> ScormSession:
    try:
        with transaction.atomic():
            session, _ = ScormSession.objects.select_for_update().get_or_create(
                user=user,
                module=module,
                package=package,
                defaults={"started_at": now, "updated_at": now},
            )
    except IntegrityError:
        # The first two commits of a session arrived together; the other one made the row.
        session = ScormSession.objects.select_for_update().get(
            user=user, module=module, package=package
        )
    return session

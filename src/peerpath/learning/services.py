"""Writes to learners' progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from peerpath.content import quizzes
from peerpath.content import selectors as content
from peerpath.core import events, permissions
from peerpath.learning import cmi
from peerpath.learning.models import (
    GOAL_TARGET_MAX,
    PER_PERIOD_KINDS,
    GoalKind,
    LearningGoal,
    ModuleProgress,
    ProgressStatus,
    QuizAttempt,
    SavedModule,
    ScormSession,
    SuccessStatus,
)
from peerpath.learning.selectors import user_today

if TYPE_CHECKING:
    from peerpath.content.models import LearningPath, Module, ScormPackage
    from peerpath.people.models import User


OPEN_REFRESH = timedelta(minutes=5)


def progress_open(*, user: User, module: Module) -> ModuleProgress:
    """Record that a learner opened a module: starts it, or refreshes "last opened"."""
    permissions.require(permissions.can_record_progress(user, module))
    now = timezone.now()
    progress = ModuleProgress.objects.filter(user=user, module=module).first()
    if progress is not None:
        # Reading a module is not a write: refresh "last opened" at most every few minutes.
        if now - progress.last_opened_at >= OPEN_REFRESH:
            ModuleProgress.objects.filter(pk=progress.pk).update(last_opened_at=now)
            progress.last_opened_at = now
        return progress
    try:
        with transaction.atomic():
            progress = ModuleProgress.objects.create(
                user=user, module=module, started_at=now, last_opened_at=now
            )
            _record("launched", user, module)
            return progress
    except IntegrityError:
        # A second tab opened the module at the same moment; its row is as good as ours.
        return ModuleProgress.objects.get(user=user, module=module)


def _record(verb: str, user: User, module: Module, score: Decimal | None = None) -> None:
    """Announce a learning event; the learning record store keeps it as an xAPI statement."""
    events.publish(
        events.LearningRecorded(
            verb=verb,
            learner_public_id=str(user.public_id),
            learner_name=user.display_name,
            module_public_id=str(module.public_id),
            module_title=module.title,
            module_kind=module.kind,
            at=timezone.now(),
            score=score,
        )
    )


def _locked_progress(user: User, module: Module) -> ModuleProgress:
    """The learner's progress row, created if needed and locked until the transaction ends."""
    now = timezone.now()
    progress, _ = ModuleProgress.objects.select_for_update().get_or_create(
        user=user, module=module, defaults={"started_at": now, "last_opened_at": now}
    )
    return progress


def _mark_completed(progress: ModuleProgress) -> None:
    if progress.status != ProgressStatus.COMPLETED:
        now = timezone.now()
        progress.status = ProgressStatus.COMPLETED
        progress.completed_at = now
        progress.last_opened_at = now
        progress.percent = 100


@transaction.atomic
def progress_complete(*, user: User, module: Module) -> ModuleProgress:
    """Mark a module completed; completing twice keeps the first completion time.

    A module with quiz questions is completed by passing its quiz, not by this button.
    """
    permissions.require(permissions.can_record_progress(user, module))
    if module.quiz.get("questions"):
        raise ValidationError("Pass the quiz at the end of this module to complete it.")
    progress = _locked_progress(user, module)
    if progress.status != ProgressStatus.COMPLETED:
        _mark_completed(progress)
        progress.save(update_fields=["status", "completed_at", "last_opened_at", "percent"])
        _record("completed", user, module)
    return progress


def check_quiz_attempt(*, user: User, module: Module) -> None:
    """Raise when the learner may not take the module's quiz (again)."""
    permissions.require(permissions.can_record_progress(user, module))
    quiz = module.quiz
    if not quiz.get("questions"):
        raise ValidationError("This module has no quiz.")
    limit = quiz.get("max_attempts")
    if limit is not None:
        used = QuizAttempt.objects.filter(user=user, module=module).count()
        if used >= limit:
            raise ValidationError(
                f"You have used all {limit} attempt{'s' if limit != 1 else ''} at this quiz."
            )


@transaction.atomic
def quiz_submit(*, user: User, module: Module, answers: Mapping[str, Sequence[str]]) -> QuizAttempt:
    """Grade and record an attempt at the quiz learners see, and update progress.

    Passing completes the module. The best score stays on the learner's progress, and a
    pass is never taken back by a later, weaker attempt.
    """
    # Lock the progress row first: two tabs submitting at once must not both slip past
    # the attempt limit.
    progress = _locked_progress(user, module)
    check_quiz_attempt(user=user, module=module)
    graded = quizzes.grade(module.quiz, answers)
    version = content.shown_version_number(module)
    attempt = QuizAttempt.objects.create(
        user=user,
        module=module,
        version_number=version,
        answers={k: list(v) for k, v in answers.items()},
        results=graded.results,
        correct=graded.correct,
        total=graded.total,
        score=graded.score,
        passed=graded.passed,
        submitted_at=timezone.now(),
    )
    if progress.score is None or graded.score > progress.score:
        progress.score = graded.score
    was_completed = progress.status == ProgressStatus.COMPLETED
    if graded.passed:
        progress.success_status = SuccessStatus.PASSED
        _mark_completed(progress)
    elif progress.success_status != SuccessStatus.PASSED:
        progress.success_status = SuccessStatus.FAILED
    progress.save()
    _record("passed" if graded.passed else "failed", user, module, graded.score)
    if graded.passed and not was_completed:
        _record("completed", user, module)
    return attempt


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

    progress = _locked_progress(user, module)
    result = cmi.outcome(package.standard, values)
    before = (progress.status, progress.success_status)
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
    # The record gets each change of outcome once, not every commit of the package.
    if progress.success_status != before[1] and progress.success_status:
        _record(progress.success_status, user, module, progress.score)
    if progress.status == ProgressStatus.COMPLETED and before[0] != ProgressStatus.COMPLETED:
        _record("completed", user, module, progress.score)
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
    # Lock the learner's row: two tabs reporting at once must not lower each other's mark.
    progress = _locked_progress(user, module)
    if percent >= progress.percent:
        progress.percent = percent
        progress.resume_at = resume_at
        progress.save(update_fields=["percent", "resume_at"])
    return progress


# --- Saved for later -------------------------------------------------------------------


def saved_module_add(*, user: User, module: Module) -> SavedModule:
    """Put a module aside for later; saving it again changes nothing."""
    permissions.require(permissions.can_save_module(user, module))
    existing = SavedModule.objects.filter(user=user, module=module).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return SavedModule.objects.create(user=user, module=module, saved_at=timezone.now())
    except IntegrityError:
        # Saved from two tabs at once: the other row is the same save.
        return SavedModule.objects.get(user=user, module=module)


def saved_module_remove(*, user: User, module: Module) -> None:
    """Take a module off the learner's saved list; removing an unsaved module is a no-op.

    Allowed even once a module left the catalog, so learners can tidy their list.
    """
    permissions.require(permissions.can_view_learning_of(user, user))
    SavedModule.objects.filter(user=user, module=module).delete()


# --- Goals -----------------------------------------------------------------------------


MAX_ACTIVE_GOALS = 5


@transaction.atomic
def goal_create(
    *,
    user: User,
    kind: str,
    target: int | None = None,
    path: LearningPath | None = None,
    due_on: date | None = None,
) -> LearningGoal:
    """Set a personal goal: a pace of modules per week or month, or a path by a date."""
    permissions.require(permissions.can_view_learning_of(user, user))
    # Lock the learner's row so two tabs cannot both slip past the active-goal limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    active = LearningGoal.objects.filter(user=user, archived_at__isnull=True).count()
    if active >= MAX_ACTIVE_GOALS:
        raise ValidationError(
            f"You can have up to {MAX_ACTIVE_GOALS} goals at a time. Archive one to add another."
        )
    goal = LearningGoal(user=user, kind=kind, created_at=timezone.now())
    if kind in PER_PERIOD_KINDS:
        if target is None or not 1 <= target <= GOAL_TARGET_MAX:
            raise ValidationError(f"Choose between 1 and {GOAL_TARGET_MAX} modules.", code="target")
        goal.target = target
    elif kind == GoalKind.FINISH_PATH:
        if path is None or path.status != "published" or not permissions.can_view_path(user, path):
            raise ValidationError("Choose a published learning path.", code="path")
        if due_on is None or due_on <= user_today(user):
            raise ValidationError("Choose a finish date after today.", code="due_on")
        goal.path = path
        goal.due_on = due_on
    else:
        raise ValidationError("Choose a kind of goal.", code="kind")
    goal.full_clean()
    goal.save()
    return goal


def goal_archive(*, user: User, goal: LearningGoal) -> LearningGoal:
    """Put a goal away; only its owner may, and archiving twice keeps the first time."""
    permissions.require(permissions.can_manage_goal(user, goal))
    if goal.archived_at is None:
        goal.archived_at = timezone.now()
        goal.save(update_fields=["archived_at"])
    return goal

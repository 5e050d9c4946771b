"""Writes to learners' progress."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core import signing
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
    PathCompletion,
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


def _path_refs(module: Module) -> tuple[events.PathRef, ...]:
    """The published paths the module is a step of, as the record names them."""
    return tuple(
        events.PathRef(public_id=str(p.public_id), title=p.title)
        for p in content.published_paths_with_modules([module.pk])
    )


def _record(
    verb: str,
    user: User,
    module: Module,
    score: Decimal | None = None,
    *,
    paths: tuple[events.PathRef, ...] | None = None,
    duration_seconds: int | None = None,
    progress: int | None = None,
    registration: str | None = None,
) -> None:
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
            paths=_path_refs(module) if paths is None else paths,
            duration_seconds=duration_seconds,
            progress=progress,
            registration=registration,
        )
    )


def _complete_paths(user: User, module: Module) -> list[PathCompletion]:
    """Record each path the learner has now finished, once, and announce it.

    Called after a module's completion is saved, inside the same transaction. A path is
    finished when every published step is completed; finishing it again adds nothing.
    """
    paths = content.published_paths_with_modules([module.pk])
    if not paths:
        return []
    steps = content.path_module_ids([p.pk for p in paths])
    done_before = set(
        PathCompletion.objects.filter(user=user, path__in=paths).values_list("path_id", flat=True)
    )
    wanted = set().union(*steps.values())
    rows = ModuleProgress.objects.filter(
        user=user, status=ProgressStatus.COMPLETED, module_id__in=wanted
    ).values_list("module_id", "time_spent_seconds")
    seconds = dict(rows)
    made = []
    for path in paths:
        modules = steps[path.pk]
        if path.pk in done_before or not modules or not modules <= seconds.keys():
            continue
        try:
            with transaction.atomic():
                completion = PathCompletion.objects.create(
                    user=user, path=path, completed_at=timezone.now()
                )
        except IntegrityError:
            continue  # finished from two tabs at once: the other request recorded it
        made.append(completion)
        events.publish(
            events.PathCompleted(
                learner_public_id=str(user.public_id),
                learner_name=user.display_name,
                path_public_id=str(path.public_id),
                path_title=path.title,
                at=completion.completed_at,
                duration_seconds=sum(seconds[m] for m in modules),
            )
        )
    return made


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
        _record("completed", user, module, duration_seconds=progress.time_spent_seconds)
        _complete_paths(user, module)
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


_QUIZ_START_SALT = "peerpath.learning.quiz-start"
# The longest a quiz attempt counts for: a tab left open overnight is not learning.
QUIZ_MAX_SECONDS = 3 * 3600


def quiz_start_token(*, user: User, module: Module) -> str:
    """A signed note of when the learner was shown the questions, sent back on submit."""
    return signing.dumps(
        [user.public_id.hex, module.public_id.hex, int(timezone.now().timestamp())],
        salt=_QUIZ_START_SALT,
    )


def _quiz_seconds(token: str, user: User, module: Module, now: datetime) -> int | None:
    """Seconds from the start the token vouches for to ``now``; None if it vouches for none."""
    try:
        value = signing.loads(token, salt=_QUIZ_START_SALT, max_age=QUIZ_MAX_SECONDS * 8)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[2], int)):
        return None
    if value[:2] != [user.public_id.hex, module.public_id.hex]:
        return None
    elapsed = int(now.timestamp()) - value[2]
    return min(elapsed, QUIZ_MAX_SECONDS) if elapsed >= 0 else None


def _interaction(question: Mapping[str, Any], given: Sequence[str]) -> dict[str, Any]:
    """A quiz question as an xAPI interaction: its type, choices, right answers, response."""
    kind = question["type"]
    if kind in (quizzes.SINGLE, quizzes.MULTIPLE):
        options = question["options"]
        known = {o["id"] for o in options}
        return {
            "interaction_type": "choice",
            "choices": tuple((o["id"], o["text"]) for o in options),
            "correct_responses": ("[,]".join(o["id"] for o in options if o["correct"]),),
            "response": "[,]".join(g for g in given if g in known),
        }
    if kind == quizzes.TRUE_FALSE:
        return {
            "interaction_type": "true-false",
            "choices": (),
            "correct_responses": ("true" if question["correct"] else "false",),
            "response": given[0] if given and given[0] in ("true", "false") else "",
        }
    return {
        "interaction_type": "fill-in",
        "choices": (),
        "correct_responses": tuple(f"{{case_matters=false}}{a}" for a in question["answers"]),
        "response": given[0] if given else "",
    }


def _record_answers(
    user: User,
    module: Module,
    attempt: QuizAttempt,
    registration: str,
    paths: tuple[events.PathRef, ...],
) -> None:
    """One "answered" event per question of the attempt, for item analysis."""
    for question in module.quiz.get("questions", []):
        events.publish(
            events.QuestionAnswered(
                learner_public_id=str(user.public_id),
                learner_name=user.display_name,
                module_public_id=str(module.public_id),
                module_title=module.title,
                question_id=question["id"],
                prompt=question["prompt"],
                success=bool(attempt.results.get(question["id"])),
                registration=registration,
                at=attempt.submitted_at,
                paths=paths,
                **_interaction(question, attempt.answers.get(question["id"], [])),
            )
        )


@transaction.atomic
def quiz_submit(
    *,
    user: User,
    module: Module,
    answers: Mapping[str, Sequence[str]],
    start_token: str = "",
) -> QuizAttempt:
    """Grade and record an attempt at the quiz learners see, and update progress.

    Passing completes the module. The best score stays on the learner's progress, and a
    pass is never taken back by a later, weaker attempt. ``start_token`` (from
    ``quiz_start_token``) times the attempt; a quiz module counts that time as time spent,
    other modules count their page time instead.
    """
    # Lock the progress row first: two tabs submitting at once must not both slip past
    # the attempt limit.
    progress = _locked_progress(user, module)
    check_quiz_attempt(user=user, module=module)
    graded = quizzes.grade(module.quiz, answers)
    version = content.shown_version_number(module)
    now = timezone.now()
    duration = _quiz_seconds(start_token, user, module, now) if start_token else None
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
        submitted_at=now,
        duration_seconds=duration,
    )
    if progress.score is None or graded.score > progress.score:
        progress.score = graded.score
    was_completed = progress.status == ProgressStatus.COMPLETED
    if graded.passed:
        progress.success_status = SuccessStatus.PASSED
        _mark_completed(progress)
    elif progress.success_status != SuccessStatus.PASSED:
        progress.success_status = SuccessStatus.FAILED
    if duration and module.kind == "quiz":
        progress.time_spent_seconds += duration
    progress.save()
    # Every statement of the attempt shares one registration, so a reader can group them.
    registration = str(uuid.uuid5(uuid.NAMESPACE_URL, f"peerpath:quiz-attempt:{attempt.pk}"))
    paths = _path_refs(module)
    _record_answers(user, module, attempt, registration, paths)
    _record(
        "passed" if graded.passed else "failed",
        user,
        module,
        graded.score,
        paths=paths,
        registration=registration,
        duration_seconds=duration,
    )
    if graded.passed and not was_completed:
        _record(
            "completed",
            user,
            module,
            paths=paths,
            registration=registration,
            duration_seconds=progress.time_spent_seconds,
        )
        _complete_paths(user, module)
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
    previous = session.cmi
    last_commit = session.updated_at if session.commit_count else None
    session.cmi = values
    session.commit_count += 1
    session.updated_at = now
    session.save(update_fields=["cmi", "commit_count", "updated_at"])

    progress = _locked_progress(user, module)
    result = cmi.outcome(package.standard, values)
    before = (progress.status, progress.success_status, progress.score)
    # Before the first commit, the session began no earlier than the learner's first visit.
    since = now - (last_commit or progress.started_at)
    progress.time_spent_seconds += _scorm_seconds(package.standard, previous, values, since)
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
    changes = []
    if progress.success_status != before[1] and progress.success_status:
        changes.append(progress.success_status)
    if progress.status == ProgressStatus.COMPLETED and before[0] != ProgressStatus.COMPLETED:
        changes.append("completed")
    if not changes and progress.score != before[2]:
        changes.append("scored")
    paths = _path_refs(module) if changes else ()
    for verb in changes:
        _record(
            verb,
            user,
            module,
            progress.score,
            paths=paths,
            duration_seconds=progress.time_spent_seconds,
        )
    if "completed" in changes:
        _complete_paths(user, module)
    return progress


def _scorm_seconds(
    standard: str, previous: Mapping[str, str], values: Mapping[str, str], since: timedelta
) -> int:
    """Seconds a commit adds to the learner's time in a package.

    Packages report the session's running time. A session time that fits in the wall time
    since the last commit is a new session (all of it counts); otherwise the same session
    goes on and only its growth counts. Never more than the wall time since the last commit.
    """
    session = cmi.session_seconds(standard, values)
    if session is None:
        return 0
    gap = max(0, int(since.total_seconds()))
    if session <= gap:
        return session
    before = cmi.session_seconds(standard, previous) or 0
    return min(max(0, session - before), gap)


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
        rose = percent > progress.percent
        progress.percent = percent
        progress.resume_at = resume_at
        fields = ["percent", "resume_at"]
        now = timezone.now()
        # Like "last opened", the record hears of progress at most every few minutes (and
        # always of reaching the end), not of every slide.
        last = progress.progress_reported_at
        if rose and (percent == 100 or last is None or now - last >= OPEN_REFRESH):
            progress.progress_reported_at = now
            fields.append("progress_reported_at")
            _record("progressed", user, module, progress=percent)
        progress.save(update_fields=fields)
    return progress


# --- Time spent ------------------------------------------------------------------------

# Kinds whose page reports reading time; packages report their own, quizzes are timed.
TIMED_KINDS = ("article", "deck", "file")
HEARTBEAT_MAX_SECONDS = 60


@transaction.atomic
def progress_heartbeat(*, user: User, module: Module, seconds: int) -> ModuleProgress:
    """Add the active seconds a learner's open page reports to their time in the module.

    A beat counts for at most a minute and at most the wall time since the last counted
    beat (or since the module was started), so neither a tampered page nor two open tabs
    can add more time than has passed.
    """
    permissions.require(permissions.can_record_progress(user, module))
    if module.kind not in TIMED_KINDS:
        raise ValidationError("This kind of module records its time another way.")
    if not 0 < seconds <= 3600:
        raise ValidationError({"seconds": "Report between 1 and 3600 seconds."})
    # Lock the row: beats from two tabs must each see the other's "last beat".
    progress = _locked_progress(user, module)
    now = timezone.now()
    since = progress.last_beat_at or progress.started_at
    credit = min(seconds, HEARTBEAT_MAX_SECONDS, max(0, int((now - since).total_seconds())))
    progress.time_spent_seconds += credit
    progress.last_beat_at = now
    progress.save(update_fields=["time_spent_seconds", "last_beat_at"])
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

"""Reads of learners' progress, always in a fixed number of queries."""

from __future__ import annotations

import calendar
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format

from peerpath.content import selectors as content
from peerpath.core.zones import zone_named
from peerpath.learning.models import (
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

if TYPE_CHECKING:
    from peerpath.content.models import LearningPath, Module
    from peerpath.content.selectors import PathOutline, SectionOutline, StepOutline
    from peerpath.people.models import User


def progress_by_module(user: User, module_ids: Iterable[int]) -> dict[int, ModuleProgress]:
    """The learner's progress rows for the given modules, keyed by module id (one query)."""
    ids = list(module_ids)
    if not ids or not user.is_authenticated:
        return {}
    rows = ModuleProgress.objects.filter(user=user, module_id__in=ids)
    return {p.module_id: p for p in rows}


def progress_in_progress(user: User) -> QuerySet[ModuleProgress]:
    return (
        ModuleProgress.objects.filter(
            user=user, status=ProgressStatus.IN_PROGRESS, module__status="published"
        )
        .select_related("module")
        .order_by("-last_opened_at")
    )


def progress_completed(user: User) -> QuerySet[ModuleProgress]:
    return (
        ModuleProgress.objects.filter(user=user, status=ProgressStatus.COMPLETED)
        .select_related("module")
        .order_by("-completed_at")
    )


def learning_counts(user: User) -> dict[str, int]:
    totals = ModuleProgress.objects.filter(user=user).aggregate(
        completed=Count("id", filter=Q(status=ProgressStatus.COMPLETED)),
        in_progress=Count(
            "id", filter=Q(status=ProgressStatus.IN_PROGRESS, module__status="published")
        ),
    )
    return {k: int(v or 0) for k, v in totals.items()}


def team_learning(people: Iterable[User]) -> list[User]:
    """Annotate a page of people with completed / in-progress counts and last activity.

    Takes an already paginated list so the aggregation touches only those people's rows,
    however large the reporting line behind the page.
    """
    people = list(people)
    stats = {
        row["user_id"]: row
        for row in ModuleProgress.objects.filter(user__in=[p.pk for p in people])
        .values("user_id")
        .annotate(
            completed=Count("id", filter=Q(status=ProgressStatus.COMPLETED)),
            in_progress=Count("id", filter=Q(status=ProgressStatus.IN_PROGRESS)),
            last=Max("last_opened_at"),
        )
    }
    for person in people:
        row = stats.get(person.pk, {})
        person.completed_count = row.get("completed", 0)  # type: ignore[attr-defined]
        person.in_progress_count = row.get("in_progress", 0)  # type: ignore[attr-defined]
        person.last_activity = row.get("last")  # type: ignore[attr-defined]
    return people


def module_completion_count(module_id: int) -> int:
    return ModuleProgress.objects.filter(
        module_id=module_id, status=ProgressStatus.COMPLETED
    ).count()


@dataclass(frozen=True)
class QuizState:
    """Where a learner stands with a module's quiz, and the questions in their order."""

    questions: list[dict[str, Any]]
    pass_mark: int
    max_attempts: int | None
    attempts_used: int
    best_score: Decimal | None
    passed: bool
    last_attempt: QuizAttempt | None

    @property
    def attempts_left(self) -> int | None:
        return None if self.max_attempts is None else max(0, self.max_attempts - self.attempts_used)

    @property
    def can_attempt(self) -> bool:
        return self.attempts_left != 0


def _shuffled(items: list[dict[str, Any]], seed: str) -> list[dict[str, Any]]:
    """A stable per-learner, per-attempt order: reloading the page keeps it."""
    return sorted(items, key=lambda item: hashlib.sha256(f"{seed}:{item['id']}".encode()).digest())


def quiz_state(user: User, module: Module) -> QuizState | None:
    quiz = module.quiz
    if not quiz.get("questions"):
        return None
    attempts = list(
        QuizAttempt.objects.filter(user=user, module=module).only(
            "score", "passed", "results", "answers", "correct", "total", "submitted_at"
        )
    )
    questions = [dict(q) for q in quiz["questions"]]
    if quiz.get("shuffle"):
        seed = f"{user.pk}:{module.pk}:{len(attempts)}"
        questions = _shuffled(questions, seed)
        for q in questions:
            if "options" in q:
                q["options"] = _shuffled(list(q["options"]), seed)
    return QuizState(
        questions=questions,
        pass_mark=int(quiz.get("pass_mark", 0)),
        max_attempts=quiz.get("max_attempts"),
        attempts_used=len(attempts),
        best_score=max((a.score for a in attempts), default=None),
        passed=any(a.passed for a in attempts),
        last_attempt=attempts[0] if attempts else None,
    )


@dataclass(frozen=True)
class AnswerReview:
    question: dict[str, Any]
    right: bool
    given: list[str]
    feedback: list[str]
    # The right answer, shown once the learner passed or has no attempts left.
    solution: str


def quiz_review(state: QuizState, attempt: QuizAttempt) -> list[AnswerReview]:
    """What the learner answered in an attempt, question by question, with feedback."""
    reveal = state.passed or not state.can_attempt
    rows = []
    for q in state.questions:
        given_raw = attempt.answers.get(q["id"], [])
        feedback = []
        if q["type"] in ("single", "multiple"):
            options = {o["id"]: o for o in q["options"]}
            chosen = [options[g] for g in given_raw if g in options]
            given = [o["text"] for o in chosen]
            feedback = [o["feedback"] for o in chosen if o.get("feedback")]
            solution = ", ".join(o["text"] for o in q["options"] if o["correct"])
        elif q["type"] == "true_false":
            given = [g.capitalize() for g in given_raw[:1]]
            solution = "True" if q["correct"] else "False"
        else:
            given = list(given_raw[:1])
            solution = " or ".join(q["answers"])
        if q.get("feedback"):
            feedback.append(q["feedback"])
        rows.append(
            AnswerReview(
                question=q,
                right=bool(attempt.results.get(q["id"])),
                given=given,
                feedback=feedback,
                solution=solution if reveal else "",
            )
        )
    return rows


def scorm_saved_data(user: User, module_id: int, package_id: int) -> dict[str, str]:
    """The run-time data the learner's last session of this package committed, if any."""
    row = (
        ScormSession.objects.filter(user=user, module_id=module_id, package_id=package_id)
        .values_list("cmi", flat=True)
        .first()
    )
    return dict(row) if isinstance(row, dict) else {}


@dataclass(frozen=True)
class StepPosition:
    """One step as a learner sees it: their status, and what it waits for."""

    item: StepOutline
    status: str  # "not_started", "in_progress" or "completed"
    waiting_for: list[str]  # titles of prerequisites not completed yet
    is_next: bool

    @property
    def locked(self) -> bool:
        return bool(self.waiting_for)

    @property
    def linked(self) -> bool:
        """Locked steps the learner has not opened stay unlinked, so the order is clear."""
        return not self.locked or self.status != "not_started"


@dataclass(frozen=True)
class PathPosition:
    sections: list[tuple[SectionOutline, list[StepPosition]]]
    done: int
    total: int
    next: StepPosition | None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def path_position(user: User, outline: PathOutline) -> PathPosition:
    """Where the learner is in a path: per-step status, locks and the next step (one query).

    The next step is the first one not completed whose prerequisites are all completed.
    """
    items = outline.steps
    progress = progress_by_module(user, (s.step.module_id for s in items))

    def status_of(module_id: int) -> str:
        row = progress.get(module_id)
        if row is None:
            return "not_started"
        return "completed" if row.status == ProgressStatus.COMPLETED else "in_progress"

    completed = {s.step.pk for s in items if status_of(s.step.module_id) == "completed"}
    next_id = next(
        (
            s.step.pk
            for s in items
            if s.step.pk not in completed and all(p.pk in completed for p in s.prerequisites)
        ),
        None,
    )
    sections = []
    chosen: StepPosition | None = None
    for section in outline.sections:
        rows = []
        for s in section.steps:
            row = StepPosition(
                item=s,
                status=status_of(s.step.module_id),
                waiting_for=[]
                if s.step.pk in completed
                else [p.module.title for p in s.prerequisites if p.pk not in completed],
                is_next=s.step.pk == next_id,
            )
            chosen = row if row.is_next else chosen
            rows.append(row)
        sections.append((section, rows))
    return PathPosition(sections=sections, done=len(completed), total=len(items), next=chosen)


@dataclass(frozen=True)
class PathProgress:
    """A learner's standing in one path, for My learning."""

    path: LearningPath
    done: int
    total: int
    time_spent_seconds: int
    completed_at: datetime | None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_completed(self) -> bool:
        return self.total > 0 and self.done >= self.total


@dataclass(frozen=True)
class PathsProgress:
    in_progress: list[PathProgress]
    completed: list[PathProgress]


def paths_progress(user: User, *, limit: int = 50) -> PathsProgress:
    """The published paths the learner has started, split into in progress and completed.

    A path's time is the sum of the time spent in its steps. Four queries, whatever the
    number of paths (at most ``limit`` of them).
    """
    started = ModuleProgress.objects.filter(user=user).values_list("module_id", flat=True)
    paths = content.published_paths_with_modules(started, limit=limit)
    if not paths:
        return PathsProgress([], [])
    steps = content.path_module_ids([p.pk for p in paths])
    wanted = set().union(*steps.values())
    rows = {
        module_id: (status, seconds)
        for module_id, status, seconds in ModuleProgress.objects.filter(
            user=user, module_id__in=wanted
        ).values_list("module_id", "status", "time_spent_seconds")
    }
    finished = dict(
        PathCompletion.objects.filter(user=user, path__in=paths).values_list(
            "path_id", "completed_at"
        )
    )
    result = PathsProgress([], [])
    for path in paths:
        modules = steps[path.pk]
        mine = [rows[m] for m in modules if m in rows]
        if not mine:
            continue
        standing = PathProgress(
            path=path,
            done=sum(1 for status, _ in mine if status == ProgressStatus.COMPLETED),
            total=len(modules),
            time_spent_seconds=sum(seconds for _, seconds in mine),
            completed_at=finished.get(path.pk),
        )
        (result.completed if standing.is_completed else result.in_progress).append(standing)
    result.in_progress.sort(key=lambda p: (-p.percent, p.path.title))
    result.completed.sort(key=lambda p: p.path.title)
    return result


# --- Saved for later and goals ---------------------------------------------------------


def saved_modules(user: User) -> QuerySet[SavedModule]:
    """Saved modules still in the catalog, newest first, each marked when already completed.

    Completed ones stay on the list (a learner may have saved one to revisit) but say so.
    """
    done = ModuleProgress.objects.filter(
        user=OuterRef("user"), module=OuterRef("module"), status=ProgressStatus.COMPLETED
    )
    return (
        SavedModule.objects.filter(user=user, module__status="published")
        .select_related("module")
        .annotate(completed=Exists(done))
        .order_by("-saved_at", "-id")
    )


def is_saved(user: User, module_id: int) -> bool:
    return SavedModule.objects.filter(user=user, module_id=module_id).exists()


def get_goal_for_user(user: User, public_id: uuid.UUID | str) -> LearningGoal:
    """One of the learner's own active goals; anyone else's is simply not found."""
    try:
        return LearningGoal.objects.get(public_id=public_id, user=user, archived_at__isnull=True)
    except (LearningGoal.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No such goal.") from exc


def user_today(user: User) -> date:
    """Today's date where the learner is."""
    return timezone.now().astimezone(zone_named(user.time_zone)).date()


@dataclass(frozen=True)
class GoalStanding:
    """How a learner stands against one goal, ready for the page."""

    goal: LearningGoal
    done: int
    total: int
    text: str
    # "met", "on_track", "behind" or "overdue".
    state: str
    days_left: int | None = None

    @property
    def title(self) -> str:
        goal = self.goal
        if goal.kind == GoalKind.FINISH_PATH and goal.path is not None and goal.due_on:
            return f"Finish “{goal.path.title}” by {date_format(goal.due_on, 'j M Y')}"
        per = "week" if goal.kind == GoalKind.MODULES_PER_WEEK else "month"
        return f"Complete {goal.target} module{pluralize(goal.target)} a {per}"

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0

    @property
    def on_track(self) -> bool:
        return self.state in ("met", "on_track")

    @property
    def state_label(self) -> str:
        return {
            "met": "Achieved",
            "on_track": "On track",
            "behind": "Behind",
            "overdue": "Overdue",
        }[self.state]


def _pace_state(done: int, total: int, elapsed: int, span: int) -> str:
    """Met, or on track when done keeps up with the share of the period gone by."""
    if total and done >= total:
        return "met"
    return "on_track" if done * span >= total * (elapsed - 1) else "behind"


def _period_standing(goal: LearningGoal, done: int, today: date) -> GoalStanding:
    target = goal.target or 0
    if goal.kind == GoalKind.MODULES_PER_WEEK:
        elapsed, span, label = today.isoweekday(), 7, "this week"
    else:
        elapsed = today.day
        span = calendar.monthrange(today.year, today.month)[1]
        label = "this month"
    return GoalStanding(
        goal=goal,
        done=done,
        total=target,
        text=f"{done} of {target} {label}",
        state=_pace_state(done, target, elapsed, span),
    )


def _path_standing(
    goal: LearningGoal, due: date, done: int, total: int, today: date
) -> GoalStanding:
    days_left = (due - today).days
    steps = f"{done} of {total} module{pluralize(total)}"
    if total and done >= total:
        return GoalStanding(goal, done, total, f"{steps} · finished", "met", days_left)
    if days_left < 0:
        late = -days_left
        return GoalStanding(
            goal, done, total, f"{steps} · overdue by {late} day{pluralize(late)}", "overdue"
        )
    when = "due today" if days_left == 0 else f"{days_left} day{pluralize(days_left)} left"
    start = min(goal.created_at.date(), today)
    span = max(1, (due - start).days + 1)
    elapsed = (today - start).days + 1
    state = _pace_state(done, total, elapsed, span)
    return GoalStanding(goal, done, total, f"{steps} · {when}", state, days_left)


def goal_standings(user: User, today: date | None = None) -> list[GoalStanding]:
    """Each active goal with the learner's progress against it, in at most four queries.

    Weeks (ISO, Monday first) and months follow the learner's own time zone, so a module
    finished late on Sunday evening counts for the week the learner was living in.
    """
    zone = zone_named(user.time_zone)
    today = today or timezone.now().astimezone(zone).date()
    goals = list(
        LearningGoal.objects.filter(user=user, archived_at__isnull=True)
        .select_related("path")
        .order_by("created_at", "id")
    )
    if not goals:
        return []
    week_start = today - timedelta(days=today.weekday())
    month_start = today.replace(day=1)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=zone)

    week = (midnight(week_start), midnight(week_start + timedelta(days=7)))
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    month = (midnight(month_start), midnight(next_month))
    counts = {"week": 0, "month": 0}
    if any(g.kind in PER_PERIOD_KINDS for g in goals):
        totals = ModuleProgress.objects.filter(
            user=user, status=ProgressStatus.COMPLETED
        ).aggregate(
            week=Count("id", filter=Q(completed_at__gte=week[0], completed_at__lt=week[1])),
            month=Count("id", filter=Q(completed_at__gte=month[0], completed_at__lt=month[1])),
        )
        counts = {k: int(v or 0) for k, v in totals.items()}
    path_ids = [g.path_id for g in goals if g.path_id is not None]
    path_modules = content.path_module_ids(path_ids)
    wanted = set().union(*path_modules.values()) if path_modules else set()
    completed = (
        set(
            ModuleProgress.objects.filter(
                user=user, status=ProgressStatus.COMPLETED, module_id__in=wanted
            ).values_list("module_id", flat=True)
        )
        if wanted
        else set()
    )
    standings = []
    for goal in goals:
        if goal.kind == GoalKind.MODULES_PER_WEEK:
            standings.append(_period_standing(goal, counts["week"], today))
        elif goal.kind == GoalKind.MODULES_PER_MONTH:
            standings.append(_period_standing(goal, counts["month"], today))
        elif goal.path_id is not None and goal.due_on is not None:
            modules = path_modules.get(goal.path_id, set())
            done = len(modules & completed)
            standings.append(_path_standing(goal, goal.due_on, done, len(modules), today))
    return standings


def completed_modules(user_ids: Iterable[int], module_ids: Iterable[int]) -> set[tuple[int, int]]:
    """The (learner id, module id) pairs among these that are completed, in one query.

    Other contexts (learning time's usage) ask whether the module a block was for got done.
    """
    users, modules = set(user_ids), set(module_ids)
    if not users or not modules:
        return set()
    rows = ModuleProgress.objects.filter(
        user_id__in=users, module_id__in=modules, status=ProgressStatus.COMPLETED
    ).values_list("user_id", "module_id")
    return set(rows)


@dataclass(frozen=True)
class ModuleStanding:
    """A learner's standing in one module as other contexts weigh it (certifications):
    completion, the best assessment result, and when they last came back to it."""

    module_id: int
    completed_at: datetime | None
    success_status: str
    score: Decimal | None
    last_opened_at: datetime | None
    # The latest passing quiz attempt: a pass is kept, so a newer one shows fresh practice.
    last_passed_at: datetime | None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    @property
    def failed(self) -> bool:
        return self.success_status == SuccessStatus.FAILED


def module_standings(user: User, module_ids: Iterable[int]) -> dict[int, ModuleStanding]:
    """The learner's standing in each of the given modules they opened (two queries)."""
    ids = set(module_ids)
    if not ids:
        return {}
    passed = dict(
        QuizAttempt.objects.filter(user=user, module_id__in=ids, passed=True)
        .values("module_id")
        .annotate(last=Max("submitted_at"))
        .values_list("module_id", "last")
    )
    rows = ModuleProgress.objects.filter(user=user, module_id__in=ids).values_list(
        "module_id", "status", "completed_at", "success_status", "score", "last_opened_at"
    )
    return {
        module_id: ModuleStanding(
            module_id=module_id,
            completed_at=completed_at if status == ProgressStatus.COMPLETED else None,
            success_status=success,
            score=score,
            last_opened_at=opened,
            last_passed_at=passed.get(module_id),
        )
        for module_id, status, completed_at, success, score, opened in rows
    }


def path_completions(user: User, path_ids: Iterable[int]) -> dict[int, datetime]:
    """When the learner finished each of the given paths they finished (one query)."""
    ids = set(path_ids)
    if not ids:
        return {}
    return dict(
        PathCompletion.objects.filter(user=user, path_id__in=ids).values_list(
            "path_id", "completed_at"
        )
    )


def learners_who_completed(module_ids: Iterable[int]) -> QuerySet[ModuleProgress, int]:
    """Ids of the learners who completed any of the given modules (a subquery, unevaluated)."""
    return (
        ModuleProgress.objects.filter(
            module_id__in=set(module_ids), status=ProgressStatus.COMPLETED
        )
        .values_list("user_id", flat=True)
        .distinct()
    )

"""Learners' progress through modules."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class ProgressStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class SuccessStatus(models.TextChoices):
    UNKNOWN = "", "Not assessed"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"


class ModuleProgress(models.Model):
    """One learner's state in one module; created when they first open it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_progress"
    )
    module = models.ForeignKey("content.Module", on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(
        max_length=12, choices=ProgressStatus.choices, default=ProgressStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField()
    last_opened_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    # How far through the module the learner is (slides seen, SCORM progress measure).
    percent = models.PositiveSmallIntegerField(default=0)
    # Best assessment result so far: a quiz's or a SCORM package's, as a percentage.
    success_status = models.CharField(
        max_length=6, choices=SuccessStatus.choices, default=SuccessStatus.UNKNOWN, blank=True
    )
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    # Where to resume: a slide number, or the SCORM package's lesson location.
    resume_at = models.CharField(max_length=1000, blank=True)
    # Active time in the module: page heartbeats, SCORM session time, quiz attempts.
    time_spent_seconds = models.PositiveIntegerField(default=0)
    # The last heartbeat counted, so a beat is credited at most the time since the one before.
    last_beat_at = models.DateTimeField(null=True, blank=True)
    # When the record last got a "progressed" statement, so slide changes are not each one.
    progress_reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="progress_unique_user_module"),
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="progress_percent_max_100"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | models.Q(completed_at__isnull=False),
                name="progress_completed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "status", "-last_opened_at"], name="progress_user_idx"),
            models.Index(fields=["module", "status"], name="progress_module_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.module_id} · {self.status}"


class QuizAttempt(models.Model):
    """One submitted attempt at a module's quiz, graded against the version taken."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    module = models.ForeignKey(
        "content.Module", on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    version_number = models.PositiveIntegerField()
    # Question id -> the learner's answer; and question id -> graded outcome.
    answers = models.JSONField(default=dict)
    results = models.JSONField(default=dict)
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    score = models.DecimalField(max_digits=5, decimal_places=2)
    passed = models.BooleanField()
    submitted_at = models.DateTimeField()
    # From showing the questions to submitting them; None when the start is not known.
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["user", "module", "-submitted_at"], name="quizattempt_user_idx")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.module_id} · {self.score}%"


class ScormSession(models.Model):
    """A learner's SCORM run-time data for one package, kept so they can resume."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scorm_sessions"
    )
    module = models.ForeignKey(
        "content.Module", on_delete=models.CASCADE, related_name="scorm_sessions"
    )
    package = models.ForeignKey(
        "content.ScormPackage", on_delete=models.CASCADE, related_name="sessions"
    )
    # The run-time's CMI data model as the package last committed it.
    cmi = models.JSONField(default=dict)
    commit_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "package"], name="scormsession_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.package_id}"


class PathCompletion(models.Model):
    """A learner finished every step of a path; kept once, with the moment they did."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="path_completions"
    )
    path = models.ForeignKey(
        "content.LearningPath", on_delete=models.CASCADE, related_name="completions"
    )
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "path"], name="pathcompletion_unique"),
        ]
        indexes = [models.Index(fields=["user", "-completed_at"], name="pathcompletion_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.path_id}"


class SavedModule(models.Model):
    """A module a learner put aside to come back to."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_modules"
    )
    module = models.ForeignKey("content.Module", on_delete=models.CASCADE, related_name="saves")
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="saved_unique_user_module"),
        ]
        indexes = [models.Index(fields=["user", "-saved_at"], name="saved_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.module_id}"


class GoalKind(models.TextChoices):
    MODULES_PER_WEEK = "modules_per_week", "Modules a week"
    MODULES_PER_MONTH = "modules_per_month", "Modules a month"
    FINISH_PATH = "finish_path", "Finish a path by a date"


GOAL_TARGET_MAX = 50
PER_PERIOD_KINDS = (GoalKind.MODULES_PER_WEEK, GoalKind.MODULES_PER_MONTH)


class LearningGoal(models.Model):
    """A target a learner set themselves: a pace of modules, or a path finished by a date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_goals"
    )
    kind = models.CharField(max_length=20, choices=GoalKind.choices)
    # Modules to complete each period, for the per-week and per-month kinds.
    target = models.PositiveSmallIntegerField(null=True, blank=True)
    path = models.ForeignKey(
        "content.LearningPath",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="goals",
    )
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind__in=PER_PERIOD_KINDS,
                        target__gte=1,
                        target__lte=GOAL_TARGET_MAX,
                        path__isnull=True,
                        due_on__isnull=True,
                    )
                    | models.Q(
                        kind=GoalKind.FINISH_PATH,
                        target__isnull=True,
                        path__isnull=False,
                        due_on__isnull=False,
                    )
                ),
                name="goal_kind_has_its_fields",
            ),
        ]
        indexes = [models.Index(fields=["user", "archived_at"], name="goal_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.kind}"

    @property
    def is_active(self) -> bool:
        return self.archived_at is None

"""Learners' progress through modules."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.formats import date_format


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


# --- Assignments -----------------------------------------------------------------------


class AssignmentAudience(models.TextChoices):
    PERSON = "person", "A person"
    TEAM = "team", "A team"
    JOB_ROLE = "job_role", "A job role"
    NEW_HIRES = "new_hires", "New hires in a job role"


class DueRule(models.TextChoices):
    FIXED = "fixed", "On a date"
    AFTER_ASSIGNMENT = "after_assignment", "Days after being assigned"
    AFTER_HIRE = "after_hire", "Days after the hire date"


DUE_DAYS_MAX = 365
REMINDER_DAYS_MAX = 30


class Assignment(models.Model):
    """A module or path that a learning admin or manager asks an audience to complete.

    A team, job role or new-hire audience is a rule, not a list: people who join it later
    get the assignment too. ``scope_manager`` is set when a manager assigned: the audience
    then covers only the people below that manager in the reporting line.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    module = models.ForeignKey(
        "content.Module", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    path = models.ForeignKey(
        "content.LearningPath", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    audience = models.CharField(max_length=12, choices=AssignmentAudience.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    job_role = models.ForeignKey(
        "people.JobRole", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # New hires are people with the job role hired on or after this date.
    new_hires_since = models.DateField(null=True, blank=True)
    scope_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    due_rule = models.CharField(max_length=16, choices=DueRule.choices)
    due_on = models.DateField(null=True, blank=True)
    due_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # Email a reminder this many days before the due date; none when empty.
    reminder_days = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments_made"
    )
    created_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(module__isnull=False, path__isnull=True)
                | models.Q(module__isnull=True, path__isnull=False),
                name="assignment_one_item",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    audience=AssignmentAudience.PERSON,
                    person__isnull=False,
                    team__isnull=True,
                    job_role__isnull=True,
                    new_hires_since__isnull=True,
                )
                | models.Q(
                    audience=AssignmentAudience.TEAM,
                    person__isnull=True,
                    team__isnull=False,
                    job_role__isnull=True,
                    new_hires_since__isnull=True,
                )
                | models.Q(
                    audience=AssignmentAudience.JOB_ROLE,
                    person__isnull=True,
                    team__isnull=True,
                    job_role__isnull=False,
                    new_hires_since__isnull=True,
                )
                | models.Q(
                    audience=AssignmentAudience.NEW_HIRES,
                    person__isnull=True,
                    team__isnull=True,
                    job_role__isnull=False,
                    new_hires_since__isnull=False,
                ),
                name="assignment_one_target",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    due_rule=DueRule.FIXED, due_on__isnull=False, due_days__isnull=True
                )
                | models.Q(
                    due_rule=DueRule.AFTER_ASSIGNMENT,
                    due_on__isnull=True,
                    due_days__lte=DUE_DAYS_MAX,
                )
                | models.Q(
                    due_rule=DueRule.AFTER_HIRE,
                    audience=AssignmentAudience.NEW_HIRES,
                    due_on__isnull=True,
                    due_days__lte=DUE_DAYS_MAX,
                ),
                name="assignment_due_rule_fields",
            ),
            models.CheckConstraint(
                condition=models.Q(reminder_days__isnull=True)
                | models.Q(reminder_days__gte=1, reminder_days__lte=REMINDER_DAYS_MAX),
                name="assignment_reminder_days_range",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | models.Q(withdrawn_reason__gt=""),
                name="assignment_withdrawn_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="assignment_recent_idx"),
            models.Index(
                fields=["created_by", "-created_at", "-id"], name="assignment_creator_idx"
            ),
            # Live audience rules, looked up whenever people join or move.
            models.Index(
                fields=["audience", "team", "job_role"],
                name="assignment_live_audience_idx",
                condition=models.Q(withdrawn_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} · {self.audience}"

    @property
    def item_title(self) -> str:
        item = self.module if self.module_id else self.path
        return getattr(item, "title", "")

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def audience_label(self) -> str:
        """Who it is for, in words (the related person, team or role must be loaded)."""
        if self.audience == AssignmentAudience.PERSON:
            return getattr(self.person, "display_name", "")
        if self.audience == AssignmentAudience.TEAM:
            return f"Team {self.team}"
        if self.audience == AssignmentAudience.JOB_ROLE:
            return f"Everyone who is {self.job_role}"
        since = date_format(self.new_hires_since, "j M Y") if self.new_hires_since else ""
        return f"New hires who are {self.job_role} (hired from {since})"

    @property
    def due_label(self) -> str:
        if self.due_rule == DueRule.FIXED and self.due_on is not None:
            return f"By {date_format(self.due_on, 'j M Y')}"
        days = f"{self.due_days} day{'' if self.due_days == 1 else 's'}"
        if self.due_rule == DueRule.AFTER_HIRE:
            return f"{days} after the hire date"
        return f"{days} after being assigned"


class AssignedStatus(models.TextChoices):
    COMPLETED = "completed", "Completed"
    OVERDUE = "overdue", "Overdue"
    IN_PROGRESS = "in_progress", "In progress"
    NOT_STARTED = "not_started", "Not started"
    REMOVED = "removed", "Withdrawn"


class PersonAssignment(models.Model):
    """One person's copy of an assignment, with their own due date and progress.

    Materialised so My learning, the counts and the reminders read one indexed table.
    ``due_at`` is the moment the work becomes overdue: midnight after ``due_on`` where the
    person is. ``removed_at`` is set when the assignment no longer applies to them (it was
    withdrawn, or they left its audience) before they completed it.
    """

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="people")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assigned_learning"
    )
    assigned_at = models.DateTimeField()
    due_on = models.DateField()
    due_at = models.DateTimeField()
    remind_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # When the person was told it was assigned to them (again, after coming back).
    assigned_notice_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    overdue_notice_sent_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "person"], name="personassignment_unique"
            ),
        ]
        indexes = [
            # My learning: a person's open assignments by due date.
            models.Index(
                fields=["person", "due_at"],
                name="personassign_mine_idx",
                condition=models.Q(removed_at__isnull=True),
            ),
            # The reminder and overdue sweeps read only rows still waiting for a message.
            models.Index(
                fields=["remind_at"],
                name="personassign_remind_idx",
                condition=models.Q(
                    reminder_sent_at__isnull=True,
                    completed_at__isnull=True,
                    removed_at__isnull=True,
                    remind_at__isnull=False,
                ),
            ),
            models.Index(
                fields=["assigned_at"],
                name="personassign_notice_idx",
                condition=models.Q(
                    assigned_notice_sent_at__isnull=True,
                    completed_at__isnull=True,
                    removed_at__isnull=True,
                ),
            ),
            models.Index(
                fields=["due_at"],
                name="personassign_overdue_idx",
                condition=models.Q(
                    overdue_notice_sent_at__isnull=True,
                    completed_at__isnull=True,
                    removed_at__isnull=True,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} · {self.person_id}"

    def status_at(self, now: datetime) -> str:
        if self.completed_at is not None:
            return AssignedStatus.COMPLETED
        if self.removed_at is not None:
            return AssignedStatus.REMOVED
        if self.due_at <= now:
            return AssignedStatus.OVERDUE
        if self.started_at is not None:
            return AssignedStatus.IN_PROGRESS
        return AssignedStatus.NOT_STARTED

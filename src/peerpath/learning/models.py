"""Learners' progress through modules."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ProgressStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


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

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="progress_unique_user_module"),
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

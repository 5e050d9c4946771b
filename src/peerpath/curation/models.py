"""Quality signals on modules: learners' ratings and flags for moderation."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Rating(models.Model):
    """One learner's 1–5 rating of a module, with an optional private note to its author."""

    module = models.ForeignKey("content.Module", on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings"
    )
    stars = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["module", "user"], name="rating_one_per_user"),
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="rating_stars_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["module", "-updated_at"], name="rating_module_idx")]

    def __str__(self) -> str:
        return f"{self.stars}★ on {self.module_id} by {self.user_id}"


class FlagReason(models.TextChoices):
    WRONG = "wrong", "Something is wrong"
    OUTDATED = "outdated", "It is out of date"
    OFFENSIVE = "offensive", "It is offensive or inappropriate"
    OTHER = "other", "Something else"


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    DISMISSED = "dismissed", "Dismissed"


class Flag(models.Model):
    """A report that a module needs attention, waiting in the moderation queue."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    module = models.ForeignKey("content.Module", on_delete=models.CASCADE, related_name="flags")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags_raised"
    )
    reason = models.CharField(max_length=12, choices=FlagReason.choices)
    details = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flags_closed",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            # One open report per person per module: repeat reports add nothing.
            models.UniqueConstraint(
                fields=["module", "reporter"],
                condition=models.Q(status="open"),
                name="flag_one_open_per_reporter",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(closed_at__isnull=False),
                name="flag_closed_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="flag_queue_idx")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on {self.module_id}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    CHANGES_REQUESTED = "changes", "Changes requested"
    APPROVED = "approved", "Approved"


OPEN_REVIEW_STATUSES = (ReviewStatus.PENDING, ReviewStatus.CHANGES_REQUESTED)


class Review(models.Model):
    """A module's way to Curated: nominated, discussed with experts, approved or not."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    module = models.ForeignKey("content.Module", on_delete=models.CASCADE, related_name="reviews")
    # The version under review; moves forward when the author publishes a revision.
    version = models.ForeignKey(
        "content.ModuleVersion", on_delete=models.CASCADE, related_name="reviews"
    )
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # At most one open review per module: nominations join it rather than pile up.
            models.UniqueConstraint(
                fields=["module"],
                condition=models.Q(status__in=["pending", "changes"]),
                name="review_one_open_per_module",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="review_queue_idx")]

    def __str__(self) -> str:
        return f"Review of {self.module_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REVIEW_STATUSES


class CommentKind(models.TextChoices):
    COMMENT = "comment", "Comment"
    CHANGES = "changes", "Requested changes"
    APPROVAL = "approval", "Approved"
    REVISION = "revision", "Published a revision"
    NOMINATION = "nomination", "Nominated"


class ReviewComment(models.Model):
    """A note in a review's conversation, optionally anchored to a quoted passage."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=CommentKind.choices)
    body = models.TextField(max_length=4000, blank=True)
    quote = models.CharField(max_length=500, blank=True)
    version_number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.review_id}"


class CurationTerm(models.Model):
    """How long a Curated module's approval holds before experts look at it again.

    Its owner and reviewers are reminded once the review-by date passes; confirming the
    module is still right (or approving a new version) sets a new date.
    """

    module = models.OneToOneField(
        "content.Module", on_delete=models.CASCADE, related_name="curation_term"
    )
    review_by = models.DateField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["review_by"], name="curationterm_due_idx")]

    def __str__(self) -> str:
        return f"{self.module_id} review by {self.review_by}"

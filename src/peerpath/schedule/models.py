"""Learning time: requests for learning blocks, team policies, shifts and coverage.

Every instant is stored in UTC. Wall-clock rules (coverage minimums, a weekly series)
are kept with the time zone they were written in, so they hold across daylight saving.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from peerpath.core.zones import TIME_ZONE_CHOICES


class CoverageInterval(models.IntegerChoices):
    FIFTEEN = 15, "15 minutes"
    THIRTY = 30, "30 minutes"
    SIXTY = 60, "1 hour"


class TeamPolicy(models.Model):
    """How a team's learning-time requests are decided, set by its manager or an admin.

    An empty limit means "no such rule": no weekly auto-approval allowance means every
    request goes to the manager; no monthly budget means no cap.
    """

    team = models.OneToOneField(
        "people.Team", on_delete=models.CASCADE, related_name="learning_time_policy"
    )
    # Requests are approved at once while the person's approved minutes in the
    # (Monday-start, local) week stay within this allowance.
    auto_approve_minutes_per_week = models.PositiveIntegerField(null=True, blank=True)
    monthly_budget_minutes = models.PositiveIntegerField(null=True, blank=True)
    notice_hours = models.PositiveIntegerField(default=0)
    # Shift teams: a request must fall inside one of the person's shifts.
    require_within_shift = models.BooleanField(default=False)
    coverage_interval_minutes = models.PositiveSmallIntegerField(
        choices=CoverageInterval.choices, default=CoverageInterval.FIFTEEN
    )
    # The zone coverage rules, blackouts and imported shift times without an offset are in.
    time_zone = models.CharField(max_length=64, default="UTC", choices=TIME_ZONE_CHOICES)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "team policies"

    def __str__(self) -> str:
        return f"Learning-time policy of {self.team}"


class BlackoutWindow(models.Model):
    """A period in which a team takes no learning time (e.g. month-end close)."""

    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="blackouts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["team", "ends_at"], name="blackout_team_end_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="blackout_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.reason


class CoverageRequirement(models.Model):
    """At least ``minimum_on_duty`` people of a team (and queue) on duty in every interval
    between ``start_time`` and ``end_time`` (team's local time), on one weekday or all."""

    team = models.ForeignKey(
        "people.Team", on_delete=models.CASCADE, related_name="coverage_requirements"
    )
    # A skill or queue within the team ("billing", "French"); empty means the whole team.
    queue = models.CharField(max_length=60, blank=True)
    # 0 is Monday, 6 Sunday; empty means every day.
    weekday = models.PositiveSmallIntegerField(null=True, blank=True)
    start_time = models.TimeField()
    end_time = models.TimeField()
    minimum_on_duty = models.PositiveIntegerField()

    class Meta:
        ordering = ["queue", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="coverage_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(weekday__isnull=True) | Q(weekday__lte=6), name="coverage_weekday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minimum_on_duty} on duty {self.start_time}–{self.end_time}"


class ShiftSource(models.TextChoices):
    CSV = "csv", "CSV import"
    ICALENDAR = "ics", "iCalendar import"
    MANUAL = "manual", "Entered by hand"


class Shift(models.Model):
    """A period a person is scheduled to be on duty for their team (and queue)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shifts"
    )
    team = models.ForeignKey("people.Team", on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    queue = models.CharField(max_length=60, blank=True)
    source = models.CharField(max_length=6, choices=ShiftSource.choices)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["team", "starts_at"], name="shift_team_start_idx"),
            models.Index(fields=["person", "starts_at"], name="shift_person_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} on duty from {self.starts_at:%Y-%m-%d %H:%M}"


class LearningTimeSeries(models.Model):
    """A recurring request ("Tuesdays 14:00–14:30 for six weeks"): the rule as the person
    wrote it, in their time zone, so every occurrence keeps its local wall-clock time."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_time_series"
    )
    first_date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    interval_weeks = models.PositiveSmallIntegerField(default=1)
    occurrences = models.PositiveSmallIntegerField()
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "learning time series"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="series_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(occurrences__gte=1, interval_weeks__gte=1), name="series_counts"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurrences} learning blocks from {self.first_date}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"
    # Still waiting when its time came: nobody decided it.
    LAPSED = "lapsed", "Not decided in time"


class LearningTimeRequest(models.Model):
    """One learning block a person asked for, and how it was decided.

    ``decision_reason`` says why in words people read ("auto-approved: within 60
    min/week", "coverage would drop to 3 of 4 at 14:15"); ``coverage_shortfall`` keeps
    the intervals that fell short when the request went to the manager, and
    ``alternatives`` the nearest slots that would have kept coverage.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_time_requests"
    )
    # The person's team when they asked: its policy and coverage decided the request.
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    series = models.ForeignKey(
        LearningTimeSeries,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="requests",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    module = models.ForeignKey(
        "content.Module", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    path = models.ForeignKey(
        "content.LearningPath", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=9, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    auto_approved = models.BooleanField(default=False)
    decision_reason = models.CharField(max_length=500, blank=True)
    coverage_shortfall = models.JSONField(default=list, blank=True)
    # Nearby slots that keep coverage, offered when the request went to the manager.
    alternatives = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["person", "starts_at"], name="ltr_person_start_idx"),
            models.Index(fields=["team", "status", "starts_at"], name="ltr_team_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="ltr_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(module__isnull=True) | Q(path__isnull=True), name="ltr_one_item"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "cancelled"]) | Q(decided_at__isnull=False),
                name="ltr_decided_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.starts_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class ApprovalDelegation(models.Model):
    """While a manager is away, a colleague decides their reports' requests."""

    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_received"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(manager=F("delegate")), name="delegation_not_to_self"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="delegation_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} for {self.manager}, {self.starts_on}–{self.ends_on}"


class UsedApprovalLink(models.Model):
    """An emailed approve/decline link that has been used: each works once."""

    token_id = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.token_id


class CalendarFeed(models.Model):
    """A person's private iCalendar feed. Only a hash of the URL's token is stored;
    revoking deletes the row, and a new feed gets a new token."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.person}"

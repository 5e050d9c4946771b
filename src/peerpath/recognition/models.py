"""Recognition: certifications, verifiable credentials, points, badges, streaks, kudos
and leaderboards.

Every point is a row in an append-only ledger (``PointEntry``); balances and
leaderboard tallies are caches of it, kept in the same transaction and recomputable
from it. Awards keep their history: a renewal is a new award, the old one is marked.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# --- Certifications --------------------------------------------------------------------


class SignOff(models.TextChoices):
    NONE = "none", "No sign-off"
    MANAGER = "manager", "Sign-off by the person's manager"
    EXPERT = "expert", "Observed assessment by an expert reviewer"


class Certification(models.Model):
    """A certification learning admins define: what earns it and how long it lasts.

    Criteria: every required module completed (passed, for assessments) and every
    required path completed; the learner's best score on the required assessments at
    least ``min_score`` percent; and the sign-off, if any. Recertification before expiry
    asks only for the (shorter) recertification modules and paths.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(max_length=4000)
    skills = models.ManyToManyField("skills.Skill", blank=True, related_name="certifications")
    required_modules = models.ManyToManyField("content.Module", blank=True, related_name="+")
    required_paths = models.ManyToManyField("content.LearningPath", blank=True, related_name="+")
    # Percent, 0-100, on each required assessment (quiz or scored package).
    min_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    sign_off = models.CharField(max_length=10, choices=SignOff.choices, default=SignOff.NONE)
    # Empty: the certification does not expire.
    validity_days = models.PositiveIntegerField(null=True, blank=True)
    # How long before expiry the recertification becomes available.
    recertify_within_days = models.PositiveIntegerField(default=60)
    recert_modules = models.ManyToManyField("content.Module", blank=True, related_name="+")
    recert_paths = models.ManyToManyField("content.LearningPath", blank=True, related_name="+")
    # A retired certification awards no more; its awards stay valid until they expire.
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_score__isnull=True) | Q(min_score__gte=0, min_score__lte=100),
                name="certification_min_score_percent",
            ),
            models.CheckConstraint(
                condition=Q(validity_days__isnull=True) | Q(validity_days__gte=1),
                name="certification_validity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AwardStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    RENEWED = "renewed", "Renewed"
    REVOKED = "revoked", "Revoked"


class AwardMethod(models.TextChoices):
    AUTOMATIC = "automatic", "Criteria met"
    MANUAL = "manual", "Awarded by an admin"
    RECERTIFIED = "recertified", "Recertified"


class CertificationAward(models.Model):
    """One holding of a certification. ``public_id`` is the verification code."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, related_name="awards"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certification_awards"
    )
    method = models.CharField(max_length=12, choices=AwardMethod.choices)
    status = models.CharField(
        max_length=10, choices=AwardStatus.choices, default=AwardStatus.ACTIVE
    )
    awarded_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence = models.TextField(max_length=2000, blank=True)
    renews = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="renewed_by"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            # Awarding is idempotent: one active holding per person and certification.
            models.UniqueConstraint(
                fields=["certification", "holder"],
                condition=Q(status="active"),
                name="one_active_award",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=F("awarded_at")),
                name="award_expires_after_awarded",
            ),
        ]
        indexes = [
            models.Index(fields=["holder", "-awarded_at"], name="award_holder_idx"),
            models.Index(fields=["status", "expires_at"], name="award_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.certification} held by {self.holder}"


class ExpiryReminder(models.Model):
    """A reminder sent before an award expires (60, 30 and 7 days), sent once each."""

    award = models.ForeignKey(
        CertificationAward, on_delete=models.CASCADE, related_name="reminders"
    )
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["award", "days_before"], name="one_reminder_per_mark")
        ]

    def __str__(self) -> str:
        return f"{self.days_before}-day reminder for {self.award_id}"


class SignOffStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    APPROVED = "approved", "Signed off"
    DECLINED = "declined", "Not yet"


class SignOffRequest(models.Model):
    """A candidate asks their manager (or an expert, for an observed assessment) to sign
    off a certification's practical part."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="sign_offs"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certification_sign_offs"
    )
    status = models.CharField(
        max_length=10, choices=SignOffStatus.choices, default=SignOffStatus.PENDING
    )
    note = models.TextField(max_length=1000, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(max_length=1000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "candidate"],
                condition=Q(status="pending"),
                name="one_pending_sign_off",
            )
        ]
        indexes = [models.Index(fields=["status", "-requested_at"], name="sign_off_queue_idx")]

    def __str__(self) -> str:
        return f"Sign-off of {self.certification_id} for {self.candidate_id} ({self.status})"


# --- Verifiable credentials (Open Badges 3.0) ------------------------------------------


class SigningKey(models.Model):
    """A key Peerpath signs credentials with. Generated per deployment; rotating makes a
    new active key and retires the old one, which stays published so that credentials it
    signed still verify."""

    kid = models.CharField(max_length=64, unique=True)
    algorithm = models.CharField(max_length=10)
    # PKCS#8 PEM, encrypted with a key derived from SECRET_KEY.
    private_key_pem = models.TextField()
    public_jwk = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["algorithm"], condition=Q(retired_at__isnull=True), name="one_active_key"
            )
        ]

    def __str__(self) -> str:
        return self.kid


class CredentialKind(models.TextChoices):
    CERTIFICATION = "certification", "Certification"
    BADGE = "badge", "Badge"


class IssuedCredential(models.Model):
    """An Open Badges 3.0 credential as issued: the signed token is kept verbatim.

    ``status_index`` is the credential's bit in the revocation status list.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=14, choices=CredentialKind.choices)
    certification_award = models.OneToOneField(
        CertificationAward,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="credential",
    )
    badge_award = models.OneToOneField(
        "BadgeAward", null=True, blank=True, on_delete=models.CASCADE, related_name="credential"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials"
    )
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")
    token = models.TextField()
    issued_at = models.DateTimeField(default=timezone.now)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    status_index = models.PositiveIntegerField(unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="certification", certification_award__isnull=False, badge_award=None)
                    | Q(kind="badge", badge_award__isnull=False, certification_award=None)
                ),
                name="credential_has_its_award",
            )
        ]
        indexes = [models.Index(fields=["holder", "-issued_at"], name="credential_holder_idx")]

    def __str__(self) -> str:
        return f"urn:uuid:{self.public_id}"


# --- Points, levels and streaks ----------------------------------------------------------


class PointAction(models.TextChoices):
    MODULE_COMPLETED = "module_completed", "Completed a module"
    ASSESSMENT_PASSED = "assessment_passed", "Passed an assessment"
    PATH_COMPLETED = "path_completed", "Completed a path"
    STREAK_WEEK = "streak_week", "Kept a weekly streak"
    CERTIFICATION_EARNED = "certification_earned", "Earned a certification"
    MODULE_PUBLISHED = "module_published", "Shared a module"
    MODULE_CURATED = "module_curated", "A module became Curated"
    REVIEW_DONE = "review_done", "Reviewed a module"
    SUMMARY_UPVOTED = "summary_upvoted", "A summary was upvoted"
    ENDORSEMENT_UPVOTED = "endorsement_upvoted", "An endorsement was upvoted"
    ANSWER_ACCEPTED = "answer_accepted", "An answer was accepted"
    KUDOS_RECEIVED = "kudos_received", "Received kudos"
    REVERSAL = "reversal", "Points reversed"


class PointEntry(models.Model):
    """One line of the append-only points ledger.

    ``source_key`` names what earned the points (e.g. ``module:<uuid>``); with the person
    and action it is unique, so the same thing never pays twice. An entry past a daily
    cap is still written, with zero points, so every action stays traceable. A reversal
    is a new negative entry pointing at the one it reverses.
    """

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=24, choices=PointAction.choices)
    points = models.IntegerField()
    source_key = models.CharField(max_length=200)
    description = models.CharField(max_length=300)
    # The colleague involved, if any: who upvoted, thanked or asked.
    counterpart = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal"
    )
    reason = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "action", "source_key"], name="points_once_per_source"
            ),
            models.CheckConstraint(
                condition=Q(action="reversal", reverses__isnull=False)
                | (~Q(action="reversal") & Q(reverses=None) & Q(points__gte=0)),
                name="points_reversal_shape",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "-occurred_at"], name="points_person_idx"),
            models.Index(fields=["person", "action", "occurred_at"], name="points_cap_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.points:+d} {self.action} for {self.person_id}"


class PointBalance(models.Model):
    """A person's all-time total and level: a cache of the ledger, kept with it."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    total = models.IntegerField(default=0)
    level = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.total} points (level {self.level})"


class TallyPeriod(models.TextChoices):
    WEEK = "week", "This week"
    MONTH = "month", "This month"
    ALL = "all", "All time"


class PointTally(models.Model):
    """Points per person per leaderboard period, precomputed so that a leaderboard is one
    indexed read whatever the size of the organisation.

    ``team``, ``department`` and ``listed`` are copied from the person (and their
    preferences) so the boards filter without joins; they are refreshed when people move
    or change their preferences. ``period_start`` is the Monday, the 1st of the month,
    or 1970-01-01 for all time, in the organisation's time zone.
    """

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=5, choices=TallyPeriod.choices)
    period_start = models.DateField()
    points = models.IntegerField(default=0)
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(
        "people.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    listed = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period", "period_start"], name="one_tally_per_period"
            )
        ]
        # ``listed`` closes each key so that SQLite, too, counts the people ahead of
        # someone from the index alone (it reads the table for a partial index's
        # condition unless the column is in the index).
        indexes = [
            models.Index(
                fields=["period", "period_start", "-points", "person", "listed"],
                condition=Q(listed=True),
                name="tally_org_idx",
            ),
            models.Index(
                fields=["team", "period", "period_start", "-points", "person", "listed"],
                condition=Q(listed=True),
                name="tally_team_idx",
            ),
            models.Index(
                fields=["department", "period", "period_start", "-points", "person", "listed"],
                condition=Q(listed=True),
                name="tally_department_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.points} points in {self.period} {self.period_start}"


class Streak(models.Model):
    """Weeks in a row with learning. Weeks run Monday to Sunday in the person's time
    zone, so any shift pattern can keep a streak; weeks away (leave) pause it."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    current_weeks = models.PositiveIntegerField(default=0)
    longest_weeks = models.PositiveIntegerField(default=0)
    # The Monday of the last week with learning.
    last_active_week = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.current_weeks}-week streak"


class AwayPeriod(models.Model):
    """Leave (or any time away) during which a streak neither grows nor breaks."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="away_periods"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="away_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["person", "starts_on"], name="away_person_idx")]

    def __str__(self) -> str:
        return f"Away {self.starts_on} to {self.ends_on}"


# --- Badges ----------------------------------------------------------------------------


class BadgeRule(models.TextChoices):
    MODULES_PUBLISHED = "modules_published", "Modules shared"
    MODULES_CURATED = "modules_curated", "Modules that became Curated"
    MODULES_COMPLETED = "modules_completed", "Modules completed"
    STREAK_WEEKS = "streak_weeks", "Weeks in a row"
    COLLEAGUES_HELPED = "colleagues_helped", "Colleagues helped"
    REVIEWS_DONE = "reviews_done", "Reviews done"
    CERTIFICATIONS = "certifications", "Certifications earned"
    POINTS = "points", "Points"


class BadgeDefinition(models.Model):
    """A badge and the rule that earns it: ``rule`` reaches ``threshold``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300)
    rule = models.CharField(max_length=20, choices=BadgeRule.choices)
    threshold = models.PositiveIntegerField(default=1)
    # Artwork is generated SVG: a shape, a colour and a glyph chosen per badge.
    colour = models.CharField(max_length=7, default="#2f6fde")
    glyph = models.CharField(max_length=16, default="star")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["rule", "threshold"]
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gte=1), name="badge_threshold_positive"),
            models.UniqueConstraint(fields=["rule", "threshold"], name="one_badge_per_rule_step"),
        ]

    def __str__(self) -> str:
        return self.name


class BadgeAward(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    badge = models.ForeignKey(BadgeDefinition, on_delete=models.PROTECT, related_name="awards")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_awards"
    )
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["badge", "person"], name="one_badge_each")]
        indexes = [models.Index(fields=["person", "-awarded_at"], name="badge_award_person_idx")]

    def __str__(self) -> str:
        return f"{self.badge_id} for {self.person_id}"


# --- Kudos and leaderboard preferences --------------------------------------------------


class Kudos(models.Model):
    """A colleague's thanks: shown on the recipient's profile and in feeds."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_given"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kudos_received"
    )
    message = models.CharField(max_length=280)
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "kudos"
        constraints = [
            models.CheckConstraint(condition=~Q(giver=F("recipient")), name="kudos_not_to_self")
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="kudos_recipient_idx"),
            models.Index(fields=["giver", "-created_at"], name="kudos_giver_idx"),
        ]

    def __str__(self) -> str:
        return f"Kudos from {self.giver_id} to {self.recipient_id}"


class LeaderboardPreference(models.Model):
    """A person who keeps off leaderboards (they still earn points and badges)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    hidden = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Hidden from leaderboards" if self.hidden else "Listed on leaderboards"


class TeamLeaderboardSetting(models.Model):
    """A manager switched leaderboards off for their team: its members are not ranked."""

    team = models.OneToOneField("people.Team", on_delete=models.CASCADE, primary_key=True)
    enabled = models.BooleanField(default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Leaderboards on" if self.enabled else "Leaderboards off"

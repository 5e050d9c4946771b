"""People and organisation: accounts, profiles, teams, departments and reporting lines."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from peerpath.core.zones import TIME_ZONE_CHOICES


class Department(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="department_unique_name")]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="teams")
    works_shifts = models.BooleanField(
        default=False, help_text="The team works scheduled shifts (e.g. a contact centre)."
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class JobRole(models.Model):
    """An admin-managed job role, e.g. "Support Agent"; drives assignments and suggestions."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="jobrole_unique_name")]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An employee. Every user is a learner and may author; other roles are granted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=120)
    job_title = models.CharField(max_length=120, blank=True)
    job_role = models.ForeignKey(
        JobRole, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    # Materialised reporting line: the ids of every manager above, then this user,
    # as "/1/7/42/". A manager's subtree is every path starting with their own.
    line_path = models.CharField(max_length=1000, default="", editable=False)
    location = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", choices=TIME_ZONE_CHOICES)
    hire_date = models.DateField(null=True, blank=True)
    avatar = models.ImageField(upload_to="avatars/%Y/%m/", blank=True)
    about = models.TextField(blank=True, max_length=2000)

    is_learning_admin = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="System administrator: may use the Django admin site."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    class Meta:
        ordering = ["display_name"]
        indexes = [
            models.Index(fields=["team", "is_active"], name="user_team_idx"),
            # varchar_pattern_ops lets PostgreSQL use the index for prefix (subtree) lookups;
            # other databases ignore the operator class.
            models.Index(
                fields=["line_path"], name="user_line_path_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("id")), name="user_not_own_manager"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email

    @property
    def initials(self) -> str:
        parts = [p for p in self.display_name.split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or self.email[:1].upper()

    @property
    def is_system_admin(self) -> bool:
        return self.is_active and self.is_superuser


class ExpertReviewer(models.Model):
    """An expert reviewer of one skill area (and the skills beneath it)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reviewer_areas")
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="reviewers")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "skill"], name="expert_unique_user_skill")
        ]

    def __str__(self) -> str:
        return f"{self.user} reviews {self.skill}"

"""Learning content: modules and learning paths."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class ModuleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class ModuleQuerySet(models.QuerySet["Module"]):
    def published(self) -> ModuleQuerySet:
        return self.filter(status=ModuleStatus.PUBLISHED)


class Module(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=120)
    title = models.CharField(max_length=160)
    summary = models.CharField(max_length=300)
    body_markdown = models.TextField(max_length=200_000)
    # Sanitised HTML rendered from body_markdown on every save through the services.
    body_html = models.TextField(editable=False, default="")
    estimated_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    skills = models.ManyToManyField("skills.Skill", blank=True, related_name="modules")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_modules"
    )
    co_authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_authored_modules"
    )
    status = models.CharField(
        max_length=12, choices=ModuleStatus.choices, default=ModuleStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Set when expert reviewers approve a version: learners then see that version until
    # they approve a newer one. Unset means Community content.
    curated_version = models.ForeignKey(
        "ModuleVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ModuleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="module_catalog_idx"),
            models.Index(fields=["owner", "-updated_at"], name="module_owner_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=ModuleStatus.PUBLISHED)
                | models.Q(published_at__isnull=False),
                name="module_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ModuleStatus.PUBLISHED

    @property
    def is_curated(self) -> bool:
        return self.curated_version_id is not None


class LearningPath(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=120)
    title = models.CharField(max_length=160)
    summary = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_paths"
    )
    status = models.CharField(
        max_length=12, choices=ModuleStatus.choices, default=ModuleStatus.DRAFT
    )
    modules: models.ManyToManyField[Module, PathStep] = models.ManyToManyField(
        Module, through="PathStep", related_name="paths"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class PathStep(models.Model):
    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="path_steps")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["path", "position"], name="pathstep_unique_position"),
            models.UniqueConstraint(fields=["path", "module"], name="pathstep_unique_module"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.module_id}"


class ModuleDraft(models.Model):
    """Edits to a published module that are not published yet.

    Learners keep reading the module's published text until the draft is published.
    """

    module = models.OneToOneField(Module, on_delete=models.CASCADE, related_name="draft")
    title = models.CharField(max_length=160)
    summary = models.CharField(max_length=300)
    body_markdown = models.TextField(max_length=200_000)
    estimated_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    skill_ids = models.JSONField(default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Draft of {self.module_id}"


class ModuleVersion(models.Model):
    """An immutable snapshot of a module, made at every publish."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=160)
    summary = models.CharField(max_length=300)
    body_markdown = models.TextField(max_length=200_000)
    estimated_minutes = models.PositiveSmallIntegerField()
    skill_ids = models.JSONField(default=list, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["module", "number"], name="version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"v{self.number} of {self.module_id}"

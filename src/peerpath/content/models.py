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


class ModuleKind(models.TextChoices):
    ARTICLE = "article", "Article"
    DECK = "deck", "Slide deck"
    QUIZ = "quiz", "Quiz"
    PACKAGE = "package", "SCORM package"
    FILE = "file", "Document"


class AssetKind(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    AUDIO = "audio", "Audio"
    PDF = "pdf", "PDF"
    DOCUMENT = "document", "Document"


def _asset_path(asset: Asset, filename: str) -> str:
    return f"assets/{asset.public_id}/{filename}"


def _thumbnail_path(asset: Asset, filename: str) -> str:
    return f"assets/{asset.public_id}/thumb/{filename}"


class Asset(models.Model):
    """An uploaded file: an image, video or attachment in a module, or a document module.

    Files go through Django's storage API, so they live on disk or in S3-compatible
    storage as the deployment chooses. Content is checked before a row is made.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assets"
    )
    kind = models.CharField(max_length=10, choices=AssetKind.choices)
    file = models.FileField(upload_to=_asset_path, max_length=300)
    content_type = models.CharField(max_length=100)
    original_name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    thumbnail = models.FileField(upload_to=_thumbnail_path, max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "-created_at"], name="asset_owner_idx")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def url(self) -> str:
        """Peerpath's own address for the file: stable, and checked on every request."""
        return f"{settings.MEDIA_URL}{self.file.name}"

    @property
    def thumbnail_url(self) -> str:
        return f"{settings.MEDIA_URL}{self.thumbnail.name}" if self.thumbnail else ""


class ScormStandard(models.TextChoices):
    SCORM12 = "scorm12", "SCORM 1.2"
    SCORM2004 = "scorm2004", "SCORM 2004"


class ScormPackage(models.Model):
    """An imported SCORM zip, unpacked into storage under ``storage_prefix``.

    Only packages that passed every check (paths, sizes, manifest, launch file) exist.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scorm_packages"
    )
    title = models.CharField(max_length=200)
    standard = models.CharField(max_length=10, choices=ScormStandard.choices)
    # Relative to the package root; may carry the manifest's launch parameters.
    launch_path = models.CharField(max_length=500)
    storage_prefix = models.CharField(max_length=100, unique=True)
    original_name = models.CharField(max_length=200)
    file_count = models.PositiveIntegerField()
    total_size = models.PositiveBigIntegerField()
    # SCORM 1.2's adlcp:masteryscore, or SCORM 2004's minNormalizedMeasure as a percentage.
    mastery_score = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class ModuleQuerySet(models.QuerySet["Module"]):
    def published(self) -> ModuleQuerySet:
        return self.filter(status=ModuleStatus.PUBLISHED)


class Module(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(max_length=120)
    title = models.CharField(max_length=160)
    summary = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=ModuleKind.choices, default=ModuleKind.ARTICLE)
    body_markdown = models.TextField(max_length=200_000, blank=True)
    # Sanitised HTML rendered from body_markdown on every save through the services.
    body_html = models.TextField(editable=False, default="")
    estimated_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    # Quiz questions as the author wrote them, and as parsed and validated for learners.
    quiz_source = models.TextField(max_length=50_000, blank=True)
    quiz = models.JSONField(default=dict, blank=True)
    package = models.ForeignKey(
        ScormPackage, null=True, blank=True, on_delete=models.PROTECT, related_name="modules"
    )
    document = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.PROTECT, related_name="document_modules"
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
    description_markdown = models.TextField(max_length=20_000, blank=True)
    cover = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_authored_paths"
    )
    modules: models.ManyToManyField[Module, PathStep] = models.ManyToManyField(
        Module, through="PathStep", related_name="paths"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class PathSection(models.Model):
    """A titled group of steps in a path ("Week 1", "Tools you will use")."""

    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=160)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["path", "position"], name="pathsection_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PathStep(models.Model):
    """One module in a path. ``position`` orders steps across the whole path."""

    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    section = models.ForeignKey(
        PathSection, null=True, blank=True, on_delete=models.CASCADE, related_name="steps"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="path_steps")
    position = models.PositiveSmallIntegerField()
    # Modules in the same path a learner should finish before this one.
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="unlocks"
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["path", "position"], name="pathstep_unique_position"),
            models.UniqueConstraint(fields=["path", "module"], name="pathstep_unique_module"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.module_id}"


class ModuleText(models.Model):
    """What an author writes beyond title, summary and body: kept alike by drafts and versions."""

    skill_ids = models.JSONField(default=list, blank=True)
    quiz_source = models.TextField(max_length=50_000, blank=True)
    quiz = models.JSONField(default=dict, blank=True)
    package = models.ForeignKey(
        ScormPackage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class ModuleDraft(ModuleText):
    """Edits to a published module that are not published yet.

    Learners keep reading the module's published text until the draft is published.
    """

    module = models.OneToOneField(Module, on_delete=models.CASCADE, related_name="draft")
    title = models.CharField(max_length=160)
    summary = models.CharField(max_length=300)
    body_markdown = models.TextField(max_length=200_000, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Draft of {self.module_id}"


class ModuleVersion(ModuleText):
    """An immutable snapshot of a module, made at every publish."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=160)
    summary = models.CharField(max_length=300)
    body_markdown = models.TextField(max_length=200_000, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField()
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

"""The Learning Record Store's tables: the keys that may use it and the statements it holds."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LrsKey(models.Model):
    """An HTTP Basic credential for the xAPI endpoint; the secret is kept only as a hash."""

    name = models.CharField(max_length=120)
    key = models.CharField(max_length=64, unique=True)
    secret_hash = models.CharField(max_length=256)
    can_read = models.BooleanField(default=True)
    can_write = models.BooleanField(default=True)
    # When set, the key reads only the statements it wrote itself.
    own_only = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lrs_keys",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "LRS key"

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"


class Statement(models.Model):
    """One stored xAPI statement: its full JSON plus the columns the filters need."""

    id = models.UUIDField(primary_key=True, editable=False)
    data = models.JSONField()
    stored = models.DateTimeField()
    timestamp = models.DateTimeField()
    verb_id = models.CharField(max_length=1000)
    object_activity_id = models.CharField(max_length=1000, blank=True)
    # Canonical IFI strings ("mbox:mailto:a@b", "account:https://x|name") for agent filters.
    agent_key = models.CharField(max_length=1000)
    object_agent_key = models.CharField(max_length=1000, blank=True)
    registration = models.UUIDField(null=True, blank=True)
    voided = models.BooleanField(default=False)
    voiding_target = models.UUIDField(null=True, blank=True)
    # The statement a StatementRef object points at (voiding or not), for filter matching.
    object_statement_id = models.UUIDField(null=True, blank=True)
    authority_key = models.CharField(max_length=1000)
    # Indexed by lrs_stmt_key_idx, which starts with it.
    lrs_key = models.ForeignKey(
        LrsKey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statements",
        db_index=False,
    )

    class Meta:
        # Each filter's index ends with (stored, id), the keyset order, so a page is read
        # in order from the index and stops at the limit however many statements match.
        indexes = [
            models.Index(fields=["stored", "id"], name="lrs_stmt_stored_idx"),
            # Partial: only voiding statements have a target. A full index over mostly-NULL
            # values looks useless to SQLite's planner once analysed, and it scans instead.
            models.Index(
                fields=["voiding_target"],
                name="lrs_stmt_voiding_idx",
                condition=models.Q(voiding_target__isnull=False),
            ),
            models.Index(fields=["agent_key", "stored", "id"], name="lrs_stmt_agent_idx"),
            # "What did this person do with this activity": a page of it read straight from
            # the index, however many statements the person or the activity has.
            models.Index(
                fields=["agent_key", "object_activity_id", "stored", "id"],
                name="lrs_stmt_agent_activity_idx",
            ),
            models.Index(fields=["object_agent_key", "stored", "id"], name="lrs_stmt_objagent_idx"),
            models.Index(fields=["verb_id", "stored", "id"], name="lrs_stmt_verb_idx"),
            models.Index(
                fields=["object_activity_id", "stored", "id"], name="lrs_stmt_activity_idx"
            ),
            models.Index(fields=["registration", "stored", "id"], name="lrs_stmt_registration_idx"),
            models.Index(fields=["lrs_key", "stored", "id"], name="lrs_stmt_key_idx"),
            # related_agents reaches the authority here rather than through a relation row;
            # a key's statements share one value, so each write lands at the same place.
            models.Index(fields=["authority_key", "stored", "id"], name="lrs_stmt_authority_idx"),
            # Only the few statements whose object is a StatementRef, in keyset order.
            models.Index(
                fields=["stored", "id"],
                condition=models.Q(object_statement_id__isnull=False),
                name="lrs_stmt_ref_idx",
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)


class RelationKind(models.TextChoices):
    ACTIVITY = "activity", "Activity"
    AGENT = "agent", "Agent"


class StatementRelation(models.Model):
    """An activity or agent a statement touches beyond its own columns (its context, a
    sub-statement), so the ``related_activities`` and ``related_agents`` filters use an index.
    Rows written before 0007 also name the actor, object and authority."""

    # Indexed by the lrs_relation_once constraint, which starts with it. Every relation
    # row costs each of its indexes a write per statement stored.
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="relations", db_index=False
    )
    kind = models.CharField(max_length=8, choices=RelationKind.choices)
    value = models.CharField(max_length=1000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["statement", "kind", "value"], name="lrs_relation_once")
        ]
        indexes = [models.Index(fields=["kind", "value"], name="lrs_relation_value_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"


class DocumentKind(models.TextChoices):
    STATE = "state", "State"
    ACTIVITY_PROFILE = "activity_profile", "Activity profile"
    AGENT_PROFILE = "agent_profile", "Agent profile"


class Document(models.Model):
    """A document a client keeps in the state, activity profile or agent profile resource.

    The resource's parameters can be long IRIs and JSON agents, so rows are found by hashes of
    them: ``scope`` (kind, activity, agent) names the set a list or a delete-all reads, and
    ``address`` (scope, registration and the document's id) names one document.
    """

    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    activity_id = models.CharField(max_length=1000, blank=True)
    agent_key = models.CharField(max_length=1000, blank=True)
    registration = models.UUIDField(null=True, blank=True)
    document_id = models.CharField(max_length=1000)
    scope = models.CharField(max_length=64)
    address = models.CharField(max_length=64, unique=True)
    content = models.BinaryField()
    content_type = models.CharField(max_length=255)
    # SHA-1 of the content, in hexadecimal: the document's HTTP entity tag.
    etag = models.CharField(max_length=40)
    updated = models.DateTimeField()
    # The key that created the document; an own-only key sees just the ones it created.
    lrs_key = models.ForeignKey(
        LrsKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )

    class Meta:
        indexes = [models.Index(fields=["scope", "updated"], name="lrs_doc_scope_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.document_id}"


class Activity(models.Model):
    """The fullest definition of an Activity gathered from the statements stored about it."""

    activity_id = models.CharField(max_length=1000, unique=True)
    definition = models.JSONField(default=dict)
    updated = models.DateTimeField()

    class Meta:
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.activity_id


class AttachmentBody(models.Model):
    """The bytes of an attachment sent in a multipart statements request, kept once per hash.

    Held in the database rather than in file storage so a statement and its attachments commit
    or roll back together; the request cap (PEERPATH_XAPI_MAX_REQUEST_BYTES) keeps rows small.
    Statements name their attachments by ``sha2``, so a body is found from the statements a
    reader may see and never on its own.
    """

    sha2 = models.CharField(max_length=128, primary_key=True)
    content_type = models.CharField(max_length=255)
    length = models.PositiveBigIntegerField()
    content = models.BinaryField()

    class Meta:
        verbose_name = "attachment body"
        verbose_name_plural = "attachment bodies"

    def __str__(self) -> str:
        return f"{self.sha2[:16]}… ({self.length} bytes)"

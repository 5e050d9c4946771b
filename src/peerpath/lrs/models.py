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
    voiding_target = models.UUIDField(null=True, blank=True, db_index=True)
    # The statement a StatementRef object points at (voiding or not), for filter matching.
    object_statement_id = models.UUIDField(null=True, blank=True, db_index=True)
    authority_key = models.CharField(max_length=1000)
    lrs_key = models.ForeignKey(
        LrsKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="statements"
    )

    class Meta:
        # Each filter's index ends with (stored, id), the keyset order, so a page is read
        # in order from the index and stops at the limit however many statements match.
        indexes = [
            models.Index(fields=["stored", "id"], name="lrs_stmt_stored_idx"),
            models.Index(fields=["agent_key", "stored", "id"], name="lrs_stmt_agent_idx"),
            models.Index(fields=["object_agent_key", "stored", "id"], name="lrs_stmt_objagent_idx"),
            models.Index(fields=["verb_id", "stored", "id"], name="lrs_stmt_verb_idx"),
            models.Index(
                fields=["object_activity_id", "stored", "id"], name="lrs_stmt_activity_idx"
            ),
            models.Index(fields=["registration", "stored", "id"], name="lrs_stmt_registration_idx"),
            models.Index(fields=["lrs_key", "stored", "id"], name="lrs_stmt_key_idx"),
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
    """An activity or agent a statement touches anywhere (object, context, sub-statement,
    authority), so the ``related_activities`` and ``related_agents`` filters use an index."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="relations")
    kind = models.CharField(max_length=8, choices=RelationKind.choices)
    value = models.CharField(max_length=1000)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["statement", "kind", "value"], name="lrs_relation_once")
        ]
        indexes = [models.Index(fields=["kind", "value"], name="lrs_relation_value_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"

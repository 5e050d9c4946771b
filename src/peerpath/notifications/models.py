"""Notifications: in-app (the bell), email at once, or in a daily or weekly digest,
chosen per kind by each person."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Kind(models.TextChoices):
    SHARE = "share", "Something was shared with me"
    MENTION = "mention", "I was mentioned"
    REPLY = "reply", "A reply in a discussion I take part in"
    ANSWER_ACCEPTED = "answer_accepted", "My answer was accepted"
    SUMMARY_PROMOTED = "summary_promoted", "My summary reached a wider audience"
    SUMMARY_VOTED = "summary_voted", "Colleagues found my summary helpful"
    NEW_FOLLOWER = "new_follower", "Someone followed me"
    KUDOS = "kudos", "I received kudos"
    MODERATION = "moderation", "Moderation of what I wrote"
    REPORT = "report", "A report waits for moderation"


class EmailChoice(models.TextChoices):
    IMMEDIATELY = "immediately", "Email me at once"
    DAILY = "daily", "In a daily digest"
    WEEKLY = "weekly", "In a weekly digest"
    NEVER = "never", "Never email"


class Notification(models.Model):
    """One notice to one person. ``dedupe_key`` keeps a repeated cause from notifying
    twice (e.g. ``share:<uuid>``). ``url`` is a site path the notice links to."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=300)
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When it went out by email, at once or in a digest; empty while it waits.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "dedupe_key"], name="notification_once"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(
                fields=["kind", "created_at"],
                condition=Q(emailed_at__isnull=True),
                name="notification_unsent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class Preference(models.Model):
    """A person's choice for one kind. No row means the kind's default (in-app on,
    email per ``DEFAULT_EMAIL`` in ``notifications.services``)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    in_app = models.BooleanField(default=True)
    email = models.CharField(max_length=12, choices=EmailChoice.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.email}"

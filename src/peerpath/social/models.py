"""Social learning: activity for feeds, follows, shares, notes, summaries and
endorsements, and discussions.

Feeds are assembled by pulling from a fixed set of indexed sources (the activity of the
people one follows and of one's team, what was shared with one, promoted summaries, newly
Curated modules in one's skills), each read with keyset paging, so a page costs the same
number of queries at any organisation size and nothing fans out to 100,000 inboxes.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# --- Privacy and follows -----------------------------------------------------------------


class Visibility(models.TextChoices):
    EVERYONE = "everyone", "Everyone in the organisation"
    TEAM = "team", "My team only"
    PRIVATE = "private", "Only me"


class SocialSettings(models.Model):
    """Who sees a person's learning activity. No row means the default: everyone."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    activity_visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.EVERYONE
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Activity visible to {self.activity_visibility}"


class Follow(models.Model):
    """One person follows another's learning activity."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_rows"
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_rows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("followee")), name="follow_not_self"),
        ]
        indexes = [models.Index(fields=["followee", "-created_at"], name="follow_followee_idx")]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.followee_id}"


class SkillFollow(models.Model):
    """A person follows a skill: newly Curated modules in it reach their feed."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_follows"
    )
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "skill"], name="skill_follow_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} follows skill {self.skill_id}"


class DeclaredSkill(models.Model):
    """A skill a person says they have, shown on their profile beside the skills their
    completions and certifications show."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declared_skills"
    )
    skill = models.ForeignKey("skills.Skill", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "skill"], name="declared_skill_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} declares skill {self.skill_id}"


# --- Activity ------------------------------------------------------------------------------


class Verb(models.TextChoices):
    COMPLETED = "completed", "completed"
    PASSED = "passed", "passed"
    PATH_COMPLETED = "path_completed", "completed the path"
    PUBLISHED = "published", "published"
    CURATED = "curated", "was marked Curated"
    CERTIFIED = "certified", "earned the certification"
    BADGE = "badge", "earned the badge"
    KUDOS = "kudos", "thanked"
    NOTE_PUBLISHED = "note_published", "published a note on"
    SUMMARY = "summary", "summarised"
    ENDORSEMENT = "endorsement", "endorsed"


class Activity(models.Model):
    """Something a person did that their followers and team may see in their feeds.

    ``visibility``, ``team`` and ``department`` are copied from the actor when written and
    refreshed when the actor changes their setting or moves team, so feeds filter without
    joins. ``subject_*`` name what the activity is about for display without lookups.
    ``like_count`` and ``comment_count`` are counters kept with their rows.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activities"
    )
    verb = models.CharField(max_length=20, choices=Verb.choices)
    module = models.ForeignKey(
        "content.Module", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    path = models.ForeignKey(
        "content.LearningPath", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Another person the activity is about (the recipient of kudos).
    other_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A title for what is not a module or path (a certification, a badge), and a link.
    subject_title = models.CharField(max_length=200, blank=True)
    subject_url = models.CharField(max_length=300, blank=True)
    # Free text shown with the activity (a kudos message, a note's first lines).
    excerpt = models.CharField(max_length=500, blank=True)
    # What produced it, unique per verb, so a replayed event never posts twice.
    source_key = models.CharField(max_length=200)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.EVERYONE
    )
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(
        "people.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    like_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "activities"
        constraints = [models.UniqueConstraint(fields=["verb", "source_key"], name="activity_once")]
        indexes = [
            # The followed people's and the team's activity, newest first (keyset paging).
            models.Index(fields=["actor", "-created_at", "-id"], name="activity_actor_idx"),
            models.Index(fields=["team", "-created_at", "-id"], name="activity_team_idx"),
            models.Index(fields=["verb", "-created_at", "-id"], name="activity_verb_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.verb} ({self.source_key})"


class ActivityLike(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="likes")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="activity_like_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} likes {self.activity_id}"


class ActivityComment(models.Model):
    """A short reply on a feed item (discussions of modules live in ``Comment``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.CharField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["activity", "created_at"], name="activity_comment_idx")]

    def __str__(self) -> str:
        return f"Comment by {self.author_id} on {self.activity_id}"


# --- Shares --------------------------------------------------------------------------------


class Share(models.Model):
    """A module or path shared with people and teams, with a short message."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares_sent"
    )
    module = models.ForeignKey(
        "content.Module", null=True, blank=True, on_delete=models.CASCADE, related_name="shares"
    )
    path = models.ForeignKey(
        "content.LearningPath",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="shares",
    )
    message = models.CharField(max_length=280, blank=True)
    teams = models.ManyToManyField("people.Team", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(module__isnull=False, path=None) | Q(module=None, path__isnull=False),
                name="share_one_subject",
            )
        ]
        indexes = [models.Index(fields=["module", "-created_at"], name="share_module_idx")]

    def __str__(self) -> str:
        return f"Share {self.public_id}"


class ShareRecipient(models.Model):
    """One person a share reached (teams are expanded to their members when shared)."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares_received"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["share", "person"], name="share_recipient_once")
        ]
        indexes = [
            models.Index(fields=["person", "-created_at", "-id"], name="share_inbox_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.share_id} to {self.person_id}"


# --- Notes -----------------------------------------------------------------------------------


class Note(models.Model):
    """A learner's note on a module: private unless they publish it to their profile and
    the module page."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes"
    )
    module = models.ForeignKey("content.Module", on_delete=models.CASCADE, related_name="notes")
    body = models.TextField(max_length=5000)
    is_public = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["author", "module", "-created_at"], name="note_author_idx"),
            models.Index(
                fields=["module", "-published_at"],
                condition=Q(is_public=True),
                name="note_public_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Note by {self.author_id} on {self.module_id}"


# --- Summaries and endorsements -------------------------------------------------------------


class SummaryKind(models.TextChoices):
    SUMMARY = "summary", "Summary"
    ENDORSEMENT = "endorsement", "Endorsement"


class Audience(models.TextChoices):
    """How far a summary reaches in feeds: it rises by score, or a curator sets it."""

    TEAM = "team", "The author's team"
    DEPARTMENT = "department", "The author's department"
    ORGANISATION = "organisation", "The whole organisation"


class Summary(models.Model):
    """A learner's short summary of a module they completed, or an endorsement ("why this
    helped me"). Colleagues vote; ``score`` is the Wilson lower bound of the share of
    helpful votes, kept with the counts when a vote changes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="summaries"
    )
    module = models.ForeignKey("content.Module", on_delete=models.CASCADE, related_name="summaries")
    kind = models.CharField(max_length=12, choices=SummaryKind.choices)
    body = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    helpful_count = models.PositiveIntegerField(default=0)
    unhelpful_count = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0.0)
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.TEAM)
    # When it last reached a wider audience (feeds order promoted summaries by it).
    promoted_at = models.DateTimeField(null=True, blank=True)
    # A curator set the audience by hand: scores no longer move it.
    audience_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copied from the author when written, for the audience filters.
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.ForeignKey(
        "people.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "summaries"
        constraints = [
            models.UniqueConstraint(
                fields=["author", "module", "kind"], name="one_summary_per_kind"
            )
        ]
        indexes = [
            models.Index(fields=["module", "-score"], name="summary_module_idx"),
            models.Index(
                fields=["audience", "-promoted_at", "-id"],
                condition=Q(hidden_at__isnull=True),
                name="summary_audience_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.author_id} on {self.module_id}"


class SummaryVote(models.Model):
    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["summary", "voter"], name="summary_vote_once")
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} {'+' if self.helpful else '-'} {self.summary_id}"


# --- Discussions ---------------------------------------------------------------------------


class Comment(models.Model):
    """A post in the discussion of a module or path. Top-level posts start threads
    (optionally as questions); replies point at their parent. The body is Markdown,
    rendered and sanitised when saved; edits keep their history."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    module = models.ForeignKey(
        "content.Module", null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    path = models.ForeignKey(
        "content.LearningPath",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The thread's first post, itself for a top-level post (set on save by the service).
    root = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    body_markdown = models.TextField(max_length=10000)
    body_html = models.TextField()
    is_question = models.BooleanField(default=False)
    accepted_answer = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="accepted_for"
    )
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(module__isnull=False, path=None) | Q(module=None, path__isnull=False),
                name="comment_one_subject",
            )
        ]
        indexes = [
            models.Index(fields=["module", "root", "created_at"], name="comment_module_idx"),
            models.Index(fields=["path", "root", "created_at"], name="comment_path_idx"),
        ]

    def __str__(self) -> str:
        return f"Comment {self.public_id}"


class CommentRevision(models.Model):
    """A comment's text before an edit."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body_markdown = models.TextField(max_length=10000)
    replaced_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Revision of {self.comment_id}"


class Reaction(models.TextChoices):
    THANKS = "thanks", "🙏 Thanks"
    AGREE = "agree", "👍 Agree"
    INSIGHT = "insight", "💡 Insightful"
    CELEBRATE = "celebrate", "🎉 Celebrate"


class CommentReaction(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reaction = models.CharField(max_length=10, choices=Reaction.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "person", "reaction"], name="comment_reaction_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.reaction} {self.comment_id}"


class CommentMention(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "person"], name="comment_mention_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} mentioned in {self.comment_id}"


class ReportStatus(models.TextChoices):
    OPEN = "open", "Open"
    HIDDEN = "hidden", "Hidden"
    DISMISSED = "dismissed", "Dismissed"


class ContentReport(models.Model):
    """A report of a comment, summary or note for moderators to look at."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    summary = models.ForeignKey(
        Summary, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=500)
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(comment__isnull=False, summary=None, note=None)
                    | Q(comment=None, summary__isnull=False, note=None)
                    | Q(comment=None, summary=None, note__isnull=False)
                ),
                name="report_one_subject",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(status="open", comment__isnull=False),
                name="report_comment_once",
            ),
            models.UniqueConstraint(
                fields=["reporter", "summary"],
                condition=Q(status="open", summary__isnull=False),
                name="report_summary_once",
            ),
            models.UniqueConstraint(
                fields=["reporter", "note"],
                condition=Q(status="open", note__isnull=False),
                name="report_note_once",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="report_queue_idx")]

    def __str__(self) -> str:
        return f"Report {self.public_id} ({self.status})"

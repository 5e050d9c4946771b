"""Writes to quality signals: rating a module, flagging it, and closing flags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peerpath.content import selectors as content
from peerpath.content import services as content_services
from peerpath.core import events, permissions
from peerpath.curation.models import (
    OPEN_REVIEW_STATUSES,
    CommentKind,
    Flag,
    FlagReason,
    FlagStatus,
    Rating,
    Review,
    ReviewComment,
    ReviewStatus,
)
from peerpath.learning import selectors as learning

if TYPE_CHECKING:
    from peerpath.content.models import Module
    from peerpath.people.models import User


@transaction.atomic
def module_rate(*, user: User, module: Module, stars: int, comment: str = "") -> Rating:
    """Rate a module 1–5 (rating again replaces the earlier rating)."""
    permissions.require(
        permissions.can_rate_module(user, module), "You cannot rate your own module."
    )
    if not learning.progress_by_module(user, [module.pk]):
        raise ValidationError("Open the module before rating it.")
    if stars not in range(1, 6):
        raise ValidationError({"stars": "Choose from one to five stars."})
    comment = comment.strip()
    if len(comment) > 1000:
        raise ValidationError({"comment": "Keep the note to the author under 1,000 characters."})
    rating, _ = Rating.objects.update_or_create(
        module=module, user=user, defaults={"stars": stars, "comment": comment}
    )
    return rating


@transaction.atomic
def module_flag(*, user: User, module: Module, reason: str, details: str) -> Flag:
    """Report a problem with a module into the moderation queue."""
    permissions.require(permissions.can_flag_module(user, module))
    if reason not in FlagReason.values:
        raise ValidationError({"reason": "Choose what is wrong."})
    details = details.strip()
    if len(details) < 10:
        raise ValidationError({"details": "Say what is wrong in a sentence or two."})
    # Lock the module's open flags by this reporter: two quick submissions make one report.
    existing = (
        Flag.objects.select_for_update()
        .filter(module=module, reporter=user, status=FlagStatus.OPEN)
        .first()
    )
    if existing is not None:
        raise ValidationError("You have already reported this module; moderators are on it.")
    flag = Flag(module=module, reporter=user, reason=reason, details=details)
    flag.full_clean()
    flag.save()
    return flag


@transaction.atomic
def flag_close(*, actor: User, flag: Flag, resolved: bool, note: str = "") -> Flag:
    """Close a flag as resolved (the module was fixed) or dismissed (nothing to fix)."""
    flag = Flag.objects.select_for_update().select_related("module").get(pk=flag.pk)
    permissions.require(permissions.can_moderate_module(actor, flag.module))
    if flag.status != FlagStatus.OPEN:
        raise ValidationError("This report is already closed.")
    flag.status = FlagStatus.RESOLVED if resolved else FlagStatus.DISMISSED
    flag.closed_by = actor
    flag.closed_at = timezone.now()
    flag.closing_note = note.strip()[:500]
    flag.save(update_fields=["status", "closed_by", "closed_at", "closing_note"])
    return flag


# --- Reviews towards Curated -------------------------------------------------------------


def _note(review: Review, author: User | None, kind: str, body: str = "", quote: str = "") -> None:
    ReviewComment.objects.create(
        review=review,
        author=author,
        kind=kind,
        body=body.strip(),
        quote=quote.strip(),
        version_number=review.version.number,
    )


@transaction.atomic
def module_nominate(*, user: User, module: Module, reason: str = "") -> Review:
    """Put a community module forward for Curated status (joins an open review if any)."""
    permissions.require(permissions.can_nominate_module(user, module))
    # Lock the module so two nominations at once open one review, not two.
    content.lock_module(module)
    module.refresh_from_db(fields=["curated_version"])
    if module.is_curated and content.pending_version(module) is None:
        raise ValidationError("This module is already Curated.")
    review = Review.objects.filter(module=module, status__in=OPEN_REVIEW_STATUSES).first()
    if review is None:
        latest = content.latest_version(module)
        if latest is None:
            raise ValidationError("Publish the module before nominating it.")
        review = Review.objects.create(module=module, version=latest, nominated_by=user)
    _note(review, user, CommentKind.NOMINATION, reason)
    return review


@transaction.atomic
def review_comment(*, user: User, review: Review, body: str, quote: str = "") -> ReviewComment:
    """Anyone who may edit or review the module joins the conversation."""
    permissions.require(permissions.can_discuss_review(user, review.module))
    if not body.strip():
        raise ValidationError({"body": "Write a comment."})
    if quote.strip() and quote.strip() not in review.version.body_markdown:
        raise ValidationError({"quote": "Quote a passage exactly as it appears in the module."})
    _note(review, user, CommentKind.COMMENT, body, quote)
    return review.comments.order_by("-id").first()  # type: ignore[return-value]


def _decide(review: Review, reviewer: User) -> Review:
    review = (
        Review.objects.select_for_update().select_related("module", "version").get(pk=review.pk)
    )
    permissions.require(
        permissions.can_moderate_module(reviewer, review.module),
        "Only expert reviewers of this module's skills decide on it.",
    )
    if not review.is_open:
        raise ValidationError("This review is already closed.")
    if review.version.published_by_id == reviewer.pk and not permissions.is_learning_admin(
        reviewer
    ):
        raise ValidationError("Reviewers cannot approve or send back their own version.")
    return review


@transaction.atomic
def review_request_changes(*, reviewer: User, review: Review, body: str) -> Review:
    review = _decide(review, reviewer)
    if not body.strip():
        raise ValidationError({"body": "Say what needs to change."})
    review.status = ReviewStatus.CHANGES_REQUESTED
    review.save(update_fields=["status", "updated_at"])
    _note(review, reviewer, CommentKind.CHANGES, body)
    return review


@transaction.atomic
def review_approve(*, reviewer: User, review: Review, body: str = "") -> Review:
    """Approve the version under review: it becomes what learners see, marked Curated."""
    review = _decide(review, reviewer)
    content_services.module_adopt_version(
        actor=reviewer, module=review.module, version=review.version
    )
    review.status = ReviewStatus.APPROVED
    review.decided_by = reviewer
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _note(review, reviewer, CommentKind.APPROVAL, body)
    return review


def on_module_published(event: events.ModulePublished) -> None:
    """A revision moves an open review to the new version; a curated module goes back."""
    version = content.version_by_id(event.version_id)
    if version is None:
        return
    review = (
        Review.objects.select_for_update()
        .filter(module_id=event.module_id, status__in=OPEN_REVIEW_STATUSES)
        .first()
    )
    if review is None:
        if not content.module_is_curated(event.module_id):
            return
        review = Review.objects.create(
            module_id=event.module_id, version=version, nominated_by_id=event.actor_id
        )
    else:
        review.version = version
        review.status = ReviewStatus.PENDING
        review.save(update_fields=["version", "status", "updated_at"])
    ReviewComment.objects.create(
        review=review,
        author_id=event.actor_id,
        kind=CommentKind.REVISION,
        version_number=version.number,
    )

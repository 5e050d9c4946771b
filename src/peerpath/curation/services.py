"""Writes to quality signals: rating a module, flagging it, and closing flags."""

from __future__ import annotations

import calendar
import html
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from peerpath.content import selectors as content
from peerpath.content import services as content_services
from peerpath.content.rendering import render_markdown
from peerpath.core import events, permissions
from peerpath.curation.models import (
    OPEN_REVIEW_STATUSES,
    CommentKind,
    CurationTerm,
    Flag,
    FlagReason,
    FlagStatus,
    Rating,
    Review,
    ReviewComment,
    ReviewStatus,
)
from peerpath.learning import selectors as learning
from peerpath.people import selectors as people

if TYPE_CHECKING:
    from peerpath.content.models import Module, ModuleVersion
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
    quote = " ".join(quote.split())
    if quote and quote not in _quotable_text(review.version):
        raise ValidationError({"quote": "Quote a passage exactly as it appears in the module."})
    _note(review, user, CommentKind.COMMENT, body, quote)
    return review.comments.order_by("-id").first()  # type: ignore[return-value]


def _quotable_text(version: ModuleVersion) -> str:
    """The version as written and as read, with spacing evened out.

    Reviewers quote by selecting rendered text or by pasting the Markdown; both count.
    """
    rendered = html.unescape(strip_tags(render_markdown(version.body_markdown)))
    return " ".join(f"{version.body_markdown}\n{rendered}\n{version.quiz_source}".split())


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
    _announce_decision(review, reviewer, approved=False)
    return review


def _announce_decision(review: Review, reviewer: User, *, approved: bool) -> None:
    module = review.module
    events.publish(
        events.ReviewDecided(
            review_id=review.pk,
            module_id=module.pk,
            module_public_id=str(module.public_id),
            module_title=module.title,
            reviewer_id=reviewer.pk,
            approved=approved,
            at=timezone.now(),
        )
    )


def default_review_by(today: date) -> date:
    """When a fresh approval falls due for another look (``PEERPATH_CURATED_REVIEW_MONTHS``)."""
    months = settings.PEERPATH_CURATED_REVIEW_MONTHS
    month_index = today.month - 1 + months
    year, month = today.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def _check_review_by(review_by: date, today: date) -> None:
    if review_by <= today:
        raise ValidationError({"review_by": "Choose a review-by date after today."})
    if review_by > today + timedelta(days=3 * 366):
        raise ValidationError({"review_by": "Choose a review-by date within three years."})


def _set_term(module_id: int, actor: User, review_by: date | None) -> CurationTerm:
    today = timezone.localdate()
    review_by = review_by or default_review_by(today)
    _check_review_by(review_by, today)
    term, _ = CurationTerm.objects.update_or_create(
        module_id=module_id,
        defaults={"review_by": review_by, "reminded_at": None, "confirmed_by": actor},
    )
    return term


@transaction.atomic
def review_approve(
    *, reviewer: User, review: Review, body: str = "", review_by: date | None = None
) -> Review:
    """Approve the version under review: it becomes what learners see, marked Curated.

    The approval holds until ``review_by`` (by default a configured number of months).
    """
    review = _decide(review, reviewer)
    was_curated = content.module_is_curated(review.module_id)
    _set_term(review.module_id, reviewer, review_by)
    content_services.module_adopt_version(
        actor=reviewer, module=review.module, version=review.version
    )
    review.status = ReviewStatus.APPROVED
    review.decided_by = reviewer
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _note(review, reviewer, CommentKind.APPROVAL, body)
    _announce_decision(review, reviewer, approved=True)
    if not was_curated:
        module = review.module
        events.publish(
            events.ModuleCurated(
                module_id=module.pk,
                module_public_id=str(module.public_id),
                module_title=module.title,
                owner_id=module.owner_id,
                reviewer_id=reviewer.pk,
                at=review.decided_at,
            )
        )
    return review


@transaction.atomic
def curation_confirm(*, actor: User, module: Module, review_by: date | None = None) -> CurationTerm:
    """An expert checked a Curated module and it is still right: set its next review date."""
    permissions.require(
        permissions.can_moderate_module(actor, module),
        "Only expert reviewers of this module's skills confirm it.",
    )
    if not content.module_is_curated(module.pk):
        raise ValidationError("Only a Curated module has a review-by date.")
    return _set_term(module.pk, actor, review_by)


def review_reminders_send(*, now: datetime | None = None) -> int:
    """Remind the owner and reviewers of every Curated module whose review-by date passed.

    Each module is reminded once per review-by date, so running this often is harmless.
    Returns how many modules were reminded.
    """
    now = now or timezone.now()
    due = CurationTerm.objects.filter(
        review_by__lt=timezone.localdate(now),
        reminded_at__isnull=True,
        module__curated_version__isnull=False,
    ).values_list("pk", flat=True)
    reminded = 0
    for term_id in list(due[:5000]):
        with transaction.atomic():
            # Another worker may be sending the same reminder: the row lock and the
            # re-check of reminded_at make sure each goes out once.
            term = (
                CurationTerm.objects.select_for_update()
                .select_related("module", "module__owner")
                .filter(pk=term_id, reminded_at__isnull=True)
                .first()
            )
            if term is None:
                continue
            _send_review_due(term)
            term.reminded_at = now
            term.save(update_fields=["reminded_at", "updated_at"])
            reminded += 1
    return reminded


def _send_review_due(term: CurationTerm) -> None:
    module = term.module
    skill_paths = list(module.skills.values_list("path", flat=True))
    recipients = {module.owner, *people.reviewers_for_skill_paths(skill_paths)}
    url = settings.BASE_URL + reverse("learning:module", args=[module.public_id, module.slug])
    context = {"module": module, "term": term, "url": url}
    subject = f"Time to review “{module.title}”"
    messages = [
        EmailMessage(
            subject=subject,
            body=render_to_string("curation/email/review_due.txt", {**context, "person": person}),
            to=[person.email],
        )
        for person in sorted(recipients, key=lambda p: p.pk)
        if person.is_active and person.email
    ]
    get_connection().send_messages(messages)


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

"""Reads of ratings and flags, in a fixed number of queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Avg, Count, Prefetch, QuerySet

from peerpath.core import permissions
from peerpath.curation.models import (
    OPEN_REVIEW_STATUSES,
    CurationTerm,
    Flag,
    FlagStatus,
    Rating,
    Review,
    ReviewComment,
    ReviewStatus,
)
from peerpath.people import selectors as people

if TYPE_CHECKING:
    from peerpath.content.models import Module
    from peerpath.people.models import User


@dataclass(frozen=True)
class RatingSummary:
    average: float
    count: int


def rating_summaries(module_ids: Iterable[int]) -> dict[int, RatingSummary]:
    """Average stars and number of ratings per module (one query for any number)."""
    ids = list(module_ids)
    if not ids:
        return {}
    rows = (
        Rating.objects.filter(module_id__in=ids)
        .values("module_id")
        .annotate(average=Avg("stars"), count=Count("id"))
    )
    return {r["module_id"]: RatingSummary(float(r["average"]), r["count"]) for r in rows}


def rating_by(user: User, module: Module) -> Rating | None:
    return Rating.objects.filter(user=user, module=module).first()


def rating_notes(module: Module, *, limit: int = 20) -> list[Rating]:
    """The latest ratings that carry a note to the author."""
    return list(
        Rating.objects.filter(module=module)
        .exclude(comment="")
        .select_related("user")
        .order_by("-updated_at")[:limit]
    )


def open_flag_count(module: Module) -> int:
    return Flag.objects.filter(module=module, status=FlagStatus.OPEN).count()


_Q = TypeVar("_Q", Flag, Review, CurationTerm)


def _in_moderator_areas(items: QuerySet[_Q], user: User) -> QuerySet[_Q]:
    """Learning admins see every module's items; reviewers those of their skill areas."""
    if permissions.is_learning_admin(user):
        return items
    return items.filter(module__skills__in=people.reviewer_skill_ids(user)).distinct()


def flags_for_moderator(user: User, *, status: str = FlagStatus.OPEN) -> QuerySet[Flag]:
    """The moderation queue: every flag for learning admins, their areas' for reviewers."""
    flags = Flag.objects.filter(status=status).select_related(
        "module", "module__owner", "reporter", "closed_by"
    )
    flags = _in_moderator_areas(flags, user)
    return flags.order_by("created_at" if status == FlagStatus.OPEN else "-closed_at")


def flag_by_public_id(public_id: uuid.UUID | str) -> Flag | None:
    return Flag.objects.select_related("module").filter(public_id=public_id).first()


def open_review(module: Module) -> Review | None:
    return Review.objects.filter(module=module, status__in=OPEN_REVIEW_STATUSES).first()


def review_by_public_id(public_id: uuid.UUID | str) -> Review | None:
    comments = ReviewComment.objects.select_related("author")
    try:
        return (
            Review.objects.select_related("module", "module__owner", "version", "nominated_by")
            .prefetch_related(Prefetch("comments", queryset=comments), "module__skills")
            .get(public_id=public_id)
        )
    except (Review.DoesNotExist, ValueError):
        return None


def reviews_for_reviewer(user: User, *, status: str = ReviewStatus.PENDING) -> QuerySet[Review]:
    """Review queue: every module for learning admins, their skill areas for reviewers."""
    reviews = (
        Review.objects.filter(status=status)
        .select_related("module", "module__owner", "version", "nominated_by")
        .prefetch_related("module__skills")
    )
    reviews = _in_moderator_areas(reviews, user)
    return reviews.order_by("created_at" if status in OPEN_REVIEW_STATUSES else "-updated_at")


def curation_term(module: Module) -> CurationTerm | None:
    if not module.is_curated:
        return None
    return CurationTerm.objects.filter(module=module).first()


def curation_terms(module_ids: Iterable[int]) -> dict[int, CurationTerm]:
    return {t.module_id: t for t in CurationTerm.objects.filter(module_id__in=list(module_ids))}


DUE_SOON_DAYS = 30


def curated_due_for_review(user: User, *, today: date) -> QuerySet[CurationTerm]:
    """Curated modules in the user's areas whose review-by date is near or past, soonest first."""
    terms = CurationTerm.objects.filter(
        review_by__lte=today + timedelta(days=DUE_SOON_DAYS),
        module__curated_version__isnull=False,
    ).select_related("module", "module__owner")
    return _in_moderator_areas(terms, user).order_by("review_by", "pk")


@dataclass(frozen=True)
class Standing:
    """Where one of an author's modules stands on the way to (and as) Curated content."""

    module: Module
    label: str
    tone: str
    review: Review | None
    term: CurationTerm | None


def standings(modules: Sequence[Module], *, today: date) -> list[Standing]:
    """Each module's curation standing, for its authors (two queries for any number)."""
    ids = [m.pk for m in modules]
    open_reviews = {
        r.module_id: r
        for r in Review.objects.filter(module_id__in=ids, status__in=OPEN_REVIEW_STATUSES)
    }
    terms = curation_terms(ids)
    rows = []
    for module in modules:
        review, term = open_reviews.get(module.pk), terms.get(module.pk)
        if not module.is_published:
            label, tone = "Draft", "draft"
        elif review is not None and review.status == ReviewStatus.CHANGES_REQUESTED:
            label, tone = "Changes requested", "progress"
        elif review is not None:
            label = "Revision in review" if module.is_curated else "Waiting for review"
            tone = "progress"
        elif module.is_curated and term is not None and term.review_by < today:
            label, tone = "Curated · review overdue", "progress"
        elif module.is_curated:
            label, tone = "Curated", "done"
        else:
            label, tone = "Community", ""
        rows.append(Standing(module, label, tone, review, term if module.is_curated else None))
    return rows

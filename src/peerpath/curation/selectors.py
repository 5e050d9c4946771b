"""Reads of ratings and flags, in a fixed number of queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Avg, Count, Prefetch, QuerySet

from peerpath.core import permissions
from peerpath.curation.models import (
    OPEN_REVIEW_STATUSES,
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


_Q = TypeVar("_Q", Flag, Review)


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


def review_statuses(module_ids: Iterable[int]) -> dict[int, str]:
    """The latest review's status per module, for authors' lists (one query)."""
    ids = list(module_ids)
    rows = Review.objects.filter(module_id__in=ids).order_by("module_id", "created_at")
    return {r.module_id: r.get_status_display() for r in rows.only("module_id", "status")}

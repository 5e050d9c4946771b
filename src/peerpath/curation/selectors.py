"""Reads of ratings and flags, in a fixed number of queries."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Avg, Count, QuerySet

from peerpath.core import permissions
from peerpath.curation.models import Flag, FlagStatus, Rating
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


def flags_for_moderator(user: User, *, status: str = FlagStatus.OPEN) -> QuerySet[Flag]:
    """The moderation queue: every flag for learning admins, their areas' for reviewers."""
    flags = Flag.objects.filter(status=status).select_related(
        "module", "module__owner", "reporter", "closed_by"
    )
    if not permissions.is_learning_admin(user):
        flags = flags.filter(module__skills__in=people.reviewer_skill_ids(user)).distinct()
    return flags.order_by("created_at" if status == FlagStatus.OPEN else "-closed_at")


def flag_by_public_id(public_id: uuid.UUID | str) -> Flag | None:
    return Flag.objects.select_related("module").filter(public_id=public_id).first()

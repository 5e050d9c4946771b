"""Reads of the skill framework."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from peerpath.skills.models import Skill


def skills_all() -> QuerySet[Skill]:
    return Skill.objects.order_by("path")


def skills_for_cards() -> QuerySet[Skill]:
    """Just what a skill chip shows."""
    return Skill.objects.only("id", "name", "slug", "path")


def skills_top_level() -> QuerySet[Skill]:
    return Skill.objects.filter(parent__isnull=True).order_by("path")


def skill_by_slug(slug: str) -> Skill | None:
    return Skill.objects.filter(slug=slug).first()


def skills_with_module_counts() -> QuerySet[Skill]:
    return Skill.objects.annotate(
        module_count=Count("modules", filter=Q(modules__status="published"))
    ).order_by("path")


def skill_ids_within(paths: list[str]) -> set[int]:
    """Ids of the skills at or beneath each given path: an area includes its sub-skills."""
    if not paths:
        return set()
    match = Q()
    for path in paths:
        match |= Q(path=path) | Q(path__startswith=f"{path} / ")
    return set(Skill.objects.filter(match).values_list("id", flat=True))

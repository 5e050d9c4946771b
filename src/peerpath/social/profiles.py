"""Profiles: who sees a person's learning activity, and the skills they declare and follow.

A person's activity is visible to everyone, to their team, or to themselves only. The
setting lives in ``SocialSettings`` (no row means everyone) and is copied onto their
``Activity`` rows so feeds filter without joins; changing it refreshes the copies here,
in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from peerpath.core import permissions
from peerpath.social import activity
from peerpath.social.models import (
    DeclaredSkill,
    SkillFollow,
    SocialSettings,
    Visibility,
)

if TYPE_CHECKING:
    from peerpath.people.models import User
    from peerpath.skills.models import Skill

MAX_DECLARED_SKILLS = 30
MAX_FOLLOWED_SKILLS = 50


def visibility_of(person: User) -> str:
    """The person's activity visibility (everyone until they choose otherwise)."""
    row = SocialSettings.objects.filter(person=person).values_list("activity_visibility", flat=True)
    return next(iter(row), Visibility.EVERYONE)


def activity_visible_to(viewer: User, person: User, visibility: str) -> bool:
    """Whether ``viewer`` may see the learning activity of ``person`` under ``visibility``.

    Pure: callers pass the visibility they read, so a page asks the database once.
    """
    if not viewer.is_active:
        return False
    if viewer.pk == person.pk:
        return True
    if visibility == Visibility.EVERYONE:
        return True
    if visibility == Visibility.TEAM:
        return person.team_id is not None and viewer.team_id == person.team_id
    return False


@transaction.atomic
def _changes(current: set[int], skills: Iterable[Skill]) -> tuple[set[int], list[int]]:
    """(skill ids to drop, skill ids to add) to go from ``current`` to ``skills``."""
    wanted = {skill.pk for skill in skills}
    return current - wanted, sorted(wanted - current)


@transaction.atomic
def declared_skills_set(*, actor: User, person: User, skills: Iterable[Skill]) -> list[int]:
    """Replace the skills a person says they have (shown on their profile)."""
    if not permissions.can_edit_social_settings(actor, person):
        raise PermissionDenied("Only you can say which skills you have.")
    skills = list(skills)
    if len({s.pk for s in skills}) > MAX_DECLARED_SKILLS:
        raise ValidationError(
            {"declared_skills": f"Choose at most {MAX_DECLARED_SKILLS} skills you have."}
        )
    rows = DeclaredSkill.objects.filter(person=person)
    drop, add = _changes(set(rows.values_list("skill_id", flat=True)), skills)
    rows.filter(skill_id__in=drop).delete()
    DeclaredSkill.objects.bulk_create(
        [DeclaredSkill(person=person, skill_id=pk) for pk in add], ignore_conflicts=True
    )
    return sorted({s.pk for s in skills})


@transaction.atomic
def followed_skills_set(*, actor: User, person: User, skills: Iterable[Skill]) -> list[int]:
    """Replace the skills a person follows (newly Curated modules in them reach their feed)."""
    if not permissions.can_edit_social_settings(actor, person):
        raise PermissionDenied("Only you can choose the skills you follow.")
    skills = list(skills)
    if len({s.pk for s in skills}) > MAX_FOLLOWED_SKILLS:
        raise ValidationError({"followed_skills": f"Follow at most {MAX_FOLLOWED_SKILLS} skills."})
    rows = SkillFollow.objects.filter(person=person)
    drop, add = _changes(set(rows.values_list("skill_id", flat=True)), skills)
    rows.filter(skill_id__in=drop).delete()
    SkillFollow.objects.bulk_create(
        [SkillFollow(person=person, skill_id=pk) for pk in add], ignore_conflicts=True
    )
    return sorted({s.pk for s in skills})


def follows_skill(person: User, skill: Skill) -> bool:
    return SkillFollow.objects.filter(person=person, skill=skill).exists()


@transaction.atomic
def skill_follow(*, person: User, skill: Skill) -> SkillFollow:
    """Follow one skill (from the catalog's skill filter); following twice changes nothing."""
    if not permissions.can_follow_skills(person):
        raise PermissionDenied("You cannot follow skills.")
    follow = SkillFollow.objects.filter(person=person, skill=skill).first()
    if follow is not None:
        return follow
    if SkillFollow.objects.filter(person=person).count() >= MAX_FOLLOWED_SKILLS:
        raise ValidationError(
            f"You follow {MAX_FOLLOWED_SKILLS} skills, the most one can. "
            "Unfollow one on your profile settings first."
        )
    follow = SkillFollow(person=person, skill=skill)
    follow.full_clean(validate_unique=False)
    follow.save()
    return follow


@transaction.atomic
def skill_unfollow(*, person: User, skill: Skill) -> None:
    SkillFollow.objects.filter(person=person, skill=skill).delete()


@transaction.atomic
def social_settings_set(
    *,
    actor: User,
    person: User,
    visibility: str,
    declared: Iterable[Skill],
    followed: Iterable[Skill],
) -> None:
    """Save the profile's social settings together: all of them or none."""
    if not permissions.can_edit_social_settings(actor, person):
        raise PermissionDenied("Only you can change your social settings.")
    activity.activity_visibility_set(person=person, visibility=visibility)
    declared_skills_set(actor=actor, person=person, skills=declared)
    followed_skills_set(actor=actor, person=person, skills=followed)

"""Writes to the skill framework."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from peerpath.skills.models import Skill

MAX_DEPTH = 4


def _unique_slug(name: str, parent: Skill | None) -> str:
    base = slugify(f"{parent.slug}-{name}" if parent else name)[:90] or "skill"
    slug, n = base, 2
    while Skill.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def skill_create(*, name: str, parent: Skill | None = None, description: str = "") -> Skill:
    """Add a skill area under ``parent`` (or at the top), keeping the tree shallow."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A skill needs a name."})
    if parent is not None and parent.depth + 1 >= MAX_DEPTH:
        raise ValidationError({"parent": f"Skills nest at most {MAX_DEPTH} levels deep."})
    if Skill.objects.filter(name__iexact=name, parent=parent).exists():
        raise ValidationError({"name": "A skill with this name already exists here."})
    skill = Skill(
        name=name,
        parent=parent,
        description=description.strip(),
        slug=_unique_slug(name, parent),
        path=f"{parent.path} / {name}" if parent else name,
    )
    skill.full_clean()
    skill.save()
    return skill


@transaction.atomic
def skill_update(*, skill: Skill, name: str, description: str = "") -> Skill:
    """Rename or redescribe a skill, refreshing the display path of its whole subtree."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A skill needs a name."})
    if Skill.objects.filter(name__iexact=name, parent=skill.parent).exclude(pk=skill.pk).exists():
        raise ValidationError({"name": "A skill with this name already exists here."})
    old_prefix = skill.path
    skill.name = name
    skill.description = description.strip()
    skill.path = f"{skill.parent.path} / {name}" if skill.parent else name
    skill.save(update_fields=["name", "description", "path"])
    for child in Skill.objects.filter(path__startswith=f"{old_prefix} / "):
        child.path = skill.path + child.path[len(old_prefix) :]
        child.save(update_fields=["path"])
    return skill

"""Every write to people and the organisation goes through here."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.text import slugify

from peerpath.core import events, permissions
from peerpath.people.models import Department, ExpertReviewer, JobRole, Team, User
from peerpath.people.selectors import line_path_prefix

if TYPE_CHECKING:
    from peerpath.skills.models import Skill

PROFILE_FIELDS = (
    "display_name",
    "job_title",
    "job_role",
    "team",
    "location",
    "time_zone",
    "hire_date",
    "about",
)


def unique_slug(model: type[Department | Team | JobRole], name: str) -> str:
    base = slugify(name)[:120] or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def department_get_or_create(*, name: str) -> Department:
    name = name.strip()
    found = Department.objects.filter(name__iexact=name).first()
    if found:
        return found
    return Department.objects.create(name=name, slug=unique_slug(Department, name))


def team_get_or_create(*, name: str, department: Department, works_shifts: bool = False) -> Team:
    name = name.strip()
    found = Team.objects.filter(name__iexact=name).first()
    if found:
        return found
    return Team.objects.create(
        name=name, department=department, works_shifts=works_shifts, slug=unique_slug(Team, name)
    )


@transaction.atomic
def team_create(*, name: str, department_name: str, works_shifts: bool = False) -> Team:
    """Add a team, creating its department when it is new."""
    name, department_name = name.strip(), department_name.strip()
    if not name:
        raise ValidationError({"name": "A team needs a name."})
    if not department_name:
        raise ValidationError({"department": "A team belongs to a department."})
    if Team.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"The team “{name}” already exists."})
    department = department_get_or_create(name=department_name)
    return team_get_or_create(name=name, department=department, works_shifts=works_shifts)


def job_role_create(*, name: str) -> JobRole:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A job role needs a name."})
    if JobRole.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"The job role “{name}” already exists."})
    return JobRole.objects.create(name=name, slug=unique_slug(JobRole, name))


def line_path_for(user_id: int, manager: User | None) -> str:
    return f"{manager.line_path if manager else '/'}{user_id}/"


@transaction.atomic
def person_create(
    *,
    email: str,
    display_name: str,
    password: str | None = None,
    manager: User | None = None,
    **profile: Any,
) -> User:
    """Create an account with its profile and place it in the reporting line."""
    unknown = set(profile) - set(PROFILE_FIELDS) - {"is_learning_admin", "is_staff", "is_superuser"}
    if unknown:
        raise TypeError(f"Unknown profile fields: {sorted(unknown)}")
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone already has this email address."})
    user = User(email=email, display_name=display_name.strip(), manager=manager, **profile)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password", "line_path"])
    user.save()
    user.line_path = line_path_for(user.pk, manager)
    user.save(update_fields=["line_path"])
    emails_vouch_for([user])
    events.publish(events.PeopleJoined(person_ids=(user.pk,)))
    return user


def emails_vouch_for(people: Iterable[User]) -> None:
    """Mark the organisation's own addresses as verified for sign-in.

    People created by an admin or the organisation import have addresses the organisation
    issued, so mandatory email verification does not stop them at their first sign-in.
    Self-service sign-up still verifies as usual.
    """
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=p, email=p.email, verified=True, primary=True) for p in people],
        ignore_conflicts=True,
    )


@transaction.atomic
def person_update_profile(*, person: User, **changes: Any) -> User:
    """Change profile fields a person (or an admin) may edit."""
    unknown = set(changes) - set(PROFILE_FIELDS) - {"avatar", "is_learning_admin"}
    if unknown:
        raise TypeError(f"Unknown profile fields: {sorted(unknown)}")
    before = _placement(person)
    for field, value in changes.items():
        setattr(person, field, value)
    person.full_clean(exclude=["password", "line_path", "manager"])
    person.save()
    if _placement(person) != before:
        events.publish(events.PeopleChanged(person_ids=(person.pk,)))
    return person


def _placement(person: User) -> tuple[object, ...]:
    """The fields other contexts react to when they change (assignments follow them)."""
    return (person.job_role_id, person.team_id, person.hire_date, person.is_active)


@transaction.atomic
def person_set_manager(*, person: User, manager: User | None) -> User:
    """Move a person (and everyone reporting to them) under a new manager."""
    # Lock the person's row so two concurrent moves cannot interleave their path rewrites
    # and leave the subtree half-moved.
    person = User.objects.select_for_update().get(pk=person.pk)
    if manager is not None:
        manager = User.objects.get(pk=manager.pk)
        if manager.pk == person.pk:
            raise ValidationError({"manager": "A person cannot be their own manager."})
        if manager.line_path.startswith(person.line_path):
            raise ValidationError(
                {"manager": f"{manager} reports to {person}; that would make a loop."}
            )
    old_path = person.line_path
    new_path = line_path_for(person.pk, manager)
    person.manager = manager
    person.line_path = new_path
    person.save(update_fields=["manager", "line_path"])
    if old_path and old_path != new_path:
        User.objects.filter(line_path_prefix(old_path)).exclude(pk=person.pk).update(
            line_path=Concat(Value(new_path), Substr("line_path", len(old_path) + 1))
        )
        moved = User.objects.filter(line_path_prefix(new_path)).values_list("pk", flat=True)
        events.publish(events.PeopleChanged(person_ids=tuple(moved)))
    return person


@transaction.atomic
def person_deactivate(*, person: User, by: User) -> User:
    """Stop a person signing in, keeping their history, content and progress."""
    if person.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account.")
    if not person.is_active:
        return person
    person.is_active = False
    person.deactivated_at = timezone.now()
    person.save(update_fields=["is_active", "deactivated_at"])
    events.publish(events.PeopleChanged(person_ids=(person.pk,)))
    return person


@transaction.atomic
def person_reactivate(*, person: User) -> User:
    was_active = person.is_active
    person.is_active = True
    person.deactivated_at = None
    person.save(update_fields=["is_active", "deactivated_at"])
    if not was_active:
        events.publish(events.PeopleChanged(person_ids=(person.pk,)))
    return person


@transaction.atomic
def person_admin_update(
    *,
    person: User,
    by: User,
    manager: User | None,
    is_learning_admin: bool,
    reviewer_skills: Iterable[Skill] = (),
    **profile: Any,
) -> User:
    """An admin's edit of someone's place in the organisation, profile and roles."""
    permissions.require(permissions.can_manage_people(by))
    wanted_skills = {s.pk for s in reviewer_skills}
    current_skills = set(person.reviewer_areas.values_list("skill_id", flat=True))
    if is_learning_admin != person.is_learning_admin or wanted_skills != current_skills:
        permissions.require(permissions.can_grant_roles(by))
    if person.pk == by.pk and not is_learning_admin and person.is_learning_admin:
        raise ValidationError("You cannot remove your own learning-admin role.")
    person = person_set_manager(person=person, manager=manager)
    person.is_learning_admin = is_learning_admin
    person = person_update_profile(person=person, **profile)
    person.reviewer_areas.exclude(skill_id__in=wanted_skills).delete()
    ExpertReviewer.objects.bulk_create(
        [ExpertReviewer(user=person, skill_id=pk) for pk in wanted_skills - current_skills]
    )
    return person

"""Reads about people and the organisation."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet

from peerpath.people.models import Department, JobRole, Team, User
from peerpath.skills import selectors as skills


def people_active() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


def person_by_public_id(public_id: uuid.UUID | str) -> User | None:
    try:
        return User.objects.select_related("team", "job_role", "manager").get(public_id=public_id)
    except (User.DoesNotExist, ValueError):
        return None


def line_path_prefix(prefix: str) -> Q:
    """Match every reporting path that starts with ``prefix`` (which ends in "/"), by index.

    PostgreSQL serves LIKE 'prefix%' from the varchar_pattern_ops index. SQLite's LIKE
    ignores case and so cannot use an index; there a byte-order range does the same job:
    every path under "/1/7/" sorts at or after it and before "/1/70" ("0" follows "/").
    """
    if connection.vendor == "postgresql":
        return Q(line_path__startswith=prefix)
    return Q(line_path__gte=prefix, line_path__lt=prefix[:-1] + "0")


def people_for_admin(*, query: str = "", status: str = "active") -> QuerySet[User]:
    """Everyone, for the admin list: filtered by status and a search over name, email, title."""
    people = User.objects.select_related("team", "job_role", "manager").order_by("display_name")
    if status == "inactive":
        people = people.filter(is_active=False)
    elif status != "all":
        people = people.filter(is_active=True)
    if query:
        people = people.filter(
            Q(display_name__icontains=query)
            | Q(email__icontains=query)
            | Q(job_title__icontains=query)
            | Q(team__name__icontains=query)
        )
    return people


def reports_subtree(manager: User, *, include_inactive: bool = False) -> QuerySet[User]:
    """Everyone below ``manager`` in the reporting line, at any depth."""
    qs = User.objects.filter(line_path_prefix(manager.line_path)).exclude(pk=manager.pk)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs


def has_reports(user: User) -> bool:
    """True when anyone active reports to ``user``; cached on the instance per request."""
    cached: bool | None = getattr(user, "_peerpath_has_reports", None)
    if cached is None:
        cached = User.objects.filter(manager_id=user.pk, is_active=True).exists()
        user._peerpath_has_reports = cached  # type: ignore[attr-defined]
    return cached


def nav_roles(user: User) -> tuple[bool, bool]:
    """(has reports, is an expert reviewer), cached for a minute: for showing links only.

    Access itself is always decided on fresh data by the permission checks.
    """

    key = f"peerpath:nav-roles:{user.pk}"
    roles = cache.get(key)
    if roles is None:
        roles = (
            User.objects.filter(manager_id=user.pk, is_active=True).exists(),
            user.reviewer_areas.exists(),
        )
        cache.set(key, roles, 60)
    return bool(roles[0]), bool(roles[1])


def is_above_in_line(manager: User, person: User) -> bool:
    """True when ``person`` reports to ``manager`` directly or through other managers."""
    return (
        manager.pk != person.pk
        and bool(manager.line_path)
        and person.line_path.startswith(manager.line_path)
    )


def manages_team(user: User, team: Team) -> bool:
    """True when someone active in ``team`` reports to ``user``, directly or further down."""
    if not user.line_path:
        return False
    return (
        User.objects.filter(team=team, is_active=True)
        .filter(line_path_prefix(user.line_path))
        .exclude(pk=user.pk)
        .exists()
    )


def teams_all() -> QuerySet[Team]:
    return Team.objects.select_related("department").order_by("name")


def departments_all() -> QuerySet[Department]:
    return Department.objects.order_by("name")


def job_roles_all() -> QuerySet[JobRole]:
    return JobRole.objects.order_by("name")


def reviewer_skill_ids(user: User) -> set[int]:
    """Skills the user reviews: their granted areas and every sub-skill (cached per request)."""
    cached: set[int] | None = getattr(user, "_peerpath_reviewer_skills", None)
    if cached is None:
        paths = list(user.reviewer_areas.values_list("skill__path", flat=True))
        cached = skills.skill_ids_within(paths)
        user._peerpath_reviewer_skills = cached  # type: ignore[attr-defined]
    return cached


def reviewers_for_skill_paths(paths: Iterable[str]) -> QuerySet[User]:
    """Active expert reviewers whose areas cover any of these skills (areas include sub-skills)."""
    areas: set[str] = set()
    for path in paths:
        parts = path.split(" / ")
        areas.update(" / ".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    return people_active().filter(reviewer_areas__skill__path__in=areas).distinct()


def job_roles_with_counts() -> QuerySet[JobRole]:
    return JobRole.objects.annotate(
        people_count=Count("people", filter=Q(people__is_active=True))
    ).order_by("name")


def teams_with_counts() -> QuerySet[Team]:
    return (
        Team.objects.select_related("department")
        .annotate(people_count=Count("members", filter=Q(members__is_active=True)))
        .order_by("department__name", "name")
    )


def person_by_email(email: str) -> User | None:
    """Anyone with this address (any case), active or not."""
    return User.objects.filter(email__iexact=email.strip()).first()


def people_by_emails(emails: list[str]) -> tuple[list[User], list[str]]:
    """Active people with these addresses (any case), and the addresses nobody has."""
    wanted = {e.strip().lower() for e in emails if e.strip()}
    found = list(User.objects.filter(email__in=wanted, is_active=True))
    known = {u.email.lower() for u in found}
    return found, sorted(wanted - known)

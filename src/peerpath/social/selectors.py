"""Social learning's reads for other contexts' pages, each in a fixed number of queries.

``profile_social`` is what a profile shows beyond the person's record: follows, skills,
recent learning activity (under the person's visibility setting) and public notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from peerpath.core import permissions
from peerpath.learning import selectors as learning
from peerpath.recognition import selectors as recognition
from peerpath.skills import selectors as skills_selectors
from peerpath.social import notes as notes_service
from peerpath.social.models import (
    Activity,
    DeclaredSkill,
    Follow,
    SkillFollow,
    Verb,
    Visibility,
)
from peerpath.social.profiles import activity_visible_to, visibility_of

if TYPE_CHECKING:
    from peerpath.people.models import User
    from peerpath.skills.models import Skill
    from peerpath.social.models import Note

PROFILE_ACTIVITY = 8
PROFILE_NOTES = 4
PROFILE_FOLLOWERS = 6
PROFILE_SKILLS = 24


@dataclass(frozen=True)
class ShownSkill:
    """A skill on a profile and what shows it: the person's word, completed modules in
    it, or a certification that covers it."""

    skill: Skill
    declared: bool = False
    modules_completed: int = 0
    certified: bool = False

    @property
    def evidence(self) -> str:
        parts = []
        if self.certified:
            parts.append("certified")
        if self.modules_completed:
            n = self.modules_completed
            parts.append(f"{n} module{'s' if n != 1 else ''} completed")
        if self.declared and not parts:
            parts.append("self-declared")
        return ", ".join(parts)


@dataclass(frozen=True)
class PublicNote:
    note: Note
    html: str


@dataclass(frozen=True)
class ProfileSocial:
    visibility: str
    activity_visible: bool
    is_me: bool
    can_follow: bool
    is_following: bool
    follower_count: int
    following_count: int
    followers: list[User] = field(default_factory=list)
    skills: list[ShownSkill] = field(default_factory=list)
    activity: list[Activity] = field(default_factory=list)
    notes: list[PublicNote] = field(default_factory=list)
    more_notes: bool = False

    @property
    def visibility_label(self) -> str:
        return str(Visibility(self.visibility).label)


def follow_counts(person: User) -> tuple[int, int]:
    """(followers, following) among active colleagues, in one query."""
    totals = Follow.objects.filter(
        Q(followee=person, follower__is_active=True) | Q(follower=person, followee__is_active=True)
    ).aggregate(
        followers=Count("pk", filter=Q(followee=person)),
        following=Count("pk", filter=Q(follower=person)),
    )
    return int(totals["followers"] or 0), int(totals["following"] or 0)


def followers_of(person: User) -> QuerySet[Follow]:
    """Follows of the person by active colleagues, newest first, with the follower."""
    return (
        Follow.objects.filter(followee=person, follower__is_active=True)
        .select_related("follower", "follower__team")
        .order_by("-created_at", "-pk")
    )


def following_of(person: User) -> QuerySet[Follow]:
    """Active colleagues the person follows, newest first, with the followee."""
    return (
        Follow.objects.filter(follower=person, followee__is_active=True)
        .select_related("followee", "followee__team")
        .order_by("-created_at", "-pk")
    )


def followed_ids(viewer: User, people_ids: list[int]) -> set[int]:
    """Which of these people the viewer follows (one query, for list pages)."""
    if not people_ids:
        return set()
    return set(
        Follow.objects.filter(follower=viewer, followee_id__in=people_ids).values_list(
            "followee_id", flat=True
        )
    )


def shown_skills(person: User, *, with_learning: bool) -> list[ShownSkill]:
    """Declared skills, skills of completed modules (when the viewer may see the person's
    learning) and skills of active certifications, in three queries."""
    found: dict[int, dict[str, object]] = {}
    for declared in DeclaredSkill.objects.filter(person=person).select_related("skill"):
        found.setdefault(declared.skill_id, {"skill": declared.skill})["declared"] = True
    if with_learning:
        completed = learning.progress_completed(person).values("module_id")
        learned = (
            skills_selectors.skills_all()
            .filter(modules__in=completed)
            .annotate(completed=Count("modules", distinct=True))
        )
        for skill in learned:
            found.setdefault(skill.pk, {"skill": skill})["modules_completed"] = skill.completed
    held = recognition.active_awards_of(person).values("certification_id")
    for certified in skills_selectors.skills_all().filter(certifications__in=held).distinct():
        found.setdefault(certified.pk, {"skill": certified})["certified"] = True
    shown = [ShownSkill(**values) for values in found.values()]  # type: ignore[arg-type]
    shown.sort(key=lambda s: (not s.certified, -s.modules_completed, s.skill.path))
    return shown[:PROFILE_SKILLS]


def recent_activity(viewer: User, person: User, visibility: str, *, limit: int) -> list[Activity]:
    """The person's latest activity the viewer may see: nothing when their setting hides
    it, and only rows whose own visibility admits the viewer (one query)."""
    if not activity_visible_to(viewer, person, visibility):
        return []
    # Published notes have their own section on the profile.
    rows = Activity.objects.filter(actor=person).exclude(verb=Verb.NOTE_PUBLISHED)
    if viewer.pk != person.pk:
        allowed = [Visibility.EVERYONE]
        if person.team_id is not None and viewer.team_id == person.team_id:
            allowed.append(Visibility.TEAM)
        rows = rows.filter(visibility__in=allowed)
    rows = rows.filter(
        Q(module__isnull=True) | Q(module__status="published"),
        Q(path__isnull=True) | Q(path__status="published"),
    )
    return list(
        rows.select_related("module", "path", "other_person")
        .defer(
            "module__body_markdown",
            "module__body_html",
            "path__description_markdown",
        )
        .order_by("-created_at", "-id")[:limit]
    )


def profile_social(viewer: User, person: User) -> ProfileSocial:
    """Everything social on a profile, in a fixed number of queries at any size."""
    visibility = visibility_of(person)
    activity_visible = activity_visible_to(viewer, person, visibility)
    is_me = viewer.pk == person.pk
    followers, following = follow_counts(person)
    preview = (
        [follow.follower for follow in followers_of(person)[:PROFILE_FOLLOWERS]]
        if followers
        else []
    )
    notes = list(notes_service.public_notes_by(person)[: PROFILE_NOTES + 1])
    return ProfileSocial(
        visibility=visibility,
        activity_visible=activity_visible,
        is_me=is_me,
        can_follow=permissions.can_follow_person(viewer, person),
        is_following=(not is_me)
        and Follow.objects.filter(follower=viewer, followee=person).exists(),
        follower_count=followers,
        following_count=following,
        followers=preview,
        skills=shown_skills(person, with_learning=activity_visible),
        activity=recent_activity(viewer, person, visibility, limit=PROFILE_ACTIVITY),
        notes=[PublicNote(n, notes_service.rendered(n)) for n in notes[:PROFILE_NOTES]],
        more_notes=len(notes) > PROFILE_NOTES,
    )


def declared_skill_ids(person: User) -> list[int]:
    return list(DeclaredSkill.objects.filter(person=person).values_list("skill_id", flat=True))


def followed_skill_ids(person: User) -> list[int]:
    return list(SkillFollow.objects.filter(person=person).values_list("skill_id", flat=True))

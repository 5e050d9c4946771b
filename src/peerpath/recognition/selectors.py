"""Reads of recognition that other contexts' pages show (the profile), in a bounded
number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from peerpath.core import permissions
from peerpath.recognition import streaks
from peerpath.recognition.models import (
    AwardStatus,
    BadgeAward,
    CertificationAward,
    Kudos,
    PointBalance,
    Streak,
)

if TYPE_CHECKING:
    from peerpath.people.models import User

PROFILE_BADGES = 12
PROFILE_KUDOS = 10


@dataclass
class ProfileRecognition:
    """What a person's profile shows of their recognition."""

    points: int
    level: int
    streak_weeks: int
    certifications: list[CertificationAward]
    badges: list[BadgeAward]
    badge_count: int
    kudos: list[Kudos]
    can_give_kudos: bool
    can_see_points: bool
    extra: dict[str, object] = field(default_factory=dict)
    # More kudos than the profile shows: it links to the full list.
    more_kudos: bool = False
    can_hide_kudos: bool = False


def balance_of(person: User) -> PointBalance:
    """The person's points and level (an unsaved zero balance before their first point)."""
    return PointBalance.objects.filter(person=person).first() or PointBalance(person=person)


def streak_of(person: User) -> Streak:
    return Streak.objects.filter(person=person).first() or Streak(person=person)


def active_awards_of(person: User) -> QuerySet[CertificationAward]:
    return (
        CertificationAward.objects.filter(holder=person, status=AwardStatus.ACTIVE)
        .select_related("certification")
        .order_by("-awarded_at")
    )


def badges_of(person: User) -> QuerySet[BadgeAward]:
    return BadgeAward.objects.filter(person=person).select_related("badge").order_by("-awarded_at")


def kudos_for(person: User) -> QuerySet[Kudos]:
    """Kudos a person received, newest first, without those a moderator hid."""
    return (
        Kudos.objects.filter(recipient=person, hidden_at__isnull=True)
        .select_related("giver")
        .order_by("-created_at", "-pk")
    )


def profile_recognition(viewer: User, person: User) -> ProfileRecognition:
    balance = balance_of(person)
    kudos = list(kudos_for(person)[: PROFILE_KUDOS + 1])
    badges = list(badges_of(person)[: PROFILE_BADGES + 1])
    return ProfileRecognition(
        points=balance.total,
        level=balance.level,
        # A streak whose last active week is followed by a missed week shows as lapsed.
        streak_weeks=streaks.streak_now(person).current,
        certifications=list(active_awards_of(person)[:20]),
        badges=badges[:PROFILE_BADGES],
        badge_count=len(badges) if len(badges) <= PROFILE_BADGES else badges_of(person).count(),
        kudos=kudos[:PROFILE_KUDOS],
        can_give_kudos=permissions.can_give_kudos(viewer, person),
        can_see_points=permissions.can_view_points_of(viewer, person),
        more_kudos=len(kudos) > PROFILE_KUDOS,
        can_hide_kudos=permissions.can_hide_kudos(viewer),
    )

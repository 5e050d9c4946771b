"""Badges defined by rules: a badge is earned when its rule's count reaches its threshold.

Counts come from the ledger (so a reversed entry no longer counts towards a badge not
yet earned) and from the streak: an entry past a daily cap still counts, because the
thing was done. A badge once earned is kept: it may already be a signed credential.
Evaluation runs after each event that can move a count, inside its transaction, and
awards each badge at most once (``BadgeEarned`` is published exactly then).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils.text import slugify

from peerpath.core import events, permissions
from peerpath.recognition.models import (
    BadgeAward,
    BadgeDefinition,
    BadgeRule,
    PointAction,
    PointBalance,
    PointEntry,
    Streak,
)

if TYPE_CHECKING:
    from peerpath.people.models import User

# Ledger actions each counted rule reads.
RULE_ACTIONS: dict[str, str] = {
    BadgeRule.MODULES_PUBLISHED: PointAction.MODULE_PUBLISHED,
    BadgeRule.MODULES_CURATED: PointAction.MODULE_CURATED,
    BadgeRule.MODULES_COMPLETED: PointAction.MODULE_COMPLETED,
    BadgeRule.REVIEWS_DONE: PointAction.REVIEW_DONE,
    BadgeRule.CERTIFICATIONS: PointAction.CERTIFICATION_EARNED,
}
# Helping a colleague: they thanked you, upvoted your summary or endorsement, or
# accepted your answer. The rule counts distinct colleagues, not actions.
HELP_ACTIONS = (
    PointAction.KUDOS_RECEIVED,
    PointAction.SUMMARY_UPVOTED,
    PointAction.ENDORSEMENT_UPVOTED,
    PointAction.ANSWER_ACCEPTED,
)
# How the rule reads in "3 of 10 …" on the pages.
RULE_UNITS: dict[str, str] = {
    BadgeRule.MODULES_PUBLISHED: "modules shared",
    BadgeRule.MODULES_CURATED: "modules Curated",
    BadgeRule.MODULES_COMPLETED: "modules completed",
    BadgeRule.STREAK_WEEKS: "weeks in a row",
    BadgeRule.COLLEAGUES_HELPED: "colleagues helped",
    BadgeRule.REVIEWS_DONE: "reviews done",
    BadgeRule.CERTIFICATIONS: "certifications",
    BadgeRule.POINTS: "points",
}
GLYPHS = ("star", "share", "check", "flame", "heart", "book", "eye", "ribbon", "trophy", "bolt")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
THRESHOLD_MAX = 1_000_000


def rule_counts(person: User) -> dict[str, int]:
    """Where the person stands on every rule, in three queries."""
    live = PointEntry.objects.filter(person=person, reversal__isnull=True).exclude(
        action=PointAction.REVERSAL
    )
    per_action = dict(live.values_list("action").annotate(n=Count("pk")).values_list("action", "n"))
    helped = (
        live.filter(action__in=HELP_ACTIONS, counterpart__isnull=False)
        .exclude(counterpart=person)
        .values("counterpart")
        .distinct()
        .count()
    )
    balance = PointBalance.objects.filter(person=person).values_list("total", flat=True).first()
    longest = Streak.objects.filter(person=person).values_list("longest_weeks", flat=True).first()
    counts = {rule: per_action.get(action, 0) for rule, action in RULE_ACTIONS.items()}
    counts[BadgeRule.COLLEAGUES_HELPED] = helped
    counts[BadgeRule.STREAK_WEEKS] = longest or 0
    counts[BadgeRule.POINTS] = balance or 0
    return counts


def badges_evaluate(person: User) -> list[BadgeAward]:
    """Award every active badge whose rule the person now meets and they do not hold;
    publish ``BadgeEarned`` for each. Call inside the transaction of the event."""
    with transaction.atomic():
        held = set(BadgeAward.objects.filter(person=person).values_list("badge_id", flat=True))
        candidates = [b for b in BadgeDefinition.objects.filter(is_active=True) if b.pk not in held]
        if not candidates:
            return []
        counts = rule_counts(person)
        made = []
        for badge in candidates:
            if counts.get(badge.rule, 0) < badge.threshold:
                continue
            try:
                with transaction.atomic():
                    award = BadgeAward.objects.create(badge=badge, person=person)
            except IntegrityError:
                continue  # awarded by a concurrent event a moment ago: once is enough
            made.append(award)
            events.publish(
                events.BadgeEarned(
                    award_id=award.pk,
                    badge_slug=badge.slug,
                    badge_name=badge.name,
                    person_id=person.pk,
                    at=award.awarded_at,
                )
            )
        return made


# --- Reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeStanding:
    badge: BadgeDefinition
    award: BadgeAward | None
    count: int

    @property
    def unit(self) -> str:
        return RULE_UNITS.get(self.badge.rule, "")

    @property
    def percent(self) -> int:
        return min(100, self.count * 100 // self.badge.threshold)

    @property
    def shown_count(self) -> int:
        return min(self.count, self.badge.threshold)


def badge_standings(person: User) -> tuple[list[BadgeStanding], list[BadgeStanding]]:
    """Badges the person earned (with their award and credential, newest first) and the
    active ones still to earn (nearest first), in a bounded number of queries."""
    awards = list(
        BadgeAward.objects.filter(person=person)
        .select_related("badge", "credential")
        .order_by("-awarded_at", "-pk")
    )
    held = {a.badge_id for a in awards}
    counts = rule_counts(person)
    earned = [BadgeStanding(a.badge, a, counts.get(a.badge.rule, 0)) for a in awards]
    to_earn = [
        BadgeStanding(b, None, counts.get(b.rule, 0))
        for b in BadgeDefinition.objects.filter(is_active=True).exclude(pk__in=held)
    ]
    to_earn.sort(key=lambda s: (-s.percent, s.badge.threshold, s.badge.name))
    return earned, to_earn


def badges_for_admin() -> QuerySet[BadgeDefinition]:
    """Every badge, active first, with how many people hold each."""
    return BadgeDefinition.objects.annotate(holders=Count("awards")).order_by(
        "-is_active", "rule", "threshold"
    )


def holder_counts() -> dict[int, int]:
    """How many people hold each badge, by badge id, in one query."""
    rows = BadgeAward.objects.values_list("badge_id").annotate(n=Count("pk"))
    return dict(rows)


def badge_by_slug(slug: str) -> BadgeDefinition | None:
    return BadgeDefinition.objects.filter(slug=slug).first()


# --- Badge administration ------------------------------------------------------------------


def _clean_badge(
    *,
    badge: BadgeDefinition,
    name: str,
    description: str,
    rule: str,
    threshold: int,
    colour: str,
    glyph: str,
) -> BadgeDefinition:
    errors: dict[str, str] = {}
    name, description = name.strip(), description.strip()
    if not name:
        errors["name"] = "Give the badge a name."
    if not description:
        errors["description"] = "Say what earns the badge."
    if rule not in BadgeRule.values:
        errors["rule"] = "Choose one of the rules."
    if not 1 <= threshold <= THRESHOLD_MAX:
        errors["threshold"] = f"Choose a number from 1 to {THRESHOLD_MAX:,}."
    if not COLOUR.match(colour):
        errors["colour"] = "Give the colour as #rrggbb."
    if glyph not in GLYPHS:
        errors["glyph"] = "Choose one of the symbols."
    if errors:
        raise ValidationError(errors)
    clash = (
        BadgeDefinition.objects.filter(rule=rule, threshold=threshold).exclude(pk=badge.pk).first()
    )
    if clash is not None:
        raise ValidationError(
            {"threshold": f"“{clash.name}” already rewards {threshold} {RULE_UNITS[rule]}."}
        )
    badge.name, badge.description, badge.rule = name, description, rule
    badge.threshold, badge.colour, badge.glyph = threshold, colour.lower(), glyph
    return badge


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "badge"
    slug, n = base, 2
    while BadgeDefinition.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def badge_create(
    *,
    actor: User,
    name: str,
    description: str,
    rule: str,
    threshold: int,
    colour: str,
    glyph: str,
) -> BadgeDefinition:
    """Define a badge. People who already meet its rule receive it at their next
    relevant event."""
    permissions.require(permissions.can_manage_badges(actor), "Only learning admins define badges.")
    badge = _clean_badge(
        badge=BadgeDefinition(),
        name=name,
        description=description,
        rule=rule,
        threshold=threshold,
        colour=colour,
        glyph=glyph,
    )
    badge.slug = _unique_slug(badge.name)
    badge.full_clean()
    badge.save()
    return badge


@transaction.atomic
def badge_update(
    *,
    actor: User,
    badge: BadgeDefinition,
    name: str,
    description: str,
    rule: str,
    threshold: int,
    colour: str,
    glyph: str,
) -> BadgeDefinition:
    """Edit a badge. Once someone holds it, its rule and threshold are fixed (what they
    earned must not change under them); retire it and define another instead."""
    permissions.require(permissions.can_manage_badges(actor), "Only learning admins edit badges.")
    badge = BadgeDefinition.objects.select_for_update().get(pk=badge.pk)
    if BadgeAward.objects.filter(badge=badge).exists() and (
        rule != badge.rule or threshold != badge.threshold
    ):
        raise ValidationError(
            {
                "threshold": "People already hold this badge, so its rule and number stay as "
                "they are. Retire it and define a new badge instead."
            }
        )
    badge = _clean_badge(
        badge=badge,
        name=name,
        description=description,
        rule=rule,
        threshold=threshold,
        colour=colour,
        glyph=glyph,
    )
    badge.full_clean()
    badge.save()
    return badge


@transaction.atomic
def badge_set_active(*, actor: User, badge: BadgeDefinition, active: bool) -> BadgeDefinition:
    """Retire a badge (no new awards; those who hold it keep it) or bring it back."""
    permissions.require(permissions.can_manage_badges(actor), "Only learning admins retire badges.")
    BadgeDefinition.objects.filter(pk=badge.pk).update(is_active=active)
    badge.is_active = active
    return badge


def holders_of(badges: Iterable[BadgeDefinition], person: User) -> set[int]:
    """Which of ``badges`` the person holds, in one query."""
    return set(
        BadgeAward.objects.filter(person=person, badge__in=list(badges)).values_list(
            "badge_id", flat=True
        )
    )

from __future__ import annotations

import importlib
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peerpath.recognition import badge_art, badges, points
from peerpath.recognition.models import BadgeAward, BadgeDefinition, BadgeRule, PointAction
from tests.recognition.factories import BadgeDefinitionFactory, seed_default_badges

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_badges(db: None) -> None:
    seed_default_badges()


SVG = "{http://www.w3.org/2000/svg}"


def define(actor, **changes):
    fields = {
        "name": "Night owl",
        "description": "Completed 25 modules.",
        "rule": BadgeRule.MODULES_COMPLETED,
        "threshold": 25,
        "colour": "#112233",
        "glyph": "star",
    }
    return badges.badge_create(actor=actor, **{**fields, **changes})


def test_the_default_badges_seeded_by_the_migration_are_valid():
    seeded = importlib.import_module("peerpath.recognition.migrations.0002_default_badges")
    rows = {row[0]: row for row in seeded.DEFAULT_BADGES}
    assert {
        "first-module-shared",
        "curated-author",
        "five-week-streak",
        "helped-10-colleagues",
    } <= set(rows)
    for _slug, _name, _description, rule, threshold, colour, glyph in rows.values():
        assert rule in BadgeRule.values
        assert threshold >= 1
        assert badges.COLOUR.match(colour)
        assert glyph in badges.GLYPHS
    assert len({(r[3], r[4]) for r in rows.values()}) == len(rows)
    assert BadgeDefinition.objects.get(slug="five-week-streak").threshold == 5


def test_learning_admins_define_badges_with_a_unique_slug(org):
    first = define(org.admin)
    second = define(org.admin, threshold=30)
    assert (first.slug, second.slug) == ("night-owl", "night-owl-2")
    assert first.colour == "#112233"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"description": ""}, "description"),
        ({"rule": "nonsense"}, "rule"),
        ({"threshold": 0}, "threshold"),
        ({"colour": "red"}, "colour"),
        ({"colour": '#12345"'}, "colour"),
        ({"glyph": "skull"}, "glyph"),
        ({"threshold": 1}, "threshold"),  # "First steps" rewards one module already
    ],
)
def test_bad_badge_definitions_are_refused_with_a_clear_error(org, changes, field):
    before = BadgeDefinition.objects.count()
    with pytest.raises(ValidationError) as refused:
        define(org.admin, **changes)
    assert field in refused.value.message_dict
    assert BadgeDefinition.objects.count() == before


@pytest.mark.parametrize("who", ["member", "manager"])
def test_only_learning_admins_manage_badges(org, who):
    actor = getattr(org, who)
    badge = BadgeDefinition.objects.get(slug="first-steps")
    with pytest.raises(PermissionDenied):
        define(actor)
    with pytest.raises(PermissionDenied):
        badges.badge_set_active(actor=actor, badge=badge, active=False)
    assert BadgeDefinition.objects.get(slug="first-steps").is_active


def test_a_held_badge_keeps_its_rule_but_may_be_renamed(org):
    badge = BadgeDefinitionFactory(rule=BadgeRule.MODULES_COMPLETED, threshold=3)
    BadgeAward.objects.create(badge=badge, person=org.member)
    fields = {
        "name": "Three in a row",
        "description": badge.description,
        "rule": badge.rule,
        "colour": "#445566",
        "glyph": "book",
    }
    with pytest.raises(ValidationError, match="Retire it"):
        badges.badge_update(actor=org.admin, badge=badge, threshold=4, **fields)

    renamed = badges.badge_update(actor=org.admin, badge=badge, threshold=3, **fields)

    assert (renamed.name, renamed.threshold, renamed.glyph) == ("Three in a row", 3, "book")


def test_a_retired_badge_is_no_longer_awarded_but_is_kept_by_its_holders(org):
    badge = BadgeDefinition.objects.get(slug="first-module-shared")
    badges.badge_set_active(actor=org.admin, badge=badge, active=False)
    points.points_award(
        person=org.member,
        action=PointAction.MODULE_PUBLISHED,
        source_key="module:1",
        description="Shared",
        occurred_at=timezone.now(),
    )
    assert badges.badges_evaluate(org.member) == []
    badges.badge_set_active(actor=org.admin, badge=badge, active=True)
    [award] = badges.badges_evaluate(org.member)
    assert award.badge == badge
    assert badges.badges_evaluate(org.member) == []  # once


def test_standings_list_earned_badges_and_the_nearest_to_earn(org):
    for n in range(3):
        points.points_award(
            person=org.member,
            action=PointAction.MODULE_COMPLETED,
            source_key=f"module:{n}",
            description="Done",
            occurred_at=timezone.now(),
        )
    badges.badges_evaluate(org.member)

    earned, to_earn = badges.badge_standings(org.member)

    assert [s.badge.slug for s in earned] == ["first-steps"]
    ten = next(s for s in to_earn if s.badge.slug == "ten-modules")
    assert (ten.count, ten.percent, ten.unit) == (3, 30, "modules completed")
    assert to_earn[0].badge.slug == "ten-modules"


def test_badge_art_is_valid_accessible_svg_that_escapes_the_name():
    badge = BadgeDefinition(
        slug="x",
        name="<script>alert(1)</script> & co",
        description='Says "hi"',
        rule=BadgeRule.STREAK_WEEKS,
        colour="#c2410c",
        glyph="flame",
    )
    svg = badge_art.badge_svg(badge)
    root = ET.fromstring(svg)  # noqa: S314 - our own output

    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script> & co"
    assert root.find(f"{SVG}desc").text == 'Says "hi"'
    assert "<script>" not in svg


@pytest.mark.parametrize("rule", BadgeRule.values)
def test_every_rule_has_a_drawable_shape(rule):
    badge = BadgeDefinition(slug="s", name="n", description="d", rule=rule)
    ET.fromstring(badge_art.badge_svg(badge))  # noqa: S314

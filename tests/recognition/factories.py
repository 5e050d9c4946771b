"""Factories for recognition: certifications, badge definitions and their awards."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from peerpath.recognition.models import (
    AwardMethod,
    BadgeAward,
    BadgeDefinition,
    BadgeRule,
    Certification,
    CertificationAward,
)
from tests.factories import UserFactory


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    name = factory.Sequence(lambda n: f"Certified Agent {n}")
    slug = factory.Sequence(lambda n: f"certified-agent-{n}")
    description = "Handles customer calls safely and well."
    validity_days = 365


class BadgeDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BadgeDefinition

    slug = factory.Sequence(lambda n: f"badge-{n}")
    name = factory.Sequence(lambda n: f"Badge {n}")
    description = "Completed a first module."
    rule = BadgeRule.MODULES_COMPLETED
    # Clear of the default badges' thresholds (seeded by migration 0002_default_badges).
    threshold = factory.Sequence(lambda n: 100_000 + n)


def seed_default_badges() -> None:
    """Put back the default badges migration 0002 seeds: a transactional test (a browser
    test) empties every table when it ends, and a reused test database keeps it so."""
    import importlib

    seeded = importlib.import_module("peerpath.recognition.migrations.0002_default_badges")
    for slug, name, description, rule, threshold, colour, glyph in seeded.DEFAULT_BADGES:
        BadgeDefinition.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "rule": rule,
                "threshold": threshold,
                "colour": colour,
                "glyph": glyph,
            },
        )


# --- Credentials -------------------------------------------------------------------------


class CertificationAwardFactory(factory.django.DjangoModelFactory):
    """An active award; publish ``CertificationEarned`` to have its credential issued."""

    class Meta:
        model = CertificationAward

    certification = factory.SubFactory(CertificationFactory)
    holder = factory.SubFactory(UserFactory)
    method = AwardMethod.AUTOMATIC
    awarded_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    expires_at = factory.LazyAttribute(lambda o: o.awarded_at + timedelta(days=365))


class BadgeAwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BadgeAward

    badge = factory.SubFactory(BadgeDefinitionFactory)
    person = factory.SubFactory(UserFactory)

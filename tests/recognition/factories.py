"""Factories for recognition: certifications and badge definitions."""

from __future__ import annotations

import factory

from peerpath.recognition.models import BadgeDefinition, BadgeRule, Certification


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

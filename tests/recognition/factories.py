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
    threshold = factory.Sequence(lambda n: n + 1)


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

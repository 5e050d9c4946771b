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


# --- Certifications ----------------------------------------------------------------------

QUIZ_QUESTIONS = """\
? Which port does HTTPS use?
(x) 443
( ) 80

? Passwords may be shared with IT support.
= false
"""
# All right (100%), and half right (50%).
QUIZ_RIGHT = {"q1": ["q1o1"], "q2": ["false"]}
QUIZ_HALF = {"q1": ["q1o1"], "q2": ["true"]}


def quiz_module(author, *, title: str = "Security basics check", pass_mark: int = 50):
    """A published quiz module (two questions) by ``author``."""
    from peerpath.content.models import ModuleKind
    from peerpath.content.services import QuizSettings
    from tests.factories import ModuleFactory

    return ModuleFactory(
        author=author,
        title=title,
        kind=ModuleKind.QUIZ,
        body_markdown="",
        quiz_source=QUIZ_QUESTIONS,
        quiz_settings=QuizSettings(pass_mark=pass_mark),
    )


def security_path(author, *, reading: int = 2):
    """A published "Security awareness" path: ``reading`` articles, then a quiz."""
    from peerpath.content import paths
    from tests.factories import ModuleFactory

    articles = [
        ModuleFactory(author=author, title=f"Security habit {n + 1}") for n in range(reading)
    ]
    quiz = quiz_module(author)
    path = paths.path_create(
        author=author,
        title="Security awareness",
        summary="The habits everyone follows.",
        sections=[("Habits", [*articles, quiz])],
        publish=True,
    )
    return path, articles, quiz


# --- Awards -------------------------------------------------------------------------


class CertificationAwardFactory(factory.django.DjangoModelFactory):
    """An active holding made directly (no criteria checked); publish
    ``CertificationEarned`` to have its credential issued."""

    class Meta:
        model = CertificationAward

    certification = factory.SubFactory(CertificationFactory)
    holder = factory.SubFactory(UserFactory)
    method = AwardMethod.AUTOMATIC
    awarded_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    expires_at = factory.LazyAttribute(
        lambda o: (
            o.awarded_at + timedelta(days=o.certification.validity_days)
            if o.certification.validity_days
            else None
        )
    )


class BadgeAwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BadgeAward

    badge = factory.SubFactory(BadgeDefinitionFactory)
    person = factory.SubFactory(UserFactory)

"""Factories for recognition: certifications and badge definitions."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from peerpath.recognition.models import (
    AwardMethod,
    BadgeDefinition,
    BadgeRule,
    Certification,
    CertificationAward,
)


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


class CertificationAwardFactory(factory.django.DjangoModelFactory):
    """A holding made directly (no criteria checked): for pages and expiry tests."""

    class Meta:
        model = CertificationAward

    certification = factory.SubFactory(CertificationFactory)
    method = AwardMethod.AUTOMATIC
    awarded_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(
        lambda o: (
            o.awarded_at + dt.timedelta(days=o.certification.validity_days)
            if o.certification.validity_days
            else None
        )
    )

"""Factories for social learning, one section per area, built through the services so
invariants hold."""

from __future__ import annotations

from typing import Any

import factory

from peerpath.learning import services as learning
from peerpath.people.models import ExpertReviewer, User
from peerpath.skills.models import Skill
from peerpath.social import discussion_selectors as selectors
from peerpath.social import discussions, summaries
from peerpath.social.models import Activity, Comment, Summary, SummaryKind, Verb, Visibility
from tests.factories import ModuleFactory, UserFactory

# --- Discussions and moderation ------------------------------------------------------------


def make_expert(person: User, skill: Skill) -> User:
    """Make ``person`` an expert reviewer of ``skill`` (and the skills beneath it)."""
    ExpertReviewer.objects.create(user=person, skill=skill)
    if hasattr(person, "_peerpath_reviewer_skills"):
        del person._peerpath_reviewer_skills
    return person


def thread_on(
    subject_item, *, author: User, body: str = "How do I start?", question: bool = False
) -> Comment:
    """Start a thread on a module or path as ``author``."""
    subject = (
        selectors.Subject(path=subject_item)
        if subject_item.__class__.__name__ == "LearningPath"
        else selectors.Subject(module=subject_item)
    )
    return discussions.thread_start(author=author, subject=subject, body=body, is_question=question)


def reply_to(parent: Comment, *, author: User, body: str = "Like this.") -> Comment:
    return discussions.reply_post(author=author, parent=parent, body=body)


# --- Summaries and endorsements -----------------------------------------------------------


class SummaryFactory(factory.django.DjangoModelFactory):
    """A summary written by a learner who completed the module (completed here)."""

    class Meta:
        model = Summary

    author = factory.SubFactory(UserFactory)
    module = factory.SubFactory(ModuleFactory)
    kind = SummaryKind.SUMMARY
    body = factory.Sequence(lambda n: f"Listen first, then confirm what you heard ({n}).")

    @classmethod
    def _create(cls, model_class: type[Summary], *args: Any, **kwargs: Any) -> Summary:
        learning.progress_complete(user=kwargs["author"], module=kwargs["module"])
        return summaries.summary_write(**kwargs)


# --- Profiles, follows, shares and notes --------------------------------------------------


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity row as the feed's capture writes it (visibility and team copied from the
    actor unless given)."""

    class Meta:
        model = Activity

    verb = Verb.COMPLETED
    source_key = factory.Sequence(lambda n: f"test:{n}")
    visibility = Visibility.EVERYONE

    @classmethod
    def _create(cls, model_class: type[Activity], *args: Any, **kwargs: Any) -> Activity:
        actor = kwargs["actor"]
        kwargs.setdefault("team", actor.team)
        kwargs.setdefault("department", actor.team.department if actor.team else None)
        return super()._create(model_class, *args, **kwargs)


def path_published(author, *, title: str = "Phone basics", modules: int = 2):
    """A published path of ``modules`` new articles by ``author``."""
    from peerpath.content import paths
    from tests.factories import ModuleFactory

    steps = [ModuleFactory(author=author, title=f"{title} step {n + 1}") for n in range(modules)]
    return paths.path_create(
        author=author,
        title=title,
        summary="The basics, step by step.",
        sections=[("Steps", steps)],
        publish=True,
    )

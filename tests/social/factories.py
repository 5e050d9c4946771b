"""Factories for social learning, one section per area."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from peerpath.learning import services as learning
from peerpath.people.models import ExpertReviewer, User
from peerpath.skills.models import Skill
from peerpath.social import discussion_selectors as selectors
from peerpath.social import discussions, summaries
from peerpath.social.models import (
    Activity,
    Comment,
    Follow,
    Share,
    ShareRecipient,
    Summary,
    SummaryKind,
    Verb,
)
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


# --- Feed ----------------------------------------------------------------------------------


class ActivityFactory(factory.django.DjangoModelFactory):
    """An activity row as the capture handlers write it (team and department copied)."""

    class Meta:
        model = Activity

    actor = factory.SubFactory(UserFactory)
    verb = Verb.COMPLETED
    module = factory.SubFactory(ModuleFactory)
    source_key = factory.Sequence(lambda n: f"test:{n}")
    team = factory.LazyAttribute(lambda o: o.actor.team)
    department = factory.LazyAttribute(lambda o: o.actor.team.department if o.actor.team else None)
    created_at = factory.Sequence(lambda n: timezone.now() - timedelta(minutes=n))


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    follower = factory.SubFactory(UserFactory)
    followee = factory.SubFactory(UserFactory)


def share_with(
    *,
    sender: Any,
    recipients: list[Any],
    module: Any = None,
    path: Any = None,
    message: str = "",
    at: Any = None,
) -> Share:
    """A share as the sharing service leaves it: one recipient row per person."""
    share = Share.objects.create(
        sender=sender,
        module=module,
        path=path,
        message=message,
        created_at=at or timezone.now(),
    )
    ShareRecipient.objects.bulk_create(
        [ShareRecipient(share=share, person=p, created_at=share.created_at) for p in recipients]
    )
    return share


class RawSummaryFactory(factory.django.DjangoModelFactory):
    """A summary row as it stands after promotion, written directly (for feed tests)."""

    class Meta:
        model = Summary

    author = factory.SubFactory(UserFactory)
    module = factory.SubFactory(ModuleFactory)
    kind = "summary"
    body = "Listen first, then name the feeling, then offer the next step."
    team = factory.LazyAttribute(lambda o: o.author.team)
    department = factory.LazyAttribute(
        lambda o: o.author.team.department if o.author.team else None
    )


# --- Profiles, follows, shares and notes --------------------------------------------------


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

"""Factories for social learning's tables."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from peerpath.social.models import Activity, Follow, Share, ShareRecipient, Summary, Verb
from tests.factories import ModuleFactory, UserFactory

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


class SummaryFactory(factory.django.DjangoModelFactory):
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

"""Factories for social learning."""

from __future__ import annotations

from typing import Any

import factory

from peerpath.social.models import Activity, Verb, Visibility

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

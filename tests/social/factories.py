"""Factories for social learning, built through the services so invariants hold."""

from __future__ import annotations

from typing import Any

import factory

from peerpath.learning import services as learning
from peerpath.social import summaries
from peerpath.social.models import Summary, SummaryKind
from tests.factories import ModuleFactory, UserFactory

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

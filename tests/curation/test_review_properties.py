"""Whatever order people act in, the review workflow keeps its promises."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerpath.content import services as content_services
from peerpath.content.models import Module
from peerpath.curation import services
from peerpath.curation.models import OPEN_REVIEW_STATUSES, Review, ReviewStatus
from peerpath.people.models import ExpertReviewer, User
from tests.factories import ModuleFactory, SkillFactory

pytestmark = pytest.mark.django_db

ACTIONS = ["nominate", "comment", "request_changes", "approve", "revise"]


def _act(action: str, module: Module, author: User, reviewer: User, step: int) -> None:
    review = Review.objects.filter(module=module, status__in=OPEN_REVIEW_STATUSES).first()
    if action == "nominate":
        services.module_nominate(user=author, module=module)
    elif action == "revise":
        content_services.module_update(
            actor=author,
            module=module,
            title=f"Warm transfers, take {step}",
            summary="How to hand over a call.",
            body_markdown=f"## Take {step}\n\nExplain, brief, introduce.\n",
            estimated_minutes=5,
            skills=list(module.skills.all()),
        )
        content_services.module_publish(actor=author, module=module)
    elif review is None:
        return
    elif action == "comment":
        services.review_comment(user=reviewer, review=review, body="Looks close.")
    elif action == "request_changes":
        services.review_request_changes(reviewer=reviewer, review=review, body="Add an example.")
    elif action == "approve":
        services.review_approve(reviewer=reviewer, review=review)


def _check_invariants(module: Module) -> None:
    module.refresh_from_db()
    open_reviews = Review.objects.filter(module=module, status__in=OPEN_REVIEW_STATUSES)
    assert open_reviews.count() <= 1
    latest = module.versions.order_by("-number").first()
    if module.curated_version_id is None:
        assert not Review.objects.filter(module=module, status=ReviewStatus.APPROVED).exists()
        return
    curated = module.curated_version
    # The curated version is one an expert approved, and it is what learners read.
    assert Review.objects.filter(
        module=module, status=ReviewStatus.APPROVED, version=curated
    ).exists()
    assert (module.title, module.body_markdown) == (curated.title, curated.body_markdown)
    # A newer version than the curated one is always waiting for review.
    if latest.pk != curated.pk:
        assert open_reviews.filter(version=latest).exists()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=st.lists(st.sampled_from(ACTIONS), max_size=10))
def test_any_sequence_of_review_actions_keeps_the_invariants(org, actions):
    with transaction.atomic():
        calls = SkillFactory(name="Calls")
        ExpertReviewer.objects.create(user=org.outsider, skill=calls)
        reviewer = User.objects.get(pk=org.outsider.pk)
        module = ModuleFactory(author=org.member, title="Warm transfers", skills=[calls])
        for step, action in enumerate(actions, start=1):
            try:
                with transaction.atomic():
                    _act(action, module, org.member, reviewer, step)
            except ValidationError:
                pass  # a refused action (say, nominating a Curated module) changes nothing
            _check_invariants(module)
        transaction.set_rollback(True)

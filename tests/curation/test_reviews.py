"""The way to Curated: nominate, discuss, request changes, revise, approve."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from peerpath.content import selectors as content
from peerpath.content import services as content_services
from peerpath.curation import selectors, services
from peerpath.curation.models import Review, ReviewStatus
from peerpath.people.models import ExpertReviewer, User
from tests.factories import ModuleFactory, SkillFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(org):
    calls = SkillFactory(name="Calls")
    module = ModuleFactory(author=org.member, title="Warm transfers v1", skills=[calls])
    ExpertReviewer.objects.create(user=org.outsider, skill=calls)
    reviewer = User.objects.get(pk=org.outsider.pk)
    return module, reviewer


def revise(module, author, title):
    content_services.module_update(
        actor=author,
        module=module,
        title=title,
        summary="S",
        body_markdown=f"## {title}",
        estimated_minutes=5,
        skills=list(module.skills.all()),
    )
    return content_services.module_publish(actor=author, module=module)


def test_full_path_to_curated(org, setup):
    module, reviewer = setup
    review = services.module_nominate(user=org.deep, module=module, reason="Everyone needs it")
    assert review.status == ReviewStatus.PENDING
    assert review.version.number == 1

    services.review_request_changes(reviewer=reviewer, review=review, body="Add the *7 code")
    review.refresh_from_db()
    assert review.status == ReviewStatus.CHANGES_REQUESTED

    revise(module, org.member, "Warm transfers v2")
    review.refresh_from_db()
    assert (review.status, review.version.number) == (ReviewStatus.PENDING, 2)

    services.review_approve(reviewer=reviewer, review=review)
    module.refresh_from_db()
    assert module.is_curated
    assert module.curated_version.number == 2
    assert module.title == "Warm transfers v2"
    kinds = [c.kind for c in review.comments.all()]
    assert kinds == ["nomination", "changes", "revision", "approval"]


def test_a_curated_module_keeps_its_curated_text_until_a_revision_is_approved(org, setup):
    module, reviewer = setup
    review = services.module_nominate(user=org.member, module=module)
    services.review_approve(reviewer=reviewer, review=review)
    revise(module, org.member, "Unreviewed rewrite")
    module.refresh_from_db()
    assert module.title == "Warm transfers v1"  # learners still see the curated version
    assert content.working_copy(module).title == "Unreviewed rewrite"  # the author sees theirs
    reopened = selectors.open_review(module)
    assert reopened is not None
    assert reopened.version.number == 2
    services.review_approve(reviewer=reviewer, review=reopened)
    module.refresh_from_db()
    assert module.title == "Unreviewed rewrite"


def test_only_reviewers_of_the_modules_skills_decide(org, setup):
    module, _ = setup
    review = services.module_nominate(user=org.member, module=module)
    for outsider in (org.deep, org.member):
        with pytest.raises(PermissionDenied):
            services.review_approve(reviewer=outsider, review=review)
    review.refresh_from_db()
    assert review.status == ReviewStatus.PENDING
    module.refresh_from_db()
    assert not module.is_curated


def test_reviewers_do_not_approve_their_own_version(org, setup):
    _, reviewer = setup
    own = ModuleFactory(author=reviewer, skills=list(setup[0].skills.all()))
    review = services.module_nominate(user=org.member, module=own)
    with pytest.raises(ValidationError, match="their own version"):
        services.review_approve(reviewer=reviewer, review=review)


def test_nominations_join_the_open_review_and_closed_reviews_stay_closed(org, setup):
    module, reviewer = setup
    first = services.module_nominate(user=org.deep, module=module)
    second = services.module_nominate(user=org.lead, module=module)
    assert first.pk == second.pk
    assert Review.objects.count() == 1
    services.review_approve(reviewer=reviewer, review=first)
    with pytest.raises(ValidationError, match="already Curated"):
        services.module_nominate(user=org.deep, module=module)
    with pytest.raises(ValidationError, match="already closed"):
        services.review_request_changes(reviewer=reviewer, review=first, body="late")


def test_comments_may_quote_only_real_passages(org, setup):
    module, reviewer = setup
    review = services.module_nominate(user=org.member, module=module)
    services.review_comment(user=reviewer, review=review, body="Clear", quote="Say who you are")
    with pytest.raises(ValidationError, match="exactly as it appears"):
        services.review_comment(user=reviewer, review=review, body="?", quote="not in the text")
    with pytest.raises(PermissionDenied):
        services.review_comment(user=org.deep, review=review, body="Drive-by")


def test_review_queue_by_area(org, setup):
    module, reviewer = setup
    sales = SkillFactory(name="Sales")
    other = ModuleFactory(author=org.lead, skills=[sales])
    services.module_nominate(user=org.member, module=module)
    services.module_nominate(user=org.member, module=other)
    assert [r.module for r in selectors.reviews_for_reviewer(reviewer)] == [module]
    assert {r.module for r in selectors.reviews_for_reviewer(org.admin)} == {module, other}

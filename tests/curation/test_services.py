"""Ratings and flags: who may give them, what is valid, and who closes flags."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from peerpath.curation import selectors, services
from peerpath.curation.models import Flag, FlagStatus, Rating
from peerpath.learning import services as learning
from peerpath.people.models import ExpertReviewer, User
from tests.factories import ModuleFactory, SkillFactory

pytestmark = pytest.mark.django_db


def test_a_learner_who_opened_a_module_rates_it_and_may_change_their_mind(org, module):
    learning.progress_open(user=org.member, module=module)
    services.module_rate(user=org.member, module=module, stars=2, comment=" Too short ")
    services.module_rate(user=org.member, module=module, stars=5)
    rating = Rating.objects.get()
    assert (rating.stars, rating.comment) == (5, "")
    assert selectors.rating_summaries([module.pk])[module.pk].count == 1


def test_rating_needs_an_opened_module_and_valid_stars(org, module):
    with pytest.raises(ValidationError, match="Open the module"):
        services.module_rate(user=org.member, module=module, stars=4)
    learning.progress_open(user=org.member, module=module)
    for stars in (0, 6):
        with pytest.raises(ValidationError, match="one to five"):
            services.module_rate(user=org.member, module=module, stars=stars)
    assert not Rating.objects.exists()


def test_authors_cannot_rate_their_own_module(org, module):
    learning.progress_open(user=module.owner, module=module)
    with pytest.raises(PermissionDenied):
        services.module_rate(user=module.owner, module=module, stars=5)
    assert not Rating.objects.exists()


def test_average_is_computed_over_everyone(org, module):
    for user, stars in [(org.member, 5), (org.deep, 4), (org.outsider, 2)]:
        learning.progress_open(user=user, module=module)
        services.module_rate(user=user, module=module, stars=stars)
    summary = selectors.rating_summaries([module.pk])[module.pk]
    assert summary.count == 3
    assert summary.average == pytest.approx(11 / 3)


def test_one_open_flag_per_reporter_and_details_are_required(org, module):
    with pytest.raises(ValidationError, match="sentence or two"):
        services.module_flag(user=org.member, module=module, reason="wrong", details="bad")
    services.module_flag(
        user=org.member, module=module, reason="outdated", details="The prices changed in May."
    )
    with pytest.raises(ValidationError, match="already reported"):
        services.module_flag(
            user=org.member, module=module, reason="wrong", details="Still wrong, really."
        )
    with pytest.raises(ValidationError, match="what is wrong"):
        services.module_flag(
            user=org.deep, module=module, reason="boring", details="Not a real reason at all."
        )
    assert Flag.objects.count() == 1


def test_drafts_cannot_be_flagged(org):
    draft = ModuleFactory(author=org.lead, publish=False)
    with pytest.raises(PermissionDenied):
        services.module_flag(user=org.lead, module=draft, reason="wrong", details="x" * 20)


def test_reviewers_of_the_modules_skill_area_close_flags(org):
    service = SkillFactory(name="Customer service")
    calls = SkillFactory(name="Calls", parent=service)
    module = ModuleFactory(author=org.lead, skills=[calls])
    flag = services.module_flag(
        user=org.member, module=module, reason="wrong", details="Step 3 names the wrong menu."
    )
    with pytest.raises(PermissionDenied):
        services.flag_close(actor=org.outsider, flag=flag, resolved=True)
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN
    ExpertReviewer.objects.create(user=org.outsider, skill=service)  # the parent area
    reviewer = User.objects.get(pk=org.outsider.pk)  # as the next request would load them
    closed = services.flag_close(actor=reviewer, flag=flag, resolved=True, note="Fixed")
    assert closed.status == FlagStatus.RESOLVED
    assert closed.closed_by == reviewer
    with pytest.raises(ValidationError, match="already closed"):
        services.flag_close(actor=org.admin, flag=flag, resolved=False)


def test_queue_shows_reviewers_only_their_areas_and_admins_everything(org):
    calls, sales = SkillFactory(name="Calls"), SkillFactory(name="Sales")
    on_calls = ModuleFactory(author=org.lead, skills=[calls])
    on_sales = ModuleFactory(author=org.lead, skills=[sales])
    for module in (on_calls, on_sales):
        services.module_flag(
            user=org.member, module=module, reason="wrong", details="Something is off here."
        )
    ExpertReviewer.objects.create(user=org.deep, skill=calls)
    assert [f.module for f in selectors.flags_for_moderator(org.deep)] == [on_calls]
    assert {f.module for f in selectors.flags_for_moderator(org.admin)} == {on_calls, on_sales}

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from peerpath.content import selectors, services
from peerpath.content.models import Module, ModuleStatus
from tests.factories import ModuleFactory, SkillFactory

pytestmark = pytest.mark.django_db


def test_create_renders_sanitised_html_and_stays_draft(org):
    module = services.module_create(
        author=org.member,
        title="Refunds",
        summary="How refunds work.",
        body_markdown="## Rules\n\n<script>x()</script>",
        estimated_minutes=5,
    )
    assert module.status == ModuleStatus.DRAFT
    assert "<h2>Rules</h2>" in module.body_html
    assert "<script" not in module.body_html
    assert module not in selectors.modules_for_catalog()


def test_publishing_puts_a_module_in_the_catalog(org):
    module = ModuleFactory(author=org.member, publish=False)
    services.module_publish(actor=org.member, module=module)
    assert module.published_at is not None
    assert list(selectors.modules_for_catalog()) == [module]


def test_others_cannot_edit_or_publish_and_nothing_changes(org):
    module = ModuleFactory(author=org.member, publish=False)
    with pytest.raises(PermissionDenied):
        services.module_publish(actor=org.outsider, module=module)
    with pytest.raises(PermissionDenied):
        services.module_update(
            actor=org.outsider,
            module=module,
            title="Hijacked",
            summary="x",
            body_markdown="x",
            estimated_minutes=1,
            skills=[],
        )
    module.refresh_from_db()
    assert module.status == ModuleStatus.DRAFT
    assert module.title != "Hijacked"


def test_invalid_module_is_refused_without_a_row(org):
    with pytest.raises(ValidationError) as exc:
        services.module_create(
            author=org.member,
            title="",
            summary="s",
            body_markdown="b",
            estimated_minutes=0,
        )
    assert {"title", "estimated_minutes"} <= set(exc.value.message_dict)
    assert Module.objects.count() == 0


def test_catalog_filters_by_skill_including_sub_skills(org):
    service = SkillFactory(name="Customer service")
    calls = SkillFactory(name="Calls", parent=service)
    security = SkillFactory(name="Security")
    on_calls = ModuleFactory(author=org.lead, skills=[calls])
    on_service = ModuleFactory(author=org.lead, skills=[service])
    ModuleFactory(author=org.lead, skills=[security])
    assert set(selectors.modules_for_catalog(skill=service)) == {on_calls, on_service}
    assert list(selectors.modules_for_catalog(skill=calls)) == [on_calls]


def test_catalog_search_matches_title_and_summary(org):
    refund = ModuleFactory(author=org.lead, title="Handling refunds")
    ModuleFactory(author=org.lead, title="Phishing", summary="Spot fake emails.")
    assert list(selectors.modules_for_catalog(query="REFUND")) == [refund]


def test_co_authors_edit_and_publish_but_only_the_owner_chooses_them(org):
    module = ModuleFactory(author=org.lead, publish=False)
    services.module_set_co_authors(actor=org.lead, module=module, people=[org.member])
    module = selectors.module_by_public_id(module.public_id)
    services.module_update(
        actor=org.member,
        module=module,
        title="Better title",
        summary="s",
        body_markdown="## Body",
        estimated_minutes=5,
        skills=[],
    )
    services.module_publish(actor=org.member, module=module)
    assert module.is_published
    with pytest.raises(PermissionDenied):
        services.module_set_co_authors(actor=org.member, module=module, people=[org.deep])
    with pytest.raises(PermissionDenied):
        services.module_unpublish(actor=org.member, module=module)
    assert list(module.co_authors.all()) == [org.member]
    assert module in selectors.modules_by_author(org.member)


def test_co_author_rules(org):
    module = ModuleFactory(author=org.lead)
    with pytest.raises(ValidationError, match="already an author"):
        services.module_set_co_authors(actor=org.lead, module=module, people=[org.lead])
    org.deep.is_active = False
    with pytest.raises(ValidationError, match="Deactivated"):
        services.module_set_co_authors(actor=org.lead, module=module, people=[org.deep])
    assert not module.co_authors.exists()

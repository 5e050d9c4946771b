"""Every publish is an immutable version; edits to a published module wait in a draft."""

from __future__ import annotations

import pytest

from peerpath.content import selectors, services
from peerpath.content.diffing import text_diff
from peerpath.content.models import ModuleDraft, ModuleVersion
from peerpath.learning import services as learning
from peerpath.learning.models import ModuleProgress
from tests.factories import ModuleFactory, SkillFactory

pytestmark = pytest.mark.django_db

TEXT = {"summary": "S", "estimated_minutes": 5, "skills": []}


def edit(module, actor, title, body="## Body\n\nText"):
    return services.module_update(
        actor=actor, module=module, title=title, body_markdown=body, **TEXT
    )


def test_first_publish_is_version_one(org):
    module = ModuleFactory(author=org.lead, publish=True)
    assert [v.number for v in selectors.module_versions(module)] == [1]
    assert module.versions.get().published_by == org.lead


def test_drafts_are_edited_in_place_until_first_publish(org):
    module = ModuleFactory(author=org.lead, publish=False)
    edit(module, org.lead, "Still a draft")
    module.refresh_from_db()
    assert module.title == "Still a draft"
    assert not ModuleDraft.objects.exists()
    assert not ModuleVersion.objects.exists()


def test_published_text_stays_until_the_draft_is_published(org):
    calls = SkillFactory(name="Calls")
    module = ModuleFactory(author=org.lead, title="Version one")
    services.module_update(
        actor=org.lead,
        module=module,
        title="Version two",
        summary="New summary",
        body_markdown="## New",
        estimated_minutes=9,
        skills=[calls],
    )
    module.refresh_from_db()
    assert module.title == "Version one"
    copy = selectors.working_copy(module)
    assert (copy.title, copy.skill_ids, copy.is_draft_of_published) == (
        "Version two",
        [calls.pk],
        True,
    )

    services.module_publish(actor=org.lead, module=module)
    module.refresh_from_db()
    assert module.title == "Version two"
    assert "<h2>New</h2>" in module.body_html
    assert list(module.skills.all()) == [calls]
    assert not ModuleDraft.objects.exists()
    assert [v.title for v in selectors.module_versions(module)] == ["Version two", "Version one"]


def test_publishing_without_changes_makes_no_new_version(org):
    module = ModuleFactory(author=org.lead)
    services.module_publish(actor=org.lead, module=module)
    assert module.versions.count() == 1


def test_versions_are_numbered_in_order_and_keep_their_text(org):
    module = ModuleFactory(author=org.lead, title="v1")
    for title in ("v2", "v3"):
        edit(module, org.lead, title, body=f"## {title}")
        services.module_publish(actor=org.lead, module=module)
    versions = selectors.module_versions(module)
    assert [(v.number, v.title) for v in versions] == [(3, "v3"), (2, "v2"), (1, "v1")]
    assert versions[1].body_markdown == "## v2"


def test_restoring_an_old_version_makes_it_the_draft(org):
    module = ModuleFactory(author=org.lead, title="Original")
    edit(module, org.lead, "Rewrite")
    services.module_publish(actor=org.lead, module=module)
    first = module.versions.get(number=1)
    services.module_restore_version(actor=org.lead, module=module, version=first)
    module.refresh_from_db()
    assert module.title == "Rewrite"  # learners still see the latest publish
    assert selectors.working_copy(module).title == "Original"
    services.module_publish(actor=org.lead, module=module)
    assert module.versions.count() == 3
    module.refresh_from_db()
    assert module.title == "Original"


def test_learners_progress_survives_new_versions(org):
    module = ModuleFactory(author=org.lead)
    learning.progress_complete(user=org.member, module=module)
    edit(module, org.lead, "New edition")
    services.module_publish(actor=org.lead, module=module)
    assert ModuleProgress.objects.get(user=org.member, module=module).status == "completed"


def test_unpublishing_keeps_unpublished_edits_as_the_text(org):
    module = ModuleFactory(author=org.lead, title="Live")
    edit(module, org.lead, "Edited")
    services.module_unpublish(actor=org.lead, module=module)
    module.refresh_from_db()
    assert module.title == "Edited"
    assert not ModuleDraft.objects.exists()


def test_discarding_a_draft_leaves_the_published_text(org):
    module = ModuleFactory(author=org.lead, title="Live")
    edit(module, org.lead, "Abandoned")
    services.module_discard_draft(actor=org.lead, module=module)
    assert selectors.working_copy(module).title == "Live"


def test_diff_shows_added_and_removed_lines():
    lines = text_diff("a\nb\nc\n", "a\nB\nc\nd\n")
    kinds = [(line.kind, line.text) for line in lines]
    assert ("removed", "b") in kinds
    assert ("added", "B") in kinds
    assert ("added", "d") in kinds
    assert ("same", "a") in kinds

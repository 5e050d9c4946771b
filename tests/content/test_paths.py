"""Learning path services: sections, dense ordering, prerequisites, publishing, permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from peerpath.content import paths, selectors
from peerpath.content.models import (
    AssetKind,
    LearningPath,
    Module,
    ModuleStatus,
    PathSection,
    PathStep,
)
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db


def _titles(path: LearningPath) -> list[str]:
    return [s.module.title for s in path.steps.select_related("module").order_by("position")]


def _layout(path: LearningPath) -> list[tuple[str, list[str]]]:
    """Each section's title with its modules, in the order learners see them."""
    outline = selectors.path_outline(path)
    return [
        (g.section.title if g.section else "", [s.module.title for s in g.steps])
        for g in outline.sections
    ]


def _assert_dense(path: LearningPath) -> None:
    steps = list(path.steps.order_by("position").values_list("position", flat=True))
    assert steps == list(range(1, len(steps) + 1))
    sections = list(path.sections.order_by("position").values_list("position", flat=True))
    assert sections == list(range(1, len(sections) + 1))


@pytest.fixture
def built(org):
    """A draft path by the lead: "Basics" (A, B, C) then "Practice" (D, E)."""
    a, b, c, d, e = (ModuleFactory(author=org.member, title=t) for t in "ABCDE")
    path = paths.path_create(
        author=org.lead,
        title="Contact Centre essentials",
        summary="The core skills.",
        sections=[("Basics", [a, b, c]), ("Practice", [d, e])],
    )
    steps = {s.module.title: s for s in path.steps.select_related("module", "path")}
    return path, steps


def test_a_new_path_is_a_draft_with_dense_sections_of_any_authors_modules(org, built):
    path, _steps = built
    assert path.status == ModuleStatus.DRAFT
    assert path.owner == org.lead
    assert _layout(path) == [("Basics", ["A", "B", "C"]), ("Practice", ["D", "E"])]
    _assert_dense(path)


def test_moving_steps_up_and_down_keeps_positions_dense(org, built):
    path, steps = built
    paths.path_step_move(actor=org.lead, step=steps["C"], direction="up")
    assert _layout(path)[0] == ("Basics", ["A", "C", "B"])
    paths.path_step_move(actor=org.lead, step=steps["A"], direction="down")
    assert _layout(path)[0] == ("Basics", ["C", "A", "B"])
    _assert_dense(path)


def test_moving_past_a_section_edge_joins_the_neighbouring_section(org, built):
    path, steps = built
    paths.path_step_move(actor=org.lead, step=steps["C"], direction="down")
    assert _layout(path) == [("Basics", ["A", "B"]), ("Practice", ["C", "D", "E"])]
    paths.path_step_move(actor=org.lead, step=steps["C"], direction="up")
    assert _layout(path) == [("Basics", ["A", "B", "C"]), ("Practice", ["D", "E"])]
    _assert_dense(path)


def test_moving_at_either_end_of_the_path_changes_nothing(org, built):
    path, steps = built
    paths.path_step_move(actor=org.lead, step=steps["A"], direction="up")
    paths.path_step_move(actor=org.lead, step=steps["E"], direction="down")
    assert _titles(path) == ["A", "B", "C", "D", "E"]


def test_placing_a_step_at_an_index_in_another_section(org, built):
    path, steps = built
    practice = path.sections.get(title="Practice")
    paths.path_step_place(actor=org.lead, step=steps["A"], section=practice, index=1)
    assert _layout(path) == [("Basics", ["B", "C"]), ("Practice", ["D", "A", "E"])]
    paths.path_step_place(actor=org.lead, step=steps["B"], section=practice, index=99)
    assert _layout(path) == [("Basics", ["C"]), ("Practice", ["D", "A", "E", "B"])]
    _assert_dense(path)


def test_removing_steps_and_sections_keeps_positions_dense(org, built):
    path, steps = built
    paths.path_step_remove(actor=org.lead, step=steps["B"])
    assert _titles(path) == ["A", "C", "D", "E"]
    _assert_dense(path)
    paths.path_section_remove(actor=org.lead, section=path.sections.get(title="Basics"))
    assert _layout(path) == [("Practice", ["D", "E"])]
    _assert_dense(path)
    # The modules themselves are untouched.
    assert steps["A"].module.status == ModuleStatus.PUBLISHED


def test_sections_move_with_their_steps(org, built):
    path, _ = built
    paths.path_section_move(
        actor=org.lead, section=path.sections.get(title="Practice"), direction="up"
    )
    assert _layout(path) == [("Practice", ["D", "E"]), ("Basics", ["A", "B", "C"])]
    assert _titles(path) == ["D", "E", "A", "B", "C"]
    _assert_dense(path)


def test_sections_are_added_at_the_end_and_renamed(org, built):
    path, _ = built
    week = paths.path_section_add(actor=org.lead, path=path, title="  Week 3 ")
    assert week.position == 3
    paths.path_section_rename(actor=org.lead, section=week, title="Wrap-up")
    assert [t for t, _ in _layout(path)] == ["Basics", "Practice", "Wrap-up"]
    with pytest.raises(ValidationError, match="title"):
        paths.path_section_add(actor=org.lead, path=path, title="   ")


def test_only_published_modules_join_once(org, built):
    path, _ = built
    basics = path.sections.get(title="Basics")
    draft = ModuleFactory(author=org.lead, title="Unfinished", publish=False)
    with pytest.raises(ValidationError, match="published"):
        paths.path_step_add(actor=org.lead, section=basics, module=draft)
    again = path.steps.get(module__title="A").module
    with pytest.raises(ValidationError, match="already in this path"):
        paths.path_step_add(actor=org.lead, section=basics, module=again)
    assert path.steps.count() == 5


def test_a_new_step_goes_to_the_end_of_its_section(org, built):
    path, _ = built
    f = ModuleFactory(author=org.outsider, title="F")
    paths.path_step_add(actor=org.lead, section=path.sections.get(title="Basics"), module=f)
    assert _layout(path)[0] == ("Basics", ["A", "B", "C", "F"])
    _assert_dense(path)


def test_prerequisites_are_earlier_steps_of_the_same_path(org, built):
    _path, steps = built
    paths.path_step_set_prerequisites(
        actor=org.lead, step=steps["D"], prerequisites=[steps["A"], steps["C"]]
    )
    assert set(steps["D"].prerequisites.all()) == {steps["A"], steps["C"]}
    with pytest.raises(ValidationError, match="own prerequisite"):
        paths.path_step_set_prerequisites(
            actor=org.lead, step=steps["B"], prerequisites=[steps["B"]]
        )
    with pytest.raises(ValidationError, match="come earlier"):
        paths.path_step_set_prerequisites(
            actor=org.lead, step=steps["B"], prerequisites=[steps["E"]]
        )
    other = paths.path_create(
        author=org.lead,
        title="Other",
        summary="S",
        sections=[("Only", [ModuleFactory(author=org.lead)])],
    )
    with pytest.raises(ValidationError, match="same path"):
        paths.path_step_set_prerequisites(
            actor=org.lead, step=steps["B"], prerequisites=[other.steps.get()]
        )
    assert not steps["B"].prerequisites.exists()


def test_prerequisites_never_form_a_cycle(org, built):
    _path, steps = built
    paths.path_step_set_prerequisites(actor=org.lead, step=steps["B"], prerequisites=[steps["A"]])
    paths.path_step_set_prerequisites(actor=org.lead, step=steps["C"], prerequisites=[steps["B"]])
    with pytest.raises(ValidationError, match="cannot wait for each other"):
        paths.path_step_set_prerequisites(
            actor=org.lead, step=steps["A"], prerequisites=[steps["C"]]
        )
    assert not steps["A"].prerequisites.exists()


def test_a_move_that_puts_a_step_before_its_prerequisite_is_refused(org, built):
    path, steps = built
    paths.path_step_set_prerequisites(actor=org.lead, step=steps["B"], prerequisites=[steps["A"]])
    with pytest.raises(ValidationError, match="needs “A” first"):
        paths.path_step_move(actor=org.lead, step=steps["B"], direction="up")
    with pytest.raises(ValidationError, match="needs “A” first"):
        paths.path_step_move(actor=org.lead, step=steps["A"], direction="down")
    paths.path_step_set_prerequisites(actor=org.lead, step=steps["D"], prerequisites=[steps["C"]])
    with pytest.raises(ValidationError, match="“D” needs “C” first"):
        paths.path_section_move(
            actor=org.lead, section=path.sections.get(title="Practice"), direction="up"
        )
    assert _layout(path) == [("Basics", ["A", "B", "C"]), ("Practice", ["D", "E"])]


def test_removing_a_prerequisite_step_unlocks_the_steps_that_needed_it(org, built):
    _path, steps = built
    paths.path_step_set_prerequisites(actor=org.lead, step=steps["C"], prerequisites=[steps["A"]])
    paths.path_step_remove(actor=org.lead, step=steps["A"])
    assert not steps["C"].prerequisites.exists()


def test_publishing_needs_a_module_and_every_module_published(org):
    empty = paths.path_create(author=org.lead, title="Empty", summary="S")
    with pytest.raises(ValidationError, match="at least one module"):
        paths.path_publish(actor=org.lead, path=empty)
    module = ModuleFactory(author=org.member, title="Soon gone")
    path = paths.path_create(author=org.lead, title="P", summary="S", sections=[("A", [module])])
    from peerpath.content import services

    services.module_unpublish(actor=org.member, module=module)
    with pytest.raises(ValidationError, match="Soon gone"):
        paths.path_publish(actor=org.lead, path=path)
    path.refresh_from_db()
    assert path.status == ModuleStatus.DRAFT
    services.module_publish(actor=org.member, module=module)
    paths.path_publish(actor=org.lead, path=path)
    path.refresh_from_db()
    assert path.status == ModuleStatus.PUBLISHED
    assert path.published_at is not None
    paths.path_unpublish(actor=org.lead, path=path)
    path.refresh_from_db()
    assert (path.status, path.published_at) == (ModuleStatus.DRAFT, None)


def test_a_published_path_keeps_at_least_one_module(org):
    module = ModuleFactory(author=org.lead)
    path = paths.path_create(
        author=org.lead, title="P", summary="S", sections=[("A", [module])], publish=True
    )
    with pytest.raises(ValidationError, match="at least one module"):
        paths.path_step_remove(actor=org.lead, step=path.steps.get())
    assert path.steps.count() == 1


def test_details_are_updated_and_the_description_is_sanitised(org, built):
    path, _ = built
    paths.path_update(
        actor=org.lead,
        path=path,
        title=" New title ",
        summary="New summary",
        description_markdown="## For new starters\n\n<script>alert(1)</script>",
    )
    path.refresh_from_db()
    assert (path.title, path.slug) == ("New title", "new-title")
    html = selectors.path_description_html(path)
    assert "<h2>For new starters</h2>" in html
    assert "<script" not in html


def test_editors_arrange_the_path_but_only_the_owner_chooses_them(org, built):
    path, steps = built
    with pytest.raises(PermissionDenied):
        paths.path_set_editors(actor=org.member, path=path, people=[org.member])
    paths.path_set_editors(actor=org.lead, path=path, people=[org.member])
    path = selectors.path_by_public_id(path.public_id)
    step = selectors.path_step_by_id(path, steps["C"].pk)
    paths.path_step_move(actor=org.member, step=step, direction="up")
    assert _titles(path)[:3] == ["A", "C", "B"]
    with pytest.raises(PermissionDenied):
        paths.path_unpublish(actor=org.member, path=path)
    with pytest.raises(ValidationError, match="owner"):
        paths.path_set_editors(actor=org.lead, path=path, people=[org.lead])


def test_people_who_do_not_edit_the_path_change_nothing(org, built):
    path, steps = built
    path = selectors.path_by_public_id(path.public_id)
    basics = selectors.path_section_by_id(path, path.sections.get(title="Basics").pk)
    step = selectors.path_step_by_id(path, steps["B"].pk)
    attempts = [
        lambda: paths.path_update(
            actor=org.outsider, path=path, title="Hijack", summary="S", description_markdown=""
        ),
        lambda: paths.path_section_add(actor=org.outsider, path=path, title="Mine"),
        lambda: paths.path_section_rename(actor=org.outsider, section=basics, title="Mine"),
        lambda: paths.path_section_remove(actor=org.outsider, section=basics),
        lambda: paths.path_step_add(
            actor=org.outsider, section=basics, module=ModuleFactory(author=org.outsider)
        ),
        lambda: paths.path_step_move(actor=org.outsider, step=step, direction="up"),
        lambda: paths.path_step_remove(actor=org.outsider, step=step),
        lambda: paths.path_step_set_prerequisites(
            actor=org.outsider, step=step, prerequisites=[steps["A"]]
        ),
        lambda: paths.path_publish(actor=org.outsider, path=path),
        lambda: paths.path_set_cover(actor=org.outsider, path=path, cover=None),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    path.refresh_from_db()
    assert path.title == "Contact Centre essentials"
    assert path.status == ModuleStatus.DRAFT
    assert _layout(path) == [("Basics", ["A", "B", "C"]), ("Practice", ["D", "E"])]
    assert not step.prerequisites.exists()


def test_learning_admins_edit_any_path(org, built):
    path, _steps = built
    path = selectors.path_by_public_id(path.public_id)
    paths.path_section_add(actor=org.admin, path=path, title="Extra")
    assert PathSection.objects.filter(path=path).count() == 3


def test_a_cover_must_be_an_image(org, built):
    from peerpath.content.models import Asset

    path, _ = built
    pdf = Asset.objects.create(
        owner=org.lead,
        kind=AssetKind.PDF,
        file="assets/x/guide.pdf",
        content_type="application/pdf",
        original_name="guide.pdf",
        size=10,
    )
    with pytest.raises(ValidationError, match="image"):
        paths.path_set_cover(actor=org.lead, path=path, cover=pdf)


def test_estimated_time_is_the_sum_of_the_modules(org, built):
    path, _ = built
    assert selectors.path_estimated_minutes(path) == 50
    assert selectors.path_outline(path).estimated_minutes == 50


def test_steps_from_before_sections_come_first_and_can_join_a_section(org):
    """Paths made before sections existed have steps without one; editing still works."""
    a, b = ModuleFactory(author=org.lead, title="A"), ModuleFactory(author=org.lead, title="B")
    path = paths.path_create(author=org.lead, title="Old", summary="S", sections=[("New", [b])])
    PathStep.objects.filter(path=path).update(position=2)
    loose = PathStep.objects.create(path=path, module=a, position=1)
    assert _layout(path) == [("", ["A"]), ("New", ["B"])]
    loose.path = path
    paths.path_step_move(actor=org.lead, step=loose, direction="down")
    assert _layout(path) == [("New", ["A", "B"])]
    _assert_dense(path)


def test_search_finds_published_modules_not_yet_in_the_path(org, built):
    path, _ = built
    ModuleFactory(author=org.outsider, title="Answering calls")
    ModuleFactory(author=org.outsider, title="Call drafts", publish=False)
    found = selectors.modules_for_path(path, query="call")
    assert [m.title for m in found] == ["Answering calls"]
    assert all(m.title != "A" for m in selectors.modules_for_path(path, query="A"))
    assert selectors.modules_for_path(path, query="  ") == []


def test_an_uploaded_image_becomes_the_cover_and_other_files_are_refused(org, built):
    from tests.content.files import PDF, image_bytes, upload

    path, _ = built
    paths.path_upload_cover(
        actor=org.lead, path=path, upload=upload("team.png", image_bytes(), "image/png")
    )
    path.refresh_from_db()
    assert path.cover is not None
    assert path.cover.kind == AssetKind.IMAGE
    assert path.cover.owner == org.lead
    with pytest.raises(ValidationError) as refused:
        paths.path_upload_cover(
            actor=org.lead, path=path, upload=upload("cover.png", PDF, "image/png")
        )
    assert "cover" in refused.value.message_dict
    path.refresh_from_db()
    assert path.cover.original_name == "team.png"


def test_a_draft_path_is_deleted_but_its_modules_stay(org, built):
    built, _ = built
    module_ids = list(built.steps.values_list("module_id", flat=True))
    paths.path_delete(actor=org.lead, path=built)
    assert not LearningPath.objects.filter(pk=built.pk).exists()
    assert not PathSection.objects.filter(path_id=built.pk).exists()
    assert Module.objects.filter(pk__in=module_ids).count() == len(module_ids)


def test_a_published_path_must_be_unpublished_before_deleting(org, built):
    built, _ = built
    paths.path_publish(actor=org.lead, path=built)
    with pytest.raises(ValidationError, match="Unpublish the path"):
        paths.path_delete(actor=org.lead, path=built)
    assert LearningPath.objects.filter(pk=built.pk).exists()


def test_only_the_owner_or_an_admin_deletes_a_path(org, built):
    built, _ = built
    paths.path_set_editors(actor=org.lead, path=built, people=[org.member])
    with pytest.raises(PermissionDenied):
        paths.path_delete(actor=org.member, path=built)
    assert LearningPath.objects.filter(pk=built.pk).exists()
    paths.path_delete(actor=org.admin, path=built)
    assert not LearningPath.objects.filter(pk=built.pk).exists()

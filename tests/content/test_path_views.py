"""The path editor pages: who may use them, and what each action does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerpath.content import paths
from peerpath.content.models import LearningPath, ModuleStatus
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def path(org):
    a, b = ModuleFactory(author=org.member, title="Greeting"), ModuleFactory(title="Wrap-up")
    return paths.path_create(
        author=org.lead, title="Calls", summary="S", sections=[("Basics", [a, b])]
    )


def _order(path: LearningPath) -> list[str]:
    return list(path.steps.order_by("position").values_list("module__title", flat=True))


def test_anyone_creates_a_draft_path_and_lands_in_the_editor(org, client_for):
    response = client_for(org.member).post(
        reverse("content:path_new"), {"title": "New starters", "summary": "Week one."}
    )
    path = LearningPath.objects.get()
    assert (path.owner, path.status) == (org.member, ModuleStatus.DRAFT)
    assert response["Location"] == reverse("content:path_edit", args=[path.public_id])


def test_my_paths_lists_owned_and_edited_paths_only(org, client_for, path):
    paths.path_create(author=org.outsider, title="Someone else's", summary="S")
    paths.path_set_editors(actor=org.lead, path=path, people=[org.member])
    body = client_for(org.member).get(reverse("content:paths")).content.decode()
    assert "Calls" in body
    assert "Someone else" not in body
    assert "Editor" in body


def test_the_create_area_links_to_my_paths(org, client_for):
    body = client_for(org.member).get(reverse("content:mine")).content.decode()
    assert reverse("content:paths") in body


def test_the_editor_shows_sections_and_steps(org, client_for, path):
    body = client_for(org.lead).get(reverse("content:path_edit", args=[path.public_id]))
    text = body.content.decode()
    assert body.status_code == 200
    assert "Basics" in text
    assert "Move “Greeting” down" in text


def test_outsiders_cannot_open_or_change_someone_elses_path(org, client_for, path):
    client = client_for(org.outsider)
    step = path.steps.get(module__title="Wrap-up")
    section = path.sections.get()
    assert client.get(reverse("content:path_edit", args=[path.public_id])).status_code == 403
    posts = [
        (reverse("content:path_edit", args=[path.public_id]), {"title": "X", "summary": "Y"}),
        (reverse("content:path_publish", args=[path.public_id]), {}),
        (reverse("content:path_section_add", args=[path.public_id]), {"title": "Mine"}),
        (reverse("content:path_section_remove", args=[path.public_id, section.pk]), {}),
        (reverse("content:path_step_move", args=[path.public_id, step.pk]), {"direction": "up"}),
        (reverse("content:path_step_remove", args=[path.public_id, step.pk]), {}),
        (reverse("content:path_editors", args=[path.public_id]), {"editors": ""}),
    ]
    for url, data in posts:
        assert client.post(url, data, **HTMX).status_code == 403, url
    path.refresh_from_db()
    assert (path.title, path.status) == ("Calls", ModuleStatus.DRAFT)
    assert _order(path) == ["Greeting", "Wrap-up"]
    assert path.sections.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    for url in [
        reverse("content:paths"),
        reverse("content:path_new"),
        reverse("content:path_edit", args=[path.public_id]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_moving_a_step_with_htmx_returns_the_outline_and_announces_it(org, client_for, path):
    step = path.steps.get(module__title="Wrap-up")
    response = client_for(org.lead).post(
        reverse("content:path_step_move", args=[path.public_id, step.pk]),
        {"direction": "up"},
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="outline"' in body
    assert "“Wrap-up” is now step 1." in body
    assert _order(path) == ["Wrap-up", "Greeting"]


def test_moving_without_javascript_redirects_back_to_the_editor(org, client_for, path):
    step = path.steps.get(module__title="Wrap-up")
    response = client_for(org.lead).post(
        reverse("content:path_step_move", args=[path.public_id, step.pk]), {"direction": "up"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("content:path_edit", args=[path.public_id])


def test_live_search_offers_published_modules_not_in_the_path(org, client_for, path):
    ModuleFactory(author=org.outsider, title="Greeting VIP callers")
    ModuleFactory(author=org.outsider, title="Greeting drafts", publish=False)
    section = path.sections.get()
    response = client_for(org.lead).get(
        reverse("content:path_module_search", args=[path.public_id, section.pk]),
        {"q": "greet"},
        **HTMX,
    )
    body = response.content.decode()
    assert "Greeting VIP callers" in body
    assert "Greeting drafts" not in body


def test_adding_a_module_from_search(org, client_for, path):
    extra = ModuleFactory(author=org.outsider, title="Hold music etiquette")
    section = path.sections.get()
    response = client_for(org.lead).post(
        reverse("content:path_step_add", args=[path.public_id, section.pk]),
        {"module": str(extra.public_id), "q": "hold"},
        **HTMX,
    )
    assert "Added “Hold music etiquette” to “Basics”." in response.content.decode()
    assert _order(path) == ["Greeting", "Wrap-up", "Hold music etiquette"]


def test_a_refused_change_is_shown_in_the_outline(org, client_for, path):
    first, second = path.steps.order_by("position")
    response = client_for(org.lead).post(
        reverse("content:path_step_prerequisites", args=[path.public_id, first.pk]),
        {"prerequisites": [str(second.pk)]},
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in body
    assert "come earlier" in body
    assert not first.prerequisites.exists()


def test_setting_prerequisites(org, client_for, path):
    first, second = path.steps.order_by("position")
    chooser = client_for(org.lead).get(
        reverse("content:path_step_prerequisites", args=[path.public_id, second.pk]), **HTMX
    )
    assert "1. Greeting" in chooser.content.decode()
    client_for(org.lead).post(
        reverse("content:path_step_prerequisites", args=[path.public_id, second.pk]),
        {"prerequisites": [str(first.pk)]},
        **HTMX,
    )
    assert list(second.prerequisites.all()) == [first]


def test_sections_of_another_path_are_not_found(org, client_for, path):
    other = paths.path_create(author=org.lead, title="Other", summary="S", sections=[("X", [])])
    response = client_for(org.lead).post(
        reverse("content:path_section_remove", args=[path.public_id, other.sections.get().pk]),
        **HTMX,
    )
    assert response.status_code == 404
    assert other.sections.count() == 1


def test_publishing_from_the_editor(org, client_for, path):
    response = client_for(org.lead).post(reverse("content:path_publish", args=[path.public_id]))
    path.refresh_from_db()
    assert path.status == ModuleStatus.PUBLISHED
    assert response["Location"] == reverse("learning:path", args=[path.public_id, path.slug])


def test_publishing_an_empty_path_explains_why_not(org, client_for):
    empty = paths.path_create(author=org.lead, title="Empty", summary="S")
    client = client_for(org.lead)
    client.post(reverse("content:path_publish", args=[empty.public_id]))
    body = client.get(reverse("content:path_edit", args=[empty.public_id])).content.decode()
    assert "Add at least one module" in body
    empty.refresh_from_db()
    assert empty.status == ModuleStatus.DRAFT


def test_editors_are_chosen_by_email(org, client_for, path):
    client_for(org.lead).post(
        reverse("content:path_editors", args=[path.public_id]), {"editors": org.member.email}
    )
    assert list(path.editors.all()) == [org.member]
    # An editor arranges the path but does not choose who else edits it.
    body = client_for(org.member).get(reverse("content:path_edit", args=[path.public_id]))
    assert body.status_code == 200
    assert "Save editors" not in body.content.decode()
    assert (
        client_for(org.member)
        .post(reverse("content:path_editors", args=[path.public_id]), {"editors": ""})
        .status_code
        == 403
    )


def test_cover_upload_shows_on_the_editor_and_the_learners_page(org, client_for, path):
    from tests.content.files import image_bytes, upload

    client = client_for(org.lead)
    client.post(
        reverse("content:path_cover", args=[path.public_id]),
        {"cover": upload("team.jpg", image_bytes("JPEG"), "image/jpeg")},
    )
    path.refresh_from_db()
    assert path.cover is not None
    paths.path_publish(actor=org.lead, path=path)
    learner = client_for(org.member).get(reverse("learning:path", args=[path.public_id, path.slug]))
    assert path.cover.url in learner.content.decode()
    assert client_for(org.member).get(path.cover.url).status_code == 200
    client.post(reverse("content:path_cover", args=[path.public_id]), {"remove": "1"})
    path.refresh_from_db()
    assert path.cover is None


def test_outsiders_cannot_change_the_cover(org, client_for, path):
    from tests.content.files import image_bytes, upload

    response = client_for(org.outsider).post(
        reverse("content:path_cover", args=[path.public_id]),
        {"cover": upload("x.png", image_bytes(), "image/png")},
    )
    assert response.status_code == 403
    path.refresh_from_db()
    assert path.cover is None


def test_adding_an_unknown_module_is_not_found(org, client_for, path):
    url = reverse("content:path_step_add", args=[path.public_id, path.sections.get().pk])
    assert client_for(org.lead).post(url, {"module": "not-a-uuid"}, **HTMX).status_code == 404
    assert path.steps.count() == 2


def test_my_paths_and_the_editor_read_in_a_fixed_number_of_queries(
    org, client_for, django_assert_max_num_queries
):
    modules = [ModuleFactory(author=org.lead, title=f"Step {n}") for n in range(30)]
    long = paths.path_create(
        author=org.lead,
        title="Long",
        summary="S",
        sections=[(f"Part {n}", modules[n * 10 : n * 10 + 10]) for n in range(3)],
    )
    steps = list(long.steps.order_by("position"))
    for step in steps[1:]:
        paths.path_step_set_prerequisites(actor=org.lead, step=step, prerequisites=[steps[0]])
    for n in range(15):
        paths.path_create(author=org.lead, title=f"Path {n}", summary="S")
    client = client_for(org.lead)
    client.get(reverse("content:paths"))  # warm the session and cached navigation roles
    with django_assert_max_num_queries(4):
        assert client.get(reverse("content:paths")).status_code == 200
    with django_assert_max_num_queries(7):
        body = client.get(reverse("content:path_edit", args=[long.public_id])).content.decode()
    assert "Move “Step 29” up" in body


def test_deleting_a_path_from_the_editor(org, client, client_for, path):
    url = reverse("content:path_delete", args=[path.public_id])
    assert client_for(org.outsider).post(url).status_code == 403
    assert client.post(url).status_code == 302
    assert LearningPath.objects.filter(pk=path.pk).exists()
    response = client_for(org.lead).post(url)
    assert response["Location"] == reverse("content:paths")
    assert not LearningPath.objects.filter(pk=path.pk).exists()


def test_a_published_path_is_not_deleted_and_the_editor_says_why(org, client_for, path):
    paths.path_publish(actor=org.lead, path=path)
    response = client_for(org.lead).post(
        reverse("content:path_delete", args=[path.public_id]), follow=True
    )
    assert "Unpublish the path before deleting it." in response.content.decode()
    assert LearningPath.objects.filter(pk=path.pk).exists()

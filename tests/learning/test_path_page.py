"""A path's page shows the learner where they are: statuses, locks, progress and Continue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerpath.content import paths
from peerpath.content import services as content
from peerpath.learning import services
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def path(org):
    """Basics: Greeting, Listening; Practice: Hard calls (needs Greeting), Wrap-up."""
    modules = {
        t: ModuleFactory(author=org.lead, title=t, estimated_minutes=m)
        for t, m in [("Greeting", 5), ("Listening", 10), ("Hard calls", 20), ("Wrap-up", 15)]
    }
    path = paths.path_create(
        author=org.lead,
        title="Calls",
        summary="Take calls well.",
        description_markdown="For **new** agents.",
        sections=[
            ("Basics", [modules["Greeting"], modules["Listening"]]),
            ("Practice", [modules["Hard calls"], modules["Wrap-up"]]),
        ],
    )
    steps = list(path.steps.order_by("position"))
    paths.path_step_set_prerequisites(actor=org.lead, step=steps[2], prerequisites=[steps[0]])
    paths.path_publish(actor=org.lead, path=path)
    path.modules_by_title = modules
    return path


def _page(client, path) -> str:
    response = client.get(reverse("learning:path", args=[path.public_id, path.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_learner_sees_sections_numbered_steps_time_and_start(org, client_for, path):
    body = _page(client_for(org.member), path)
    assert "Basics" in body
    assert "Practice" in body
    assert "For <strong>new</strong> agents." in body
    assert "about 50 min in all" in body
    assert "0 of 4" in body
    assert "Start: Greeting" in body
    assert "Finish “Greeting” first" in body
    assert "Leo Lead" in body
    assert body.count("Not started") == 3  # the fourth, locked, says so instead
    assert "Locked" in body


def test_progress_moves_and_locks_open_as_the_learner_completes(org, client_for, path):
    services.progress_open(user=org.member, module=path.modules_by_title["Listening"])
    services.progress_complete(user=org.member, module=path.modules_by_title["Greeting"])
    body = _page(client_for(org.member), path)
    assert "1 of 4" in body
    assert "In progress" in body
    assert "Continue: Listening" in body
    assert "Finish “Greeting” first" not in body
    assert 'aria-valuenow="1"' in body


def test_continue_skips_a_locked_step_for_the_next_unlocked_one(org, client_for, path):
    services.progress_complete(user=org.member, module=path.modules_by_title["Listening"])
    body = _page(client_for(org.member), path)
    # Greeting is the first incomplete step and nothing locks it.
    assert "Continue: Greeting" in body


def test_a_finished_path_says_so(org, client_for, path):
    for module in path.modules_by_title.values():
        services.progress_complete(user=org.member, module=module)
    body = _page(client_for(org.member), path)
    assert "4 of 4" in body
    assert "Path complete" in body


def test_modules_taken_out_of_the_catalog_drop_out_of_the_path(org, client_for, path):
    content.module_unpublish(actor=org.lead, module=path.modules_by_title["Greeting"])
    body = _page(client_for(org.member), path)
    assert "0 of 3" in body
    assert "Start: Listening" in body
    assert "Finish “Greeting” first" not in body


def test_learners_cannot_see_draft_paths_but_editors_can(org, client_for):
    draft = paths.path_create(
        author=org.lead,
        title="Soon",
        summary="S",
        sections=[("A", [ModuleFactory(author=org.lead)])],
    )
    url = reverse("learning:path", args=[draft.public_id, draft.slug])
    assert client_for(org.member).get(url).status_code == 403
    assert client_for(org.lead).get(url).status_code == 200
    paths.path_set_editors(actor=org.lead, path=draft, people=[org.outsider])
    assert client_for(org.outsider).get(url).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(reverse("learning:path", args=[path.public_id, path.slug]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_wrong_slug_redirects_to_the_right_one(org, client_for, path):
    response = client_for(org.member).get(reverse("learning:path", args=[path.public_id, "x"]))
    assert response["Location"] == reverse("learning:path", args=[path.public_id, path.slug])


def test_the_path_page_reads_in_a_fixed_number_of_queries(
    org, client_for, django_assert_max_num_queries
):
    modules = [ModuleFactory(author=org.lead, title=f"Step {n}") for n in range(30)]
    path = paths.path_create(
        author=org.lead,
        title="Long",
        summary="S",
        sections=[(f"Part {n}", modules[n * 10 : n * 10 + 10]) for n in range(3)],
        publish=True,
    )
    steps = list(path.steps.order_by("position"))
    for n in range(1, 30):
        paths.path_step_set_prerequisites(actor=org.lead, step=steps[n], prerequisites=[steps[0]])
    for module in modules[:12]:
        services.progress_complete(user=org.member, module=module)
    client = client_for(org.member)
    url = reverse("learning:path", args=[path.public_id, path.slug])
    client.get(url)  # warm the session and cached navigation roles
    with django_assert_max_num_queries(8):
        body = client.get(url).content.decode()
    assert "12 of 30" in body
    assert "Continue: Step 12" in body


def test_catalog_cards_show_the_number_of_modules(org, client_for, path):
    body = client_for(org.member).get(reverse("learning:catalog")).content.decode()
    assert "Path · 4 modules" in body

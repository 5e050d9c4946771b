"""Saving from a module's page, and goals on My learning: who may do what, and what shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from peerpath.content import paths
from peerpath.learning import services
from peerpath.learning.models import GoalKind, LearningGoal, SavedModule
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db

MINE = reverse("learning:mine")


def module_url(m) -> str:
    return reverse("learning:module", args=[m.public_id, m.slug])


def test_anonymous_visitors_are_sent_to_sign_in(client, module):
    goal = services.goal_create(user=module.owner, kind=GoalKind.MODULES_PER_WEEK, target=1)
    for url in [
        reverse("learning:save", args=[module.public_id]),
        reverse("learning:goal_create"),
        reverse("learning:goal_archive", args=[goal.public_id]),
    ]:
        response = client.post(url, {"kind": "modules_per_week", "target": "2"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert not SavedModule.objects.exists()
    assert LearningGoal.objects.count() == 1


def test_the_module_page_toggles_saved_with_aria_pressed(org, client_for, module):
    client = client_for(org.member)
    assert 'aria-pressed="false"' in client.get(module_url(module)).content.decode()
    url = reverse("learning:save", args=[module.public_id])
    response = client.post(url, {"save": "1"}, HTTP_HX_REQUEST="true")
    assert 'aria-pressed="true"' in response.content.decode()
    assert SavedModule.objects.filter(user=org.member, module=module).exists()
    assert 'aria-pressed="true"' in client.get(module_url(module)).content.decode()
    response = client.post(url, {"save": "0"}, HTTP_HX_REQUEST="true")
    assert 'aria-pressed="false"' in response.content.decode()
    assert not SavedModule.objects.exists()


def test_an_outsider_cannot_save_a_draft(org, client_for):
    draft = ModuleFactory(author=org.lead, publish=False)
    response = client_for(org.outsider).post(reverse("learning:save", args=[draft.public_id]))
    assert response.status_code == 403
    assert not SavedModule.objects.exists()


def test_my_learning_shows_goals_saved_in_progress_and_scores(org, client_for, module):
    services.saved_module_add(user=org.member, module=module)
    services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_WEEK, target=2)
    services.progress_complete(user=org.member, module=ModuleFactory(author=org.lead))
    body = client_for(org.member).get(MINE).content.decode()
    assert "Complete 2 modules a week" in body
    assert "1 of 2 this week" in body
    assert "De-escalating an angry caller" in body
    assert 'aria-labelledby="saved-h"' in body


def test_adding_a_goal_from_the_page(org, client_for):
    client = client_for(org.member)
    response = client.post(
        reverse("learning:goal_create"), {"kind": "modules_per_month", "target": "3"}
    )
    assert response.status_code == 302
    goal = LearningGoal.objects.get(user=org.member)
    assert (goal.kind, goal.target) == ("modules_per_month", 3)


def test_an_out_of_range_target_is_refused_with_the_form(org, client_for):
    response = client_for(org.member).post(
        reverse("learning:goal_create"), {"kind": "modules_per_week", "target": "99"}
    )
    assert response.status_code == 400
    assert "less than or equal to 50" in response.content.decode()
    assert not LearningGoal.objects.exists()


def test_adding_a_path_goal_from_the_page(org, client_for):
    path = paths.path_create(
        author=org.lead,
        title="Calls",
        summary="Calls.",
        sections=[("A", [ModuleFactory(author=org.lead)])],
        publish=True,
    )
    due = dt.datetime.now(tz=dt.UTC).date() + dt.timedelta(days=20)
    client = client_for(org.member)
    assert "Calls" in client.get(MINE).content.decode()
    response = client.post(
        reverse("learning:goal_create"),
        {"kind": "finish_path", "path": str(path.public_id), "due_on": due.isoformat()},
    )
    assert response.status_code == 302
    assert LearningGoal.objects.get(user=org.member).path == path
    assert "0 of 1 module" in client.get(MINE).content.decode()


def test_nobody_archives_another_persons_goal(org, client_for):
    goal = services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_WEEK, target=2)
    url = reverse("learning:goal_archive", args=[goal.public_id])
    for other in (org.manager, org.outsider, org.admin):
        assert client_for(other).post(url).status_code == 404
    goal.refresh_from_db()
    assert goal.archived_at is None
    assert client_for(org.member).post(url).status_code == 302
    goal.refresh_from_db()
    assert goal.archived_at is not None


def test_managers_see_a_reports_progress_but_not_their_goals_or_saved_list(org, client_for, module):
    services.saved_module_add(user=org.member, module=module)
    services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_WEEK, target=2)
    services.progress_open(user=org.member, module=ModuleFactory(author=org.lead, title="Open"))
    response = client_for(org.manager).get(reverse("learning:person", args=[org.member.public_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Open" in body
    assert "modules a week" not in body
    assert "Saved for later" not in body


def test_my_learning_query_count_stays_flat_with_many_items(
    org, client_for, django_assert_max_num_queries
):
    client = client_for(org.member)
    path = paths.path_create(
        author=org.lead,
        title="Calls",
        summary="Calls.",
        sections=[("A", [ModuleFactory(author=org.lead)])],
        publish=True,
    )
    services.goal_create(user=org.member, kind=GoalKind.MODULES_PER_WEEK, target=2)
    services.goal_create(
        user=org.member,
        kind=GoalKind.FINISH_PATH,
        path=path,
        due_on=dt.datetime.now(tz=dt.UTC).date() + dt.timedelta(days=9),
    )
    services.saved_module_add(user=org.member, module=ModuleFactory(author=org.lead))
    services.progress_complete(user=org.member, module=ModuleFactory(author=org.lead))
    client.get(MINE)  # warm the shell's cached navigation roles
    with django_assert_max_num_queries(16) as small:
        client.get(MINE)
    for _ in range(20):
        services.saved_module_add(user=org.member, module=ModuleFactory(author=org.lead))
        services.progress_complete(user=org.member, module=ModuleFactory(author=org.lead))
        services.progress_open(user=org.member, module=ModuleFactory(author=org.lead))
    with django_assert_max_num_queries(16) as large:
        client.get(MINE)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_completed_modules_show_their_score_and_pass(org, client_for, module):
    progress = services.progress_complete(user=org.member, module=module)
    progress.score, progress.success_status = 85, "passed"
    progress.save(update_fields=["score", "success_status"])
    body = client_for(org.member).get(MINE).content.decode()
    assert "scored 85%" in body
    assert "✓ Passed" in body

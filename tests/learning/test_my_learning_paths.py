"""My learning shows the paths a learner started, how far they are, and the ones they finished."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerpath.content import paths
from peerpath.learning import selectors, services
from peerpath.learning.models import ModuleProgress
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db


def _path(org, title, count):
    modules = [ModuleFactory(author=org.lead, title=f"{title} {n}") for n in range(count)]
    path = paths.path_create(
        author=org.lead, title=title, summary="S", sections=[("Part", modules)], publish=True
    )
    return path, modules


def test_started_and_finished_paths_are_split_with_their_progress_and_time(org):
    calls, call_modules = _path(org, "Calls", 4)
    security, security_modules = _path(org, "Security", 2)
    _path(org, "Untouched", 2)
    services.progress_complete(user=org.member, module=call_modules[0])
    services.progress_open(user=org.member, module=call_modules[1])
    for module in security_modules:
        services.progress_complete(user=org.member, module=module)
    ModuleProgress.objects.filter(user=org.member, module__in=call_modules).update(
        time_spent_seconds=90
    )
    standing = selectors.paths_progress(org.member)
    [in_progress] = standing.in_progress
    assert (in_progress.path, in_progress.done, in_progress.total) == (calls, 1, 4)
    assert in_progress.percent == 25
    assert in_progress.time_spent_seconds == 180
    [completed] = standing.completed
    assert completed.path == security
    assert completed.completed_at is not None
    assert selectors.paths_progress(org.outsider).in_progress == []


def test_my_learning_lists_paths_with_a_progress_bar(org, client_for):
    _, modules = _path(org, "Calls", 4)
    services.progress_complete(user=org.member, module=modules[0])
    body = client_for(org.member).get(reverse("learning:mine")).content.decode()
    assert 'aria-label="Progress in Calls"' in body
    assert 'aria-valuenow="25"' in body
    assert "1 of 4 modules completed" in body
    for module in modules[1:]:
        services.progress_complete(user=org.member, module=module)
    body = client_for(org.member).get(reverse("learning:mine")).content.decode()
    assert "Path completed" in body
    assert 'aria-label="Progress in Calls"' not in body


def test_my_learning_reads_paths_in_a_fixed_number_of_queries(
    org, client_for, django_assert_max_num_queries
):
    for n in range(8):
        _, modules = _path(org, f"Path {n}", 3)
        services.progress_complete(user=org.member, module=modules[0])
    client = client_for(org.member)
    client.get(reverse("learning:mine"))
    # The same bound holds with one path or eight: paths are read in a fixed number.
    with django_assert_max_num_queries(15):
        response = client.get(reverse("learning:mine"))
    assert response.content.decode().count("data-path-row") == 8

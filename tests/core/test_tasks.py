"""Background tasks queue in the database, and old results are pruned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from peerpath.core import tasks
from peerpath.curation.tasks import send_review_reminders

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_tasks_wait_in_the_database_queue(database_queue):
    result = send_review_reminders.enqueue()
    row = DBTaskResult.objects.get(id=result.id)
    assert row.task_path == "peerpath.curation.tasks.send_review_reminders"
    assert row.status == "READY"


def test_finished_results_are_forgotten_after_two_weeks(database_queue):
    old = send_review_reminders.enqueue()
    recent = send_review_reminders.enqueue()
    now = timezone.now()
    DBTaskResult.objects.filter(id=old.id).update(
        status="SUCCESSFUL", finished_at=now - dt.timedelta(days=15)
    )
    DBTaskResult.objects.filter(id=recent.id).update(
        status="SUCCESSFUL", finished_at=now - dt.timedelta(days=2)
    )
    tasks.prune_task_results.call()
    assert [str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)] == [recent.id]


def test_pruning_does_nothing_without_a_database_queue():
    # The test settings run tasks at once; there are no stored results to prune.
    assert tasks.prune_task_results.call() is False

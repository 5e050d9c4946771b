"""Background housekeeping shared by every context."""

from __future__ import annotations

from django.core.management import call_command
from django_tasks import task, task_backends
from django_tasks_db.backend import DatabaseBackend


@task()
def prune_task_results() -> bool:
    """Forget finished background tasks after two weeks, failed ones after a month.

    Only a database queue keeps results; with the immediate backend there is nothing to
    prune, and the answer is False.
    """
    if not isinstance(task_backends["default"], DatabaseBackend):
        return False
    call_command(
        "prune_db_task_results",
        queue_name="*",
        min_age_days=14,
        failed_min_age_days=30,
        verbosity=0,
    )
    return True

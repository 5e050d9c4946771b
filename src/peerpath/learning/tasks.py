"""Background work for learning."""

from __future__ import annotations

from django_tasks import task

from peerpath.learning import assignments


@task()
def send_assignment_notices() -> int:
    """Tell people of what was just assigned to them; queued when an assignment reaches them."""
    return assignments.assignment_notices_send()


@task()
def send_assignment_reminders() -> int:
    """Tell people of new assignments (any the prompt notice missed), remind them of ones
    falling due, and tell them once when one is overdue."""
    return (
        assignments.assignment_notices_send()
        + assignments.assignment_reminders_send()
        + assignments.assignment_overdue_notices_send()
    )

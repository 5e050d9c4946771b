"""Background work for learning."""

from __future__ import annotations

from django_tasks import task

from peerpath.learning import assignments


@task()
def send_assignment_reminders() -> int:
    """Remind learners of assignments falling due, and tell them once when one is overdue."""
    return assignments.assignment_reminders_send() + assignments.assignment_overdue_notices_send()

"""Background work for curation."""

from __future__ import annotations

from django_tasks import task

from peerpath.curation import services


@task()
def send_review_reminders() -> int:
    """Remind owners and reviewers of Curated modules past their review-by date."""
    return services.review_reminders_send()

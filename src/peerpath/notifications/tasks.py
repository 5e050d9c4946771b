"""Background work for notifications: emails go out from the worker, so nothing that
notifies waits on the mail server."""

from __future__ import annotations

from django_tasks import task

from peerpath.notifications import emails
from peerpath.notifications.models import EmailChoice


@task()
def send_at_once(kind: str, dedupe_key: str, recipient_ids: list[int]) -> int:
    """Email the notice of (kind, dedupe_key) to those who want it at once."""
    return emails.send_at_once(kind=kind, dedupe_key=dedupe_key, recipient_ids=recipient_ids)


@task()
def send_daily_digests() -> int:
    """Send each person's daily digest once their morning has come (hourly)."""
    return emails.digests_send(cadence=EmailChoice.DAILY)


@task()
def send_weekly_digests() -> int:
    """Send each person's weekly digest once their Monday morning has come (hourly)."""
    return emails.digests_send(cadence=EmailChoice.WEEKLY)


@task()
def send_missed_emails() -> int:
    """Retry the at-once emails that did not go out (hourly)."""
    return emails.send_at_once_missed()

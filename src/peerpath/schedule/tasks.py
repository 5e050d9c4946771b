"""Background work for learning time: its emails go out from the worker, so asking for
time or deciding never waits on the mail server."""

from __future__ import annotations

from django_tasks import task

from peerpath.schedule import emails, services


@task()
def send_pending_notice(request_ids: list[int]) -> int:
    """Email the deciders of requests that wait for them (one person's, e.g. a series)."""
    return emails.send_pending_notice(request_ids)


@task()
def send_decision_notice(request_id: int) -> int:
    """Tell the person their request was approved or declined."""
    return emails.send_decision_notice(request_id)


@task()
def lapse_undecided_requests() -> int:
    """Close requests nobody decided before they started (hourly)."""
    return services.lapse_undecided_requests()

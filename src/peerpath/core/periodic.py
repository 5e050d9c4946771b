"""Work that runs on a schedule: the worker queues each task when it falls due.

Every periodic task is idempotent, so several workers queueing the same task (or a
restart queueing it early) does no harm.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import import_string

logger = logging.getLogger("peerpath.periodic")


@dataclass(frozen=True)
class Periodic:
    task_path: str
    every_seconds: int


SCHEDULE = [
    Periodic("peerpath.curation.tasks.send_review_reminders", every_seconds=60 * 60),
    Periodic("peerpath.learning.tasks.send_assignment_reminders", every_seconds=60 * 60),
    Periodic("peerpath.schedule.tasks.lapse_undecided_requests", every_seconds=60 * 60),
    Periodic("peerpath.core.tasks.prune_task_results", every_seconds=24 * 60 * 60),
    Periodic("peerpath.recognition.tasks.send_expiry_reminders", every_seconds=24 * 60 * 60),
    # Hourly, so each person's digest goes out soon after their own 07:00.
    Periodic("peerpath.notifications.tasks.send_daily_digests", every_seconds=60 * 60),
    Periodic("peerpath.notifications.tasks.send_weekly_digests", every_seconds=60 * 60),
    Periodic("peerpath.notifications.tasks.send_missed_emails", every_seconds=60 * 60),
]


def enqueue_due(last_run: dict[str, float], now: float) -> list[str]:
    """Queue every scheduled task whose interval has passed; return the paths queued."""
    queued = []
    for entry in SCHEDULE:
        if now - last_run.get(entry.task_path, float("-inf")) >= entry.every_seconds:
            import_string(entry.task_path).enqueue()
            last_run[entry.task_path] = now
            queued.append(entry.task_path)
    return queued


def start_scheduler(
    *, tick_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic
) -> threading.Thread:
    """Queue periodic tasks from a daemon thread for as long as the process lives."""
    last_run: dict[str, float] = {}

    def loop() -> None:
        from django.db import close_old_connections

        while True:
            try:
                enqueue_due(last_run, clock())
            except Exception:  # a broken schedule must not stop the worker running tasks
                logger.exception("Could not queue periodic tasks")
            finally:
                close_old_connections()
            time.sleep(tick_seconds)

    thread = threading.Thread(target=loop, name="peerpath-scheduler", daemon=True)
    thread.start()
    return thread

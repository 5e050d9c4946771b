"""Recognition hears what happened elsewhere through the event bus, and only here.

Each area of recognition (certifications, credentials, points, badges, streaks) lists
its reactions in ``subscribe_all``; handlers run inside the publisher's transaction, so
a reward commits or rolls back with its cause.
"""

from __future__ import annotations

from peerpath.core import events


def subscribe_all() -> None:
    """Register every recognition reaction on the core event bus (idempotent)."""
    # Certifications
    from peerpath.recognition import certifications

    events.subscribe(events.LearningRecorded, certifications.on_learning_recorded)
    events.subscribe(events.PathCompleted, certifications.on_path_completed)
    # Credentials
    # Points, badges, streaks
    # Leaderboards and kudos

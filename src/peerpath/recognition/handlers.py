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
    # Credentials
    # Points, badges, streaks
    # Leaderboards and kudos
    from peerpath.recognition import leaderboards

    events.subscribe(events.PeopleChanged, leaderboards.on_people_changed)

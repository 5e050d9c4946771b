"""Social learning hears what happened elsewhere through the event bus, and only here.

Each area (feed activity, shares and profiles, summaries, discussions) lists its
reactions in ``subscribe_all`` under its own heading; handlers run inside the
publisher's transaction.
"""

from __future__ import annotations


def subscribe_all() -> None:
    """Register every social reaction on the core event bus (idempotent)."""
    # Feed activity
    # Profiles, follows, shares and notes
    # Summaries and endorsements
    # Discussions

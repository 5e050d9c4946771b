"""Social learning hears what happened elsewhere through the event bus, and only here.

Each area (feed activity, shares and profiles, summaries, discussions) lists its
reactions in ``subscribe_all`` under its own heading; handlers run inside the
publisher's transaction.
"""

from __future__ import annotations

from peerpath.core import events
from peerpath.social import activity


def subscribe_all() -> None:
    """Register every social reaction on the core event bus (idempotent)."""
    # Feed activity
    events.subscribe(events.LearningRecorded, activity.on_learning_recorded)
    events.subscribe(events.PathCompleted, activity.on_path_completed)
    events.subscribe(events.ModulePublished, activity.on_module_published)
    events.subscribe(events.ModuleCurated, activity.on_module_curated)
    events.subscribe(events.CertificationEarned, activity.on_certification_earned)
    events.subscribe(events.BadgeEarned, activity.on_badge_earned)
    events.subscribe(events.KudosGiven, activity.on_kudos_given)
    events.subscribe(events.PeopleChanged, activity.on_people_changed)
    # Profiles, follows, shares and notes
    # Summaries and endorsements
    # Discussions

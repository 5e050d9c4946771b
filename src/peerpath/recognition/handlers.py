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
    from peerpath.recognition import credentials

    events.subscribe(events.CertificationEarned, credentials.on_certification_earned)
    events.subscribe(events.BadgeEarned, credentials.on_badge_earned)
    events.subscribe(events.CertificationRevoked, credentials.on_certification_revoked)
    # Points, badges, streaks
    from peerpath.recognition import rewards

    events.subscribe(events.LearningRecorded, rewards.on_learning_recorded)
    events.subscribe(events.PathCompleted, rewards.on_path_completed)
    events.subscribe(events.ModulePublished, rewards.on_module_published)
    events.subscribe(events.ModuleCurated, rewards.on_module_curated)
    events.subscribe(events.ReviewDecided, rewards.on_review_decided)
    events.subscribe(events.CertificationEarned, rewards.on_certification_earned)
    events.subscribe(events.KudosGiven, rewards.on_kudos_given)
    events.subscribe(events.AnswerAccepted, rewards.on_answer_accepted)
    events.subscribe(events.SummaryVoted, rewards.on_summary_voted)
    # Leaderboards and kudos
    from peerpath.recognition import leaderboards

    events.subscribe(events.PeopleChanged, leaderboards.on_people_changed)

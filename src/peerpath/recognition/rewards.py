"""Reactions that reward: what learning, content, curation, certification and kudos
events earn in points, streaks and badges.

Each handler writes ledger entries through ``points.points_award`` (which enforces
uniqueness, caps and self-dealing), keeps the streak for learning, and then checks the
badges, all inside the publisher's transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from peerpath.content import selectors as content
from peerpath.core import events
from peerpath.people import selectors as people
from peerpath.recognition import badges, points, streaks
from peerpath.recognition.models import PointAction

if TYPE_CHECKING:
    from peerpath.people.models import User

# Learning that keeps a weekly streak: doing something, not only opening a module.
STREAK_VERBS = frozenset({"completed", "passed", "failed", "progressed"})


def _person(person_id: int) -> User | None:
    users = get_user_model()._default_manager.select_related("team")
    person: User | None = users.filter(pk=person_id).first()
    return person


def on_learning_recorded(event: events.LearningRecorded) -> None:
    if event.verb not in STREAK_VERBS:
        return
    person = people.person_by_public_id(event.learner_public_id)
    if person is None:
        return
    entry = None
    if event.verb == "completed":
        entry = points.points_award(
            person=person,
            action=PointAction.MODULE_COMPLETED,
            source_key=f"module:{event.module_public_id}",
            description=f"Completed “{event.module_title}”",
            occurred_at=event.at,
        )
    elif event.verb == "passed":
        entry = points.points_award(
            person=person,
            action=PointAction.ASSESSMENT_PASSED,
            source_key=f"module:{event.module_public_id}",
            description=f"Passed the assessment in “{event.module_title}”",
            occurred_at=event.at,
        )
    update = streaks.streak_record_learning(person=person, at=event.at)
    # Progress is reported often; badges need checking only when a count moved.
    if entry is not None or update.counted:
        badges.badges_evaluate(person)


def on_path_completed(event: events.PathCompleted) -> None:
    person = people.person_by_public_id(event.learner_public_id)
    if person is None:
        return
    entry = points.points_award(
        person=person,
        action=PointAction.PATH_COMPLETED,
        source_key=f"path:{event.path_public_id}",
        description=f"Completed the path “{event.path_title}”",
        occurred_at=event.at,
    )
    if entry is not None:
        badges.badges_evaluate(person)


def on_module_published(event: events.ModulePublished) -> None:
    """Sharing a module pays once, for its first version; republishing pays nothing."""
    version = content.version_by_id(event.version_id)
    person = _person(event.actor_id)
    if version is None or version.number != 1 or person is None:
        return
    module = version.module
    entry = points.points_award(
        person=person,
        action=PointAction.MODULE_PUBLISHED,
        source_key=f"module:{module.public_id}",
        description=f"Shared the module “{version.title}”",
        occurred_at=version.published_at,
    )
    if entry is not None:
        badges.badges_evaluate(person)


def on_module_curated(event: events.ModuleCurated) -> None:
    """The author is rewarded when experts make their module Curated (not when they
    approve it themselves)."""
    owner = _person(event.owner_id)
    if owner is None:
        return
    entry = points.points_award(
        person=owner,
        action=PointAction.MODULE_CURATED,
        source_key=f"module:{event.module_public_id}",
        description=f"“{event.module_title}” became Curated",
        occurred_at=event.at,
        counterpart=_person(event.reviewer_id),
    )
    if entry is not None:
        badges.badges_evaluate(owner)


def on_review_decided(event: events.ReviewDecided) -> None:
    """A reviewer is rewarded for each review decided (approved or sent back), but not
    for reviewing their own module."""
    reviewer = _person(event.reviewer_id)
    module = content.module_by_public_id(event.module_public_id)
    if reviewer is None:
        return
    verdict = "approved" if event.approved else "sent back with changes"
    entry = points.points_award(
        person=reviewer,
        action=PointAction.REVIEW_DONE,
        source_key=f"review:{event.review_id}",
        description=f"Reviewed “{event.module_title}” ({verdict})",
        occurred_at=event.at,
        counterpart=module.owner if module is not None else None,
    )
    if entry is not None:
        badges.badges_evaluate(reviewer)


def on_certification_earned(event: events.CertificationEarned) -> None:
    holder = _person(event.holder_id)
    if holder is None:
        return
    what = "Renewed" if event.renewal else "Earned"
    entry = points.points_award(
        person=holder,
        action=PointAction.CERTIFICATION_EARNED,
        source_key=f"certification-award:{event.award_public_id}",
        description=f"{what} the certification “{event.certification_name}”",
        occurred_at=event.at,
    )
    if entry is not None:
        badges.badges_evaluate(holder)


def on_kudos_given(event: events.KudosGiven) -> None:
    """The recipient is rewarded; the giver is the counterpart (thanking oneself pays
    nothing)."""
    recipient = _person(event.recipient_id)
    giver = _person(event.giver_id)
    if recipient is None:
        return
    entry = points.points_award(
        person=recipient,
        action=PointAction.KUDOS_RECEIVED,
        source_key=f"kudos:{event.kudos_id}",
        description=f"Kudos from {giver.display_name}" if giver else "Kudos from a colleague",
        occurred_at=event.at,
        counterpart=giver,
    )
    if entry is not None:
        badges.badges_evaluate(recipient)


def on_answer_accepted(event: events.AnswerAccepted) -> None:
    """The author of an accepted answer is rewarded once per answer; the accepter is the
    counterpart (accepting one's own answer pays nothing)."""
    author = _person(event.author_id)
    if author is None:
        return
    entry = points.points_award(
        person=author,
        action=PointAction.ANSWER_ACCEPTED,
        source_key=f"answer:{event.comment_id}",
        description=f"Answer accepted in the discussion of “{event.subject_title}”",
        occurred_at=event.at,
        counterpart=_person(event.accepted_by_id),
    )
    if entry is not None:
        badges.badges_evaluate(author)


def on_summary_voted(event: events.SummaryVoted) -> None:
    """The author of a summary or endorsement is rewarded for each colleague who found it
    helpful; the voter is the counterpart, so a vote on one's own pays nothing.

    Each voter pays a summary's author at most once (the source is the summary and the
    voter): withdrawing an upvote keeps what it paid, and upvoting again pays nothing
    more, so toggling a vote can neither farm points nor take back what was earned.
    Reversing points stays a learning admin's decision, with a reason.
    """
    if not event.helpful:
        return
    author = _person(event.author_id)
    voter = _person(event.voter_id)
    if author is None:
        return
    endorsement = event.kind == "endorsement"
    entry = points.points_award(
        person=author,
        action=PointAction.ENDORSEMENT_UPVOTED if endorsement else PointAction.SUMMARY_UPVOTED,
        source_key=f"summary-vote:{event.summary_id}:{event.voter_id}",
        description=(
            f"{voter.display_name if voter else 'A colleague'} found your "
            f"{'endorsement' if endorsement else 'summary'} of “{event.module_title}” helpful"
        ),
        occurred_at=event.at,
        counterpart=voter,
    )
    if entry is not None:
        badges.badges_evaluate(author)

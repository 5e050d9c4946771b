"""A small in-process event bus: one context announces, others react, without imports back.

Handlers run at once, inside the publisher's transaction, so a reaction (say, reopening
a review when a curated module is republished) commits or rolls back with its cause.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

E = TypeVar("E")
_handlers: dict[type, list[Callable[[Any], None]]] = defaultdict(list)


@dataclass(frozen=True)
class ModulePublished:
    """An author published a new version of a module."""

    module_id: int
    version_id: int
    actor_id: int


@dataclass(frozen=True)
class PathRef:
    """A learning path an event happened within, named for the record."""

    public_id: str
    title: str


@dataclass(frozen=True)
class LearningRecorded:
    """Something a learner did that belongs in their learning record.

    ``verb`` is one of "launched", "progressed", "completed", "passed", "failed" or
    "scored". Identities travel with the event so the record needs no lookups back into
    other contexts. ``paths`` are the published paths the module is a step of;
    ``registration`` ties together the statements of one quiz attempt.
    """

    verb: str
    learner_public_id: str
    learner_name: str
    module_public_id: str
    module_title: str
    module_kind: str
    at: datetime
    score: Decimal | None = None
    duration_seconds: int | None = None
    progress: int | None = None
    registration: str | None = None
    paths: tuple[PathRef, ...] = ()


@dataclass(frozen=True)
class QuestionAnswered:
    """A learner's answer to one question of a submitted quiz attempt.

    ``interaction_type`` is an xAPI interaction type ("choice", "true-false", "fill-in");
    ``choices`` are (id, text) pairs and ``correct_responses`` xAPI response patterns.
    """

    learner_public_id: str
    learner_name: str
    module_public_id: str
    module_title: str
    question_id: str
    prompt: str
    interaction_type: str
    choices: tuple[tuple[str, str], ...]
    correct_responses: tuple[str, ...]
    response: str
    success: bool
    registration: str
    at: datetime
    paths: tuple[PathRef, ...] = ()


@dataclass(frozen=True)
class PathCompleted:
    """A learner completed the last step of a learning path (announced once per learner)."""

    learner_public_id: str
    learner_name: str
    path_public_id: str
    path_title: str
    at: datetime
    duration_seconds: int | None = None


@dataclass(frozen=True)
class PeopleJoined:
    """People were added to the organisation (by an admin, the org import or sign-in)."""

    person_ids: tuple[int, ...]


@dataclass(frozen=True)
class PeopleChanged:
    """People's place in the organisation changed: job role, team, hire date, reporting
    line, or whether they are active. Reactions re-check whatever depends on those."""

    person_ids: tuple[int, ...]


@dataclass(frozen=True)
class ReviewDecided:
    """An expert reviewer approved a module version or sent it back for changes."""

    review_id: int
    module_id: int
    module_public_id: str
    module_title: str
    reviewer_id: int
    approved: bool
    at: datetime


@dataclass(frozen=True)
class ModuleCurated:
    """A module became Curated (a reviewer approved a version of a module not curated
    before); ``owner_id`` is its author."""

    module_id: int
    module_public_id: str
    module_title: str
    owner_id: int
    reviewer_id: int
    at: datetime


@dataclass(frozen=True)
class CertificationEarned:
    """Someone earned (or renewed) a certification. Identities travel with the event so
    the learning record and feeds need no lookups back into recognition."""

    award_id: int
    award_public_id: str
    certification_public_id: str
    certification_name: str
    holder_id: int
    holder_public_id: str
    holder_name: str
    at: datetime
    expires_at: datetime | None
    renewal: bool = False


@dataclass(frozen=True)
class CertificationRevoked:
    """An admin revoked a certification award."""

    award_id: int
    holder_id: int
    reason: str


@dataclass(frozen=True)
class BadgeEarned:
    """Someone earned a badge."""

    award_id: int
    badge_slug: str
    badge_name: str
    person_id: int
    at: datetime


@dataclass(frozen=True)
class KudosGiven:
    """A colleague thanked someone with a short message."""

    kudos_id: int
    giver_id: int
    recipient_id: int
    message: str
    at: datetime


@dataclass(frozen=True)
class SummaryVoted:
    """A colleague found a summary or endorsement helpful (or changed their mind).
    ``kind`` is "summary" or "endorsement"; ``helpful`` False withdraws the upvote."""

    summary_id: int
    kind: str
    author_id: int
    voter_id: int
    module_title: str
    helpful: bool
    at: datetime


@dataclass(frozen=True)
class AnswerAccepted:
    """The asker (or an expert) accepted an answer to a discussion question."""

    comment_id: int
    author_id: int
    accepted_by_id: int
    subject_title: str
    at: datetime


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def publish(event: object) -> None:
    for handler in list(_handlers[type(event)]):
        handler(event)

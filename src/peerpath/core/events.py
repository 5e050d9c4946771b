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
class LearningRecorded:
    """Something a learner did that belongs in their learning record.

    ``verb`` is one of "launched", "completed", "passed" or "failed". Identities travel
    with the event so the record needs no lookups back into other contexts.
    """

    verb: str
    learner_public_id: str
    learner_name: str
    module_public_id: str
    module_title: str
    module_kind: str
    at: datetime
    score: Decimal | None = None


@dataclass(frozen=True)
class PeopleJoined:
    """People were added to the organisation (by an admin, the org import or sign-in)."""

    person_ids: tuple[int, ...]


@dataclass(frozen=True)
class PeopleChanged:
    """People's place in the organisation changed: job role, team, hire date, reporting
    line, or whether they are active. Reactions re-check whatever depends on those."""

    person_ids: tuple[int, ...]


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def publish(event: object) -> None:
    for handler in list(_handlers[type(event)]):
        handler(event)

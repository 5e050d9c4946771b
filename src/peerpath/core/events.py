"""A small in-process event bus: one context announces, others react, without imports back.

Handlers run at once, inside the publisher's transaction, so a reaction (say, reopening
a review when a curated module is republished) commits or rolls back with its cause.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

E = TypeVar("E")
_handlers: dict[type, list[Callable[[Any], None]]] = defaultdict(list)


@dataclass(frozen=True)
class ModulePublished:
    """An author published a new version of a module."""

    module_id: int
    version_id: int
    actor_id: int


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def publish(event: object) -> None:
    for handler in list(_handlers[type(event)]):
        handler(event)

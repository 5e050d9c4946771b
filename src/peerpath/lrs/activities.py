"""Keeps the Activity table: the fullest definition of each Activity the stored statements name.

Definitions merge as statements arrive: language maps (name, description) and extensions gain
the entries of the newer definition, every other property takes the newer value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone

from peerpath.lrs import bulk
from peerpath.lrs.models import Activity

Json = dict[str, Any]

_MERGED_MAPS = ("name", "description", "extensions")


def merge_definitions(old: Json, new: Json) -> Json:
    """``new`` laid over ``old``, keeping the language entries and extensions only ``old`` has."""
    merged = {**old, **new}
    for name in _MERGED_MAPS:
        before, after = old.get(name), new.get(name)
        if isinstance(before, dict) and isinstance(after, dict):
            merged[name] = {**before, **after}
    return merged


def _activities(part: Json) -> Iterator[Json]:
    """Activities in a statement's or SubStatement's object and context activities."""
    target = part["object"]
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        yield target
    for entries in (part.get("context") or {}).get("contextActivities", {}).values():
        yield from entries if isinstance(entries, list) else [entries]
    if kind == "SubStatement":
        yield from _activities(target)


def activities_record(*, statements: Iterable[Json]) -> None:
    """Merge the Activity definitions in newly stored statements into the Activity table.

    Runs inside the statement batch's transaction: one query locks the rows it may change (so
    a concurrent batch merges into this one's result instead of overwriting it) and one bulk
    upsert writes those whose definition is new or changed; most statements repeat a
    definition already held, and rewriting it would cost a batch a page write per activity.
    Activities without a definition need no row.
    """
    incoming: dict[str, Json] = {}
    for statement in statements:
        for activity in _activities(statement):
            definition = activity.get("definition")
            if definition:
                ident = activity["id"]
                incoming[ident] = merge_definitions(incoming.get(ident, {}), definition)
    if not incoming:
        return
    ids = sorted(incoming)
    # Locked in id order so two batches touching the same activities cannot deadlock.
    stored = dict(
        Activity.objects.select_for_update()
        .filter(activity_id__in=ids)
        .order_by("activity_id")
        .values_list("activity_id", "definition")
    )
    merged = {ident: merge_definitions(stored.get(ident, {}), incoming[ident]) for ident in ids}
    changed = [ident for ident in ids if ident not in stored or merged[ident] != stored[ident]]
    if not changed:
        return
    now = timezone.now()
    bulk.insert(
        Activity,
        ("activity_id", "definition", "updated"),
        [(ident, merged[ident], now) for ident in changed],
        unique=("activity_id",),
        update=("definition", "updated"),
    )

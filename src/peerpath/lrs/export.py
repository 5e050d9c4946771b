"""Statements as downloadable files: a JSON array, or CSV with one row per statement."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from peerpath.people.org_csv import escape_cell

CSV_HEADER = (
    "id",
    "timestamp",
    "stored",
    "actor_name",
    "actor_ifi",
    "verb_id",
    "verb_display",
    "object_id",
    "object_name",
    "result_success",
    "result_completion",
    "result_score_scaled",
    "result_score_raw",
    "result_duration",
    "registration",
)


def _display(language_map: Any) -> str:
    """The en-US text of a language map, else its first text."""
    if not isinstance(language_map, dict) or not language_map:
        return ""
    return str(language_map.get("en-US") or next(iter(language_map.values())))


def actor_ifi(actor: dict[str, Any]) -> str:
    """How the actor is identified: mbox, account (home page and name), openid or hash."""
    if "account" in actor:
        return f"{actor['account'].get('homePage', '')}|{actor['account'].get('name', '')}"
    for key in ("mbox", "mbox_sha1sum", "openid"):
        if key in actor:
            return str(actor[key])
    return ""


def object_name(target: dict[str, Any]) -> str:
    if target.get("objectType", "Activity") == "Activity":
        return _display((target.get("definition") or {}).get("name"))
    return str(target.get("name", ""))


def _flag(value: Any) -> str:
    return "" if value is None else ("true" if value else "false")


def csv_row(statement: dict[str, Any]) -> list[str]:
    actor = statement.get("actor") or {}
    verb = statement.get("verb") or {}
    target = statement.get("object") or {}
    result = statement.get("result") or {}
    score = result.get("score") or {}
    cells = [
        statement.get("id", ""),
        statement.get("timestamp", ""),
        statement.get("stored", ""),
        actor.get("name", ""),
        actor_ifi(actor),
        verb.get("id", ""),
        _display(verb.get("display")),
        target.get("id", ""),
        object_name(target),
        _flag(result.get("success")),
        _flag(result.get("completion")),
        "" if score.get("scaled") is None else str(score["scaled"]),
        "" if score.get("raw") is None else str(score["raw"]),
        result.get("duration", ""),
        (statement.get("context") or {}).get("registration", ""),
    ]
    # Names and titles come from people and packages: never let a spreadsheet run them.
    return [escape_cell(str(cell)) for cell in cells]


def csv_chunks(statements: Iterable[dict[str, Any]], *, rows_per_chunk: int = 500) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for n, statement in enumerate(statements, start=1):
        writer.writerow(csv_row(statement))
        if n % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def json_chunks(statements: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A JSON array written as it is read, one statement per line."""
    yield "["
    for n, statement in enumerate(statements):
        yield ("," if n else "") + "\n" + json.dumps(statement)
    yield "\n]\n"

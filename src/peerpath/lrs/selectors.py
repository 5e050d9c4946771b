"""Reads from the Learning Record Store: single statements and filtered, keyset-paged lists."""

from __future__ import annotations

import operator
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce
from typing import Any

from django.core import signing
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from peerpath.lrs import validation
from peerpath.lrs.identity import learner_agent
from peerpath.lrs.models import LrsKey, RelationKind, Statement, StatementRelation

MAX_LIMIT = 500
_CURSOR_SALT = "peerpath.lrs.more"
_CURSOR_MAX_AGE = 24 * 3600
# A statement's "stored" time is taken just before its transaction commits; a batch still
# committing may carry a slightly earlier time than a read that misses it. Consistency is
# therefore only claimed up to this long ago (far longer than a batch insert takes).
CONSISTENCY_WINDOW = timedelta(seconds=5)


def consistent_through() -> datetime:
    """The time up to which every statement stored is visible to reads started now."""
    return timezone.now() - CONSISTENCY_WINDOW


@dataclass(frozen=True)
class StatementQuery:
    """The filters of a statements GET, already parsed and checked by the view."""

    agent_key: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: uuid.UUID | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 0
    ascending: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StatementPage:
    statements: list[dict[str, Any]]
    more: str


def statement_by_id(*, key: LrsKey, statement_id: uuid.UUID, voided: bool) -> dict[str, Any] | None:
    """One statement: a live one by ``statementId``, a voided one by ``voidedStatementId``."""
    found = _visible(key).filter(id=statement_id, voided=voided).only("data").first()
    return found.data if found is not None else None


def _visible(key: LrsKey) -> QuerySet[Statement]:
    statements = Statement.objects.all()
    return statements.filter(lrs_key=key) if key.own_only else statements


def _related(kind: RelationKind, value: str) -> QuerySet[StatementRelation, uuid.UUID]:
    return StatementRelation.objects.filter(kind=kind, value=value).values_list(
        "statement_id", flat=True
    )


def _conditions(query: StatementQuery) -> list[Q]:
    """The filters that are not about time or paging, on one statement's own columns, as
    alternatives (an agent is the actor or the object) that each can use an index."""
    condition = Q()
    agents = [Q()]
    if query.agent_key is not None and query.related_agents:
        condition &= Q(id__in=_related(RelationKind.AGENT, query.agent_key))
    elif query.agent_key is not None:
        agents = [Q(agent_key=query.agent_key), Q(object_agent_key=query.agent_key)]
    if query.verb is not None:
        condition &= Q(verb_id=query.verb)
    if query.activity is not None and query.related_activities:
        condition &= Q(id__in=_related(RelationKind.ACTIVITY, query.activity))
    elif query.activity is not None:
        condition &= Q(object_activity_id=query.activity)
    if query.registration is not None:
        condition &= Q(registration=query.registration)
    return [agent & condition for agent in agents if agent & condition]


def _arms(key: LrsKey, query: StatementQuery) -> list[QuerySet[Statement]]:
    """The live statements matching the query, as sets that each use an index.

    A statement whose object is a StatementRef also matches when the statement it refers
    to matches (one level deep), so a filtered reader sees voids and comments on it. That
    rule is its own set, walked through the index of StatementRef statements only: folded
    into the filter with OR it would stop every filter from using its own index.
    """
    live = _visible(key).filter(voided=False)
    if query.since is not None:
        live = live.filter(stored__gt=query.since)
    if query.until is not None:
        live = live.filter(stored__lte=query.until)
    conditions = _conditions(query)
    if not conditions:
        return [live]
    either = reduce(operator.or_, conditions)
    target = _visible(key).filter(either, id=OuterRef("object_statement_id"))
    refs = live.filter(object_statement_id__isnull=False).filter(Exists(target))
    return [*(live.filter(condition) for condition in conditions), refs]


def statements_page(
    *, key: LrsKey, query: StatementQuery, after: tuple[datetime, uuid.UUID] | None = None
) -> StatementPage:
    """One page of matching statements, newest first unless ascending, and a ``more`` cursor.

    Paging is by keyset on (stored, id), so a page costs the same however deep it is, and
    statements stored meanwhile never shift the pages of a newest-first listing.
    """
    limit = MAX_LIMIT if query.limit <= 0 else min(query.limit, MAX_LIMIT)
    order = ("stored", "id") if query.ascending else ("-stored", "-id")
    pages = []
    for statements in _arms(key, query):
        if after is not None:
            stored, ident = after
            if query.ascending:
                position = Q(stored__gt=stored) | Q(stored=stored, id__gt=ident)
            else:
                position = Q(stored__lt=stored) | Q(stored=stored, id__lt=ident)
            statements = statements.filter(position)
        pages.append(statements.order_by(*order).only("id", "stored", "data")[: limit + 1])
    rows = list(pages[0]) if len(pages) == 1 else _merged(pages, ascending=query.ascending)
    more = ""
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        more = encode_cursor(query=query, last=(last.stored, last.id))
    return StatementPage(statements=[row.data for row in rows], more=more)


def _merged(pages: list[QuerySet[Statement]], *, ascending: bool) -> list[Statement]:
    """The first rows of several ordered, limited sets, in one query: each set is read
    through its own index and limit, then UNION removes a row found by both."""
    parts: list[str] = []
    params: list[Any] = []
    for page in pages:
        sql, part_params = page.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS part{len(parts)}")  # noqa: S608
        params.extend(part_params)
    direction = "ASC" if ascending else "DESC"
    limit = pages[0].query.high_mark
    # The parts are the ORM's own compiled SQL; only the limit is a parameter.
    union = " UNION ".join(parts)
    sql = f"{union} ORDER BY stored {direction}, id {direction} LIMIT %s"
    return list(Statement.objects.raw(sql, [*params, limit]))


def encode_cursor(*, query: StatementQuery, last: tuple[datetime, uuid.UUID]) -> str:
    payload = {
        "agent": query.agent_key,
        "verb": query.verb,
        "activity": query.activity,
        "registration": str(query.registration) if query.registration else None,
        "ra": query.related_activities,
        "rg": query.related_agents,
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "limit": query.limit,
        "asc": query.ascending,
        "extra": query.extra,
        "last": [last[0].isoformat(), str(last[1])],
    }
    return signing.dumps(payload, salt=_CURSOR_SALT, compress=True)


def decode_cursor(token: str) -> tuple[StatementQuery, tuple[datetime, uuid.UUID]] | None:
    """The query and position a ``more`` token stands for, or None if forged or expired."""
    try:
        data = signing.loads(token, salt=_CURSOR_SALT, max_age=_CURSOR_MAX_AGE)
        query = StatementQuery(
            agent_key=data["agent"],
            verb=data["verb"],
            activity=data["activity"],
            registration=uuid.UUID(data["registration"]) if data["registration"] else None,
            related_activities=bool(data["ra"]),
            related_agents=bool(data["rg"]),
            since=datetime.fromisoformat(data["since"]) if data["since"] else None,
            until=datetime.fromisoformat(data["until"]) if data["until"] else None,
            limit=int(data["limit"]),
            ascending=bool(data["asc"]),
            extra=dict(data["extra"]),
        )
        last = (datetime.fromisoformat(data["last"][0]), uuid.UUID(data["last"][1]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return query, last


@dataclass(frozen=True)
class KeySummary:
    """What the command line and admin pages show about a key (never its secret)."""

    key: str
    name: str
    scopes: str
    active: bool


def lrs_keys() -> list[KeySummary]:
    summaries = []
    for row in LrsKey.objects.order_by("created_at", "pk"):
        scopes = [s for s, on in (("read", row.can_read), ("write", row.can_write)) if on]
        if row.own_only:
            scopes.append("own")
        summaries.append(
            KeySummary(key=row.key, name=row.name, scopes=",".join(scopes), active=row.active)
        )
    return summaries


def learner_record(public_id: str) -> Iterator[dict[str, Any]]:
    """Every statement about one learner, oldest first, streamed (voided ones left out)."""
    key = validation.agent_key(learner_agent(public_id))
    rows = Statement.objects.filter(agent_key=key, voided=False).order_by("stored", "id")
    return rows.values_list("data", flat=True).iterator(chunk_size=1000)

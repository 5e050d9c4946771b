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

from peerpath.lrs import attachments, validation
from peerpath.lrs.documents import DocumentAddress
from peerpath.lrs.identity import learner_agent
from peerpath.lrs.models import (
    Activity,
    AttachmentBody,
    Document,
    LrsKey,
    RelationKind,
    Statement,
    StatementRelation,
)

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


def attachment_bodies(hashes: list[str]) -> Iterator[attachments.Body]:
    """The stored bodies among these hashes, read one row at a time as they are sent.

    Callers pass only hashes named by statements the reader may see.
    """
    rows = AttachmentBody.objects.filter(sha2__in=hashes).order_by("sha2")
    for sha2, content_type, content in rows.values_list("sha2", "content_type", "content").iterator(
        chunk_size=1
    ):
        yield attachments.Body(sha2=sha2, content_type=content_type, content=bytes(content))


def _visible(key: LrsKey) -> QuerySet[Statement]:
    statements = Statement.objects.all()
    return statements.filter(lrs_key=key) if key.own_only else statements


# One place a statement can match an agent or activity filter, with the value sought: one of
# its own columns (a field name), or a relation row of a kind. None when there is no filter.
_Part = tuple[str | RelationKind, str] | None


def _related(kind: RelationKind, value: str, *, narrowed: bool) -> Q:
    """Statements with a relation row for this activity or agent.

    When another condition already narrows the statements through its own index (a person,
    an activity as object, a registration), each of those few is probed for the relation;
    otherwise the relation's index gives the statements. Either plan is right for one case:
    listing every statement of a course to keep one learner's few is what made the other
    slow.
    """
    relations = StatementRelation.objects.filter(kind=kind, value=value)
    if narrowed:
        return Q(Exists(relations.filter(statement=OuterRef("pk"))))
    return Q(id__in=relations.values_list("statement_id", flat=True))


def _agent_parts(query: StatementQuery) -> list[_Part]:
    """The agent as actor or object; with related_agents also as authority, or anywhere else
    (instructor, team, sub-statement), which the relation rows record."""
    ident = query.agent_key
    if ident is None:
        return [None]
    parts: list[_Part] = [("agent_key", ident), ("object_agent_key", ident)]
    if query.related_agents:
        parts += [("authority_key", ident), (RelationKind.AGENT, ident)]
    return parts


def _activity_parts(query: StatementQuery) -> list[_Part]:
    """The activity as object; with related_activities also in the context or a
    sub-statement, which the relation rows record."""
    ident = query.activity
    if ident is None:
        return [None]
    if query.related_activities:
        return [("object_activity_id", ident), (RelationKind.ACTIVITY, ident)]
    return [("object_activity_id", ident)]


def _conditions(query: StatementQuery) -> list[Q]:
    """The filters that are not about time or paging, as alternatives that each can use an
    index: one for every way the agent and the activity asked for can appear together."""
    common = Q()
    if query.verb is not None:
        common &= Q(verb_id=query.verb)
    if query.registration is not None:
        common &= Q(registration=query.registration)
    conditions = []
    for agent in _agent_parts(query):
        for activity in _activity_parts(query):
            parts = [part for part in (agent, activity) if part is not None]
            if [where for where, _ in parts] == ["object_agent_key", "object_activity_id"]:
                continue  # a statement's object is not an agent and an activity at once
            columns = [
                (where, value) for where, value in parts if not isinstance(where, RelationKind)
            ]
            # Each column here is indexed and selective; so is the registration.
            narrowed = bool(columns) or query.registration is not None
            condition = common & Q(*columns)
            for where, value in parts:
                if isinstance(where, RelationKind):
                    condition &= _related(where, value, narrowed=narrowed)
            if condition:
                conditions.append(condition)
    return conditions


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
    created_at: datetime | None = None
    created_by: str = ""
    last_used_at: datetime | None = None

    @property
    def scope_labels(self) -> list[str]:
        names = {"read": "read", "write": "write", "own": "own statements only"}
        return [names[s] for s in self.scopes.split(",") if s]


def _summary(row: LrsKey) -> KeySummary:
    scopes = [s for s, on in (("read", row.can_read), ("write", row.can_write)) if on]
    if row.own_only:
        scopes.append("own")
    return KeySummary(
        key=row.key,
        name=row.name,
        scopes=",".join(scopes),
        active=row.active,
        created_at=row.created_at,
        created_by=row.created_by.display_name if row.created_by else "",
        last_used_at=row.last_used_at,
    )


def lrs_keys() -> list[KeySummary]:
    """Every key, oldest first, in one query (an organisation has a handful, not thousands)."""
    rows = LrsKey.objects.select_related("created_by").order_by("created_at", "pk")
    return [_summary(row) for row in rows]


def lrs_key_by_key(key: str) -> KeySummary | None:
    row = LrsKey.objects.select_related("created_by").filter(key=key).first()
    return _summary(row) if row is not None else None


# --- Exporting statements ------------------------------------------------------------------


@dataclass(frozen=True)
class ExportFilter:
    """Which statements an admin export takes; ``since`` inclusive, ``until`` exclusive."""

    agent_keys: tuple[str, ...] = ()
    verb: str | None = None
    activity: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class ExportPreview:
    count: int
    more_than_count: bool
    rows: list[dict[str, Any]]


EXPORT_COUNT_CAP = 10_000
EXPORT_CHUNK = 1_000


def _exported(query: ExportFilter) -> QuerySet[Statement]:
    statements = Statement.objects.filter(voided=False)
    if query.agent_keys:
        statements = statements.filter(agent_key__in=query.agent_keys)
    if query.verb:
        statements = statements.filter(verb_id=query.verb)
    if query.activity:
        statements = statements.filter(object_activity_id=query.activity)
    if query.since is not None:
        statements = statements.filter(stored__gte=query.since)
    if query.until is not None:
        statements = statements.filter(stored__lt=query.until)
    return statements


def export_preview(query: ExportFilter, *, limit: int = 20) -> ExportPreview:
    """How many statements match (counted up to a cap) and the newest few, in two queries."""
    statements = _exported(query)
    count = statements.order_by()[: EXPORT_COUNT_CAP + 1].count()
    rows = list(statements.order_by("-stored", "-id").values_list("data", flat=True)[:limit])
    return ExportPreview(
        count=min(count, EXPORT_COUNT_CAP), more_than_count=count > EXPORT_COUNT_CAP, rows=rows
    )


def export_statements(
    query: ExportFilter, *, chunk: int = EXPORT_CHUNK
) -> Iterator[dict[str, Any]]:
    """Every matching statement, oldest first, read by keyset in chunks.

    Memory stays at one chunk however many statements match; statements stored after the
    export began are left out, so it ends.
    """
    statements = _exported(query).filter(stored__lte=timezone.now())
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        page = statements
        if after is not None:
            page = page.filter(Q(stored__gt=after[0]) | Q(stored=after[0], id__gt=after[1]))
        rows = list(page.order_by("stored", "id").values_list("stored", "id", "data")[:chunk])
        for _, _, data in rows:
            yield data
        if len(rows) < chunk:
            return
        after = (rows[-1][0], rows[-1][1])


def learner_record(public_id: str) -> Iterator[dict[str, Any]]:
    """Every statement about one learner, oldest first, streamed (voided ones left out)."""
    key = validation.agent_key(learner_agent(public_id))
    rows = Statement.objects.filter(agent_key=key, voided=False).order_by("stored", "id")
    return rows.values_list("data", flat=True).iterator(chunk_size=1000)


@dataclass(frozen=True)
class StoredDocument:
    content: bytes
    content_type: str
    etag: str
    updated: datetime


def _visible_documents(key: LrsKey) -> QuerySet[Document]:
    documents = Document.objects.all()
    return documents.filter(lrs_key=key) if key.own_only else documents


def document_at(*, key: LrsKey, address: DocumentAddress) -> StoredDocument | None:
    """One document of the state or a profile resource, if the key may see it."""
    found = _visible_documents(key).filter(address=address.address).first()
    if found is None:
        return None
    return StoredDocument(
        content=bytes(found.content),
        content_type=found.content_type,
        etag=found.etag,
        updated=found.updated,
    )


@dataclass(frozen=True)
class DocumentIds:
    ids: list[str]
    # When the most recently changed of them changed; None for an empty list.
    updated: datetime | None


def document_ids(
    *, key: LrsKey, scope: str, registration: uuid.UUID | None, since: datetime | None
) -> DocumentIds:
    """The ids of a set's documents (of one registration, changed after ``since``, if given),
    oldest change first."""
    documents = _visible_documents(key).filter(scope=scope)
    if registration is not None:
        documents = documents.filter(registration=registration)
    if since is not None:
        documents = documents.filter(updated__gt=since)
    rows = list(documents.order_by("updated", "pk").values_list("document_id", "updated"))
    return DocumentIds(ids=[ident for ident, _ in rows], updated=rows[-1][1] if rows else None)


def activity_object(activity_id: str) -> dict[str, Any]:
    """The Activity with the fullest definition the stored statements gave it."""
    activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id}
    found = Activity.objects.filter(activity_id=activity_id).values_list("definition", flat=True)
    definition = found.first()
    if definition:
        activity["definition"] = definition
    return activity


_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


def person_for(*, key: LrsKey, agent: dict[str, Any]) -> dict[str, Any]:
    """The Person object for an Agent: its identifier and the names it is known by.

    Peerpath does not link several identifiers to one person, so a Person holds the one
    identifier asked about; its names are the one given and the latest one a statement the
    key may read used.
    """
    person: dict[str, Any] = {"objectType": "Person"}
    names = [agent["name"]] if isinstance(agent.get("name"), str) else []
    latest = (
        _visible(key)
        .filter(agent_key=validation.agent_key(agent))
        .order_by("-stored")
        .values_list("data__actor__name", flat=True)
        .first()
    )
    if isinstance(latest, str) and latest not in names:
        names.append(latest)
    if names:
        person["name"] = names
    for name in _IFIS:
        if name in agent:
            person[name] = [agent[name]]
    return person

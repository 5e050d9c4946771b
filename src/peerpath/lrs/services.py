"""Writes to the Learning Record Store: storing statements and managing keys."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from peerpath.lrs import attachments, bulk, signatures, validation
from peerpath.lrs.activities import activities_record
from peerpath.lrs.models import (
    AttachmentBody,
    LrsKey,
    RelationKind,
    Statement,
    StatementRelation,
)

Json = dict[str, Any]

# Properties the LRS sets or may change, ignored when comparing a re-sent statement.
_IGNORED_IN_COMPARISON = ("stored", "authority", "version")


_VERIFIED_SECONDS = 300


class StatementConflict(Exception):
    """A statement id is already stored with different content (409 Conflict)."""


class StatementRejected(ValueError):
    """A statement breaks a rule that needs the store to check (400 Bad Request)."""


@dataclass(frozen=True)
class IssuedKey:
    """A new key with its secret, which is shown once and never stored in clear."""

    key: LrsKey
    secret: str


def authority_for(key: LrsKey) -> Json:
    """The Agent that vouches for statements written with this key."""
    return {
        "objectType": "Agent",
        "name": key.name,
        "account": {"homePage": f"{settings.BASE_URL}/xapi/", "name": key.key},
    }


def lrs_key_create(
    *,
    name: str,
    can_read: bool = True,
    can_write: bool = True,
    own_only: bool = False,
    created_by_id: int | None = None,
) -> IssuedKey:
    name = name.strip()
    if not name:
        raise ValueError("A key needs a name.")
    secret = secrets.token_urlsafe(32)
    key = LrsKey.objects.create(
        name=name[:120],
        key=secrets.token_hex(16),
        secret_hash=make_password(secret),
        can_read=can_read,
        can_write=can_write,
        own_only=own_only,
        created_by_id=created_by_id,
    )
    return IssuedKey(key=key, secret=secret)


def lrs_key_revoke(*, key: str) -> bool:
    """Deactivate a key; statements it wrote stay. False when no active key has that id."""
    return LrsKey.objects.filter(key=key, active=True).update(active=False) == 1


def lrs_key_authenticate(*, key: str, secret: str) -> LrsKey | None:
    """The active key for these credentials, or None; records when it was last used."""
    found = LrsKey.objects.filter(key=key, active=True).first()
    if found is None:
        # Hash anyway so a wrong key id costs as long as a wrong secret.
        make_password(secret)
        return None
    # Argon2 is slow by design and players send many requests: remember a verified pair
    # briefly. The row is still read each time, so revoking a key takes effect at once.
    verified = "lrs-key-ok:" + hashlib.sha256(f"{found.secret_hash}:{secret}".encode()).hexdigest()
    if not cache.get(verified):
        if not check_password(secret, found.secret_hash):
            return None
        cache.set(verified, True, timeout=_VERIFIED_SECONDS)
    now = timezone.now()
    if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
        LrsKey.objects.filter(pk=found.pk).update(last_used_at=now)
        found.last_used_at = now
    return found


def _comparable(statement: Json) -> Json:
    copied = {k: v for k, v in statement.items() if k not in _IGNORED_IN_COMPARISON}
    return copied


def _same_statement(incoming: Json, stored: Json) -> bool:
    left, right = _comparable(incoming), _comparable(stored)
    if "timestamp" not in left:
        # The LRS filled the timestamp in when the first copy had none.
        right.pop("timestamp", None)
    return left == right


@dataclass(frozen=True, slots=True)
class _Checked:
    """A valid statement with the values its rows are found by, worked out before the
    transaction so that the write lock is held for the comparisons and inserts alone."""

    id: uuid.UUID
    statement: Json
    timestamp: datetime | None
    verb_id: str
    object_activity_id: str
    agent_key: str
    object_agent_key: str
    registration: uuid.UUID | None
    voiding_target: uuid.UUID | None
    object_statement_id: uuid.UUID | None
    # (kind, value) of the activities and agents it touches beyond its actor and object.
    relations: tuple[tuple[str, str], ...]


def _checked(statement: Json) -> _Checked:
    """The row values of a statement already in the validator's normal form; one without an
    id gets a new one."""
    if "id" not in statement:
        statement = {**statement, "id": str(uuid.uuid4())}
    target = statement["object"]
    kind = target.get("objectType", "Activity")
    context = statement.get("context") or {}
    voiding = statement["verb"]["id"] == validation.VOIDED_VERB
    return _Checked(
        id=uuid.UUID(statement["id"]),
        statement=statement,
        timestamp=(
            validation.parse_timestamp(statement["timestamp"], "timestamp")
            if "timestamp" in statement
            else None
        ),
        verb_id=statement["verb"]["id"],
        object_activity_id=target["id"] if kind == "Activity" else "",
        agent_key=validation.agent_key(statement["actor"]) or "",
        object_agent_key=(validation.agent_key(target) or "") if kind in {"Agent", "Group"} else "",
        registration=uuid.UUID(context["registration"]) if "registration" in context else None,
        voiding_target=uuid.UUID(target["id"]) if voiding else None,
        object_statement_id=uuid.UUID(target["id"]) if kind == "StatementRef" else None,
        relations=_relations(statement),
    )


def _check(raw: Any, *, index: int | None) -> _Checked:
    try:
        return _checked(validation.validate_statement(raw))
    except validation.StatementInvalid as exc:
        where = "" if index is None else f"statement [{index}]: "
        raise validation.StatementInvalid(f"{where}{exc}") from exc


def statements_store(
    *,
    key: LrsKey,
    statements: list[Any],
    single: bool = False,
    parts: list[attachments.Part] | None = None,
) -> list[uuid.UUID]:
    """Store a batch all-or-nothing, with its attachment bodies, and return the ids in order.

    A statement re-sent with the same id and the same content is accepted without a second
    copy; the same id with other content raises ``StatementConflict``, and so does any id
    already held by a statement this key may not read, whatever its content, so the answer
    never tells such a key what another key wrote. Voiding statements mark their targets
    voided when the key may void them (see ``_hidden_from``); a voiding statement cannot
    itself be voided. Attachments without a fileUrl need their body among ``parts``; signed
    statements must carry a valid signature. Bodies are stored in the same transaction.
    """
    prepared = [_check(raw, index=None if single else i) for i, raw in enumerate(statements)]
    received = attachments.check_parts([item.statement for item in prepared], parts or [])
    batch: dict[uuid.UUID, _Checked] = {}
    for item in prepared:
        if item.id in batch and not _same_statement(item.statement, batch[item.id].statement):
            raise StatementConflict(f"Statement {item.id} appears twice in the batch, differently.")
        batch[item.id] = item
    for index, item in enumerate(prepared):
        signatures.check(item.statement, received, "" if single else f"statement [{index}]: ")
    try:
        _store_batch(key=key, batch=batch, bodies=list(received.values()))
    except _Raced:
        # Another request stored one of these ids between our check and our insert; compare
        # again now that its row is committed (same content is then accepted, other is 409).
        try:
            _store_batch(key=key, batch=batch, bodies=list(received.values()))
        except _Raced as exc:
            raise StatementConflict("A statement id is being stored by another request.") from exc
    return [item.id for item in prepared]


def _hidden_from(key: LrsKey, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Those of ``ids`` stored by statements this key may not read.

    A key reads (and may void) the statements it wrote; a key with read scope that is not
    limited to its own statements reads every statement.
    """
    if key.can_read and not key.own_only:
        return set()
    others = Statement.objects.filter(id__in=ids).exclude(lrs_key=key)
    return set(others.values_list("id", flat=True))


class _Raced(Exception):
    pass


def _store_batch(
    *, key: LrsKey, batch: dict[uuid.UUID, _Checked], bodies: list[attachments.Part]
) -> None:
    """Insert the batch's new statements and the bodies in one transaction (rolled back whole
    when another request stored one of the ids meanwhile); see ``statements_store``."""
    authority = authority_for(key)
    authority_key = validation.agent_key(authority) or ""
    ids = list(batch)
    with transaction.atomic():
        hidden = _hidden_from(key, ids)
        if hidden:
            raise StatementConflict(f"Statement id {min(hidden)} is already in use.")
        # Lock the rows a re-send compares against, so a concurrent void cannot change them
        # between the comparison and the commit.
        existing = dict(
            Statement.objects.select_for_update().filter(id__in=ids).values_list("id", "data")
        )
        for ident, item in batch.items():
            if ident in existing and not _same_statement(item.statement, existing[ident]):
                raise StatementConflict(
                    f"Statement {ident} is already stored with different content."
                )
        new = [item for ident, item in batch.items() if ident not in existing]
        targets = _voiding_targets(new, key=key)
        voided = targets | _voided_before_arrival(new, key=key)
        # Taken as late as possible, so "stored" is close to the moment readers can see it.
        now = timezone.now()
        rows = [
            _row(item, key=key, authority=authority, authority_key=authority_key, now=now)
            for item in new
        ]
        # A row another request inserted since our read is skipped, not an error, so the
        # transaction stays usable: the count tells, and the whole batch is tried again.
        if _insert_statements(rows, voided=voided) != len(rows):
            raise _Raced
        _insert_relations(rows)
        activities_record(statements=[item.statement for item in new])
        if targets:
            Statement.objects.filter(id__in=list(targets)).update(voided=True)
        if bodies:
            # Bodies are named by their hash, so one already held is the same body: keep it.
            AttachmentBody.objects.bulk_create(
                [
                    AttachmentBody(
                        sha2=part.sha2,
                        content_type=part.content_type,
                        length=len(part.content),
                        content=part.content,
                    )
                    for part in bodies
                ],
                ignore_conflicts=True,
            )


def _voided_before_arrival(new: list[_Checked], *, key: LrsKey) -> set[uuid.UUID]:
    """New ids a stored voiding statement already targets, by a key that may void them:
    the same key, or one that reads every statement."""
    # Read through the voiding_target index and apply the key rule here: folding the rule
    # into the query as an OR over the key table makes SQLite scan every statement.
    voids = Statement.objects.filter(voiding_target__in=[item.id for item in new]).values_list(
        "voiding_target", "lrs_key_id", "lrs_key__can_read", "lrs_key__own_only"
    )
    return {
        target
        for target, key_id, can_read, own_only in voids
        if target is not None and (key_id == key.pk or (can_read and not own_only))
    }


def _voiding_targets(new: list[_Checked], *, key: LrsKey) -> set[uuid.UUID]:
    """The statements the new voiding statements void. A target this key may not read is
    treated as not stored: it stays live, and nothing tells the key it exists."""
    voiding = {item.id for item in new if item.voiding_target is not None}
    targets = {item.voiding_target for item in new if item.voiding_target is not None}
    if not targets:
        return targets
    targets -= _hidden_from(key, list(targets - {item.id for item in new}))
    if not targets:
        return targets
    stored_voiding = set(
        Statement.objects.filter(id__in=list(targets), verb_id=validation.VOIDED_VERB).values_list(
            "id", flat=True
        )
    )
    if targets & (voiding | stored_voiding):
        raise StatementRejected("object.id: a voiding statement cannot be voided.")
    return targets


class _Row(NamedTuple):
    """A statement as stored: its JSON and the times and keys set when it is stored."""

    checked: _Checked
    data: Json
    stored: datetime
    timestamp: datetime
    key_id: int
    authority_key: str


def _row(
    item: _Checked, *, key: LrsKey, authority: Json, authority_key: str, now: datetime
) -> _Row:
    """The statement as stored: with its stored time, authority, version and timestamp."""
    # Only top-level properties are set, so a shallow copy keeps the caller's statement as
    # it was (a raced batch is compared again) while sharing its nested, unchanged parts.
    data = dict(item.statement)
    data["stored"] = now.isoformat().replace("+00:00", "Z")
    data.setdefault("timestamp", data["stored"])
    data["authority"] = authority
    data.setdefault("version", "1.0.0")
    return _Row(item, data, now, item.timestamp or now, key.pk, authority_key)


def _context_parts(part: Json) -> tuple[set[str], set[str]]:
    """The activities and agents (or identified Groups) of a statement's or SubStatement's
    context: its context activities, instructor and team."""
    context = part.get("context") or {}
    activities = {
        activity["id"]
        for entries in context.get("contextActivities", {}).values()
        for activity in entries
    }
    candidates = (context.get("instructor"), context.get("team"))
    agents = {key for c in candidates if c and (key := validation.agent_key(c)) is not None}
    return activities, agents


def _relations(statement: Json) -> tuple[tuple[str, str], ...]:
    """The (kind, value) pairs of the activities and agents a statement touches that its own
    columns do not hold: its actor, object and authority are read from those (see
    ``selectors._conditions``), and a row fewer each is an index write fewer per statement.
    """
    activities, agents = _context_parts(statement)
    target = statement["object"]
    if target.get("objectType") == "SubStatement":
        sub_activities, sub_agents = _context_parts(target)
        activities |= sub_activities
        agents |= sub_agents
        inner = target["object"]
        if inner.get("objectType", "Activity") == "Activity":
            activities.add(inner["id"])
        candidates = [target["actor"]]
        if inner.get("objectType") in {"Agent", "Group"}:
            candidates.append(inner)
        agents |= {key for c in candidates if (key := validation.agent_key(c)) is not None}
    return tuple(
        [(RelationKind.ACTIVITY.value, value) for value in sorted(activities)]
        + [(RelationKind.AGENT.value, value) for value in sorted(agents)]
    )


_STATEMENT_COLUMNS = (
    "id",
    "data",
    "stored",
    "timestamp",
    "verb_id",
    "object_activity_id",
    "agent_key",
    "object_agent_key",
    "registration",
    "voided",
    "voiding_target",
    "object_statement_id",
    "authority_key",
    "lrs_key",
)


def _statement_values(row: _Row, voided: bool) -> tuple[Any, ...]:
    """The row's values in ``_STATEMENT_COLUMNS`` order."""
    item = row.checked
    return (
        item.id,
        row.data,
        row.stored,
        row.timestamp,
        item.verb_id,
        item.object_activity_id,
        item.agent_key,
        item.object_agent_key,
        item.registration,
        voided,
        item.voiding_target,
        item.object_statement_id,
        row.authority_key,
        row.key_id,
    )


def _insert_statements(rows: list[_Row], *, voided: Collection[uuid.UUID] = ()) -> int:
    """Insert the statements with one prepared statement, skipping the ORM's per-row models
    and SQL; ids in ``voided`` are stored voided.
    The number inserted: fewer when another request stored some of the ids first."""
    values = [_statement_values(row, row.checked.id in voided) for row in rows]
    return bulk.insert(Statement, _STATEMENT_COLUMNS, values)


def _insert_relations(rows: list[_Row]) -> None:
    """The relation rows of newly inserted statements (see ``_relations``)."""
    values = [
        (row.checked.id, kind, value) for row in rows for kind, value in row.checked.relations
    ]
    bulk.insert(StatementRelation, ("statement", "kind", "value"), values)

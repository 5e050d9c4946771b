"""Writes to the Learning Record Store: storing statements and managing keys."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Field
from django.utils import timezone

from peerpath.lrs import attachments, signatures, validation
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


def _prepare(raw: Any, *, index: int | None) -> Json:
    try:
        return validation.validate_statement(raw)
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
    prepared = [_prepare(raw, index=None if single else i) for i, raw in enumerate(statements)]
    received = attachments.check_parts(prepared, parts or [])
    ids: list[uuid.UUID] = []
    seen: dict[uuid.UUID, Json] = {}
    for statement in prepared:
        ident = uuid.UUID(statement["id"]) if "id" in statement else uuid.uuid4()
        if ident in seen and not _same_statement(statement, seen[ident]):
            raise StatementConflict(f"Statement {ident} appears twice in the batch, differently.")
        statement["id"] = str(ident)
        seen[ident] = statement
        ids.append(ident)
    for index, statement in enumerate(prepared):
        signatures.check(statement, received, "" if single else f"statement [{index}]: ")
    with transaction.atomic():
        hidden = _hidden_from(key, list(seen))
        if hidden:
            raise StatementConflict(f"Statement id {min(hidden)} is already in use.")
        try:
            _store_batch(key=key, batch=seen)
        except _Raced:
            # Another request stored one of these ids between our check and our insert;
            # compare again now that its row is committed (same content is then accepted,
            # other is 409).
            try:
                _store_batch(key=key, batch=seen)
            except _Raced as exc:
                raise StatementConflict(
                    "A statement id is being stored by another request."
                ) from exc
        # Bodies are named by their hash, so one already held is the same body: keep it.
        AttachmentBody.objects.bulk_create(
            [
                AttachmentBody(
                    sha2=part.sha2,
                    content_type=part.content_type,
                    length=len(part.content),
                    content=part.content,
                )
                for part in received.values()
            ],
            ignore_conflicts=True,
        )
    return ids


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


def _store_batch(*, key: LrsKey, batch: dict[uuid.UUID, Json]) -> None:
    """Insert the batch's new statements in one transaction; see ``statements_store``."""
    authority = authority_for(key)
    authority_key = validation.agent_key(authority) or ""
    ids = list(batch)
    with transaction.atomic():
        # Lock the rows a re-send compares against, so a concurrent void cannot change them
        # between the comparison and the commit.
        existing = {
            row.id: row
            for row in Statement.objects.select_for_update().filter(id__in=ids).only("id", "data")
        }
        for ident, statement in batch.items():
            if ident in existing and not _same_statement(statement, existing[ident].data):
                raise StatementConflict(
                    f"Statement {ident} is already stored with different content."
                )
        new = {ident: s for ident, s in batch.items() if ident not in existing}
        targets = _voiding_targets(new, key=key)
        already_voided = _voided_before_arrival(new, key=key)
        # Taken as late as possible, so "stored" is close to the moment readers can see it.
        now = timezone.now()
        rows = [
            _row(statement, key=key, authority=authority, authority_key=authority_key, now=now)
            for statement in new.values()
        ]
        for row in rows:
            if row.id in already_voided or row.id in targets:
                row.voided = True
        try:
            # A savepoint, so a duplicate key leaves the transaction usable for rollback.
            with transaction.atomic():
                _insert_statements(rows)
        except IntegrityError as exc:
            raise _Raced from exc
        _insert_relations(rows)
        activities_record(statements=[row.data for row in rows])
        if targets:
            Statement.objects.filter(id__in=list(targets)).update(voided=True)


def _voided_before_arrival(new: dict[uuid.UUID, Json], *, key: LrsKey) -> set[uuid.UUID]:
    """New ids a stored voiding statement already targets, by a key that may void them:
    the same key, or one that reads every statement."""
    # Read through the voiding_target index and apply the key rule here: folding the rule
    # into the query as an OR over the key table makes SQLite scan every statement.
    voids = Statement.objects.filter(voiding_target__in=list(new)).values_list(
        "voiding_target", "lrs_key_id", "lrs_key__can_read", "lrs_key__own_only"
    )
    return {
        target
        for target, key_id, can_read, own_only in voids
        if target is not None and (key_id == key.pk or (can_read and not own_only))
    }


def _voiding_targets(new: dict[uuid.UUID, Json], *, key: LrsKey) -> set[uuid.UUID]:
    """The statements the new voiding statements void. A target this key may not read is
    treated as not stored: it stays live, and nothing tells the key it exists."""
    targets: set[uuid.UUID] = set()
    for statement in new.values():
        if statement["verb"]["id"] == validation.VOIDED_VERB:
            targets.add(uuid.UUID(statement["object"]["id"]))
    targets -= _hidden_from(key, list(targets - new.keys()))
    if not targets:
        return targets
    voiding_in_batch = {
        ident for ident, s in new.items() if s["verb"]["id"] == validation.VOIDED_VERB
    }
    stored_voiding = set(
        Statement.objects.filter(id__in=list(targets), verb_id=validation.VOIDED_VERB).values_list(
            "id", flat=True
        )
    )
    if targets & (voiding_in_batch | stored_voiding):
        raise StatementRejected("object.id: a voiding statement cannot be voided.")
    return targets


def _row(
    statement: Json, *, key: LrsKey, authority: Json, authority_key: str, now: datetime
) -> Statement:
    # Only top-level properties are set, so a shallow copy keeps the caller's statement as
    # it was (a raced batch is compared again) while sharing its nested, unchanged parts.
    data = dict(statement)
    data["stored"] = now.isoformat().replace("+00:00", "Z")
    data.setdefault("timestamp", data["stored"])
    data["authority"] = authority
    data.setdefault("version", "1.0.0")
    target = data["object"]
    kind = target.get("objectType", "Activity")
    context = data.get("context") or {}
    voiding = data["verb"]["id"] == validation.VOIDED_VERB
    return Statement(
        id=uuid.UUID(data["id"]),
        data=data,
        stored=now,
        timestamp=validation.parse_timestamp(data["timestamp"], "timestamp"),
        verb_id=data["verb"]["id"],
        object_activity_id=target["id"] if kind == "Activity" else "",
        agent_key=validation.agent_key(data["actor"]) or "",
        object_agent_key=(validation.agent_key(target) or "") if kind in {"Agent", "Group"} else "",
        registration=uuid.UUID(context["registration"]) if "registration" in context else None,
        voiding_target=uuid.UUID(target["id"]) if voiding else None,
        object_statement_id=uuid.UUID(target["id"]) if kind == "StatementRef" else None,
        authority_key=authority_key,
        lrs_key=key,
    )


def _activity_ids(part: Json) -> set[str]:
    """Activities in a statement's or SubStatement's object and context activities."""
    found: set[str] = set()
    target = part["object"]
    if target.get("objectType", "Activity") == "Activity":
        found.add(target["id"])
    for activities in (part.get("context") or {}).get("contextActivities", {}).values():
        found.update(activity["id"] for activity in activities)
    return found


def _agent_keys(part: Json) -> set[str]:
    """Agents and identified Groups as actor, object, instructor or team."""
    context = part.get("context") or {}
    candidates = [part["actor"], context.get("instructor"), context.get("team")]
    if part["object"].get("objectType") in {"Agent", "Group"}:
        candidates.append(part["object"])
    return {key for c in candidates if c and (key := validation.agent_key(c)) is not None}


def _relations(row: Statement) -> list[tuple[str, str]]:
    """The (kind, value) pairs of the activities and agents a statement touches."""
    data = row.data
    activities = _activity_ids(data)
    agents = _agent_keys(data) | {row.authority_key}
    if data["object"].get("objectType") == "SubStatement":
        activities |= _activity_ids(data["object"])
        agents |= _agent_keys(data["object"])
    return [(RelationKind.ACTIVITY.value, value) for value in sorted(activities)] + [
        (RelationKind.AGENT.value, value) for value in sorted(agents)
    ]


def _adapter(field: Field[Any, Any]) -> Callable[[Any], Any]:
    """How a value of ``field`` is handed to the database driver (``get_db_prep_save``,
    decided once per field instead of once per value)."""
    ops, features = connection.ops, connection.features
    if isinstance(field, models.UUIDField) or (
        isinstance(field, models.ForeignKey) and isinstance(field.target_field, models.UUIDField)
    ):
        if features.has_native_uuid_field:
            return lambda value: value
        return lambda value: None if value is None else value.hex
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: ops.adapt_json_value(value, encoder)
    return lambda value: value


def _insert(model: type[models.Model], fields: list[Field[Any, Any]], rows: list[Any]) -> None:
    """One prepared INSERT run for every row (``rows`` hold values in ``fields`` order)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    adapters = [_adapter(field) for field in fields]
    params = [[adapt(value) for adapt, value in zip(adapters, row, strict=True)] for row in rows]
    # Only quoted table and column names from the model are formatted in; values are bound.
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _insert_statements(rows: list[Statement]) -> None:
    """Insert the statements with a single bulk statement, skipping the ORM's per-row SQL
    compilation (the costliest step of a large batch)."""
    fields = list(Statement._meta.concrete_fields)
    _insert(Statement, fields, [[getattr(row, f.attname) for f in fields] for row in rows])


def _insert_relations(rows: list[Statement]) -> None:
    # statement, kind and value: the columns but the generated primary key.
    fields = [f for f in StatementRelation._meta.concrete_fields if not f.primary_key]
    _insert(
        StatementRelation,
        fields,
        [(row.id, kind, value) for row in rows for kind, value in _relations(row)],
    )

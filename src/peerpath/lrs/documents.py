"""Writes to the xAPI document resources: state, activity profile and agent profile.

A document is addressed by its resource's parameters (``DocumentAddress``). Every write runs
in one transaction holding the document's row lock, so a concurrent PUT or POST to the same
address waits for this one and then sees its result; two first writes racing to create the
same document meet the unique ``address`` and the loser runs again against the winner's row.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from peerpath.lrs.models import Document, DocumentKind, LrsKey

JSON_TYPE = "application/json"


class DocumentInvalid(ValueError):
    """The body cannot be stored as asked, e.g. a merge of non-JSON documents (400)."""


class PreconditionFailed(Exception):
    """An If-Match or If-None-Match header does not hold for the stored document (412)."""


class DocumentConflict(Exception):
    """A PUT would overwrite a profile document without saying which version (409)."""


class DocumentNotYours(Exception):
    """An own-only key tried to change a document another key created (403)."""


@dataclass(frozen=True)
class DocumentAddress:
    """Where a document lives: its resource, its set's parameters and its own id."""

    kind: DocumentKind
    document_id: str
    activity_id: str = ""
    agent_key: str = ""
    registration: uuid.UUID | None = None

    @property
    def scope(self) -> str:
        return document_scope(
            kind=self.kind, activity_id=self.activity_id, agent_key=self.agent_key
        )

    @property
    def address(self) -> str:
        return _digest(self.scope, str(self.registration or ""), self.document_id)


@dataclass(frozen=True)
class Preconditions:
    """The request's If-Match / If-None-Match headers, already split into entity tags."""

    if_match: frozenset[str] | None = None
    if_none_match: frozenset[str] | None = None

    @property
    def given(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None


def _digest(*parts: str) -> str:
    # Length-prefixed so no two different tuples of parts hash the same text.
    text = "".join(f"{len(part)}:{part}" for part in parts)
    return hashlib.sha256(text.encode()).hexdigest()


def document_scope(*, kind: DocumentKind, activity_id: str, agent_key: str) -> str:
    """The hash naming the set of documents a list or a delete-all reads (before any
    registration narrows it)."""
    return _digest(kind, activity_id, agent_key)


def entity_tag(content: bytes) -> str:
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def is_json(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == JSON_TYPE


def json_object(content: bytes) -> dict[str, Any] | None:
    """The content as a JSON object, or None when it is not one."""
    try:
        value = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _check(existing: Document | None, preconditions: Preconditions) -> None:
    if preconditions.if_match is not None and (
        existing is None
        or ("*" not in preconditions.if_match and existing.etag not in preconditions.if_match)
    ):
        raise PreconditionFailed("If-Match does not match the stored document.")
    if (
        preconditions.if_none_match is not None
        and existing is not None
        and ("*" in preconditions.if_none_match or existing.etag in preconditions.if_none_match)
    ):
        raise PreconditionFailed("If-None-Match: the document already exists.")


def _locked(address: DocumentAddress, key: LrsKey) -> Document | None:
    # The row lock makes a concurrent write to this document wait until this one commits,
    # so its If-Match check and merge see the document as this write left it.
    existing = Document.objects.select_for_update().filter(address=address.address).first()
    if existing is not None and key.own_only and existing.lrs_key_id != key.pk:
        raise DocumentNotYours("This document was created by another key.")
    return existing


def _save(
    *,
    key: LrsKey,
    address: DocumentAddress,
    existing: Document | None,
    content: bytes,
    content_type: str,
) -> str:
    etag = entity_tag(content)
    now = timezone.now()
    if existing is not None:
        existing.content = content
        existing.content_type = content_type
        existing.etag = etag
        existing.updated = now
        existing.save(update_fields=["content", "content_type", "etag", "updated"])
        return etag
    try:
        # A savepoint, so losing a race to create the row leaves the transaction usable.
        with transaction.atomic():
            Document.objects.create(
                kind=address.kind,
                activity_id=address.activity_id,
                agent_key=address.agent_key,
                registration=address.registration,
                document_id=address.document_id,
                scope=address.scope,
                address=address.address,
                content=content,
                content_type=content_type,
                etag=etag,
                updated=now,
                lrs_key=key,
            )
    except IntegrityError as exc:
        raise _Raced from exc
    return etag


class _Raced(Exception):
    pass


def _retrying(write: Callable[[], str]) -> str:
    """Run a write once more when another request created the same document meanwhile."""
    try:
        return write()
    except _Raced:
        return write()


def _checked_json(content: bytes, content_type: str) -> None:
    if not is_json(content_type):
        return
    try:
        json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentInvalid(
            "The body is declared application/json but is not valid JSON."
        ) from exc


def document_put(
    *,
    key: LrsKey,
    address: DocumentAddress,
    content: bytes,
    content_type: str,
    preconditions: Preconditions,
) -> str:
    """Store the document in place of any before it and return its entity tag.

    A PUT to a profile must say which version it replaces (If-Match) or that it expects none
    (If-None-Match), so two clients cannot silently overwrite each other: without either
    header it is a conflict when the document exists and a bad request when it does not.
    State documents belong to one learner's session and may be replaced without them.
    """
    _checked_json(content, content_type)

    def write() -> str:
        with transaction.atomic():
            existing = _locked(address, key)
            _check(existing, preconditions)
            if address.kind != DocumentKind.STATE and not preconditions.given:
                if existing is not None:
                    raise DocumentConflict(
                        "This profile document exists already: send If-Match with its ETag "
                        "to replace it."
                    )
                raise DocumentInvalid(
                    "PUT to a profile needs If-None-Match: * to create a document, or "
                    "If-Match with the ETag of the one it replaces."
                )
            return _save(
                key=key,
                address=address,
                existing=existing,
                content=content,
                content_type=content_type,
            )

    return _retrying(write)


def document_post(
    *,
    key: LrsKey,
    address: DocumentAddress,
    content: bytes,
    content_type: str,
    preconditions: Preconditions,
) -> str:
    """Store a new document, or merge a JSON object into the stored one; return the entity tag.

    The merge is one level deep: each top-level property of the posted object replaces the
    stored one of the same name, whole. Both documents must be JSON objects to merge.
    """
    _checked_json(content, content_type)
    posted = json_object(content) if is_json(content_type) else None

    def write() -> str:
        with transaction.atomic():
            existing = _locked(address, key)
            _check(existing, preconditions)
            if existing is None:
                return _save(
                    key=key,
                    address=address,
                    existing=None,
                    content=content,
                    content_type=content_type,
                )
            stored = (
                json_object(bytes(existing.content)) if is_json(existing.content_type) else None
            )
            if posted is None or stored is None:
                raise DocumentInvalid(
                    "POST merges JSON objects: both the stored document and the body must be "
                    "JSON objects sent as application/json; use PUT to replace the document."
                )
            merged = json.dumps({**stored, **posted}, ensure_ascii=False).encode()
            return _save(
                key=key,
                address=address,
                existing=existing,
                content=merged,
                content_type=JSON_TYPE,
            )

    return _retrying(write)


def document_delete(*, key: LrsKey, address: DocumentAddress, preconditions: Preconditions) -> None:
    """Delete one document; deleting one that is not there succeeds, as nothing is left."""
    with transaction.atomic():
        existing = _locked(address, key)
        _check(existing, preconditions)
        if existing is not None:
            existing.delete()


def documents_delete(
    *,
    key: LrsKey,
    kind: DocumentKind,
    activity_id: str,
    agent_key: str,
    registration: uuid.UUID | None,
) -> int:
    """Delete every document of a set (the state resource without a stateId): all of the
    Activity and Agent's, or only those of one registration. An own-only key deletes only the
    ones it created. Returns how many went."""
    scope = document_scope(kind=kind, activity_id=activity_id, agent_key=agent_key)
    documents = Document.objects.filter(scope=scope)
    if registration is not None:
        documents = documents.filter(registration=registration)
    if key.own_only:
        documents = documents.filter(lrs_key=key)
    with transaction.atomic():
        deleted, _ = documents.delete()
    return deleted

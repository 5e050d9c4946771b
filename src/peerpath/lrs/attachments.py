"""Statements with attachment bodies: xAPI's ``multipart/mixed`` format (Communication 1.5.2).

The first part holds the statement or statements as JSON; every further part is the raw body of
one attachment, named by its SHA-2 hash in an ``X-Experience-API-Hash`` header and sent with
``Content-Transfer-Encoding: binary``. Parsing uses the standard library's MIME parser; these
functions only add xAPI's rules on top, and build the same format for GET answers.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email import errors, policy
from email.message import Message
from email.parser import BytesParser
from typing import Any

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"

_HASHES = {56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}
_HEX = re.compile(r"^[0-9a-fA-F]+$")
# Damage the MIME parser notes but tolerates; any of them means the body is not well formed.
_FATAL_DEFECTS = (
    errors.StartBoundaryNotFoundDefect,
    errors.CloseBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
    errors.NoBoundaryInMultipartDefect,
    errors.MissingHeaderBodySeparatorDefect,
)

Json = dict[str, Any]


class AttachmentsInvalid(ValueError):
    """The multipart body or its attachments break a rule of xAPI (400 Bad Request)."""


@dataclass(frozen=True)
class Part:
    """One attachment body as received: its declared type, bytes and (checked) hash."""

    sha2: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Multipart:
    statements: bytes
    parts: list[Part]


def is_multipart(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "multipart/mixed"


def digest(sha2: str, content: bytes) -> str | None:
    """The hex digest of ``content`` by the SHA-2 variant ``sha2``'s length names, or None."""
    name = _HASHES.get(len(sha2))
    return hashlib.new(name, content).hexdigest() if name else None


def parse(body: bytes, content_type: str) -> Multipart:
    """Split a ``multipart/mixed`` request body into its statements and attachment parts."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if message.get_param("boundary") is None:
        raise AttachmentsInvalid("A multipart/mixed request needs a boundary parameter.")
    if any(isinstance(d, _FATAL_DEFECTS) for d in message.defects) or not message.is_multipart():
        raise AttachmentsInvalid("The multipart body is not well formed (check its boundaries).")
    first, *rest = _parts(message)
    if first.get_content_type() != "application/json":
        raise AttachmentsInvalid("The first part of a multipart request must be application/json.")
    return Multipart(statements=_content(first), parts=[_attachment(p) for p in rest])


def _parts(message: Message) -> list[Message]:
    payload = message.get_payload()
    parts = [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []
    if not parts:
        raise AttachmentsInvalid("The multipart body has no parts.")
    for part in parts:
        if part.defects or part.is_multipart():
            raise AttachmentsInvalid("A part of the multipart body is not well formed.")
    return parts


def _content(part: Message) -> bytes:
    content = part.get_payload(decode=True)
    return content if isinstance(content, bytes) else b""


def _attachment(part: Message) -> Part:
    sha2 = str(part.get("X-Experience-API-Hash", "")).strip().lower()
    if not sha2:
        raise AttachmentsInvalid("Every attachment part needs an X-Experience-API-Hash header.")
    if str(part.get("Content-Transfer-Encoding", "")).strip().lower() != "binary":
        raise AttachmentsInvalid("Every attachment part needs Content-Transfer-Encoding: binary.")
    content = _content(part)
    if not _HEX.match(sha2) or digest(sha2, content) != sha2:
        raise AttachmentsInvalid(
            f"The attachment part with X-Experience-API-Hash {sha2[:16]}… does not match its body."
        )
    return Part(sha2=sha2, content_type=part.get_content_type(), content=content)


def declared(statement: Json) -> Iterator[tuple[str, Json]]:
    """Each attachment of a statement and of its SubStatement, with its field path."""
    for index, attachment in enumerate(statement.get("attachments", [])):
        yield f"attachments[{index}]", attachment
    target = statement["object"]
    if target.get("objectType") == "SubStatement":
        for index, attachment in enumerate(target.get("attachments", [])):
            yield f"object.attachments[{index}]", attachment


def check_parts(statements: list[Json], parts: Iterable[Part]) -> dict[str, Part]:
    """Every attachment without a fileUrl has its part, and every part belongs to one.

    Returns the parts by hash (a body sent twice is kept once).
    """
    received = {part.sha2: part for part in parts}
    wanted: set[str] = set()
    for number, statement in enumerate(statements):
        where = f"statement [{number}]: " if len(statements) > 1 else ""
        for path, attachment in declared(statement):
            sha2 = attachment["sha2"].lower()
            wanted.add(sha2)
            if "fileUrl" not in attachment and sha2 not in received:
                raise AttachmentsInvalid(
                    f"{where}{path} has no fileUrl and no multipart part with its sha2."
                )
    extra = received.keys() - wanted
    if extra:
        raise AttachmentsInvalid(
            f"The part with X-Experience-API-Hash {min(extra)[:16]}… belongs to no attachment."
        )
    return received


@dataclass(frozen=True)
class Body:
    """An attachment body as stored, ready to send back."""

    sha2: str
    content_type: str
    content: bytes


def build(document: bytes, bodies: Iterable[Body]) -> tuple[Iterator[bytes], str]:
    """A ``multipart/mixed`` body, as chunks: the JSON document, then each attachment as the
    iterable yields it (so bodies can be read one at a time); and its content type."""
    boundary = secrets.token_hex(16)

    def chunks() -> Iterator[bytes]:
        yield f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode()
        yield document
        for body in bodies:
            yield (
                f"\r\n--{boundary}\r\nContent-Type: {body.content_type}\r\n"
                f"Content-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {body.sha2}\r\n\r\n"
            ).encode()
            yield body.content
        yield f"\r\n--{boundary}--\r\n".encode()

    return chunks(), f"multipart/mixed; boundary={boundary}"


def hashes_in(statements: Iterable[Json]) -> list[str]:
    """The sha2 of every attachment the statements declare, each once, in order."""
    seen: dict[str, None] = {}
    for statement in statements:
        for _, attachment in declared(statement):
            seen.setdefault(attachment["sha2"].lower(), None)
    return list(seen)

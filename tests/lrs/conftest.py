"""Fixtures for the Learning Record Store: keys with each scope and statement builders."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any

import pytest
from django.test import Client

from peerpath.lrs import services

VERB = "http://adlnet.gov/expapi/verbs/completed"
ACTIVITY = "https://peerpath.example/modules/safety"


def make_statement(**overrides: Any) -> dict[str, Any]:
    """A small valid statement; keyword arguments replace top-level properties."""
    statement: dict[str, Any] = {
        "actor": {"objectType": "Agent", "name": "Mina", "mbox": "mailto:mina@example.com"},
        "verb": {"id": VERB, "display": {"en-US": "completed"}},
        "object": {"objectType": "Activity", "id": ACTIVITY},
    }
    statement.update(overrides)
    return statement


def voiding(target: uuid.UUID | str) -> dict[str, Any]:
    return make_statement(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": str(target)},
    )


@pytest.fixture
def issued(db: None) -> services.IssuedKey:
    return services.lrs_key_create(name="Course player")


@pytest.fixture
def xapi(issued: services.IssuedKey) -> Client:
    """A client that sends the key's credentials and the version header on every request."""
    return xapi_client(issued)


@pytest.fixture
def own_only(db: None) -> Client:
    """A client whose key reads and voids only the statements it wrote itself."""
    return xapi_client(services.lrs_key_create(name="Partner player", own_only=True))


def xapi_client(issued: services.IssuedKey, *, version: str | None = "1.0.3") -> Client:
    token = base64.b64encode(f"{issued.key.key}:{issued.secret}".encode()).decode()
    headers = {"Authorization": f"Basic {token}"}
    if version is not None:
        headers["X-Experience-API-Version"] = version
    return Client(headers=headers)


BOUNDARY = "peerpath-test-boundary"


def multipart(
    document: Any, *parts: tuple[bytes, dict[str, str]], first_type: str = "application/json"
) -> bytes:
    """A multipart/mixed body written out by hand: the JSON document, then each raw part."""
    chunks = [
        f"--{BOUNDARY}\r\nContent-Type: {first_type}\r\n\r\n".encode(),
        json.dumps(document).encode(),
    ]
    for content, headers in parts:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        chunks += [f"\r\n--{BOUNDARY}\r\n{head}\r\n".encode(), content]
    chunks.append(f"\r\n--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks)


def part(content: bytes, content_type: str = "text/plain") -> tuple[bytes, dict[str, str]]:
    """A raw attachment part with the headers xAPI asks for."""
    return content, {
        "Content-Type": content_type,
        "Content-Transfer-Encoding": "binary",
        "X-Experience-API-Hash": hashlib.sha256(content).hexdigest(),
    }


def declared(content: bytes, content_type: str = "text/plain", **extra: Any) -> dict[str, Any]:
    """The attachment object a statement declares for these bytes."""
    return {
        "usageType": "https://peerpath.example/usage/evidence",
        "display": {"en-US": "Evidence"},
        "contentType": content_type,
        "length": len(content),
        "sha2": hashlib.sha256(content).hexdigest(),
        **extra,
    }

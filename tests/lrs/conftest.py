"""Fixtures for the Learning Record Store: keys with each scope and statement builders."""

from __future__ import annotations

import base64
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


def xapi_client(issued: services.IssuedKey, *, version: str | None = "1.0.3") -> Client:
    token = base64.b64encode(f"{issued.key.key}:{issued.secret}".encode()).decode()
    headers = {"Authorization": f"Basic {token}"}
    if version is not None:
        headers["X-Experience-API-Version"] = version
    return Client(headers=headers)

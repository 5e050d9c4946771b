"""No statement is lost or half-stored when the server is killed in the middle of batches.

A real gunicorn serves the test database (a copy of it on SQLite, the database itself on
PostgreSQL) while clients POST batches of 500; once a few batches are acknowledged the
whole server is killed with SIGKILL, started again, and the stored rows are counted.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import sqlite3
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from benchmarks import lrs_data
from benchmarks.server import HOST, start_server, stop_server
from peerpath import settings as peerpath_settings
from peerpath.lrs import services
from peerpath.lrs.models import Statement, StatementRelation

BATCHES = 12
BATCH = 500
CLIENTS = 4
KILL_AFTER = 3  # acknowledged batches before the kill
RELATIONS_PER_STATEMENT = 2  # the context activities: parent and category


@dataclass
class Server:
    """Where the server's database is and how it is started again."""

    env: dict[str, str]
    log: Path
    sqlite_copy: Path | None

    def start(self) -> tuple[Any, int]:
        return start_server(self.env, self.log, workers=2, threads=2)

    def stored(self) -> tuple[list[uuid.UUID], int]:
        """Every stored statement id, and the number of relation rows."""
        if self.sqlite_copy is None:
            ids = list(Statement.objects.values_list("id", flat=True))
            return ids, StatementRelation.objects.count()
        with sqlite3.connect(self.sqlite_copy) as db:
            ids = [uuid.UUID(hex=row[0]) for row in db.execute("SELECT id FROM lrs_statement")]
            (relations,) = db.execute("SELECT COUNT(*) FROM lrs_statementrelation").fetchone()
        return ids, relations


@pytest.fixture
def server(transactional_db: None, tmp_path: Path) -> Server:
    """The environment of a production-like server on the test database.

    On PostgreSQL the server connects to the test database itself (the test's writes are
    committed, as with a live server). A SQLite test database is copied after set-up, so
    the server opens a file with the same settings as production (WAL, immediate
    transactions) and the test reads the copy.
    """
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "peerpath.settings",
            "PEERPATH_VAR_DIR": str(tmp_path),
            "PEERPATH_DEBUG": "1",  # static files from the apps: no collectstatic needed
            "PEERPATH_LOG_LEVEL": "WARNING",
        }
    )
    for name in ("DATABASE_URL", "PEERPATH_PRODUCTION"):  # production would refuse DEBUG
        env.pop(name, None)
    settings = connection.settings_dict
    copy: Path | None = None
    if connection.vendor == "postgresql":
        user, host, port = settings["USER"], settings["HOST"], settings["PORT"] or 5432
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        env["DATABASE_URL"] = f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    else:
        copy = tmp_path / "peerpath.sqlite3"
    return Server(env, tmp_path / "gunicorn.log", copy)


def _publish(server: Server) -> None:
    """Make what the test wrote visible to the server (a fresh copy on SQLite)."""
    if server.sqlite_copy is None:
        return
    connection.ensure_connection()
    with sqlite3.connect(server.sqlite_copy) as target:
        connection.connection.backup(target)


def _headers(issued: services.IssuedKey) -> dict[str, str]:
    token = base64.b64encode(f"{issued.key.key}:{issued.secret}".encode()).decode()
    return {
        "Authorization": f"Basic {token}",
        "X-Experience-API-Version": "1.0.3",
        "Content-Type": "application/json",
    }


def _post(port: int, headers: dict[str, str], body: bytes) -> int:
    """The status of one POST; 0 when the connection failed (no acknowledgement)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("POST", "/xapi/statements", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        conn.close()


def _send_and_kill(
    proc: Any, port: int, headers: dict[str, str], bodies: list[bytes]
) -> dict[int, int]:
    """POST every batch from several clients and SIGKILL the whole server as soon as
    ``KILL_AFTER`` batches are acknowledged; the status of each batch."""
    statuses: dict[int, int] = {}
    pending = iter(range(len(bodies)))
    lock = threading.Lock()

    def client() -> None:
        while True:
            with lock:
                index = next(pending, None)
            if index is None:
                return
            status = _post(port, headers, bodies[index])
            with lock:
                statuses[index] = status
                if sum(1 for s in statuses.values() if s == 200) == KILL_AFTER:
                    os.killpg(proc.pid, signal.SIGKILL)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        for future in [pool.submit(client) for _ in range(CLIENTS)]:
            future.result()
    proc.wait(timeout=30)
    return statuses


def test_a_killed_server_leaves_every_batch_whole_and_a_resend_completes_it(
    server: Server, settings: Any
) -> None:
    # The server checks the secret with production's hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = peerpath_settings.PASSWORD_HASHERS
    issued = services.lrs_key_create(name="Durability")
    _publish(server)
    batches = [
        [lrs_data.statement(b * BATCH + i, BATCHES * BATCH) for i in range(BATCH)]
        for b in range(BATCHES)
    ]
    bodies = [json.dumps(batch).encode() for batch in batches]
    headers = _headers(issued)

    proc, port = server.start()
    try:
        statuses = _send_and_kill(proc, port, headers, bodies)
    finally:
        stop_server(proc)
    acknowledged = {b for b, status in statuses.items() if status == 200}
    assert len(acknowledged) >= KILL_AFTER
    # Clients were still sending when the server died: some batches got no answer.
    assert set(statuses.values()) <= {200, 0}
    assert len(acknowledged) < BATCHES

    proc, port = server.start()
    try:
        ids, relations = server.stored()
        stored = set(ids)
        for b, batch in enumerate(batches):
            present = sum(uuid.UUID(s["id"]) in stored for s in batch)
            if b in acknowledged:
                assert present == BATCH, f"acknowledged batch {b} has {present} statements"
            else:
                assert present in {0, BATCH}, f"batch {b} was stored in part ({present})"
        assert relations == RELATIONS_PER_STATEMENT * len(ids)

        # Re-sending everything is accepted and completes the store without a duplicate.
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            resent = list(pool.map(lambda body: _post(port, headers, body), bodies))
        assert resent == [200] * BATCHES
        ids, relations = server.stored()
    finally:
        stop_server(proc)
    expected = {uuid.UUID(s["id"]) for batch in batches for s in batch}
    assert len(ids) == len(expected)
    assert set(ids) == expected
    assert relations == RELATIONS_PER_STATEMENT * len(expected)

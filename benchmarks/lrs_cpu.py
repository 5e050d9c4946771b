"""CPU time and queries of statement POSTs in-process: ``python -m benchmarks.lrs_cpu``.

The HTTP benchmark (``benchmarks.lrs``) measures wall time, which a shared, loaded
machine distorts. This one sends the same generated statements through the real view
with Django's test client and prints the process CPU time and the number of queries of
each POST (batches of 500 and single statements), the figures to compare a change by,
and the CPU time of the calibration view the HTTP benchmark holds a single POST against.
``--profile`` adds the functions that took the most CPU time in the batches.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import lrs_data
from benchmarks.lrs import (
    EMAIL,
    ensure_account,
    next_index,
    preload,
    prepare,
    save_next_index,
    statement_count,
)

BATCH = 500


def _client() -> Any:
    from django.test import Client

    from peerpath.lrs import services

    issued = services.lrs_key_create(name="LRS CPU benchmark")
    token = base64.b64encode(f"{issued.key.key}:{issued.secret}".encode()).decode()
    return Client(
        headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"},
    )


@dataclass(frozen=True)
class Run:
    cpu: float  # seconds of this process
    server_cpu: float  # seconds of the PostgreSQL backend (0 on SQLite, which is in-process)
    queries: int


def _server_seconds() -> float:
    """CPU seconds the PostgreSQL backend of this connection has used, read from /proc (the
    server runs on this machine); 0 on SQLite."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _post(client: Any, body: bytes, profile: cProfile.Profile | None, *, show: bool = False) -> Run:
    """One POST's CPU time and queries (asserting it was accepted)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    server = _server_seconds()
    with CaptureQueriesContext(connection) as queries:
        began = time.process_time()
        if profile is not None:
            profile.enable()
        response = client.post("/xapi/statements", body, content_type="application/json")
        if profile is not None:
            profile.disable()
        spent = time.process_time() - began
    server = _server_seconds() - server
    if response.status_code != 200:
        raise SystemExit(f"POST answered {response.status_code}: {response.content[:300]!r}")
    if show:
        for query in queries.captured_queries:
            print(f"  {query['sql'][:160]}")
    return Run(spent, server, len(queries.captured_queries))


def _calibration(requests: int) -> list[float]:
    """CPU seconds of each GET of the calibration view, the HTTP benchmark's yardstick."""
    from django.test import Client

    from peerpath.people.models import User

    ensure_account()
    client = Client()
    client.force_login(User.objects.get(email=EMAIL))
    spent = []
    for _ in range(requests + 5):
        began = time.process_time()
        response = client.get("/_calibration/")
        spent.append(time.process_time() - began)
        if response.status_code != 200:
            raise SystemExit(f"The calibration view answered {response.status_code}.")
    return spent[5:]


def _bodies(count: int, batch: int, total: int) -> list[bytes]:
    first = next_index()
    save_next_index(first + count * batch)
    return [
        json.dumps(
            lrs_data.statement(first + n, total)
            if batch == 1
            else [
                lrs_data.statement(i, total)
                for i in range(first + n * batch, first + (n + 1) * batch)
            ]
        ).encode()
        for n in range(count)
    ]


def _line(name: str, runs: list[Run], per: int) -> str:
    cpu = statistics.median(run.cpu for run in runs) * 1000
    # The server's clock ticks are 10 ms: a mean, not a median.
    server = statistics.mean(run.server_cpu for run in runs) * 1000
    counts = sorted({run.queries for run in runs})
    return (
        f"{name}: CPU ms median {cpu:.1f} (min {min(r.cpu for r in runs) * 1000:.1f}) = "
        f"{per / cpu * 1000:,.0f} statements per CPU second; database server CPU ms mean "
        f"{server:.1f}; queries {counts}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lrs_cpu", description=__doc__)
    parser.add_argument("--statements", type=int, default=20_000, help="statements preloaded")
    parser.add_argument("--db-url", default=None, help="database URL (default: SQLite)")
    parser.add_argument("--batches", type=int, default=8, help="POSTs of 500 measured")
    parser.add_argument("--singles", type=int, default=100, help="POSTs of one measured")
    parser.add_argument("--profile", action="store_true", help="print the costliest functions")
    parser.add_argument("--queries", action="store_true", help="print the SQL of one POST each")
    args = parser.parse_args(argv)
    prepare(args.db_url, fresh=False)
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if statement_count() < args.statements:
        preload(args.statements, args.statements)
    client = _client()
    total = args.statements
    for body in _bodies(2, BATCH, total) + _bodies(5, 1, total):  # warm-up
        _post(client, body, None)
    if args.queries:
        for batch in (BATCH, 1):
            print(f"Queries of a POST of {batch}:")
            _post(client, _bodies(1, batch, total)[0], None, show=True)
    # CPU time, not wall time: the machine is shared.
    profile = cProfile.Profile(time.process_time) if args.profile else None
    batches = [_post(client, body, profile) for body in _bodies(args.batches, BATCH, total)]
    singles = [_post(client, body, None) for body in _bodies(args.singles, 1, total)]
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"In-process POSTs at {statement_count():,} statements ({engine})")
    calibration = statistics.median(_calibration(args.singles)) * 1000
    print(_line(f"batch of {BATCH}", batches, BATCH))
    print(_line("single statement", singles, 1))
    single = statistics.median(run.cpu for run in singles) * 1000
    print(
        f"calibration view: CPU ms median {calibration:.1f}; "
        f"single statement ÷ calibration: {single / calibration:.2f}"
    )
    if profile is not None:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(30)
        out.write("\n")
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""CPU time and queries of statement POSTs in-process: ``python -m benchmarks.lrs_cpu``.

The HTTP benchmark (``benchmarks.lrs``) measures wall time, which a shared, loaded
machine distorts. This one sends the same generated statements through the real view
with Django's test client and prints the process CPU time and the number of queries of
each POST (batches of 500 and single statements), the figures to compare a change by.
``--profile`` adds the functions that took the most CPU time in the batches.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import io
import json
import pstats
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

from benchmarks import lrs_data
from benchmarks.lrs import next_index, preload, prepare, save_next_index, statement_count

BATCH = 500


def _client() -> Any:
    from django.test import Client

    from peerpath.lrs import services

    issued = services.lrs_key_create(name="LRS CPU benchmark")
    token = base64.b64encode(f"{issued.key.key}:{issued.secret}".encode()).decode()
    return Client(
        headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"},
    )


def _post(
    client: Any, body: bytes, profile: cProfile.Profile | None, *, show: bool = False
) -> tuple[float, int]:
    """One POST: its CPU seconds and query count (asserting it was accepted)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        began = time.process_time()
        if profile is not None:
            profile.enable()
        response = client.post("/xapi/statements", body, content_type="application/json")
        if profile is not None:
            profile.disable()
        spent = time.process_time() - began
    if response.status_code != 200:
        raise SystemExit(f"POST answered {response.status_code}: {response.content[:300]!r}")
    if show:
        for query in queries.captured_queries:
            print(f"  {query['sql'][:160]}")
    return spent, len(queries.captured_queries)


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


def _line(name: str, runs: list[tuple[float, int]], per: int) -> str:
    cpu = [spent * 1000 for spent, _ in runs]
    counts = sorted({n for _, n in runs})
    return (
        f"{name}: CPU ms median {statistics.median(cpu):.1f} (min {min(cpu):.1f}, max "
        f"{max(cpu):.1f}) = {per / statistics.median(cpu) * 1000:,.0f} statements per CPU "
        f"second; queries {counts}"
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
    print(_line(f"batch of {BATCH}", batches, BATCH))
    print(_line("single statement", singles, 1))
    if profile is not None:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(30)
        out.write("\n")
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(45)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Count each page's SQL queries in-process, against a tier's database.

``python -m benchmarks.inprocess --tier M`` prints one JSON line (after the
marker ``RESULT ``): the module page chosen for the run and, per page, the
number of queries with the slowest ones. It runs as its own process because
Peerpath's settings bind to one database when Django starts, and the runner
visits several tiers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.pages import PAGES, Page
from benchmarks.tiers import (
    ACCOUNTS,
    TIERS,
    apply_env,
    database_url_for,
    tier_env,
)

MARKER = "RESULT "
SLOWEST = 3
REPEATS = 5


def chosen_module_url() -> str:
    """The published module with the most completions: the page most people open."""
    from django.db.models import Count, Q

    from peerpath.content.models import Module

    module = (
        Module.objects.published()
        .annotate(done=Count("progress", filter=Q(progress__status="completed")))
        .order_by("-done", "id")
        .first()
    )
    if module is None:
        raise SystemExit("The tier has no published module.")
    return f"/learn/m/{module.public_id}/{module.slug}/"


class QueryTimer:
    """An execute wrapper timing every query with a fine clock (captured times are in ms)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds.append(time.perf_counter() - began)


@dataclass
class Run:
    status: int
    sqls: list[str]
    seconds: list[float]  # per query
    request_seconds: float


def _one_request(client: Any, url: str) -> Run:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timer = QueryTimer()
    began = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timer):
        response = client.get(url)
    elapsed = time.perf_counter() - began
    return Run(
        response.status_code, [q["sql"] for q in ctx.captured_queries], timer.seconds, elapsed
    )


def measure_page(page: Page, module_url: str, user: Any) -> dict[str, Any]:
    """Queries of one request (after a warm-up one), with each query's median time."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    url = page.url(module_url)
    client.get(url)  # warm-up: first-visit writes and caches do not count
    runs = [_one_request(client, url) for _ in range(REPEATS)]
    first = runs[0]
    if first.status != 200:
        raise SystemExit(f"{page.name} {url} answered {first.status} in-process")
    if len({len(r.sqls) for r in runs}) != 1:
        raise SystemExit(f"{page.name} {url} made a varying number of queries")
    times = [statistics.median(r.seconds[i] for r in runs) for i in range(len(first.sqls))]
    ranked = sorted(zip(times, first.sqls, strict=True), reverse=True)
    return {
        "queries": len(first.sqls),
        "request_ms": round(statistics.median(r.request_seconds for r in runs) * 1000, 2),
        "sql_ms": round(sum(times) * 1000, 2),
        "slowest": [{"ms": round(t * 1000, 3), "sql": sql[:600]} for t, sql in ranked[:SLOWEST]],
    }


def count_queries() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    users = {who: get_user_model().objects.get(email=email) for who, email in ACCOUNTS.items()}
    module_url = chosen_module_url()
    pages = {page.name: measure_page(page, module_url, users[page.who]) for page in PAGES}
    return {"module_url": module_url, "pages": pages}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.inprocess", description=__doc__)
    parser.add_argument("--tier", required=True, type=str.upper, choices=sorted(TIERS))
    parser.add_argument("--db-url", default=None)
    args = parser.parse_args(argv)
    tier = TIERS[args.tier]
    apply_env(tier_env(tier, database_url_for(tier, args.db_url)))
    import django

    django.setup()
    print(MARKER + json.dumps(count_queries()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

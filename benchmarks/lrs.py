"""Benchmark the Learning Record Store at scale: ``python -m benchmarks.lrs``.

Preloads statements straight into the database (the rows the store itself would
write, built by its own row functions), then measures the real xAPI endpoint on
gunicorn as production runs it: POST throughput with batches of 1 and of 500 from
several clients, and GET latency for the common filters, each next to the
calibration view's p95 of the same run. Ingest with batches of 500 is measured at
100,000 statements and again at the full size.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse, urlunparse

from benchmarks import lrs_data
from benchmarks.load import TIMEOUT, Sample, Session, hammer, sign_in
from benchmarks.server import HOST, running_server
from benchmarks.tiers import BENCH_VAR, ROOT, apply_env, ensure_postgres_database

VAR = BENCH_VAR / "lrs"
SMALL = 100_000
PRELOAD_CHUNK = 5_000
EMAIL = "lrs-bench@example.com"
PASSWORD = "bench-password-1"  # noqa: S105 - documented benchmark credential
RATIO_LIMIT = 3.0
INGEST_TARGET = 3_000.0
GET_TARGET_MS = 50.0
INGEST_RATIO_TARGET = 0.8


# --- Preparing the database -------------------------------------------------------------------


def var_dir(db_url: str | None) -> Path:
    """Static files, secret key, logs and figures (and the SQLite file) of one database kind."""
    return VAR / ("postgresql" if db_url else "sqlite")


def environment(db_url: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "peerpath.settings",
            "PEERPATH_VAR_DIR": str(var_dir(db_url)),
            "PEERPATH_CALIBRATION_VIEW": "1",
            "PEERPATH_LOG_LEVEL": env.get("PEERPATH_LOG_LEVEL", "WARNING"),
        }
    )
    if db_url:
        env["DATABASE_URL"] = db_url
    return env


def _drop_postgres_database(db_url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlparse(db_url)
    admin_url = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        name = sql.Identifier(parts.path.lstrip("/"))
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


def prepare(db_url: str | None, *, fresh: bool) -> dict[str, str]:
    """Create (or with ``fresh`` recreate) and migrate the database; set up Django here."""
    if fresh:
        if db_url:
            _drop_postgres_database(db_url)
        else:
            for suffix in ("", "-wal", "-shm"):
                (var_dir(db_url) / f"peerpath.sqlite3{suffix}").unlink(missing_ok=True)
    if db_url:
        ensure_postgres_database(db_url)
    env = environment(db_url)
    var_dir(db_url).mkdir(parents=True, exist_ok=True)
    for command in (("collectstatic", "--noinput"), ("migrate", "--noinput")):
        subprocess.run(
            [sys.executable, "-m", "django", *command, "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    apply_env(env)
    import django

    django.setup()
    return env


def statement_count() -> int:
    from peerpath.lrs.models import Statement

    return Statement.objects.count()


def preload(target: int, total: int) -> float:
    """Write statements up to ``target`` (of a store that will hold ``total``); the rate.

    The rows come from the store's own row functions, so they are exactly those a POST
    would write, with ``stored`` set to the statement's time so time filters have a
    year to cover.
    """
    from django.db import transaction

    from peerpath.lrs import services, validation
    from peerpath.lrs.models import LrsKey, Statement

    stored = start = statement_count()
    if start >= target:
        return float("nan")
    key, _ = LrsKey.objects.get_or_create(
        key="lrs-benchmark-preload", defaults={"name": "LRS benchmark preload", "secret_hash": "!"}
    )
    authority = services.authority_for(key)
    authority_key = validation.agent_key(authority) or ""
    began = time.perf_counter()
    reported = start
    first = next_index()
    while stored < target:
        indexes = range(first, first + min(PRELOAD_CHUNK, target - stored))
        first = indexes.stop
        ids = [lrs_data.statement_id(i) for i in indexes]
        # A POST that failed in an earlier run may have left a gap below the next index.
        taken = set(Statement.objects.filter(id__in=ids).values_list("id", flat=True))
        rows = [
            # The generated statements are already in the validator's normal form
            # (tests/benchmarks checks it), so validating each one again is skipped.
            services._row(
                services._checked(lrs_data.statement(i, total)),
                key=key,
                authority=authority,
                authority_key=authority_key,
                now=lrs_data.time_of(i, total),
            )
            for i, ident in zip(indexes, ids, strict=True)
            if ident not in taken
        ]
        with transaction.atomic():
            services._insert_statements(rows)
            services._insert_relations(rows)
        stored += len(rows)
        save_next_index(first)
        if stored - reported >= 100_000 or stored >= target:
            reported = stored
            rate = (stored - start) / (time.perf_counter() - began)
            print(f"  preloaded {stored:,} statements ({rate:,.0f}/s)", flush=True)
    _analyze()
    return (stored - start) / (time.perf_counter() - began)


def _index_file() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "next-index"


def next_index() -> int:
    """The first statement index no run has sent yet (preloaded or POSTed)."""
    path = _index_file()
    saved = int(path.read_text()) if path.exists() else 0
    return max(saved, statement_count())


def save_next_index(index: int) -> None:
    _index_file().write_text(str(index))


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def api_headers() -> dict[str, str]:
    """A fresh LRS key's credentials and the version header."""
    from peerpath.lrs import services

    issued = services.lrs_key_create(name="LRS benchmark")
    token = base64.b64encode(f"{issued.key.key}:{issued.secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}


def ensure_account() -> None:
    """The person whose session requests the calibration view."""
    from peerpath.people.models import User

    if not User.objects.filter(email=EMAIL).exists():
        User.objects.create_user(EMAIL, PASSWORD, display_name="LRS benchmark")


# --- Queries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    name: str
    params: dict[str, str]

    def path(self) -> str:
        return "/xapi/statements?" + urlencode(self.params)


def queries(total: int, limit: int, *, stored: int | None = None) -> list[Query]:
    """The common filters, on values that the generated statements really hold.

    ``stored`` is how many of the ``total`` statements the store holds when it is smaller
    (a run measured before its preload finished): the values come from those."""
    held = total if stored is None else min(stored, total)
    middle = lrs_data.shape(held // 2, total)
    agent = json.dumps(lrs_data.agent_json(middle.agent))
    activity = lrs_data.activity_iri(middle.activity)
    course = f"{lrs_data.COURSE_BASE}/{lrs_data.course_of(middle.activity):03d}"
    since = lrs_data.time_of(held * 3 // 4, total)
    until = since + (lrs_data.YEAR / 365)
    most_common_verb = lrs_data.verb_iri(lrs_data.VERBS[0][0])
    page = {"limit": str(limit)}
    return [
        Query("agent", {"agent": agent, **page}),
        Query("agent+activity", {"agent": agent, "activity": activity, **page}),
        Query("verb", {"verb": most_common_verb, **page}),
        Query("activity", {"activity": activity, **page}),
        Query(
            "since/until (1 day)",
            {"since": _z(since), "until": _z(until), **page},
        ),
        Query("registration", {"registration": str(middle.registration), **page}),
        Query(
            "related act.+agent",
            {"agent": agent, "activity": course, "related_activities": "true", **page},
        ),
    ]


def _z(moment: Any) -> str:
    return str(moment.isoformat().replace("+00:00", "Z"))


# --- Posting ----------------------------------------------------------------------------------


class IndexSource:
    """Hands out the next statement indexes, continuing after what the store holds."""

    def __init__(self, start: int) -> None:
        self._next = itertools.count(start)
        self._lock = threading.Lock()

    def take(self, n: int) -> list[int]:
        with self._lock:
            taken = [next(self._next) for _ in range(n)]
            save_next_index(taken[-1] + 1)
            return taken


def _post_worker(
    port: int,
    headers: dict[str, str],
    bodies: Iterator[bytes],
    lock: threading.Lock,
    start: threading.Barrier,
) -> tuple[list[float], dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    send = {**headers, "Content-Type": "application/json"}
    start.wait()
    try:
        while True:
            with lock:
                body = next(bodies, None)
            if body is None:
                break
            began = time.perf_counter()
            try:
                conn.request("POST", "/xapi/statements", body=body, headers=send)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            latencies.append(time.perf_counter() - began)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        conn.close()
    return latencies, statuses


def post_load(
    port: int,
    headers: dict[str, str],
    source: IndexSource,
    *,
    total: int,
    batch: int,
    requests: int,
    concurrency: int,
) -> Sample:
    """POST ``requests`` batches of ``batch`` new statements from ``concurrency`` clients."""
    # Bodies are built before the clock starts, so the figure is the server's alone.
    bodies = [
        json.dumps(
            lrs_data.statement(source.take(1)[0], total)
            if batch == 1
            else [lrs_data.statement(i, total) for i in source.take(batch)]
        ).encode()
        for _ in range(requests)
    ]
    pending = iter(bodies)
    lock = threading.Lock()
    clients = max(1, min(concurrency, requests))
    start = threading.Barrier(clients + 1)
    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [
            pool.submit(_post_worker, port, headers, pending, lock, start) for _ in range(clients)
        ]
        start.wait()
        began = time.perf_counter()
        results = [f.result() for f in futures]
        wall = time.perf_counter() - began
    statuses: dict[int, int] = {}
    for _, counts in results:
        for status, n in counts.items():
            statuses[status] = statuses.get(status, 0) + n
    errors = sum(n for status, n in statuses.items() if status != 200)
    return Sample([t for lat, _ in results for t in lat], errors, wall, statuses)


# --- A run ------------------------------------------------------------------------------------


@dataclass
class Ingest:
    size: int  # statements stored when the measurement started
    batch: int
    sample: Sample

    @property
    def statements_per_second(self) -> float:
        good = sum(n for status, n in self.sample.statuses.items() if status == 200)
        return good * self.batch / self.sample.wall if self.sample.wall else float("nan")


@dataclass
class Result:
    database: str
    total: int
    preload_rates: list[float] = field(default_factory=list)
    ingests: list[Ingest] = field(default_factory=list)
    gets: dict[str, Sample] = field(default_factory=dict)
    calibration_rounds: list[float] = field(default_factory=list)
    load: list[tuple[str, float]] = field(default_factory=list)

    def ingest(self, batch: int, size: int | None = None) -> Ingest | None:
        found = [i for i in self.ingests if i.batch == batch and (size is None or i.size == size)]
        return found[-1] if found else None


def _note_load(result: Result, moment: str) -> None:
    result.load.append((moment, os.getloadavg()[0]))


def _serve(env: dict[str, str], args: argparse.Namespace) -> Any:
    log = var_dir(args.db_url) / "gunicorn.log"
    return running_server(env, log, workers=args.workers, threads=args.threads)


def _measure_posts(
    port: int,
    headers: dict[str, str],
    source: IndexSource,
    args: argparse.Namespace,
    result: Result,
    *,
    size: int,
    batch: int,
    requests: int,
    warmup: int,
) -> None:
    """Time ``requests`` POSTs of ``batch`` statements after ``warmup`` untimed ones; record
    and print the figure."""
    load = {"total": args.statements, "batch": batch, "concurrency": args.post_concurrency}
    if warmup:
        post_load(port, headers, source, requests=warmup, **load)
    sample = post_load(port, headers, source, requests=requests, **load)
    result.ingests.append(Ingest(size, batch, sample))
    print(f"  {_ingest_line(result.ingests[-1])}", flush=True)


def measure_ingest(env: dict[str, str], args: argparse.Namespace, result: Result) -> None:
    """Ingest in batches of 500 at the current size (the 100,000-statement point)."""
    size = statement_count()
    headers = api_headers()
    with _serve(env, args) as port:
        source = IndexSource(next_index())
        _measure_posts(
            port,
            headers,
            source,
            args,
            result,
            size=size,
            batch=500,
            requests=args.batches,
            warmup=4,
        )


def measure_full(env: dict[str, str], args: argparse.Namespace, result: Result) -> None:
    size = statement_count()
    headers = api_headers()
    ensure_account()
    named = queries(args.statements, args.limit, stored=size)
    with _serve(env, args) as port:
        session = sign_in(HOST, port, EMAIL, PASSWORD)
        empty = Session()
        # The keyset page after the first page of the most common verb.
        first = _get_json(port, named[2].path(), headers)
        more = first.get("more") or ""
        if not more:
            raise SystemExit("The verb query returned a single page; preload more statements.")
        paths: dict[str, tuple[str, Session, dict[str, str] | None]] = {
            "calibration": ("/_calibration/", session, None),
            **{q.name: (q.path(), empty, headers) for q in named},
            "more (page 2)": (more, empty, headers),
        }
        for name, (path, who, extra) in paths.items():
            warm = hammer(
                HOST,
                port,
                path,
                who,
                requests=args.warmup,
                concurrency=args.concurrency,
                headers=extra,
            )
            if warm.errors:
                raise SystemExit(f"{name} answered {warm.statuses} during warm-up.")
        names = list(paths)
        samples: dict[str, list[Sample]] = {name: [] for name in names}
        rounds = max(1, min(args.rounds, args.requests))
        for n in range(rounds):
            share = args.requests // rounds + (n < args.requests % rounds)
            for name in names[n % len(names) :] + names[: n % len(names)]:
                path, who, extra = paths[name]
                sample = hammer(
                    HOST,
                    port,
                    path,
                    who,
                    requests=share,
                    concurrency=args.concurrency,
                    headers=extra,
                )
                samples[name].append(sample)
            print(f"  GET round {n + 1}/{rounds} done", flush=True)
        result.gets = {name: Sample.merge(s) for name, s in samples.items()}
        result.calibration_rounds = [s.p95_ms for s in samples["calibration"]]
        source = IndexSource(next_index())
        print("  POSTing single statements…", flush=True)
        _measure_posts(
            port,
            headers,
            source,
            args,
            result,
            size=size,
            batch=1,
            requests=args.singles,
            warmup=20,
        )
        print("  POSTing batches of 500…", flush=True)
        _measure_posts(
            port,
            headers,
            source,
            args,
            result,
            size=size,
            batch=500,
            requests=args.batches,
            warmup=0,
        )
        _note_load(result, "end of the HTTP measurements")


def _get_json(port: int, path: str, headers: dict[str, str]) -> dict[str, Any]:
    conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status != 200:
        raise SystemExit(f"GET {path} answered {response.status}: {body[:300]!r}")
    data: dict[str, Any] = json.loads(body)
    return data


# --- Reporting --------------------------------------------------------------------------------


def _ingest_line(ingest: Ingest) -> str:
    s = ingest.sample
    return (
        f"POST batch {ingest.batch} at {ingest.size:,}: {ingest.statements_per_second:,.0f} "
        f"statements/s, median {s.median_ms:.1f} ms, p95 {s.p95_ms:.1f} ms, statuses {s.statuses}"
    )


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def report(result: Result, args: argparse.Namespace) -> None:
    cal = result.gets["calibration"].p95_ms
    print(
        f"\nLRS benchmark · {result.database} · {result.total:,} statements preloaded · "
        f"gunicorn {args.workers} workers × {args.threads} threads"
    )
    print(f"\nPOST (clients: {args.post_concurrency})")
    header = f"{'batch':<8}{'at size':>12}{'requests':>10}{'stmts/s':>10}{'median ms':>11}"
    header += f"{'p95 ms':>9}{'p95/cal':>9}{'errors':>8}"
    print(header)
    print("-" * len(header))
    for ingest in result.ingests:
        s = ingest.sample
        print(
            f"{ingest.batch:<8}{ingest.size:>12,}{len(s.latencies):>10}"
            f"{ingest.statements_per_second:>10,.0f}{s.median_ms:>11.1f}{s.p95_ms:>9.1f}"
            f"{s.p95_ms / cal:>8.2f}×{s.errors:>8}"
        )
    print(f"\nGET, limit={args.limit} ({args.requests} requests each, clients: {args.concurrency})")
    header = f"{'query':<22}{'median ms':>10}{'p95 ms':>9}{'p95/cal':>9}{'req/s':>8}{'errors':>8}"
    print(header)
    print("-" * len(header))
    for name, s in result.gets.items():
        print(
            f"{name:<22}{s.median_ms:>10.1f}{s.p95_ms:>9.1f}{s.p95_ms / cal:>8.2f}×"
            f"{s.per_second:>8.1f}{s.errors:>8}"
        )
    rounds = " / ".join(f"{p95:.1f}" for p95 in result.calibration_rounds)
    print(f"calibration p95 per round (ms): {rounds}")
    preload = " / ".join(f"{r:,.0f}" for r in result.preload_rates if r == r)
    print(f"preload (direct writer) statements/s: {preload or 'none needed'}")
    for moment, load in result.load:
        print(f"1-minute load average ({moment}): {load:.2f} on {os.cpu_count()} cores")
    _targets(result, cal)


def _targets(result: Result, cal: float) -> None:
    print("\nTargets")
    full = result.ingest(500, None)
    small = next((i for i in result.ingests if i.batch == 500 and i.size < SMALL * 1.5), None)
    if full is not None:
        rate = full.statements_per_second
        print(
            f"  ingest, batches of 500: {rate:,.0f}/s (≥ {INGEST_TARGET:,.0f}/s): "
            f"{_verdict(rate >= INGEST_TARGET)}"
        )
    single = result.ingest(1)
    if single is not None:
        ratio = single.sample.p95_ms / cal
        print(
            f"  single-statement POST p95 {ratio:.2f}× calibration (≤ {RATIO_LIMIT:.0f}×): "
            f"{_verdict(ratio <= RATIO_LIMIT)}"
        )
    pair = result.gets["agent+activity"].p95_ms
    print(
        f"  GET agent+activity p95 {pair:.1f} ms at {result.total:,} (< {GET_TARGET_MS:.0f} ms): "
        f"{_verdict(pair < GET_TARGET_MS)}"
    )
    if small is not None and full is not None and small is not full:
        ratio = full.statements_per_second / small.statements_per_second
        print(
            f"  ingest at {full.size:,} ÷ at {small.size:,}: {ratio:.2f} "
            f"(≥ {INGEST_RATIO_TARGET}): {_verdict(ratio >= INGEST_RATIO_TARGET)}"
        )
    else:
        print("  ingest ratio: not measured (the database already held more than 100,000).")


def save_json(result: Result, args: argparse.Namespace) -> Path:
    data = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "database": result.database,
        "statements": result.total,
        "settings": {k: v for k, v in vars(args).items() if k != "db_url"},
        "load_average": result.load,
        "preload_per_second": [r for r in result.preload_rates if r == r],
        "post": [
            {
                "batch": i.batch,
                "size": i.size,
                "statements_per_second": i.statements_per_second,
                "median_ms": i.sample.median_ms,
                "p95_ms": i.sample.p95_ms,
                "statuses": i.sample.statuses,
            }
            for i in result.ingests
        ],
        "get": {
            name: {"median_ms": s.median_ms, "p95_ms": s.p95_ms, "statuses": s.statuses}
            for name, s in result.gets.items()
        },
    }
    scheme = "postgresql" if args.db_url else "sqlite"
    path = var_dir(args.db_url) / f"results-{scheme}-{result.total}.json"
    path.write_text(json.dumps(data, indent=2))
    return path


# --- Command line -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.lrs", description=__doc__)
    parser.add_argument("--statements", type=int, default=1_000_000, help="statements preloaded")
    parser.add_argument("--db-url", default=None, help="database URL (default: SQLite)")
    parser.add_argument("--fresh", action="store_true", help="start from an empty database")
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="measure the statements already stored (of a --statements run) without preloading",
    )
    parser.add_argument("--requests", type=int, default=200, help="timed GETs per query")
    parser.add_argument("--concurrency", type=int, default=4, help="simultaneous GET clients")
    parser.add_argument("--warmup", type=int, default=10, help="untimed GETs per query first")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds over queries")
    parser.add_argument("--limit", type=int, default=100, help="statements per GET page")
    parser.add_argument("--batches", type=int, default=40, help="timed POSTs of 500 statements")
    parser.add_argument("--singles", type=int, default=400, help="timed POSTs of one statement")
    parser.add_argument("--post-concurrency", type=int, default=4, help="simultaneous POSTers")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    return parser


def _describe(db_url: str | None) -> str:
    if not db_url:
        return f"SQLite {var_dir(db_url) / 'peerpath.sqlite3'}"
    parts = urlparse(db_url)
    return f"{parts.scheme} {parts.hostname}:{parts.port or ''}{parts.path}"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.statements < 2 * args.limit:
        raise SystemExit("--statements must be at least twice --limit.")
    env = prepare(args.db_url, fresh=args.fresh)
    held = statement_count() if args.measure_only else args.statements
    result = Result(_describe(args.db_url), held)
    _note_load(result, "start")
    small = min(SMALL, args.statements)
    if args.measure_only:
        print(f"Measuring the {held:,} statements already stored.", flush=True)
    elif statement_count() <= small:
        print(f"Preloading {small:,} statements…", flush=True)
        result.preload_rates.append(preload(small, args.statements))
        print("Measuring ingest at this size…", flush=True)
        measure_ingest(env, args, result)
    if not args.measure_only:
        print(f"Preloading up to {args.statements:,} statements…", flush=True)
        result.preload_rates.append(preload(args.statements, args.statements))
    _note_load(result, "before the HTTP measurements")
    measure_full(env, args, result)
    report(result, args)
    print(f"\nFigures saved to {save_json(result, args)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark leaderboards at scale: ``python -m benchmarks.leaderboard``.

Builds an organisation of ``--people`` people (default 100,000) in teams of 12 and
departments of about 5,000, with ``--entries`` points-ledger rows (default 10,000,000,
spread over the last year) and the tallies the ledger implies (week, month and all time
per person). Then, as ``benchmarks.run`` does for the main pages, it counts each
leaderboard page's SQL queries in-process and times the page on gunicorn (started as
``peerpath run`` starts it) next to the calibration view, in interleaved rounds. The
same is done for an organisation a hundredth of the size: the query counts must match.

The bulk load is done by the database itself (INSERT ... SELECT over a generated
series), with the tables' secondary indexes and constraints dropped during the load
and rebuilt after it, as one would load a warehouse.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from benchmarks.load import Sample, Session, hammer, sign_in
from benchmarks.server import HOST, running_server
from benchmarks.tiers import BENCH_VAR, ROOT, apply_env, ensure_postgres_database

VAR = BENCH_VAR / "leaderboard"
MARKER = "RESULT "
TEAM_SIZE = 12
DEPARTMENT_SIZE = 5_000
DAYS = 365
OPTED_OUT_EVERY = 33  # about 3 % of people keep off leaderboards
TEAMS_OFF_EVERY = 50  # one team in fifty has its leaderboards switched off
SCOPES = ("team", "department", "organisation")
PERIODS = ("week", "month", "all")
RATIO_LIMIT = 3.0
PASSWORD = "bench-password-1"  # noqa: S105 - documented benchmark credential
# Points per action, so totals differ from person to person.
ACTIONS = (
    ("module_completed", 10),
    ("assessment_passed", 15),
    ("review_done", 20),
    ("kudos_received", 5),
    ("path_completed", 50),
    ("module_published", 30),
)


def size_name(people: int) -> str:
    return f"{people}p"


def var_dir(db_url: str | None, people: int) -> Path:
    return VAR / ("postgresql" if db_url else "sqlite") / size_name(people)


def database_url(db_url: str | None, people: int) -> str | None:
    """One database per size: the name gets ``_<people>p`` appended."""
    if not db_url:
        return None
    parts = urlparse(db_url)
    return urlunparse(parts._replace(path=f"{parts.path}_{size_name(people)}"))


def environment(db_url: str | None, people: int) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "peerpath.settings",
            "PEERPATH_VAR_DIR": str(var_dir(db_url, people)),
            "PEERPATH_CALIBRATION_VIEW": "1",
            "PEERPATH_LOG_LEVEL": env.get("PEERPATH_LOG_LEVEL", "WARNING"),
        }
    )
    url = database_url(db_url, people)
    if url:
        env["DATABASE_URL"] = url
    return env


def drop_database(db_url: str | None, people: int) -> None:
    url = database_url(db_url, people)
    if url is None:
        (var_dir(db_url, people) / "peerpath.sqlite3").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    parts = urlparse(url)
    admin_url = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(parts.path.lstrip("/"))
            )
        )


def prepare(db_url: str | None, people: int) -> None:
    """Migrate this size's database and set Django up in this process."""
    env = environment(db_url, people)
    url = database_url(db_url, people)
    if url:
        ensure_postgres_database(url)
    var_dir(db_url, people).mkdir(parents=True, exist_ok=True)
    for command in ("migrate", "collectstatic"):
        subprocess.run(
            [sys.executable, "-m", "django", command, "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    apply_env(env)
    import django

    django.setup()


# --- Building the organisation -------------------------------------------------------------


def _hash(column: str, salt: int) -> str:
    """A deterministic pseudo-random non-negative integer from a row number, in SQL that
    SQLite and PostgreSQL both evaluate the same way (Knuth's multiplicative hash)."""
    return f"((({column} + {salt}) * 2654435761) % 4294967296)"


class SecondaryIndexes:
    """Drop a table's secondary indexes and constraints for a bulk load, then rebuild
    them from the definitions the database itself reported."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.indexes: list[tuple[str, str]] = []
        self.constraints: list[tuple[str, str]] = []

    def __enter__(self) -> SecondaryIndexes:
        from django.db import connection

        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('u', 'f', 'c')",
                    [self.table],
                )
                self.constraints = list(cursor.fetchall())
                for name, _ in self.constraints:
                    cursor.execute(f'ALTER TABLE "{self.table}" DROP CONSTRAINT "{name}"')
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                    [self.table],
                )
            else:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = %s AND sql IS NOT NULL",
                    [self.table],
                )
            self.indexes = list(cursor.fetchall())
            for name, _ in self.indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, *exc: object) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            for _, definition in self.indexes:
                cursor.execute(definition)
            for name, definition in self.constraints:
                cursor.execute(f'ALTER TABLE "{self.table}" ADD CONSTRAINT "{name}" {definition}')


def _tune_sqlite_for_load() -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA cache_size = -1000000")  # 1 GB
        cursor.execute("PRAGMA temp_store = MEMORY")


def _entries_sql(vendor: str, *, first_person: int, per_person: int, total: int, now: int) -> str:
    """INSERT ... SELECT of ``total`` ledger rows, ``per_person`` per person in turn."""
    from peerpath.recognition.models import PointEntry

    table = PointEntry._meta.db_table
    pick = _hash("n", 7)
    action = "CASE " + " ".join(
        f"WHEN {pick} % {len(ACTIONS)} = {i} THEN '{name}'" for i, (name, _) in enumerate(ACTIONS)
    )
    points = "CASE " + " ".join(
        f"WHEN {pick} % {len(ACTIONS)} = {i} THEN {value}" for i, (_, value) in enumerate(ACTIONS)
    )
    seconds_ago = f"({_hash('n', 13)} % {DAYS * 86400})"
    if vendor == "postgresql":
        series = f"SELECT n FROM generate_series(0, {total - 1}) AS n"
        occurred = f"to_timestamp({now} - {seconds_ago})"
        recorded = f"to_timestamp({now})"
        source = "'bench:' || n"
        head = f"INSERT INTO {table}"
        tail = f"FROM ({series}) AS seq"
    else:
        occurred = f"datetime({now} - {seconds_ago}, 'unixepoch')"
        recorded = f"datetime({now}, 'unixepoch')"
        source = "'bench:' || n"
        head = (
            f"WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq "
            f"WHERE n < {total - 1}) INSERT INTO {table}"
        )
        tail = "FROM seq"
    return (
        f"{head} (person_id, action, points, source_key, description, counterpart_id, "
        f"occurred_at, recorded_at, reverses_id, reason, actor_id) "
        f"SELECT {first_person} + n / {per_person}, {action} END, {points} END, {source}, "
        f"'Benchmark entry', NULL, {occurred}, {recorded}, NULL, '', NULL {tail}"
    )


def _tallies_sql(vendor: str) -> list[str]:
    """The week, month and all-time tallies the ledger implies, with each person's team,
    department and listing copied on."""
    from peerpath.people.models import Team, User
    from peerpath.recognition.models import PointEntry, PointTally

    entries = PointEntry._meta.db_table
    tallies = PointTally._meta.db_table
    users = User._meta.db_table
    teams = Team._meta.db_table
    if vendor == "postgresql":
        week = "date_trunc('week', occurred_at AT TIME ZONE 'UTC')::date"
        month = "date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date"
        all_time = "DATE '1970-01-01'"
    else:
        week = "date(occurred_at, 'weekday 0', '-6 days')"
        month = "strftime('%Y-%m-01', occurred_at)"
        all_time = "'1970-01-01'"
    statements = []
    for period, start in (("week", week), ("month", month), ("all", all_time)):
        statements.append(
            f"INSERT INTO {tallies} (person_id, period, period_start, points, team_id, "
            f"department_id, listed) "
            f"SELECT g.person_id, '{period}', g.start, g.points, u.team_id, t.department_id, "
            f"u.is_active FROM (SELECT person_id, {start} AS start, SUM(points) AS points "
            f"FROM {entries} GROUP BY person_id, {start}) AS g "
            f"JOIN {users} AS u ON u.id = g.person_id LEFT JOIN {teams} AS t ON t.id = u.team_id"
        )
    return statements


def build(*, people: int, entries: int) -> dict[str, float]:
    """The organisation, its ledger and tallies; seconds per step."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from peerpath.people.models import Department, Team, User
    from peerpath.recognition.models import (
        LeaderboardPreference,
        PointBalance,
        PointEntry,
        PointTally,
        TeamLeaderboardSetting,
    )

    vendor = connection.vendor
    timings: dict[str, float] = {}
    _tune_sqlite_for_load()
    began = time.perf_counter()
    with transaction.atomic():
        departments = Department.objects.bulk_create(
            Department(name=f"Department {d}", slug=f"department-{d}")
            for d in range(max(1, people // DEPARTMENT_SIZE))
        )
        team_count = max(1, people // TEAM_SIZE)
        teams = Team.objects.bulk_create(
            (
                Team(
                    name=f"Team {t}",
                    slug=f"team-{t}",
                    department=departments[t % len(departments)],
                )
                for t in range(team_count)
            ),
            batch_size=5_000,
        )
        unusable = make_password(None)
        joined = timezone.now()
        User.objects.bulk_create(
            (
                User(
                    email=f"person{p}@leaderboard.example",
                    display_name=f"Person {p}",
                    team=teams[p % team_count],
                    password=unusable,
                    is_active=p % 97 != 5,
                    date_joined=joined,
                )
                for p in range(people)
            ),
            batch_size=5_000,
        )
        ids = User.objects.filter(email__endswith="@leaderboard.example").order_by("pk")
        first_person = ids.values_list("pk", flat=True)[0]
        if ids.count() != people or ids.last().pk != first_person + people - 1:  # type: ignore[union-attr]
            raise SystemExit("People ids are not contiguous; build into an empty database.")
        LeaderboardPreference.objects.bulk_create(
            (
                LeaderboardPreference(person_id=first_person + p, hidden=True)
                for p in range(0, people, OPTED_OUT_EVERY)
            ),
            batch_size=5_000,
        )
        TeamLeaderboardSetting.objects.bulk_create(
            TeamLeaderboardSetting(team=team, enabled=False)
            for team in teams[TEAMS_OFF_EVERY - 1 :: TEAMS_OFF_EVERY]
        )
    timings["people"] = time.perf_counter() - began

    now = int(time.time())
    began = time.perf_counter()
    with transaction.atomic(), SecondaryIndexes(PointEntry._meta.db_table):
        with connection.cursor() as cursor:
            cursor.execute(
                _entries_sql(
                    vendor,
                    first_person=first_person,
                    per_person=max(1, entries // people),
                    total=entries,
                    now=now,
                )
            )
        timings["ledger rows"] = time.perf_counter() - began
        began = time.perf_counter()
    timings["ledger indexes"] = time.perf_counter() - began

    began = time.perf_counter()
    with transaction.atomic(), SecondaryIndexes(PointTally._meta.db_table):
        with connection.cursor() as cursor:
            for statement in _tallies_sql(vendor):
                cursor.execute(statement)
            # Opted-out people and switched-off teams are not ranked.
            cursor.execute(
                f"UPDATE {PointTally._meta.db_table} SET listed = %s WHERE person_id IN "
                f"(SELECT person_id FROM {LeaderboardPreference._meta.db_table} WHERE hidden) "
                f"OR team_id IN (SELECT team_id FROM {TeamLeaderboardSetting._meta.db_table} "
                f"WHERE NOT enabled)",
                [False],
            )
            cursor.execute(
                f"INSERT INTO {PointBalance._meta.db_table} (person_id, total, level, updated_at) "
                f"SELECT person_id, points, 1 + points / 1000, %s "
                f"FROM {PointTally._meta.db_table} WHERE period = 'all'",
                [timezone.now()],
            )
        timings["tally rows"] = time.perf_counter() - began
        began = time.perf_counter()
    timings["tally indexes"] = time.perf_counter() - began
    if vendor == "postgresql":
        # As autovacuum would within minutes of a bulk insert: statistics, and the
        # visibility map that lets counts read the index alone. SQLite files are left
        # un-analysed, as a production SQLite file is (and as the page benchmarks do).
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        timings["vacuum analyze"] = time.perf_counter() - began
    return timings


def built(people: int, entries: int) -> bool:
    from django.contrib.auth import get_user_model

    from peerpath.recognition.models import PointEntry

    last = PointEntry.objects.order_by("-pk").values_list("source_key", flat=True).first()
    return last == f"bench:{entries - 1}" and get_user_model().objects.count() == people


# --- Measuring -----------------------------------------------------------------------------


def viewer_for_benchmark() -> Any:
    """A ranked person in the middle of the organisation's all-time board: outside the
    top on every organisation and department board, as most people are."""
    from peerpath.recognition.models import PointTally

    listed = PointTally.objects.filter(period="all", listed=True).order_by("-points", "person_id")
    middle = listed.select_related("person")[listed.count() // 2]
    return middle.person


def count_queries(client: Any, url: str) -> tuple[int, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def board_urls() -> dict[str, str]:
    from django.urls import reverse

    base = reverse("recognition:leaderboards")
    return {
        f"{scope} / {period}": f"{base}?scope={scope}&period={period}"
        for scope in SCOPES
        for period in PERIODS
    }


def count_all_queries(viewer: Any) -> dict[str, dict[str, Any]]:
    """Each board's SQL for one signed-in request (after a warm-up), in this process."""
    from django.test import Client

    client = Client()
    client.force_login(viewer)
    pages: dict[str, dict[str, Any]] = {}
    for name, url in board_urls().items():
        client.get(url)
        queries, sqls = count_queries(client, url)
        pages[name] = {"queries": queries, "sql": sqls}
    return pages


def timed_rounds(port: int, session: Session, args: argparse.Namespace) -> dict[str, Sample]:
    """Every board and the calibration view, spread over interleaved rounds in rotating
    order (as ``benchmarks.run`` does), so background noise lands on all of them alike."""
    urls = {"calibration view": "/_calibration/", **board_urls()}
    names = list(urls)
    for name in names:
        warm = hammer(HOST, port, urls[name], session, requests=args.warmup, concurrency=1)
        if warm.errors:
            raise SystemExit(f"{urls[name]} answered {warm.statuses} while warming up")
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    rounds = max(1, min(args.rounds, args.requests))
    for n in range(rounds):
        share = args.requests // rounds + (n < args.requests % rounds)
        for name in names[n % len(names) :] + names[: n % len(names)]:
            sample = hammer(
                HOST, port, urls[name], session, requests=share, concurrency=args.concurrency
            )
            if sample.errors:
                raise SystemExit(f"{urls[name]} answered {sample.statuses}")
            samples[name].append(sample)
    return {name: Sample.merge(parts) for name, parts in samples.items()}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    """Query counts in-process, then latency through gunicorn as production serves it."""
    from django.db import connections

    viewer = viewer_for_benchmark()
    viewer.set_password(PASSWORD)
    viewer.save(update_fields=["password"])
    counted = count_all_queries(viewer)
    connections.close_all()
    log = var_dir(args.db_url, args.people) / "gunicorn.log"
    env = dict(os.environ)
    with running_server(env, log, workers=args.workers, threads=args.threads) as port:
        session = sign_in(HOST, port, viewer.email, PASSWORD)
        timed = timed_rounds(port, session, args)
    calibration = timed.pop("calibration view")
    return {
        "viewer": viewer.display_name,
        "calibration": {"median_ms": calibration.median_ms, "p95_ms": calibration.p95_ms},
        "pages": {
            name: {
                "queries": counted[name]["queries"],
                "median_ms": sample.median_ms,
                "p95_ms": sample.p95_ms,
                "per_second": sample.per_second,
                "sql": counted[name]["sql"],
            }
            for name, sample in timed.items()
        },
    }


def run_one(args: argparse.Namespace) -> int:
    """Build (if needed) and measure one size; print the figures as one JSON line."""
    if args.fresh:
        drop_database(args.db_url, args.people)
    prepare(args.db_url, args.people)
    from django.db import connection

    timings: dict[str, float] = {}
    if not built(args.people, args.entries):
        if connection.vendor == "sqlite":
            connection.close()
            drop_database(None, args.people)
            prepare(None, args.people)
        print(
            f"building {args.people:,} people and {args.entries:,} ledger rows "
            f"on {connection.vendor}…",
            flush=True,
        )
        timings = build(people=args.people, entries=args.entries)
        print(
            "  " + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items()),
            flush=True,
        )
    from peerpath.recognition.models import PointEntry, PointTally

    counts = {"entries": PointEntry.objects.count(), "tallies": PointTally.objects.count()}
    result = measure(args)
    result.update({"people": args.people, "counts": counts, "build_seconds": timings})
    result["vendor"] = connection.vendor
    print(MARKER + json.dumps(result), flush=True)
    return 0


def _load() -> float:
    return os.getloadavg()[0]


def _child(args: argparse.Namespace, people: int, entries: int) -> dict[str, Any]:
    argv = [
        sys.executable,
        "-m",
        "benchmarks.leaderboard",
        "--one",
        "--people",
        str(people),
        "--entries",
        str(entries),
        "--requests",
        str(args.requests),
        "--concurrency",
        str(args.concurrency),
        "--rounds",
        str(args.rounds),
        "--warmup",
        str(args.warmup),
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
    ]
    if args.db_url:
        argv += ["--db-url", args.db_url]
    if args.fresh:
        argv.append("--fresh")
    began = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    result: dict[str, Any] | None = None
    if proc.stdout is None:
        raise SystemExit("no output from the measuring process")
    for line in proc.stdout:
        if line.startswith(MARKER):
            result = json.loads(line[len(MARKER) :])
        else:
            print(line, end="", flush=True)
    if proc.wait() != 0 or result is None:
        raise SystemExit(f"measuring {people:,} people failed")
    result["wall_seconds"] = time.perf_counter() - began
    return result


def report(results: list[dict[str, Any]]) -> bool:
    small, large = results
    ok = True
    for result in results:
        counts = result["counts"]
        print(
            f"\n{result['vendor']}: {result['people']:,} people, {counts['entries']:,} ledger "
            f"rows, {counts['tallies']:,} tally rows; viewer {result['viewer']}"
        )
        if result["build_seconds"]:
            total = sum(result["build_seconds"].values())
            print(f"  built in {total:.0f} s")
        cal = result["calibration"]
        print(f"  {'page':<26}{'median ms':>10}{'p95 ms':>9}{'p95/cal':>9}{'queries':>9}")
        print(f"  {'calibration view':<26}{cal['median_ms']:>10.1f}{cal['p95_ms']:>9.1f}")
        for name, page in result["pages"].items():
            ratio = page["p95_ms"] / cal["p95_ms"]
            ok = ok and ratio <= RATIO_LIMIT
            print(
                f"  {name:<26}{page['median_ms']:>10.1f}{page['p95_ms']:>9.1f}"
                f"{ratio:>8.1f}×{page['queries']:>9}"
            )
    print(f"\nqueries at {small['people']:,} and {large['people']:,} people:")
    for name, page in large["pages"].items():
        same = small["pages"][name]["queries"] == page["queries"]
        ok = ok and same
        print(
            f"  {name:<26}{small['pages'][name]['queries']:>4}{page['queries']:>4}  "
            f"{'same' if same else 'DIFFERS'}"
        )
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db-url", help="PostgreSQL URL (default: SQLite files)")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--concurrency", type=int, default=4, help="simultaneous clients")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds over the pages")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--fresh", action="store_true", help="rebuild the organisations")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        return run_one(args)
    load_before = _load()
    print(f"load average (1 min) before: {load_before:.2f} on {os.cpu_count()} cores")
    small = _child(args, max(1, args.people // 100), max(1, args.entries // 100))
    large = _child(args, args.people, args.entries)
    ok = report([small, large])
    print(f"load average (1 min) after: {_load():.2f}")
    out = VAR / f"results-{'postgresql' if args.db_url else 'sqlite'}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([small, large], indent=2))
    print(f"figures written to {out.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

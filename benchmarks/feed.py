"""Benchmark the home feed at scale: ``python -m benchmarks.feed``.

Builds an organisation of ``--people`` people (default 100,000) in teams of 12 and
departments of about 5,000, each following 20 colleagues, with ``--activities`` feed
items (default 5,000,000, spread over the last year, a quarter of people's activity
visible to their team only and a twentieth private), shares to the viewer, promoted
summaries and Curated modules in the viewer's skills. Then, as the leaderboard
benchmark does, it counts the feed pages' SQL queries in-process and times them on
gunicorn next to the calibration view, in interleaved rounds; the same for an
organisation a hundredth of the size, where the query counts must match.

The bulk load is done by the database (INSERT ... SELECT over a generated series) with
the activity table's secondary indexes dropped during the load and rebuilt after it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from benchmarks.leaderboard import SecondaryIndexes, _hash, _tune_sqlite_for_load, count_queries
from benchmarks.load import Sample, Session, hammer, sign_in
from benchmarks.server import HOST, running_server
from benchmarks.tiers import BENCH_VAR, ROOT, apply_env, ensure_postgres_database

VAR = BENCH_VAR / "feed"
MARKER = "RESULT "
TEAM_SIZE = 12
DEPARTMENT_SIZE = 5_000
FOLLOWS = 20
MODULES = 500
DAYS = 365
RATIO_LIMIT = 3.0
PASSWORD = "bench-password-1"  # noqa: S105 - documented benchmark credential
VERBS = ("completed", "passed", "path_completed", "certified", "badge", "published")


def size_name(people: int) -> str:
    return f"{people}p"


def var_dir(db_url: str | None, people: int) -> Path:
    return VAR / ("postgresql" if db_url else "sqlite") / size_name(people)


def database_url(db_url: str | None, people: int) -> str | None:
    """One database per size: the name gets ``_feed_<people>p`` appended."""
    if not db_url:
        return None
    parts = urlparse(db_url)
    return urlunparse(parts._replace(path=f"{parts.path}_feed_{size_name(people)}"))


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


def prepare(db_url: str | None, people: int) -> None:
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


# --- Building ------------------------------------------------------------------------------


def _series(vendor: str, total: int, table: str) -> tuple[str, str]:
    if vendor == "postgresql":
        return f"INSERT INTO {table}", f"FROM generate_series(0, {total - 1}) AS n"
    return (
        f"WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq "
        f"WHERE n < {total - 1}) INSERT INTO {table}",
        "FROM seq",
    )


def _at(vendor: str, now: int, seconds_ago: str) -> str:
    if vendor == "postgresql":
        return f"to_timestamp({now} - {seconds_ago})"
    return f"datetime({now} - {seconds_ago}, 'unixepoch')"


def _uuid(vendor: str, salt: str) -> str:
    if vendor == "postgresql":
        return f"md5('{salt}' || n)::uuid"
    return f"printf('%016x%016x', {len(salt)}, n)"


def build(*, people: int, activities: int) -> dict[str, float]:
    """People, follows, activity, shares, summaries; seconds per step."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from peerpath.content.models import Module
    from peerpath.people.models import Department, Team, User
    from peerpath.skills.models import Skill
    from peerpath.social.models import (
        Activity,
        Follow,
        Share,
        ShareRecipient,
        SkillFollow,
        Summary,
    )

    vendor = connection.vendor
    timings: dict[str, float] = {}
    _tune_sqlite_for_load()
    began = time.perf_counter()
    now_dt = timezone.now()
    with transaction.atomic():
        departments = Department.objects.bulk_create(
            Department(name=f"Department {d}", slug=f"department-{d}")
            for d in range(max(1, people // DEPARTMENT_SIZE))
        )
        team_count = max(1, people // TEAM_SIZE)
        teams = Team.objects.bulk_create(
            (
                Team(
                    name=f"Team {t}", slug=f"team-{t}", department=departments[t % len(departments)]
                )
                for t in range(team_count)
            ),
            batch_size=5_000,
        )
        unusable = make_password(None)
        User.objects.bulk_create(
            (
                User(
                    email=f"person{p}@feed.example",
                    display_name=f"Person {p}",
                    team=teams[p % team_count],
                    password=unusable,
                    date_joined=now_dt,
                )
                for p in range(people)
            ),
            batch_size=5_000,
        )
        ids = User.objects.filter(email__endswith="@feed.example").order_by("pk")
        first = ids.values_list("pk", flat=True)[0]
        if ids.count() != people or ids.last().pk != first + people - 1:  # type: ignore[union-attr]
            raise SystemExit("People ids are not contiguous; build into an empty database.")
        skill = Skill.objects.create(name="Customer care", slug="customer-care")
        modules = Module.objects.bulk_create(
            Module(
                slug=f"module-{m}",
                title=f"Module {m}",
                summary="A benchmark module.",
                estimated_minutes=10,
                owner_id=first + m % people,
                status="published",
                published_at=now_dt,
            )
            for m in range(MODULES)
        )
        Module.skills.through.objects.bulk_create(
            Module.skills.through(module_id=m.pk, skill_id=skill.pk) for m in modules[::5]
        )
    timings["people"] = time.perf_counter() - began

    now = int(time.time())
    first_team, first_dept = teams[0].pk, departments[0].pk
    first_module = modules[0].pk
    began = time.perf_counter()
    with transaction.atomic():
        head, tail = _series(vendor, people * FOLLOWS, Follow._meta.db_table)
        follower = f"{first} + n / {FOLLOWS}"
        # Followees spread over the organisation, never oneself, one row per pair.
        stride = max(1, people // (FOLLOWS + 1))
        followee = f"{first} + (n / {FOLLOWS} + 1 + (n % {FOLLOWS}) * {stride}) % {people}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"{head} (follower_id, followee_id, created_at) "
                f"SELECT {follower}, {followee}, {_at(vendor, now, '0')} {tail}"
            )
    timings["follows"] = time.perf_counter() - began

    began = time.perf_counter()
    table = Activity._meta.db_table
    per_person = max(1, activities // people)
    with transaction.atomic(), SecondaryIndexes(table):
        head, tail = _series(vendor, activities, table)
        person = f"(n / {per_person}) % {people}"
        verb = "CASE " + " ".join(
            f"WHEN {_hash('n', 3)} % {len(VERBS)} = {i} THEN '{v}'" for i, v in enumerate(VERBS)
        )
        visibility = (
            f"CASE WHEN {person} % 20 = 7 THEN 'private' "
            f"WHEN {person} % 4 = 1 THEN 'team' ELSE 'everyone' END"
        )
        team = f"{first_team} + {person} % {team_count}"
        dept = f"{first_dept} + ({person} % {team_count}) % {len(departments)}"
        created = _at(vendor, now, f"({_hash('n', 13)} % {DAYS * 86400})")
        with connection.cursor() as cursor:
            cursor.execute(
                f"{head} (public_id, actor_id, verb, module_id, path_id, other_person_id, "
                f"subject_title, subject_url, excerpt, source_key, visibility, team_id, "
                f"department_id, created_at, like_count, comment_count) "
                f"SELECT {_uuid(vendor, 'a')}, {first} + {person}, {verb} END, "
                f"{first_module} + {_hash('n', 5)} % {MODULES}, NULL, NULL, '', '', '', "
                f"'bench:' || n, {visibility}, {team}, {dept}, "
                f"{created}, "
                f"{_hash('n', 17)} % 4, {_hash('n', 19)} % 3 {tail}"
            )
        timings["activity rows"] = time.perf_counter() - began
        began = time.perf_counter()
    timings["activity indexes"] = time.perf_counter() - began

    began = time.perf_counter()
    viewer = User.objects.get(pk=first + people // 2)
    with transaction.atomic():
        SkillFollow.objects.create(person=viewer, skill=skill)
        for s in range(200):
            at = now_dt - timedelta(days=s % DAYS, minutes=s)
            share = Share.objects.create(
                sender_id=first + s % people,
                module=modules[s % MODULES],
                message=f"Have a look {s}",
                created_at=at,
            )
            ShareRecipient.objects.create(share=share, person=viewer, created_at=at)
        Summary.objects.bulk_create(
            Summary(
                author_id=first + s,
                module=modules[s % MODULES],
                kind="summary",
                body=f"Summary {s}: what helped me most.",
                audience=("team", "department", "organisation")[s % 3],
                promoted_at=now_dt - timedelta(days=s % DAYS, minutes=s),
                team_id=first_team + s % team_count,
                department_id=first_dept + (s % team_count) % len(departments),
                helpful_count=s % 9,
            )
            for s in range(min(600, people))
        )
    timings["shares and summaries"] = time.perf_counter() - began
    if vendor == "postgresql":
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        timings["vacuum analyze"] = time.perf_counter() - began
    return timings


def built(people: int, activities: int) -> bool:
    from django.contrib.auth import get_user_model

    from peerpath.social.models import Activity

    last = Activity.objects.order_by("-pk").values_list("source_key", flat=True).first()
    return last == f"bench:{activities - 1}" and get_user_model().objects.count() == people


# --- Measuring -----------------------------------------------------------------------------


def viewer_for_benchmark() -> Any:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(email__endswith="@feed.example").order_by("pk")
    return users[users.count() // 2]


def feed_urls() -> dict[str, str]:
    """The home page (first feed page) and the sixth page of the feed (as the infinite
    scroll's plain-link fallback serves it: the home page after a cursor)."""
    from peerpath.social.feed import feed_page

    viewer = viewer_for_benchmark()
    cursor = None
    for _ in range(5):
        cursor = feed_page(viewer, after=cursor).next_cursor
    return {"home feed": "/", "feed page 6": f"/?after={cursor}"}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connections
    from django.test import Client

    viewer = viewer_for_benchmark()
    viewer.set_password(PASSWORD)
    viewer.save(update_fields=["password"])
    urls = feed_urls()
    client = Client()
    client.force_login(viewer)
    counted = {}
    for name, url in urls.items():
        client.get(url)
        queries, sqls = count_queries(client, url)
        counted[name] = {"queries": queries, "sql": sqls}
    connections.close_all()
    log = var_dir(args.db_url, args.people) / "gunicorn.log"
    with running_server(dict(os.environ), log, workers=args.workers, threads=args.threads) as port:
        session = sign_in(HOST, port, viewer.email, PASSWORD)
        timed = timed_rounds(port, session, args, urls)
    calibration = timed.pop("calibration view")
    return {
        "calibration": {"median_ms": calibration.median_ms, "p95_ms": calibration.p95_ms},
        "pages": {
            name: {
                "queries": counted[name]["queries"],
                "median_ms": sample.median_ms,
                "p95_ms": sample.p95_ms,
                "sql": counted[name]["sql"],
            }
            for name, sample in timed.items()
        },
    }


def timed_rounds(
    port: int, session: Session, args: argparse.Namespace, pages: dict[str, str]
) -> dict[str, Sample]:
    urls = {"calibration view": "/_calibration/", **pages}
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


def run_one(args: argparse.Namespace) -> int:
    """Build (if needed) and measure one size; print the figures as one JSON line."""
    if args.fresh:
        _drop(args.db_url, args.people)
    prepare(args.db_url, args.people)
    from django.db import connection

    timings: dict[str, float] = {}
    if not built(args.people, args.activities):
        if connection.vendor == "sqlite":
            connection.close()
            _drop(args.db_url, args.people)
            prepare(args.db_url, args.people)
            from django.db import connection
        print(
            f"building {args.people:,} people and {args.activities:,} activity items "
            f"on {connection.vendor}…",
            flush=True,
        )
        timings = build(people=args.people, activities=args.activities)
        print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()), flush=True)
    from peerpath.social.models import Activity

    result = measure(args)
    result.update(
        {
            "people": args.people,
            "activities": Activity.objects.count(),
            "build_seconds": timings,
            "vendor": connection.vendor,
        }
    )
    print(MARKER + json.dumps(result), flush=True)
    return 0


def _drop(db_url: str | None, people: int) -> None:
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


def _child(args: argparse.Namespace, people: int, activities: int) -> dict[str, Any]:
    argv = [sys.executable, "-m", "benchmarks.feed", "--one", "--people", str(people)]
    argv += ["--activities", str(activities), "--requests", str(args.requests)]
    argv += ["--concurrency", str(args.concurrency), "--rounds", str(args.rounds)]
    argv += ["--warmup", str(args.warmup), "--workers", str(args.workers)]
    argv += ["--threads", str(args.threads)]
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
        print(
            f"\n{result['vendor']}: {result['people']:,} people, "
            f"{result['activities']:,} activity items"
        )
        if result["build_seconds"]:
            print(f"  built in {sum(result['build_seconds'].values()):.0f} s")
        cal = result["calibration"]
        print(f"  {'page':<20}{'median ms':>10}{'p95 ms':>9}{'p95/cal':>9}{'queries':>9}")
        print(f"  {'calibration view':<20}{cal['median_ms']:>10.1f}{cal['p95_ms']:>9.1f}")
        for name, page in result["pages"].items():
            ratio = page["p95_ms"] / cal["p95_ms"]
            ok = ok and ratio <= RATIO_LIMIT
            print(
                f"  {name:<20}{page['median_ms']:>10.1f}{page['p95_ms']:>9.1f}"
                f"{ratio:>8.1f}×{page['queries']:>9}"
            )
    print(f"\nqueries at {small['people']:,} and {large['people']:,} people:")
    for name, page in large["pages"].items():
        same = small["pages"][name]["queries"] == page["queries"]
        ok = ok and same
        print(
            f"  {name:<20}{small['pages'][name]['queries']:>4}{page['queries']:>4}  "
            f"{'same' if same else 'DIFFERS'}"
        )
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db-url", help="PostgreSQL URL (default: SQLite files)")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--fresh", action="store_true", help="rebuild the organisations")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        return run_one(args)
    print(f"load average (1 min) before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    small = _child(args, max(100, args.people // 100), max(1000, args.activities // 100))
    large = _child(args, args.people, args.activities)
    ok = report([small, large])
    print(f"load average (1 min) after: {os.getloadavg()[0]:.2f}")
    out = VAR / f"results-{'postgresql' if args.db_url else 'sqlite'}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([small, large], indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

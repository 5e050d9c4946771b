"""Benchmark the main pages on the production server: ``python -m benchmarks.run``.

For each tier: generate its data if needed, collect static files, migrate, count
every page's queries in-process, start gunicorn as production does, sign in
through the real form, warm up, then time each page and print a table. A
summary compares query counts across tiers and latency with the calibration
view (one primary-key query and a trivial template on the same stack).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.inprocess import MARKER
from benchmarks.load import Sample, Session, hammer, sign_in
from benchmarks.pages import CALIBRATION, PAGES, Page
from benchmarks.server import HOST, running_server
from benchmarks.tiers import (
    ACCOUNTS,
    BENCH_VAR,
    PASSWORD,
    ROOT,
    Tier,
    database_url_for,
    describe_database,
    parse_tiers,
    tier_env,
)

RATIO_LIMIT = 3.0
RATIO_TIER = "M"
GENERATED = re.compile(r"generated in ([\d.]+)s")


@dataclass
class PageResult:
    page: Page
    url: str
    sample: Sample
    queries: int
    request_ms: float
    sql_ms: float
    slowest: list[dict[str, Any]]


@dataclass
class TierResult:
    tier: Tier
    database: str
    generation_s: float | None  # None: the data was already there
    module_url: str = ""
    pages: list[PageResult] = field(default_factory=list)
    calibration_rounds: list[float] = field(default_factory=list)  # p95 ms per round
    load_before: float = 0.0  # 1-minute load average before the server starts
    load_after: float = 0.0

    def page(self, name: str) -> PageResult:
        return next(r for r in self.pages if r.page.name == name)


# --- Preparing a tier -------------------------------------------------------------------------


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def _generate(tier: Tier, db_url: str | None) -> float | None:
    """Run the generator (echoing its output); the seconds it spent, None when skipped."""
    argv = _python("-m", "benchmarks.generate", "--tier", tier.name)
    if db_url:
        argv += ["--db-url", db_url]
    seconds = None
    with subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True) as proc:
        for line in proc.stdout or ():
            print(line, end="", flush=True)
            if found := GENERATED.search(line):
                seconds = float(found.group(1))
    if proc.returncode:
        raise SystemExit(f"Generating tier {tier.name} failed ({proc.returncode}).")
    return seconds


def _manage(env: dict[str, str], *command: str) -> None:
    subprocess.run(_python("-m", "django", *command), cwd=ROOT, env=env, check=True)


def _count_queries(env: dict[str, str], tier: Tier, db_url: str | None) -> dict[str, Any]:
    argv = _python("-m", "benchmarks.inprocess", "--tier", tier.name)
    done = subprocess.run(
        [*argv, "--db-url", db_url] if db_url else argv,
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith(MARKER)), None)
    if done.returncode or line is None:
        print(done.stderr[-4000:], file=sys.stderr)
        raise SystemExit(f"Counting queries on tier {tier.name} failed ({done.returncode}).")
    result: dict[str, Any] = json.loads(line[len(MARKER) :])
    return result


# --- Measuring --------------------------------------------------------------------------------


Sessions = dict[str, Session]


def _sessions(port: int) -> Sessions:
    return {who: sign_in(HOST, port, email, PASSWORD) for who, email in ACCOUNTS.items()}


def _warm_up(port: int, args: argparse.Namespace, urls: dict[str, str], sessions: Sessions) -> None:
    for page in PAGES:
        warm = hammer(
            HOST,
            port,
            urls[page.name],
            sessions[page.who],
            requests=args.warmup,
            concurrency=args.concurrency,
        )
        if warm.errors:
            print(f"  warning: {page.name} warm-up answered {warm.statuses}", flush=True)


def _timed_rounds(
    port: int, args: argparse.Namespace, urls: dict[str, str], sessions: Sessions
) -> dict[str, list[Sample]]:
    """Each page's requests, spread over rounds in rotating order.

    Interleaving spreads any background noise on the machine over every page
    instead of letting it land on whichever page happened to be measured then.
    """
    samples: dict[str, list[Sample]] = {page.name: [] for page in PAGES}
    rounds = max(1, min(args.rounds, args.requests))
    for n in range(rounds):
        share = args.requests // rounds + (n < args.requests % rounds)
        for page in PAGES[n % len(PAGES) :] + PAGES[: n % len(PAGES)]:
            samples[page.name].append(
                hammer(
                    HOST,
                    port,
                    urls[page.name],
                    sessions[page.who],
                    requests=share,
                    concurrency=args.concurrency,
                )
            )
        print(f"  round {n + 1}/{rounds} done", flush=True)
    return samples


def _measure(
    port: int, args: argparse.Namespace, result: TierResult, counts: dict[str, Any]
) -> None:
    sessions = _sessions(port)
    urls = {page.name: page.url(result.module_url) for page in PAGES}
    _warm_up(port, args, urls, sessions)
    samples = _timed_rounds(port, args, urls, sessions)
    for page in PAGES:
        info = counts["pages"][page.name]
        result.pages.append(
            PageResult(
                page,
                urls[page.name],
                Sample.merge(samples[page.name]),
                info["queries"],
                info["request_ms"],
                info["sql_ms"],
                info["slowest"],
            )
        )
    result.calibration_rounds = [s.p95_ms for s in samples[CALIBRATION.name]]


def run_tier(tier: Tier, args: argparse.Namespace, *, several: bool) -> TierResult:
    db_url = database_url_for(tier, args.db_url, several=several)
    print(
        f"\n=== Tier {tier.name}: {tier.people:,} people, {tier.modules:,} modules ===", flush=True
    )
    result = TierResult(tier, describe_database(db_url, tier), _generate(tier, db_url))
    env = tier_env(tier, db_url)
    # collectstatic first: core/urls.py resolves a static URL at import, and migrate's
    # system checks import the URLconf, which fails while the manifest does not exist.
    _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    _manage(env, "migrate", "--noinput", "--verbosity", "0")
    counts = _count_queries(env, tier, db_url)
    result.module_url = counts["module_url"]
    log = tier.var_dir / "gunicorn.log"
    result.load_before = os.getloadavg()[0]
    with running_server(env, log, workers=args.workers, threads=args.threads) as port:
        print(
            f"gunicorn on {HOST}:{port} ({args.workers} workers × {args.threads} threads)",
            flush=True,
        )
        _measure(port, args, result, counts)
        result.load_after = os.getloadavg()[0]
    return result


# --- Reporting --------------------------------------------------------------------------------


def _ratio(value: float, base: float) -> float:
    return value / base if base else float("nan")


def print_tier(result: TierResult, args: argparse.Namespace) -> None:
    tier = result.tier
    made = (
        f"generated in {result.generation_s:.1f}s"
        if result.generation_s is not None
        else "existing data"
    )
    print(
        f"\nTier {tier.name} · {tier.people:,} people · {tier.modules:,} modules · "
        f"{result.database} ({made})\n{args.requests} requests per page, "
        f"concurrency {args.concurrency}, gunicorn {args.workers} workers × {args.threads} threads"
    )
    header = (
        f"{'page':<16}{'median ms':>10}{'p95 ms':>9}{'req/s':>8}"
        f"{'p95/cal':>9}{'queries':>9}{'errors':>8}"
    )
    print(header)
    print("-" * len(header))
    cal = result.page(CALIBRATION.name).sample.p95_ms
    for r in result.pages:
        s = r.sample
        print(
            f"{r.page.name:<16}{s.median_ms:>10.1f}{s.p95_ms:>9.1f}{s.per_second:>8.1f}"
            f"{_ratio(s.p95_ms, cal):>8.2f}×{r.queries:>9}{s.errors:>8}"
        )
    rounds = " / ".join(f"{p95:.1f}" for p95 in result.calibration_rounds)
    print(f"calibration p95 per round (ms): {rounds}")
    print(f"module page: {result.module_url}")
    print("in-process, one signed-in request (median of 5): total ms, SQL ms, slowest query:")
    for r in result.pages:
        top: dict[str, Any] = r.slowest[0] if r.slowest else {"ms": 0.0, "sql": ""}
        print(
            f"  {r.page.name:<16}{r.request_ms:>7.1f}{r.sql_ms:>7.2f}{top['ms']:>7.2f}  "
            f"{_one_line(top['sql'], 90)}"
        )
    print(
        f"1-minute load average on {os.cpu_count()} cores: {result.load_before:.2f} before the "
        f"server started, {result.load_after:.2f} at the end (other work on the machine skews "
        "the figures)"
    )


def _one_line(sql: str, width: int) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_summary(results: list[TierResult]) -> None:
    print("\n=== Summary ===")
    names = [r.tier.name for r in results]
    print("Queries per page across tiers (must not grow with the data):")
    print(f"  {'page':<16}" + "".join(f"{n:>6}" for n in names) + "   verdict")
    for page in PAGES:
        counts = [r.page(page.name).queries for r in results]
        verdict = "same" if len(set(counts)) == 1 else "DIFFERS"
        print(f"  {page.name:<16}" + "".join(f"{c:>6}" for c in counts) + f"   {verdict}")
    errors = sum(p.sample.errors for r in results for p in r.pages)
    print(f"Non-200 answers across all tiers: {errors}")
    at = next((r for r in results if r.tier.name == RATIO_TIER), None)
    if at is None:
        print(f"p95 vs calibration: tier {RATIO_TIER} was not run.")
        return
    cal = at.page(CALIBRATION.name).sample.p95_ms
    print(f"p95 ÷ calibration p95 at tier {RATIO_TIER} (target: within {RATIO_LIMIT:.0f}×):")
    for page in PAGES[1:]:
        ratio = _ratio(at.page(page.name).sample.p95_ms, cal)
        verdict = "within" if ratio <= RATIO_LIMIT else "OVER"
        print(f"  {page.name:<16}{ratio:>6.2f}×   {verdict}")


def save_json(results: list[TierResult], args: argparse.Namespace) -> None:
    data = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "settings": {k: v for k, v in vars(args).items() if k != "db_url"},
        "tiers": [
            {
                "tier": r.tier.name,
                "database": r.database,
                "generation_s": r.generation_s,
                "module_url": r.module_url,
                "load_average_before": r.load_before,
                "load_average_after": r.load_after,
                "pages": {
                    p.page.name: {
                        "url": p.url,
                        "median_ms": p.sample.median_ms,
                        "p95_ms": p.sample.p95_ms,
                        "per_second": p.sample.per_second,
                        "errors": p.sample.errors,
                        "statuses": p.sample.statuses,
                        "queries": p.queries,
                        "request_ms_inprocess": p.request_ms,
                        "sql_ms_inprocess": p.sql_ms,
                        "slowest": p.slowest,
                    }
                    for p in r.pages
                },
            }
            for r in results
        ],
    }
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    (BENCH_VAR / "results.json").write_text(json.dumps(data, indent=2))
    print(f"\nFigures saved to {BENCH_VAR / 'results.json'}")


# --- Command line -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--tiers", default="S,M,L", help="comma-separated tiers (default S,M,L)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--concurrency", type=int, default=4, help="simultaneous clients")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds over the pages")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--db-url",
        default=None,
        help="database URL; {tier} is replaced (else _<tier> is appended). Default: SQLite",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    tiers = parse_tiers(args.tiers)
    results = []
    for tier in tiers:
        result = run_tier(tier, args, several=len(tiers) > 1)
        print_tier(result, args)
        results.append(result)
    print_summary(results)
    save_json(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Generate a benchmark tier's data: ``python -m benchmarks.generate --tier S|M|L``.

Each tier lives in its own database (SQLite under var/bench/<tier>/ unless
``--db-url`` is given). A tier that already holds the right data is left alone.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from benchmarks.tiers import (
    ACCOUNTS,
    PASSWORD,
    TIERS,
    Tier,
    apply_env,
    database_url_for,
    describe_database,
    ensure_postgres_database,
    tier_env,
)


class Clock:
    """Prints each step with the time elapsed since the start."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.perf_counter()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def __call__(self, message: str) -> None:
        print(f"[{self.label} {self.elapsed:7.1f}s] {message}", flush=True)


def _prepare_database(tier: Tier, db_url: str | None, *, force: bool) -> None:
    tier.var_dir.mkdir(parents=True, exist_ok=True)
    if db_url:
        ensure_postgres_database(db_url)
    elif force:
        for suffix in ("", "-wal", "-shm"):
            (tier.var_dir / f"peerpath.sqlite3{suffix}").unlink(missing_ok=True)
    apply_env(tier_env(tier, db_url))
    import django

    django.setup()


def generate(tier: Tier, db_url: str | None = None, *, force: bool = False) -> float:
    """Make sure ``tier``'s database holds its data; returns the seconds spent generating."""
    clock = Clock(f"tier {tier.name}")
    _prepare_database(tier, db_url, force=force)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from benchmarks import writer

    if writer.tier_is_ready(tier):
        clock(f"{describe_database(db_url, tier)} already holds tier {tier.name}; skipping.")
        return 0.0
    if not writer.database_is_empty():
        clock("The database holds other data: flushing it first.")
        call_command("flush", interactive=False, verbosity=0)
    clock(
        f"Generating tier {tier.name}: {tier.people:,} people, {tier.modules:,} modules "
        f"into {describe_database(db_url, tier)}"
    )
    _write_everything(tier, clock)
    clock(f"Tier {tier.name} generated in {clock.elapsed:.1f}s.")
    return clock.elapsed


def _write_everything(tier: Tier, clock: Clock) -> None:
    from django.contrib.auth.hashers import make_password

    from benchmarks import writer
    from benchmarks.org import plan_org

    rng = random.Random(f"peerpath-bench-{tier.name}")  # deterministic per tier
    now = datetime.now(tz=UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    plan = plan_org(rng, tier)
    clock(f"planned {len(plan.teams):,} teams, reporting lines up to {plan.max_depth()} deep")
    writer.write_org(plan, rng, make_password(PASSWORD), now.date())
    clock(f"people written (sign in as {', '.join(ACCOUNTS.values())} with {PASSWORD})")
    skill_ids = writer.write_skills()
    catalog = writer.write_modules(tier, plan, rng, skill_ids, now)
    clock(f"{len(skill_ids)} skills and {tier.modules:,} modules written")
    writer.write_paths(plan, rng, catalog, now)
    writer.write_reviewers(plan, rng, skill_ids)
    clock("learning paths and expert reviewers written")
    rows = writer.write_progress(plan, rng, catalog, now, clock)
    clock(f"{rows:,} progress rows written")
    writer.finish()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__)
    parser.add_argument("--tier", required=True, type=str.upper, choices=sorted(TIERS))
    parser.add_argument(
        "--db-url", default=None, help="database URL ({tier} is replaced); default SQLite"
    )
    parser.add_argument("--force", action="store_true", help="regenerate even when present")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    tier = TIERS[args.tier]
    generate(tier, database_url_for(tier, args.db_url), force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())

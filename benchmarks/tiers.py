"""Benchmark tiers and the environment that points Peerpath at a tier's own database.

Peerpath's settings read the environment once, at import, so every process that
touches a tier (generator, migrate, gunicorn, query counter) gets the same
variables from ``tier_env`` before Django starts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"

LEARNER_EMAIL = "bench-learner@example.com"
MANAGER_EMAIL = "bench-manager@example.com"
# A department head: their whole reporting line grows with the tier (the others do not).
HEAD_EMAIL = "bench-head@example.com"
ACCOUNTS = {"learner": LEARNER_EMAIL, "manager": MANAGER_EMAIL, "head": HEAD_EMAIL}
PASSWORD = "bench-password-1"  # noqa: S105 - documented benchmark credential


@dataclass(frozen=True)
class Tier:
    name: str
    people: int
    modules: int
    departments: int

    @property
    def var_dir(self) -> Path:
        return BENCH_VAR / self.name


TIERS: dict[str, Tier] = {
    "S": Tier("S", people=1_000, modules=500, departments=6),
    "M": Tier("M", people=10_000, modules=5_000, departments=10),
    "L": Tier("L", people=50_000, modules=20_000, departments=14),
}


def parse_tiers(text: str) -> list[Tier]:
    names = [part.strip().upper() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in TIERS]
    if unknown or not names:
        raise SystemExit(f"Unknown tier(s) {unknown or text!r}; choose from {', '.join(TIERS)}.")
    return [TIERS[n] for n in names]


def database_url_for(tier: Tier, db_url: str | None, *, several: bool = False) -> str | None:
    """The tier's database URL: ``{tier}`` is replaced; with several tiers a suffix is added.

    Each tier must live in its own database, so when one URL serves several tiers and
    has no ``{tier}`` placeholder the tier name is appended to the database name.
    """
    if not db_url:
        return None
    if "{tier}" in db_url:
        return db_url.replace("{tier}", tier.name.lower())
    if not several:
        return db_url
    parts = urlparse(db_url)
    return urlunparse(parts._replace(path=f"{parts.path}_{tier.name.lower()}"))


def tier_env(tier: Tier, db_url: str | None) -> dict[str, str]:
    """A full process environment for ``tier`` (SQLite under var/bench/<tier> by default)."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "peerpath.settings",
            "PEERPATH_VAR_DIR": str(tier.var_dir),
            "PEERPATH_CALIBRATION_VIEW": "1",
            "PEERPATH_LOG_LEVEL": env.get("PEERPATH_LOG_LEVEL", "WARNING"),
        }
    )
    if db_url:
        env["DATABASE_URL"] = db_url
    return env


def apply_env(env: dict[str, str]) -> None:
    """Make ``env`` this process's environment (before ``django.setup()``)."""
    for key in set(os.environ) - set(env):
        del os.environ[key]
    os.environ.update(env)


def describe_database(db_url: str | None, tier: Tier) -> str:
    if not db_url:
        return f"SQLite {tier.var_dir / 'peerpath.sqlite3'}"
    parts = urlparse(db_url)
    return f"{parts.scheme} {parts.hostname}:{parts.port or ''}{parts.path}"


def ensure_postgres_database(db_url: str) -> None:
    """Create the PostgreSQL database named in ``db_url`` when it does not exist yet."""
    parts = urlparse(db_url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg
    from psycopg import sql

    name = parts.path.lstrip("/")
    admin_url = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created PostgreSQL database {name}.", flush=True)

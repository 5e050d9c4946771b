"""Benchmark learning-time coverage: ``python -m benchmarks.schedule``.

Builds a 500-person call centre (three queues, 8-hour shifts five days a week for a
month, a minimum on duty per queue and for the whole team in every 15-minute interval,
about 2,000 approved learning blocks), then times the auto-approval decision for random
30-minute requests inside agents' shifts: ``check_block``, plus ``suggest_slots`` when
coverage falls short. The calibration view is timed in the same process and loop, so
the figures can be read against the machine's load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.tiers import BENCH_VAR, ROOT, apply_env, ensure_postgres_database

if TYPE_CHECKING:
    from peerpath.people.models import Team
    from peerpath.schedule.models import CoverageRequirement

VAR = BENCH_VAR / "schedule"
TEAM_SLUG = "bench-call-centre"
DEPARTMENT_SLUG = "bench-customer-care"
PEOPLE = 500
QUEUES = ("billing", "support", "sales")
ZONE = "Europe/London"
MONTH = dt.date(2026, 3, 1)
DAYS = 31
SHIFT_STARTS = (7, 8, 9, 10, 11, 12, 13, 14)  # local hours; shifts are 8 hours
APPROVED_BLOCKS = 2_000
# Minimums: each queue runs tight (one below the people the rota puts on duty, so a
# request often falls short and alternatives are searched); the team as a whole at 80 %.
QUEUE_SLACK = 1
TEAM_SHARE = 0.8
TARGET_MS = 50.0


def var_dir(db_url: str | None) -> Path:
    return VAR / ("postgresql" if db_url else "sqlite")


def prepare(db_url: str | None) -> None:
    """Migrate the benchmark's own database and set Django up in this process."""
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
        ensure_postgres_database(db_url)
    var_dir(db_url).mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    apply_env(env)
    import django

    django.setup()


def _works(person: int, day: dt.date) -> bool:
    """Five days a week: each person has two consecutive days off, staggered."""
    return (day.weekday() - person) % 7 < 5


def _start_hour(person: int) -> int:
    return SHIFT_STARTS[person % len(SHIFT_STARTS)]


def build(*, fresh: bool) -> None:
    """The call centre, written in bulk; skipped when it is already there."""
    from django.db import connection, transaction
    from django.utils import timezone

    from peerpath.core.zones import zone_named
    from peerpath.people.models import Department, Team, User
    from peerpath.schedule.models import (
        CoverageRequirement,
        LearningTimeRequest,
        RequestStatus,
        Shift,
        ShiftSource,
        TeamPolicy,
    )

    if Team.objects.filter(slug=TEAM_SLUG).exists() and not fresh:
        return
    User.objects.filter(team__slug=TEAM_SLUG).delete()
    Team.objects.filter(slug=TEAM_SLUG).delete()
    Department.objects.filter(slug=DEPARTMENT_SLUG).delete()
    began = time.perf_counter()
    zone = zone_named(ZONE)
    rng = random.Random(5)
    now = timezone.now()
    with transaction.atomic():
        department = Department.objects.create(name="Customer Care", slug=DEPARTMENT_SLUG)
        team = Team.objects.create(
            name="Bench Call Centre", slug=TEAM_SLUG, department=department, works_shifts=True
        )
        TeamPolicy.objects.create(
            team=team, auto_approve_minutes_per_week=60, time_zone=ZONE, notice_hours=0
        )
        people = User.objects.bulk_create(
            User(
                email=f"agent{n}@bench-call-centre.example",
                display_name=f"Agent {n}",
                team=team,
                password="!",  # noqa: S106 - an unusable password
            )
            for n in range(PEOPLE)
        )
        shifts: list[Shift] = []
        for n, person in enumerate(people):
            for offset in range(DAYS):
                day = MONTH + dt.timedelta(days=offset)
                if not _works(n, day):
                    continue
                start = dt.datetime.combine(day, dt.time(_start_hour(n)), tzinfo=zone)
                shifts.append(
                    Shift(
                        person=person,
                        team=team,
                        starts_at=start.astimezone(dt.UTC),
                        ends_at=(start + dt.timedelta(hours=8)).astimezone(dt.UTC),
                        queue=QUEUES[n % len(QUEUES)],
                        source=ShiftSource.CSV,
                        imported_at=now,
                    )
                )
        Shift.objects.bulk_create(shifts, batch_size=2_000)
        CoverageRequirement.objects.bulk_create(_requirements(team), batch_size=2_000)
        blocks: list[LearningTimeRequest] = []
        for shift in rng.sample(shifts, APPROVED_BLOCKS):
            start = shift.starts_at + dt.timedelta(minutes=15 * rng.randrange(30))
            blocks.append(
                LearningTimeRequest(
                    person=shift.person,
                    team=team,
                    starts_at=start,
                    ends_at=start + dt.timedelta(minutes=30),
                    status=RequestStatus.APPROVED,
                    auto_approved=True,
                    decided_at=now,
                    created_at=now,
                )
            )
        LearningTimeRequest.objects.bulk_create(blocks, batch_size=2_000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"built: {PEOPLE} people, {len(shifts):,} shifts, "
        f"{CoverageRequirement.objects.filter(team=team).count():,} coverage minimums, "
        f"{len(blocks):,} approved blocks in {time.perf_counter() - began:.1f} s"
    )


def _requirements(team: Team) -> list[CoverageRequirement]:
    """A minimum per 15-minute interval, weekday and queue (and for the whole team),
    a share of the people the rota puts on duty then."""
    from peerpath.schedule.models import CoverageRequirement

    rows: list[CoverageRequirement] = []
    for weekday in range(7):
        for quarter in range(7 * 4, 22 * 4):
            minute = quarter * 15
            on_duty = dict.fromkeys(("", *QUEUES), 0)
            for n in range(PEOPLE):
                start = _start_hour(n) * 60
                if (weekday - n) % 7 < 5 and start <= minute and minute + 15 <= start + 480:
                    on_duty[QUEUES[n % len(QUEUES)]] += 1
                    on_duty[""] += 1
            for queue, count in on_duty.items():
                minimum = int(count * TEAM_SHARE) if queue == "" else count - QUEUE_SLACK
                rows.append(
                    CoverageRequirement(
                        team=team,
                        queue=queue,
                        weekday=weekday,
                        start_time=dt.time(minute // 60, minute % 60),
                        end_time=dt.time((minute + 15) // 60 % 24, (minute + 15) % 60)
                        if minute + 15 < 24 * 60
                        else dt.time(23, 59),
                        minimum_on_duty=max(minimum, 0),
                    )
                )
    return rows


def _ms(seconds: Sequence[float], share: float) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def measure(decisions: int) -> bool:
    """Time ``decisions`` auto-approval decisions and as many calibration requests."""
    from django.test import Client

    from peerpath.people.models import Team, User
    from peerpath.schedule import coverage
    from peerpath.schedule.models import Shift

    team = Team.objects.get(slug=TEAM_SLUG)
    rng = random.Random(11)
    first = dt.datetime.combine(MONTH, dt.time(), tzinfo=dt.UTC)
    shifts = list(
        Shift.objects.filter(team=team, starts_at__gte=first + dt.timedelta(days=7))
        .filter(starts_at__lt=first + dt.timedelta(days=24))
        .values_list("person_id", "starts_at")
    )
    client = Client()
    client.force_login(User.objects.filter(team=team).order_by("pk")[0])
    timings: list[float] = []
    short_timings: list[float] = []
    calibration: list[float] = []
    suggested = 0
    for _ in range(decisions):
        person, shift_start = rng.choice(shifts)
        start = shift_start + dt.timedelta(minutes=15 * rng.randrange(30))
        end = start + dt.timedelta(minutes=30)
        began = time.perf_counter()
        check = coverage.check_block(
            team_id=team.pk, person_id=person, starts_at=start, ends_at=end
        )
        if not check.holds:
            suggested += len(
                coverage.suggest_slots(
                    team_id=team.pk,
                    person_id=person,
                    starts_at=start,
                    ends_at=end,
                    not_before=start - dt.timedelta(days=2),
                )
            )
        elapsed = time.perf_counter() - began
        timings.append(elapsed)
        if not check.holds:
            short_timings.append(elapsed)
        began = time.perf_counter()
        response = client.get("/_calibration/")
        calibration.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise SystemExit(f"The calibration view answered {response.status_code}.")
    median = statistics.median(timings) * 1000
    p95 = _ms(timings, 0.95)
    print(
        f"decisions: {len(timings)}, of which short of coverage: {len(short_timings)} "
        f"({suggested} alternative slots offered)"
    )
    print(
        f"auto-approval decision: median {median:.1f} ms, p95 {p95:.1f} ms "
        f"(target: under {TARGET_MS:.0f} ms)"
    )
    if short_timings:
        print(
            f"  short of coverage (with suggest_slots): median "
            f"{statistics.median(short_timings) * 1000:.1f} ms, "
            f"p95 {_ms(short_timings, 0.95):.1f} ms"
        )
    print(
        f"calibration view (in process): median {statistics.median(calibration) * 1000:.1f} ms, "
        f"p95 {_ms(calibration, 0.95):.1f} ms"
    )
    return p95 < TARGET_MS


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db-url", help="PostgreSQL URL (default: a SQLite file)")
    parser.add_argument("--decisions", type=int, default=300)
    parser.add_argument("--fresh", action="store_true", help="rebuild the call centre")
    args = parser.parse_args(argv)
    prepare(args.db_url)
    from django.db import connection

    print(f"database: {connection.vendor}")
    build(fresh=args.fresh)
    return 0 if measure(args.decisions) else 1


if __name__ == "__main__":
    sys.exit(main())

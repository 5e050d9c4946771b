"""Writes a planned organisation, skills, modules, paths and progress with ``bulk_create``.

Imported only after ``django.setup()``. Per-row services would take hours at 50,000
people, so rows are built in memory and inserted in batches inside transactions;
explicit primary keys keep the materialised reporting paths planned in
``benchmarks.org`` correct.
"""

from __future__ import annotations

import bisect
import itertools
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils.text import slugify

from benchmarks.org import OrgPlan, PersonPlan
from benchmarks.tiers import HEAD_EMAIL, LEARNER_EMAIL, MANAGER_EMAIL, Tier
from benchmarks.wordlists import (
    BODY_TEMPLATES,
    DEPARTMENTS,
    LEADERSHIP_ROLES,
    PATH_TITLES,
    SKILL_TREE,
    SUMMARY_TEMPLATES,
    TITLE_AUDIENCES,
    TITLE_OPENINGS,
    TITLE_TOPICS,
)
from peerpath.content.models import LearningPath, Module, ModuleStatus, PathSection, PathStep
from peerpath.content.rendering import render_markdown
from peerpath.learning.models import ModuleProgress, ProgressStatus
from peerpath.people.models import Department, ExpertReviewer, JobRole, Team, User
from peerpath.skills.models import Skill

BATCH = 2_000
PROGRESS_CHUNK = 20_000
AUTHOR_SHARE = 0.08
POPULARITY_EXPONENT = 0.8
COMPLETED_SHARE = 0.7
MAX_PROGRESS = 30
LEARNER_COMPLETED, LEARNER_IN_PROGRESS = 18, 7
MANAGER_COMPLETED, MANAGER_IN_PROGRESS = 7, 3
DAY_MINUTES = 24 * 60

Report = Callable[[str], None]
T = TypeVar("T")


@dataclass
class Catalog:
    """What progress generation needs to know about the modules."""

    ids: list[int]  # modules that can have progress (published or archived), popular first
    published_at: dict[int, datetime]
    cum_weights: list[float]
    popular_published: list[int]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def tier_is_ready(tier: Tier) -> bool:
    return (
        User.objects.count() == tier.people
        and Module.objects.count() == tier.modules
        and ModuleProgress.objects.exists()
        and User.objects.filter(email__in=[LEARNER_EMAIL, MANAGER_EMAIL, HEAD_EMAIL]).count() == 3
    )


def database_is_empty() -> bool:
    return not (User.objects.exists() or Module.objects.exists() or Skill.objects.exists())


# --- Organisation ---------------------------------------------------------------------------


@transaction.atomic
def write_org(plan: OrgPlan, rng: random.Random, password_hash: str, today: date) -> None:
    departments = [
        Department(id=i + 1, name=name, slug=slugify(name))
        for i, name in enumerate(plan.departments)
    ]
    Department.objects.bulk_create(departments)
    Team.objects.bulk_create(
        [
            Team(
                id=t.index + 1,
                name=t.name,
                slug=slugify(t.name),
                department_id=t.department + 1,
                works_shifts=t.works_shifts,
            )
            for t in plan.teams
        ]
    )
    roles = [*LEADERSHIP_ROLES, *(d.member_role for d in DEPARTMENTS[: len(plan.departments)])]
    role_ids = {name: i + 1 for i, name in enumerate(dict.fromkeys(roles))}
    JobRole.objects.bulk_create(
        [JobRole(id=pk, name=name, slug=slugify(name)) for name, pk in role_ids.items()]
    )
    users = [_user(p, rng, password_hash, role_ids, today) for p in plan.people]
    for batch in _chunks(users, BATCH):
        User.objects.bulk_create(batch)


def _user(
    p: PersonPlan, rng: random.Random, password_hash: str, role_ids: dict[str, int], today: date
) -> User:
    spec = DEPARTMENTS[p.department]
    hired = today - timedelta(days=rng.randint(14, 4000))
    return User(
        id=p.id,
        public_id=_uuid(rng),
        password=password_hash,
        email=p.email,
        display_name=p.display_name,
        job_title=p.title,
        job_role_id=role_ids[p.role],
        team_id=p.team + 1 if p.team is not None else None,
        manager_id=p.manager_id,
        line_path=p.line_path,
        location=spec.location,
        time_zone=spec.time_zone,
        hire_date=hired,
        is_active=p.active,
        deactivated_at=None
        if p.active
        else datetime.combine(today, datetime.min.time(), tzinfo=UTC),
        is_learning_admin=p.learning_admin,
    )


# --- Skills -----------------------------------------------------------------------------------


@transaction.atomic
def write_skills() -> list[int]:
    """The two-level skill tree, with paths and slugs as the skills services make them."""
    skills: list[Skill] = []
    for top, children in SKILL_TREE.items():
        parent = Skill(id=len(skills) + 1, name=top, slug=slugify(top), path=top)
        skills.append(parent)
        first_child_id = len(skills) + 1
        skills.extend(
            Skill(
                id=first_child_id + n,
                name=child,
                parent_id=parent.id,
                slug=slugify(f"{parent.slug}-{child}"),
                path=f"{top} / {child}",
            )
            for n, child in enumerate(children)
        )
    Skill.objects.bulk_create(skills)
    return [s.id for s in skills]


# --- Modules and paths --------------------------------------------------------------------------


class _Bodies:
    """Markdown bodies from a handful of templates, each rendered to HTML only once."""

    def __init__(self) -> None:
        self.cache: dict[tuple[int, str], tuple[str, str]] = {}

    def get(self, template: int, topic: str) -> tuple[str, str]:
        key = (template, topic)
        if key not in self.cache:
            markdown = BODY_TEMPLATES[template].format(topic=topic)
            self.cache[key] = (markdown, render_markdown(markdown))
        return self.cache[key]


def _zipf_cum_weights(n: int) -> list[float]:
    return list(itertools.accumulate(1 / (rank**POPULARITY_EXPONENT) for rank in range(1, n + 1)))


def _authors(plan: OrgPlan, rng: random.Random) -> tuple[list[int], list[float]]:
    """A minority of people write, and a few of them write most modules."""
    active = [p.id for p in plan.people if p.active]
    authors = rng.sample(active, k=max(10, int(len(active) * AUTHOR_SHARE)))
    return authors, _zipf_cum_weights(len(authors))


def _module(pk: int, rng: random.Random, bodies: _Bodies, owner: int, now: datetime) -> Module:
    opening, topic = rng.choice(TITLE_OPENINGS), rng.choice(TITLE_TOPICS)
    title = f"{opening} {topic}{rng.choice(TITLE_AUDIENCES)}"
    title = title[0].upper() + title[1:]
    markdown, html = bodies.get(rng.randrange(len(BODY_TEMPLATES)), topic)
    roll = rng.random()
    status = (
        ModuleStatus.PUBLISHED
        if roll < 0.88
        else ModuleStatus.DRAFT
        if roll < 0.96
        else ModuleStatus.ARCHIVED
    )
    published = (
        None
        if status == ModuleStatus.DRAFT
        else now - timedelta(minutes=rng.randint(60, 730 * DAY_MINUTES))
    )
    return Module(
        id=pk,
        public_id=_uuid(rng),
        slug=slugify(title)[:110],
        title=title,
        summary=rng.choice(SUMMARY_TEMPLATES).format(topic=topic),
        body_markdown=markdown,
        body_html=html,
        estimated_minutes=rng.choice((3, 5, 5, 8, 10, 10, 15, 20, 30, 45)),
        owner_id=owner,
        status=status,
        published_at=published,
    )


@transaction.atomic
def write_modules(
    tier: Tier, plan: OrgPlan, rng: random.Random, skill_ids: list[int], now: datetime
) -> Catalog:
    authors, author_weights = _authors(plan, rng)
    bodies = _Bodies()
    owners = rng.choices(authors, cum_weights=author_weights, k=tier.modules)
    modules = [_module(i + 1, rng, bodies, owners[i], now) for i in range(tier.modules)]
    for batch in _chunks(modules, BATCH):
        Module.objects.bulk_create(batch)
    skill_weights = _zipf_cum_weights(len(skill_ids))
    through = Module.skills.through
    links = [
        through(module_id=m.id, skill_id=s)
        for m in modules
        for s in set(rng.choices(skill_ids, cum_weights=skill_weights, k=rng.randint(1, 3)))
    ]
    for link_batch in _chunks(links, BATCH):
        through.objects.bulk_create(link_batch)
    return _catalog(rng, modules)


def _catalog(rng: random.Random, modules: list[Module]) -> Catalog:
    pool = [m for m in modules if m.published_at is not None]
    rng.shuffle(pool)  # popularity is unrelated to age or id
    return Catalog(
        ids=[m.id for m in pool],
        published_at={m.id: m.published_at for m in pool if m.published_at},
        cum_weights=_zipf_cum_weights(len(pool)),
        popular_published=[m.id for m in pool if m.status == ModuleStatus.PUBLISHED],
    )


@transaction.atomic
def write_paths(plan: OrgPlan, rng: random.Random, catalog: Catalog, now: datetime) -> None:
    """A few published learning paths of 4-8 modules, owned by a learning admin."""
    owner = next(p.id for p in plan.people if p.learning_admin)
    candidates = catalog.popular_published[:200]
    for i, (title, summary) in enumerate(PATH_TITLES):
        path = LearningPath.objects.create(
            id=i + 1,
            public_id=_uuid(rng),
            slug=slugify(title),
            title=title,
            summary=summary,
            owner_id=owner,
            status=ModuleStatus.PUBLISHED,
            published_at=now - timedelta(days=30 * (i + 1)),
        )
        steps = rng.sample(candidates, k=rng.randint(4, 8))
        half = (len(steps) + 1) // 2
        first, second = PathSection.objects.bulk_create(
            [
                PathSection(path=path, title="Foundations", position=1),
                PathSection(path=path, title="In practice", position=2),
            ]
        )
        PathStep.objects.bulk_create(
            PathStep(path=path, section=first if n < half else second, module_id=m, position=n + 1)
            for n, m in enumerate(steps)
        )


@transaction.atomic
def write_reviewers(plan: OrgPlan, rng: random.Random, skill_ids: list[int]) -> None:
    leads = [p.id for p in plan.people if p.role == "Team Lead" and p.active]
    pairs = {(rng.choice(leads), rng.choice(skill_ids)) for _ in range(20)}
    ExpertReviewer.objects.bulk_create(ExpertReviewer(user_id=u, skill_id=s) for u, s in pairs)


# --- Progress -----------------------------------------------------------------------------------


class _ProgressMaker:
    def __init__(self, rng: random.Random, catalog: Catalog, now: datetime) -> None:
        self.rng, self.catalog, self.now = rng, catalog, now

    def row(self, user_id: int, module_id: int, completed: bool) -> ModuleProgress:
        rng = self.rng
        published = self.catalog.published_at[module_id]
        span = (self.now - published).total_seconds()
        started = published + timedelta(seconds=span * rng.random() ** 0.5)
        last = min(started + timedelta(minutes=rng.randint(5, 30 * DAY_MINUTES)), self.now)
        return ModuleProgress(
            user_id=user_id,
            module_id=module_id,
            status=ProgressStatus.COMPLETED if completed else ProgressStatus.IN_PROGRESS,
            started_at=started,
            last_opened_at=last,
            completed_at=last if completed else None,
        )

    def random_modules(self, k: int) -> list[int]:
        """``k`` distinct modules, drawn by popularity (a few modules are very popular)."""
        chosen: dict[int, None] = {}
        ids, weights = self.catalog.ids, self.catalog.cum_weights
        total = weights[-1]
        while len(chosen) < k:
            index = bisect.bisect(weights, self.rng.random() * total)
            chosen[ids[min(index, len(ids) - 1)]] = None
        return list(chosen)

    def for_person(self, person: PersonPlan) -> list[ModuleProgress]:
        k = min(MAX_PROGRESS, int(self.rng.triangular(0, MAX_PROGRESS + 1, 5)))
        return [
            self.row(person.id, m, self.rng.random() < COMPLETED_SHARE)
            for m in self.random_modules(k)
        ]

    def fixed(self, user_id: int, completed: int, in_progress: int) -> list[ModuleProgress]:
        """The same amount of history at every tier, so the pages' work is comparable."""
        modules = self.catalog.popular_published[1 : 1 + completed + in_progress]
        return [self.row(user_id, m, n < completed) for n, m in enumerate(modules)]


def write_progress(
    plan: OrgPlan, rng: random.Random, catalog: Catalog, now: datetime, report: Report
) -> int:
    maker = _ProgressMaker(rng, catalog, now)
    fixed = {
        plan.learner_id: (LEARNER_COMPLETED, LEARNER_IN_PROGRESS),
        plan.manager_id: (MANAGER_COMPLETED, MANAGER_IN_PROGRESS),
    }
    rows: list[ModuleProgress] = []
    written = 0
    for person in plan.people:
        if person.id in fixed:
            rows.extend(maker.fixed(person.id, *fixed[person.id]))
        else:
            rows.extend(maker.for_person(person))
        if len(rows) >= PROGRESS_CHUNK:
            written += _insert_progress(rows)
            report(f"progress rows: {written:,} (people {person.id:,}/{len(plan.people):,})")
            rows = []
    return written + _insert_progress(rows)


@transaction.atomic
def _insert_progress(rows: list[ModuleProgress]) -> int:
    ModuleProgress.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


# --- Finishing ------------------------------------------------------------------------------------


def finish() -> None:
    """Move id sequences past the explicit ids (PostgreSQL) and settle the database."""
    models = [Department, Team, JobRole, User, Skill, Module, LearningPath]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        if connection.vendor == "postgresql":
            # Autovacuum would analyse these fresh tables within minutes; do it now.
            cursor.execute("ANALYZE")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

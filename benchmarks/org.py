"""A pure-Python plan of a tier's organisation: people, teams and reporting lines.

Ids are assigned here (the tier database starts empty), so every person's
materialised ``line_path`` ("/1/7/42/") is known before anything is written.
The shape: a CEO, department heads, directors in the larger departments, teams
of 8-50 with a lead and, in big teams, sub-leads; so reporting lines are four to
six levels deep. One fixed "bench" team gives the benchmark manager 8 direct
reports and a subtree of 40, the same at every tier.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from benchmarks.tiers import HEAD_EMAIL, LEARNER_EMAIL, MANAGER_EMAIL, Tier
from benchmarks.wordlists import DEPARTMENTS, FIRST_NAMES, LAST_NAMES, TEAM_NAMES

MIN_TEAM, MAX_TEAM, MODE_TEAM = 8, 50, 16
PEOPLE_PER_DIRECTOR = 100
SUB_LEAD_FROM = 26  # teams this big get sub-leads, one per dozen members
INACTIVE_SHARE = 0.03
BENCH_SUB_LEADS, BENCH_PER_SUB_LEAD, BENCH_INDIVIDUALS = 4, 8, 4
BENCH_TEAM_SIZE = 1 + BENCH_SUB_LEADS * (1 + BENCH_PER_SUB_LEAD) + BENCH_INDIVIDUALS


@dataclass(slots=True)
class PersonPlan:
    id: int
    manager_id: int | None
    line_path: str
    display_name: str
    email: str
    title: str
    role: str
    department: int
    team: int | None
    active: bool = True
    learning_admin: bool = False


@dataclass(frozen=True, slots=True)
class TeamPlan:
    index: int
    name: str
    department: int
    works_shifts: bool


@dataclass
class OrgPlan:
    departments: list[str]
    teams: list[TeamPlan] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    learner_id: int = 0
    manager_id: int = 0

    def max_depth(self) -> int:
        return max(p.line_path.count("/") - 1 for p in self.people)


class _Builder:
    def __init__(self, rng: random.Random, tier: Tier) -> None:
        self.rng = rng
        self.specs = DEPARTMENTS[: tier.departments]
        self.plan = OrgPlan(departments=[d.name for d in self.specs])

    def person(
        self,
        manager: PersonPlan | None,
        title: str,
        role: str,
        department: int,
        team: int | None = None,
        email: str | None = None,
    ) -> PersonPlan:
        pk = len(self.plan.people) + 1
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        person = PersonPlan(
            id=pk,
            manager_id=manager.id if manager else None,
            line_path=f"{manager.line_path if manager else '/'}{pk}/",
            display_name=f"{first} {last}",
            email=email or f"{first}.{last}.{pk}@example.com".lower(),
            title=title,
            role=role,
            department=department,
            team=team,
        )
        self.plan.people.append(person)
        return person

    def team(self, department: int) -> int:
        spec = self.specs[department]
        index = len(self.plan.teams)
        label = TEAM_NAMES[index % len(TEAM_NAMES)]
        name = f"{spec.name} {label} {index // len(TEAM_NAMES) + 1}"
        self.plan.teams.append(TeamPlan(index, name, department, spec.works_shifts))
        return index

    def staff_team(self, lead_manager: PersonPlan, department: int, size: int) -> None:
        """A team of ``size``: a lead, sub-leads when it is big, and members under them."""
        spec = self.specs[department]
        team = self.team(department)
        lead = self.person(lead_manager, f"{spec.name} Team Lead", "Team Lead", department, team)
        subs = [
            self.person(lead, f"Senior {spec.member_titles[0]}", "Team Lead", department, team)
            for _ in range(size // 12 if size >= SUB_LEAD_FROM else 0)
        ]
        for i in range(size - 1 - len(subs)):
            manager = subs[i % len(subs)] if subs else lead
            title = spec.member_titles[i % len(spec.member_titles)]
            member = self.person(manager, title, spec.member_role, department, team)
            member.active = self.rng.random() >= INACTIVE_SHARE

    def bench_team(self, head: PersonPlan) -> None:
        """The benchmark manager's team: 8 direct reports, 40 people below them in all."""
        team = self.team(0)
        spec = self.specs[0]
        boss = self.person(head, "Support Team Lead", "Team Lead", 0, team, MANAGER_EMAIL)
        self.plan.manager_id = boss.id
        for _ in range(BENCH_SUB_LEADS):
            sub = self.person(boss, "Senior Support Agent", "Team Lead", 0, team)
            for _ in range(BENCH_PER_SUB_LEAD):
                self.person(sub, spec.member_titles[0], spec.member_role, 0, team)
        learner = self.person(boss, "Support Agent", spec.member_role, 0, team, LEARNER_EMAIL)
        self.plan.learner_id = learner.id
        for _ in range(BENCH_INDIVIDUALS - 1):
            self.person(boss, "Support Agent", spec.member_role, 0, team)

    def team_sizes(self, budget: int) -> list[int]:
        """Team sizes of 8-50 (mostly 12-25) that add up to exactly ``budget``."""
        sizes: list[int] = []
        remaining = budget
        while remaining > 0:
            size = int(self.rng.triangular(MIN_TEAM, MAX_TEAM + 1, MODE_TEAM))
            if remaining - size < MIN_TEAM:
                size = remaining if remaining <= MAX_TEAM else remaining - MIN_TEAM
            sizes.append(size)
            remaining -= size
        return sizes


def plan_org(rng: random.Random, tier: Tier) -> OrgPlan:
    b = _Builder(rng, tier)
    ceo = b.person(None, "Chief Executive Officer", "Executive", 0)
    heads = [
        b.person(ceo, f"Head of {spec.name}", "Department Head", i, email=None if i else HEAD_EMAIL)
        for i, spec in enumerate(b.specs)
    ]
    budget = tier.people - len(b.plan.people) - BENCH_TEAM_SIZE
    director_count = budget // PEOPLE_PER_DIRECTOR
    # Every third department is flat (team leads report to the head): lines differ in depth.
    deep = [i for i in range(len(heads)) if i % 3 != 2] or [0]
    directors: dict[int, list[PersonPlan]] = {i: [] for i in range(len(heads))}
    for n in range(director_count):
        dept = deep[n % len(deep)]
        directors[dept].append(b.person(heads[dept], "Director", "Director", dept))
    b.bench_team(heads[0])
    for n, size in enumerate(b.team_sizes(budget - director_count)):
        dept = n % len(heads)
        above = (
            directors[dept][(n // len(heads)) % len(directors[dept])] if directors[dept] else None
        )
        b.staff_team(above or heads[dept], dept, size)
    for person in b.plan.people[-5:]:  # a few learning admins, none of them bench users
        person.learning_admin = True
    if len(b.plan.people) != tier.people:
        raise RuntimeError(f"planned {len(b.plan.people)} people, tier needs {tier.people}")
    return b.plan

"""The demo organisation: Northwind Connect, a 150-person software company.

Everything is generated from a fixed seed, so every machine gets the same
people, reporting lines, modules, paths and completions. Modules are real
training texts kept as Markdown files beside this module.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from peerpath.content import paths
from peerpath.content import selectors as content_selectors
from peerpath.content import services as content
from peerpath.content.models import LearningPath, Module, ModuleKind
from peerpath.core import events
from peerpath.curation.models import Flag, Rating
from peerpath.learning import assignments
from peerpath.learning import services as learning_services
from peerpath.learning.models import (
    AssignmentAudience,
    DueRule,
    ModuleProgress,
    PersonAssignment,
    ProgressStatus,
    SuccessStatus,
)
from peerpath.lrs import recording
from peerpath.people import services as people
from peerpath.people.models import ExpertReviewer, JobRole, Team, User
from peerpath.recognition import certifications, kudos, leaderboards, rewards
from peerpath.schedule import services as schedule
from peerpath.schedule.models import Shift, ShiftSource
from peerpath.skills import services as skills
from peerpath.skills.models import Skill
from peerpath.social import (
    activity,
    discussion_selectors,
    discussions,
    follows,
    notes,
    shares,
    summaries,
)

DEMO_PASSWORD = "peerpath-demo"  # noqa: S105 - documented demo credential
DEMO_DOMAIN = "northwind.example"
SEED = 20261128
MODULES_DIR = Path(__file__).parent / "modules"

Progress = Callable[[int, int], None]

SKILL_TREE: dict[str, list[str]] = {
    "Onboarding": [],
    "Company knowledge": [],
    "Product knowledge": ["Northwind Desk", "Integrations"],
    "Customer service": ["Calls", "Written support"],
    "Communication": [],
    "Security awareness": ["Data protection"],
    "Sales": ["Discovery"],
    "Customer success": [],
    "Engineering": ["Incident response", "Code review"],
    "Data & analytics": [],
    "Leadership": ["Coaching"],
    "Tools": [],
}

JOB_ROLES = [
    "Executive",
    "Department Head",
    "Team Lead",
    "Support Agent",
    "Senior Support Agent",
    "Customer Success Manager",
    "Support Engineer",
    "Account Executive",
    "Sales Development Rep",
    "Marketing Specialist",
    "Software Engineer",
    "Product Designer",
    "People Partner",
]


# What each team mostly learns: demo progress favours these skills, as real teams would.
TEAM_SKILLS = {
    "contact-centre": ("Customer service", "Communication", "Product knowledge"),
    "customer-success": ("Customer success", "Communication", "Product knowledge"),
    "support-engineering": ("Product knowledge", "Engineering", "Data & analytics"),
    "sales": ("Sales", "Communication", "Product knowledge"),
    "marketing": ("Communication", "Product knowledge", "Sales"),
    "platform-engineering": ("Engineering", "Data & analytics", "Tools"),
    "product-design": ("Product knowledge", "Communication", "Engineering"),
    "people-team": ("Leadership", "Communication", "Company knowledge"),
}
COMMON_SKILLS = ("Onboarding", "Security awareness")


@dataclass(frozen=True)
class TeamSpec:
    key: str
    name: str
    department: str
    size: int
    member_role: str
    member_titles: tuple[str, ...]
    lead_title: str
    location: str
    time_zone: str
    works_shifts: bool = False
    sub_leads: int = 0


TEAMS = [
    TeamSpec(
        "contact-centre",
        "Contact Centre",
        "Customer Operations",
        48,
        "Support Agent",
        ("Support Agent", "Support Agent", "Senior Support Agent"),
        "Contact Centre Manager",
        "Leeds",
        "Europe/London",
        works_shifts=True,
        sub_leads=3,
    ),
    TeamSpec(
        "customer-success",
        "Customer Success",
        "Customer Operations",
        14,
        "Customer Success Manager",
        ("Customer Success Manager",),
        "Head of Customer Success",
        "Manchester",
        "Europe/London",
    ),
    TeamSpec(
        "support-engineering",
        "Support Engineering",
        "Customer Operations",
        12,
        "Support Engineer",
        ("Support Engineer", "Senior Support Engineer"),
        "Support Engineering Lead",
        "Dublin",
        "Europe/Dublin",
    ),
    TeamSpec(
        "sales",
        "Sales",
        "Revenue",
        18,
        "Account Executive",
        ("Account Executive", "Sales Development Rep"),
        "Head of Sales",
        "London",
        "Europe/London",
    ),
    TeamSpec(
        "marketing",
        "Marketing",
        "Revenue",
        9,
        "Marketing Specialist",
        ("Marketing Specialist", "Content Marketer"),
        "Head of Marketing",
        "London",
        "Europe/London",
    ),
    TeamSpec(
        "platform-engineering",
        "Platform Engineering",
        "Product & Engineering",
        28,
        "Software Engineer",
        ("Software Engineer", "Senior Software Engineer"),
        "Engineering Manager",
        "Remote (Berlin)",
        "Europe/Berlin",
        sub_leads=1,
    ),
    TeamSpec(
        "product-design",
        "Product Design",
        "Product & Engineering",
        8,
        "Product Designer",
        ("Product Designer", "Product Manager"),
        "Head of Product",
        "Remote (Lisbon)",
        "Europe/Lisbon",
    ),
    TeamSpec(
        "people-team",
        "People Team",
        "People & Operations",
        7,
        "People Partner",
        ("People Partner", "Learning Partner", "Operations Coordinator"),
        "Head of People",
        "London",
        "Europe/London",
    ),
]

DEPARTMENT_HEADS = {
    "Customer Operations": ("Priya Raman", "VP Customer Operations"),
    "Revenue": ("Marcus Bell", "Chief Revenue Officer"),
    "Product & Engineering": ("Elena Novak", "VP Engineering"),
    "People & Operations": ("Grace Okafor", "Chief People Officer"),
}

FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Chloe",
    "Daniel",
    "Ella",
    "Farhan",
    "Georgia",
    "Hamza",
    "Isla",
    "Jack",
    "Keira",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Patrick",
    "Quinn",
    "Rosa",
    "Samuel",
    "Tara",
    "Umar",
    "Vera",
    "William",
    "Xin",
    "Yusuf",
    "Zara",
    "Amelia",
    "Callum",
    "Dev",
    "Erin",
    "Finn",
    "Hannah",
    "Ibrahim",
    "Jade",
    "Kofi",
    "Lucy",
    "Mateo",
    "Niamh",
    "Oscar",
    "Leila",
    "Rhys",
    "Sofia",
    "Tom",
    "Ana",
    "Joel",
    "Mia",
    "Ravi",
    "Freya",
    "Owen",
    "Nadia",
]
LAST_NAMES = [
    "Adams",
    "Bakshi",
    "Campbell",
    "Dias",
    "Evans",
    "Fischer",
    "Gallagher",
    "Hughes",
    "Iqbal",
    "Jensen",
    "Khan",
    "Lopez",
    "Murphy",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quinlan",
    "Rossi",
    "Shah",
    "Turner",
    "Usman",
    "Varga",
    "Walsh",
    "Young",
    "Zielinski",
    "Mensah",
    "Byrne",
    "Chen",
    "Doyle",
    "Ekström",
    "Fraser",
    "Grant",
    "Hassan",
    "Ito",
    "Kowalski",
    "Li",
    "Mahmood",
    "Nair",
    "Okoro",
    "Price",
    "Reid",
    "Silva",
    "Thompson",
    "Wright",
    "Zhou",
]

# The sign-ins printed by `peerpath run`, each a real person of the demo organisation.
DEMO_ACCOUNTS = {
    "employee (agent)": f"sam@{DEMO_DOMAIN}",
    "manager": f"nora@{DEMO_DOMAIN}",
    "learning admin": f"lena@{DEMO_DOMAIN}",
    "system admin": f"admin@{DEMO_DOMAIN}",
}

PATHS = [
    (
        "Welcome to Northwind",
        "Your first two weeks: how we work, the tools, and the basics every new colleague needs.",
        ["Onboarding"],
        7,
        ("Your first days", "How we work together"),
    ),
    (
        "Contact Centre essentials",
        "From the first hello to after-call work: the core skills "
        "for taking customer calls at Northwind.",
        ["Customer service / Calls"],
        7,
        ("On the call", "Harder conversations"),
    ),
    (
        "Security awareness basics",
        "The security habits everyone at Northwind follows, in short practical modules.",
        ["Security awareness"],
        7,
        ("Everyday habits", "When something looks wrong"),
    ),
    (
        "Know Northwind Desk",
        "The product our customers use every day, feature by feature.",
        ["Product knowledge"],
        6,
        ("The basics", "Going further"),
    ),
]


@dataclass(frozen=True)
class ModuleText:
    title: str
    summary: str
    minutes: int
    skills: tuple[str, ...]
    author: str
    body: str
    kind: str = ModuleKind.ARTICLE
    questions: str = ""
    quiz_settings: content.QuizSettings = field(default_factory=content.QuizSettings)


QUESTIONS_MARK = "=== Questions ==="


def read_module_file(path: Path) -> ModuleText:
    """Parse a demo module: a ``---`` front-matter block of ``key: value`` lines, then Markdown.

    Quiz questions, if any, follow a line ``=== Questions ===`` at the end.
    """
    text = path.read_text(encoding="utf-8")
    _, header, body = text.split("---", 2)
    meta = {}
    for line in header.strip().splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    body, _, questions = body.partition(QUESTIONS_MARK)
    return ModuleText(
        title=meta["title"],
        summary=meta["summary"],
        minutes=int(meta["minutes"]),
        skills=tuple(s.strip() for s in meta["skills"].split(",") if s.strip()),
        author=meta["author"],
        body=body.strip() + "\n",
        kind=meta.get("kind", ModuleKind.ARTICLE),
        questions=questions.strip() + "\n" if questions.strip() else "",
        quiz_settings=content.QuizSettings(
            pass_mark=int(meta.get("pass_mark", 80)),
            shuffle=meta.get("shuffle") == "yes",
            max_attempts=int(meta["max_attempts"]) if "max_attempts" in meta else None,
        ),
    )


def database_is_empty() -> bool:
    return not User.objects.exists()


def demo_loaded() -> bool:
    return User.objects.filter(email=DEMO_ACCOUNTS["system admin"]).exists()


def demo_logins() -> list[tuple[str, str]]:
    return list(DEMO_ACCOUNTS.items())


class _Names:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def next(self) -> str:
        while True:
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            if name not in self.used:
                self.used.add(name)
                return name


def _email(name: str, taken: set[str]) -> str:
    local = name.lower().replace("'", "").replace(" ", ".").replace("ö", "o")
    email, n = f"{local}@{DEMO_DOMAIN}", 2
    while email in taken:
        email, n = f"{local}{n}@{DEMO_DOMAIN}", n + 1
    taken.add(email)
    return email


@transaction.atomic
def load_demo(*, progress: Progress | None = None) -> None:
    """Create the demo organisation in one transaction (all of it or nothing)."""
    rng = random.Random(SEED)  # noqa: S311 - deterministic demo data, not security
    step = _Stepper(progress, total=6)
    password_hash = _hash(DEMO_PASSWORD)

    skill_by_path = _load_skills()
    step()
    roles = {name: people.job_role_create(name=name) for name in JOB_ROLES}
    today = timezone.localdate()
    emails: set[str] = set()
    names = _Names(rng)

    def person(
        name: str,
        title: str,
        role: str,
        *,
        team: object = None,
        manager: User | None = None,
        email: str | None = None,
        location: str = "London",
        tz: str = "Europe/London",
        **extra: object,
    ) -> User:
        address = email or _email(name, emails)
        emails.add(address)
        user = people.person_create(
            email=address,
            display_name=name,
            job_title=title,
            job_role=roles[role],
            team=team,
            manager=manager,
            location=location,
            time_zone=tz,
            hire_date=today - timedelta(days=rng.randint(20, 2400)),
            **extra,  # type: ignore[arg-type]
        )
        user.password = password_hash
        user.save(update_fields=["password"])
        return user

    ceo = person("Jonathan Reyes", "Chief Executive Officer", "Executive")
    heads: dict[str, User] = {}
    departments = {}
    for dept_name, (head_name, head_title) in DEPARTMENT_HEADS.items():
        departments[dept_name] = people.department_get_or_create(name=dept_name)
        heads[dept_name] = person(head_name, head_title, "Department Head", manager=ceo)
    step()

    team_owner: dict[str, list[User]] = {}
    for spec in TEAMS:
        team = people.team_get_or_create(
            name=spec.name, department=departments[spec.department], works_shifts=spec.works_shifts
        )
        lead_email = DEMO_ACCOUNTS["manager"] if spec.key == "contact-centre" else None
        lead_name = "Nora Lindqvist" if lead_email else names.next()
        lead = person(
            lead_name,
            spec.lead_title,
            "Team Lead",
            team=team,
            manager=heads[spec.department],
            email=lead_email,
            location=spec.location,
            tz=spec.time_zone,
        )
        sub_leads = [
            person(
                names.next(),
                f"{spec.name} Team Lead",
                "Team Lead",
                team=team,
                manager=lead,
                location=spec.location,
                tz=spec.time_zone,
            )
            for _ in range(spec.sub_leads)
        ]
        members = [lead, *sub_leads]
        for i in range(spec.size - 1 - spec.sub_leads):
            manager = sub_leads[i % len(sub_leads)] if sub_leads else lead
            email = None
            name = names.next()
            if spec.key == "contact-centre" and i == 0:
                name, email = "Sam Okafor-Hale", DEMO_ACCOUNTS["employee (agent)"]
            if spec.key == "people-team" and i == 0:
                name, email = "Lena Hoffmann", DEMO_ACCOUNTS["learning admin"]
            title = spec.member_titles[i % len(spec.member_titles)]
            role = spec.member_role if title == spec.member_titles[0] else _role_for(title, spec)
            members.append(
                person(
                    name,
                    "Learning Partner" if email == DEMO_ACCOUNTS["learning admin"] else title,
                    role,
                    team=team,
                    manager=manager,
                    email=email,
                    location=spec.location,
                    tz=spec.time_zone,
                    is_learning_admin=email == DEMO_ACCOUNTS["learning admin"],
                )
            )
        team_owner[spec.key] = members
    person(
        "Alex Morgan",
        "IT Systems Administrator",
        "Executive",
        manager=heads["People & Operations"],
        email=DEMO_ACCOUNTS["system admin"],
        is_staff=True,
        is_superuser=True,
        is_learning_admin=True,
    )
    step()

    modules = _load_modules(rng, skill_by_path, team_owner)
    modules.append(
        _load_sample_package(
            User.objects.get(email=DEMO_ACCOUNTS["learning admin"]),
            skill_by_path["Customer service / Calls"],
        )
    )
    step()
    _load_paths(modules, team_owner["people-team"][0])
    _grant_reviewers(skill_by_path, team_owner)
    _curate_core(modules)
    step()
    _load_progress(rng, modules)
    _load_quality_signals(rng)
    _load_assignments(rng, roles["Support Agent"], team_owner["contact-centre"], password_hash)
    _load_learning_time()
    _prepare_security_certification()
    history = list(
        _history(list(ModuleProgress.objects.select_related("user", "module").order_by("pk")))
    )
    recording.record_history(iter(history))
    _load_recognition(history)
    _load_social()
    step()


SCORM_SAMPLE_DIR = Path(__file__).resolve().parent / "scorm" / "call-quality"


def sample_package_zip() -> bytes:
    """The demo's interactive SCORM 1.2 lesson, zipped as an authoring tool would export it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(SCORM_SAMPLE_DIR.iterdir()):
            archive.write(path, arcname=path.name)
    return buffer.getvalue()


def _load_sample_package(admin: User, skill: Skill) -> Module:
    """A SCORM package imported by the learning admin, as customers bring from vendors."""
    module = content.module_create(
        author=admin,
        kind=ModuleKind.PACKAGE,
        title="Call quality in three minutes",
        summary="An interactive lesson from our quality team's authoring tool: four screens "
        "and a three-question check that records your score.",
        estimated_minutes=3,
        skills=[skill],
    )
    upload = SimpleUploadedFile(
        "call-quality-scorm12.zip", sample_package_zip(), content_type="application/zip"
    )
    content.module_attach_package(actor=admin, module=module, upload=upload)
    return content.module_publish(actor=admin, module=module)


def _role_for(title: str, spec: TeamSpec) -> str:
    for role in JOB_ROLES:
        if title.endswith(role) or role == title:
            return role
    return spec.member_role


def _hash(password: str) -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(password)


class _Stepper:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def __call__(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total)


def _load_skills() -> dict[str, Skill]:
    by_path: dict[str, Skill] = {}
    for top, children in SKILL_TREE.items():
        parent = skills.skill_create(name=top)
        by_path[parent.path] = parent
        for child in children:
            skill = skills.skill_create(name=child, parent=parent)
            by_path[skill.path] = skill
    return by_path


def _load_modules(
    rng: random.Random, skill_by_path: dict[str, Skill], team_owner: dict[str, list[User]]
) -> list[Module]:
    modules = []
    now = timezone.now()
    files = sorted(MODULES_DIR.glob("*.md"))
    for index, path in enumerate(files):
        text = read_module_file(path)
        owner = rng.choice(team_owner[text.author][:6])
        module = content.module_create(
            author=owner,
            title=text.title,
            summary=text.summary,
            body_markdown=text.body,
            estimated_minutes=text.minutes,
            skills=[skill_by_path[s] for s in text.skills],
            kind=text.kind,
            quiz_source=text.questions,
            quiz_settings=text.quiz_settings,
            publish=True,
        )
        # Spread publication over the last months so the catalog has a history.
        Module.objects.filter(pk=module.pk).update(
            published_at=now - timedelta(days=(len(files) - index) * 3, hours=rng.randint(0, 20))
        )
        modules.append(module)
    return modules


def _load_paths(modules: list[Module], owner: User) -> None:
    """Each path in two sections; its last module waits for its first."""
    for title, summary, skill_paths, limit, section_titles in PATHS:
        chosen = [
            m
            for m in modules
            if any(
                s.path == p or s.path.startswith(p + " / ")
                for s in m.skills.all()
                for p in skill_paths
            )
        ][:limit]
        if not chosen:
            continue
        half = (len(chosen) + 1) // 2
        first, second = section_titles
        path = paths.path_create(
            author=owner,
            title=title,
            summary=summary,
            description_markdown=f"{summary}\n\nWork through the modules in order; "
            "each takes a few minutes.",
            sections=[(first, chosen[:half]), (second, chosen[half:])],
        )
        steps = list(path.steps.order_by("position"))
        if len(steps) > 2:
            paths.path_step_set_prerequisites(actor=owner, step=steps[-1], prerequisites=[steps[0]])
        paths.path_publish(actor=owner, path=path)


def _grant_reviewers(skill_by_path: dict[str, Skill], team_owner: dict[str, list[User]]) -> None:
    grants = {
        "Customer service": team_owner["contact-centre"][0],
        "Security awareness": team_owner["platform-engineering"][0],
        "Product knowledge": team_owner["product-design"][0],
        "Engineering": team_owner["platform-engineering"][1],
        "Sales": team_owner["sales"][0],
    }
    ExpertReviewer.objects.bulk_create(
        ExpertReviewer(user=user, skill=skill_by_path[path]) for path, user in grants.items()
    )


def _load_progress(rng: random.Random, modules: list[Module]) -> None:
    """Give most people some history: completions and a module or two in progress.

    People mostly learn what their team needs, plus the onboarding and security everyone does.
    """
    now = timezone.now()
    # Modules with a quiz are completed by passing it, which the demo leaves to people.
    modules = [m for m in modules if not m.quiz.get("questions")]
    slug_of_team = {t.name: t.key for t in TEAMS}
    tops = {m.pk: {s.path.split(" / ")[0] for s in m.skills.all()} for m in modules}
    rows = []
    for user in User.objects.filter(is_active=True).select_related("team").order_by("pk"):
        if user.email == DEMO_ACCOUNTS["system admin"]:
            continue
        focus = set(COMMON_SKILLS)
        if user.team is not None:
            focus |= set(TEAM_SKILLS[slug_of_team[user.team.name]])
        relevant = [m for m in modules if tops[m.pk] & focus]
        others = [m for m in modules if not tops[m.pk] & focus]
        count = rng.randint(0, 9)
        from_relevant = min(len(relevant), round(count * 0.85))
        opened = rng.sample(relevant, k=from_relevant) + rng.sample(
            others, k=min(len(others), count - from_relevant)
        )
        for module in opened:
            started = now - timedelta(days=rng.randint(1, 80), minutes=rng.randint(0, 600))
            done = rng.random() < 0.7
            # Time spent around the estimate (a third of it when unfinished), derived from
            # the ids rather than drawn, so the rest of the seeded demo stays as it was.
            spent = module.estimated_minutes * 60 * (80 + (user.pk * 7 + module.pk * 13) % 50)
            rows.append(
                ModuleProgress(
                    user=user,
                    module=module,
                    started_at=started,
                    last_opened_at=started + timedelta(minutes=module.estimated_minutes),
                    status=ProgressStatus.COMPLETED if done else ProgressStatus.IN_PROGRESS,
                    completed_at=started + timedelta(minutes=module.estimated_minutes)
                    if done
                    else None,
                    time_spent_seconds=spent // 100 if done else spent // 300,
                )
            )
    ModuleProgress.objects.bulk_create(rows, batch_size=500)


def _history(rows: list[ModuleProgress]) -> Iterator[events.LearningRecorded]:
    """The events the demo's progress would have announced, at the times it happened.

    The demo writes progress rows directly, so it replays their events into the learning
    record: an analytics tool reading the demo's LRS sees the same past as My learning.
    """
    path_refs: dict[int, list[events.PathRef]] = {}
    published = list(content_selectors.paths_published())
    for path_id, module_ids in content_selectors.path_module_ids([p.pk for p in published]).items():
        ref = next(
            events.PathRef(public_id=str(p.public_id), title=p.title)
            for p in published
            if p.pk == path_id
        )
        for module_id in module_ids:
            path_refs.setdefault(module_id, []).append(ref)
    for row in rows:
        launched = events.LearningRecorded(
            verb="launched",
            learner_public_id=str(row.user.public_id),
            learner_name=row.user.display_name,
            module_public_id=str(row.module.public_id),
            module_title=row.module.title,
            module_kind=row.module.kind,
            at=row.started_at,
            paths=tuple(path_refs.get(row.module.pk, ())),
        )
        yield launched
        if row.completed_at is not None:
            yield replace(
                launched,
                verb="completed",
                at=row.completed_at,
                duration_seconds=row.time_spent_seconds,
            )


# Recent hires into the contact centre: (name, days since hire, onboarding modules done).
NEW_HIRES = [
    ("Ines Carvalho", 20, 0),  # opened the first module only: overdue
    ("Theo Blake", 9, 7),  # finished every module before the rule existed
]
ONBOARDING_PATH = "Welcome to Northwind"
SECURITY_QUIZ = "Security basics check"


def _load_assignments(
    rng: random.Random, agent_role: JobRole, centre: list[User], password_hash: str
) -> None:
    """Onboarding runs on assignments: every new Support Agent gets the onboarding path,
    due 14 days after their hire date; the contact-centre manager assigned the security
    quiz to her team. Sam (a demo sign-in) joined six days ago and is part-way through."""
    now = timezone.now()
    today = timezone.localdate()
    admin = User.objects.get(email=DEMO_ACCOUNTS["learning admin"])
    nora = User.objects.get(email=DEMO_ACCOUNTS["manager"])
    sam = User.objects.get(email=DEMO_ACCOUNTS["employee (agent)"])
    path = LearningPath.objects.get(title=ONBOARDING_PATH)
    steps = [s.module for s in path.steps.select_related("module").order_by("position")]
    people.person_update_profile(person=sam, hire_date=today - timedelta(days=6))
    hires = [(sam, 6, 2)]
    for name, days, done in NEW_HIRES:
        hire = people.person_create(
            email=_email(name, set()),
            display_name=name,
            job_title="Support Agent",
            job_role=agent_role,
            team=sam.team,
            manager=sam.manager,
            location="Leeds",
            time_zone="Europe/London",
            hire_date=today - timedelta(days=days),
        )
        hire.password = password_hash
        hire.save(update_fields=["password"])
        hires.append((hire, days, done))
    ModuleProgress.objects.filter(user__in=[h for h, _, _ in hires], module__in=steps).delete()
    rows = []
    for hire, days, done in hires:
        # Each one works through the path in order from their first day, a module a day;
        # the module after the last one done is open.
        for index, module in enumerate(steps[: done + 1]):
            started = now - timedelta(days=days - 1 - index, hours=3)
            finished = index < done
            rows.append(
                ModuleProgress(
                    user=hire,
                    module=module,
                    started_at=started,
                    last_opened_at=started + timedelta(minutes=module.estimated_minutes),
                    status=ProgressStatus.COMPLETED if finished else ProgressStatus.IN_PROGRESS,
                    completed_at=started + timedelta(minutes=module.estimated_minutes)
                    if finished
                    else None,
                    percent=100 if finished else 40,
                    time_spent_seconds=module.estimated_minutes * (60 if finished else 20),
                )
            )
    # A few agents passed the security quiz before their manager assigned it (not Sam,
    # who still has it to do).
    quiz = Module.objects.get(title=SECURITY_QUIZ)
    for person in rng.sample([p for p in centre[4:] if p.pk != sam.pk], k=12):
        taken = now - timedelta(days=rng.randint(10, 60))
        rows.append(
            ModuleProgress(
                user=person,
                module=quiz,
                started_at=taken,
                last_opened_at=taken,
                status=ProgressStatus.COMPLETED,
                completed_at=taken + timedelta(minutes=12),
                percent=100,
                time_spent_seconds=12 * 60,
                success_status=SuccessStatus.PASSED,
                score=rng.choice([80, 90, 100]),
            )
        )
    ModuleProgress.objects.bulk_create(rows)
    assignments.assignment_create(
        actor=admin,
        path=path,
        audience=AssignmentAudience.NEW_HIRES,
        job_role=agent_role,
        new_hires_since=today - timedelta(days=30),
        due_rule=DueRule.AFTER_HIRE,
        due_days=14,
        reminder_days=3,
    )
    assignments.assignment_create(
        actor=nora,
        module=quiz,
        audience=AssignmentAudience.TEAM,
        team=sam.team,
        due_rule=DueRule.AFTER_ASSIGNMENT,
        due_days=10,
        reminder_days=3,
    )
    # The demo's people heard of their assignments when they were made.
    PersonAssignment.objects.filter(assigned_notice_sent_at__isnull=True).update(
        assigned_notice_sent_at=F("assigned_at")
    )


RATING_NOTES = [
    "Clear and practical — I used the checklist on my next shift.",
    "Would love a worked example for the tricky case at the end.",
    "Short and to the point, thanks.",
    "A couple of screenshots would help here.",
    "This saved me a question to my team lead.",
]
DEMO_FLAGS = [
    (
        "Pricing and plans explained",
        "outdated",
        "The Team plan price changed last month; the table still shows the old figure.",
    ),
    (
        "Reading Northwind Desk reporting dashboards",
        "wrong",
        "The SLA widget is under Insights now, not Reports — step 2 sends people the wrong way.",
    ),
]


def _load_quality_signals(rng: random.Random) -> None:
    """Ratings from about a third of those who finished a module, and two open reports."""
    ratings = []
    for progress in ModuleProgress.objects.filter(status=ProgressStatus.COMPLETED).select_related(
        "module"
    ):
        if progress.module.owner_id == progress.user_id or rng.random() > 0.35:
            continue
        note = rng.choice(RATING_NOTES) if rng.random() < 0.25 else ""
        ratings.append(
            Rating(
                module_id=progress.module_id,
                user_id=progress.user_id,
                stars=rng.choices([5, 4, 3, 2], weights=[45, 35, 15, 5])[0],
                comment=note,
            )
        )
    Rating.objects.bulk_create(ratings, batch_size=500)
    reporter = User.objects.get(email=DEMO_ACCOUNTS["employee (agent)"])
    for title, reason, details in DEMO_FLAGS:
        module = Module.objects.filter(title=title).first()
        if module is not None:
            Flag.objects.create(module=module, reporter=reporter, reason=reason, details=details)


def _curate_core(modules: list[Module]) -> None:
    """The core is curated: onboarding and security modules were approved by the learning
    admin; one customer-service module waits in the reviewers' queue."""
    from peerpath.curation import services as curation

    admin = User.objects.get(email=DEMO_ACCOUNTS["learning admin"])
    for module in modules:
        tops = {s.path.split(" / ")[0] for s in module.skills.all()}
        if tops & {"Onboarding", "Security awareness"} and module.owner_id != admin.pk:
            review = curation.module_nominate(user=module.owner, module=module)
            curation.review_approve(reviewer=admin, review=review, body="Core content.")
    # Waiting in the customer-service queue, which the demo manager (Nora) reviews.
    nora = User.objects.get(email=DEMO_ACCOUNTS["manager"])
    waiting = next(
        m
        for m in modules
        if any(s.path.startswith("Customer service") for s in m.skills.all())
        and m.owner_id != nora.pk
    )
    curation.module_nominate(
        user=User.objects.get(email=DEMO_ACCOUNTS["employee (agent)"]),
        module=waiting,
        reason="Saved me on every release day — worth making core.",
    )


# Learning time in the contact centre (times in London, the team's zone).
CENTRE_ZONE = ZoneInfo("Europe/London")
EARLY, LATE, BILLING = (time(8), time(16)), (time(12), time(20)), (time(9), time(17))
SHIFT_WEEKS = 4
DEMO_SLOT = (time(14), time(14, 30))
# Other agents' approved blocks that make the team's week look lived in, inside their
# shifts: (index among the agents off the billing queue — even ones work early, odd ones
# late — weekdays after the demo day, start).
OTHER_BLOCKS = [(1, 0, time(16, 30)), (2, 1, time(13, 30)), (4, 1, time(9)), (5, 2, time(15))]


def demo_learning_day(today: date) -> date:
    """The day of the demo's learning blocks: the first weekday two days or more ahead."""
    day = today + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=CENTRE_ZONE)


SECURITY_PATH = "Security awareness basics"
SECURITY_QUIZ = "Security basics check"


def _prepare_security_certification() -> None:
    """Sam has read every step of the security path but the last, and not yet taken the
    check: finishing the path and passing it certifies him at once."""
    sam = User.objects.get(email=DEMO_ACCOUNTS["employee (agent)"])
    path = LearningPath.objects.get(title=SECURITY_PATH)
    steps = list(path.steps.order_by("position").values_list("module_id", flat=True))
    ModuleProgress.objects.filter(user=sam, module_id=steps[-1]).delete()
    ModuleProgress.objects.filter(user=sam, module__title=SECURITY_QUIZ).delete()
    done = set(
        ModuleProgress.objects.filter(
            user=sam, module_id__in=steps, status=ProgressStatus.COMPLETED
        ).values_list("module_id", flat=True)
    )
    ModuleProgress.objects.filter(user=sam, module_id__in=steps).exclude(
        module_id__in=done
    ).delete()
    now = timezone.now()
    ModuleProgress.objects.bulk_create(
        ModuleProgress(
            user=sam,
            module_id=module_id,
            started_at=now - timedelta(days=12 - n),
            last_opened_at=now - timedelta(days=12 - n, minutes=-8),
            status=ProgressStatus.COMPLETED,
            completed_at=now - timedelta(days=12 - n, minutes=-8),
            time_spent_seconds=8 * 60,
        )
        for n, module_id in enumerate(steps[:-1])
        if module_id not in done
    )


def _load_recognition(history: list[events.LearningRecorded]) -> None:
    """Points, streaks and badges for the demo's past, and the security certification.

    The past is replayed to recognition and to the feeds in the order it happened (the
    learning record has it already), so leaderboards, streaks, badges, profiles and feeds
    look lived-in.
    """
    for event in sorted(history, key=lambda e: e.at):
        rewards.on_learning_recorded(event)
        activity.on_learning_recorded(event)
    lena = User.objects.get(email=DEMO_ACCOUNTS["learning admin"])
    security = LearningPath.objects.get(title=SECURITY_PATH)
    quiz = Module.objects.get(title=SECURITY_QUIZ)
    certifications.certification_define(
        actor=lena,
        spec=certifications.CertificationSpec(
            name="Security Certified",
            description="Knows and follows Northwind's everyday security habits: passwords "
            "and MFA, customer data, phishing and reporting incidents. Renewed every year.",
            skills=list(quiz.skills.all()),
            required_modules=[quiz],
            required_paths=[security],
            min_score=Decimal(80),
            validity_days=365,
            recertify_within_days=60,
            recert_modules=[quiz],
        ),
    )
    sam = User.objects.get(email=DEMO_ACCOUNTS["employee (agent)"])
    nora = User.objects.get(email=DEMO_ACCOUNTS["manager"])
    colleagues = list(
        User.objects.filter(team=sam.team, is_active=True, manager=nora)
        .exclude(pk=sam.pk)
        .order_by("pk")[:3]
    )
    for giver, recipient, message in [
        (nora, sam, "Thanks for covering the billing queue on Tuesday: customers noticed."),
        (colleagues[0], sam, "Your warm-transfer tip saved me twice today. Thank you!"),
        (sam, colleagues[1], "Thanks for walking me through the new refund rules."),
    ]:
        kudos.kudos_give(giver=giver, recipient=recipient, message=message)
    # Not everyone wants to be ranked: they still earn points and badges.
    leaderboards.leaderboard_preference_set(person=colleagues[2], hidden=True)


SUMMARY_MODULE = "Warm vs cold transfers"
QUESTION_MODULE = "Handling refund and credit requests"
SHARED_PATH = "Contact Centre essentials"


def _completed(person: User, module: Module) -> None:
    """The person completes the module, as learning records it (events and all)."""
    learning_services.progress_open(user=person, module=module)
    learning_services.progress_complete(user=person, module=module)


def _load_social() -> None:
    """The contact centre's social learning: a summary colleagues found helpful enough to
    reach the whole department, a path Nora shared with her team, a question answered by
    the team's expert, follows, and a public note on Sam's profile."""
    sam = User.objects.get(email=DEMO_ACCOUNTS["employee (agent)"])
    nora = User.objects.get(email=DEMO_ACCOUNTS["manager"])
    centre = sam.team
    if centre is None:
        raise RuntimeError("The demo's agent belongs to the contact centre.")
    team = list(
        User.objects.filter(team=centre, is_active=True)
        .exclude(pk__in=[sam.pk, nora.pk])
        .order_by("pk")
    )
    writer, asker = team[3], team[4]
    transfers = Module.objects.get(title=SUMMARY_MODULE)
    _completed(writer, transfers)
    summary = summaries.summary_write(
        author=writer,
        module=transfers,
        kind="summary",
        body="Warm transfer whenever the customer would otherwise repeat themselves: "
        "stay on the line, brief your colleague in one sentence (name, issue, what you "
        "tried), then introduce them. Cold transfer only for simple routing, and say "
        "where you are sending them and why.",
    )
    for voter in [sam, *team[5:11]]:
        summaries.summary_vote(voter=voter, summary=summary, helpful=True)

    essentials = LearningPath.objects.get(title=SHARED_PATH)
    shares.share_create(
        sender=nora,
        path=essentials,
        teams=[centre],
        message="Our refresher for this quarter: the two harder-conversations modules "
        "are the ones I'd start with.",
    )

    refunds = Module.objects.get(title=QUESTION_MODULE)
    expert = (
        ExpertReviewer.objects.filter(skill__name="Customer service").select_related("user").first()
    )
    question = discussions.thread_start(
        author=asker,
        subject=discussion_selectors.Subject(module=refunds),
        body="A customer asks for a refund **after** the 14-day window because the "
        "delivery was late. Do we count the 14 days from the order or from delivery?",
        is_question=True,
    )
    if expert is not None and expert.user.pk != asker.pk:
        answer = discussions.reply_post(
            author=expert.user,
            parent=question,
            body="From delivery. The window protects the customer's time with the "
            "product, so a late delivery starts the clock late. Note the delivery date "
            "in the ticket.",
        )
        discussions.answer_accept(actor=asker, answer=answer)

    for followee in team[:3]:
        follows.follow_person(follower=sam, followee=followee)
    follows.follow_person(follower=team[0], followee=sam)
    listening = Module.objects.get(title="Active listening on the phone")
    _completed(sam, listening)
    notes.note_create(
        author=sam,
        module=listening,
        body="Three habits that work on busy days:\n\n1. Let the customer finish, then "
        "summarise in one sentence.\n2. Write the key facts in the ticket while they talk."
        '\n3. Ask "what else?" before closing.',
        public=True,
    )


def _load_learning_time() -> None:
    """The contact centre runs learning time on shifts: Nora's policy approves up to an hour
    a week at once, four agents staff the billing queue (at least three on duty) and the
    whole team keeps 22 people on the phones.

    Sam's half hour during his billing shift is approved at once; a billing colleague asking
    for the same slot waits for Nora with the shortfall and nearby slots that would work;
    another agent's 90 minutes (over the weekly allowance) waits for one click. Sam's
    calendar feed is on, so his block is in his calendar.
    """
    nora = User.objects.get(email=DEMO_ACCOUNTS["manager"])
    sam = User.objects.get(email=DEMO_ACCOUNTS["employee (agent)"])
    team = Team.objects.get(members=sam)
    schedule.set_team_policy(
        actor=nora,
        team=team,
        auto_approve_minutes_per_week=60,
        monthly_budget_minutes=240,
        notice_hours=2,
        require_within_shift=True,
        coverage_interval_minutes=15,
        time_zone=CENTRE_ZONE.key,
    )
    for weekday in range(5):
        schedule.add_coverage_requirement(
            actor=nora,
            team=team,
            weekday=weekday,
            start_time=time(9),
            end_time=time(18),
            minimum_on_duty=22,
        )
        schedule.add_coverage_requirement(
            actor=nora,
            team=team,
            queue="billing",
            weekday=weekday,
            start_time=BILLING[0],
            end_time=BILLING[1],
            minimum_on_duty=3,
        )
    agents = list(User.objects.filter(team=team, is_active=True).exclude(pk=nora.pk).order_by("pk"))
    billing = [sam, *[a for a in agents if a.pk != sam.pk and a.job_title == "Support Agent"][:3]]
    # Support agents first, so the demo's requests come from agents rather than team leads.
    general = sorted(
        (a for a in agents if a not in billing),
        key=lambda a: (a.job_title != "Support Agent", a.pk),
    )
    today = timezone.now().astimezone(CENTRE_ZONE).date()
    monday = today - timedelta(days=today.weekday())
    now = timezone.now()
    shifts = []
    for offset in range(SHIFT_WEEKS * 7):
        day = monday + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        rota = [(a, BILLING, "billing") for a in billing] + [
            (a, EARLY if i % 2 == 0 else LATE, "") for i, a in enumerate(general)
        ]
        shifts += [
            Shift(
                person=agent,
                team=team,
                starts_at=_local(day, hours[0]),
                ends_at=_local(day, hours[1]),
                queue=queue,
                source=ShiftSource.CSV,
                imported_at=now,
            )
            for agent, hours, queue in rota
        ]
    Shift.objects.bulk_create(shifts)

    day = demo_learning_day(today)
    onboarding = LearningPath.objects.get(title=ONBOARDING_PATH)
    essentials = LearningPath.objects.get(title="Contact Centre essentials")
    schedule.request_learning_time(
        person=sam,
        starts_at=_local(day, DEMO_SLOT[0]),
        ends_at=_local(day, DEMO_SLOT[1]),
        path=onboarding,
        note="Next step of my onboarding path.",
    )
    schedule.request_learning_time(
        person=billing[1],
        starts_at=_local(day, DEMO_SLOT[0]),
        ends_at=_local(day, DEMO_SLOT[1]),
        note="Refund rules refresher before the release.",
    )
    next_day = demo_learning_day(day - timedelta(days=1))
    schedule.request_learning_time(
        person=general[0],
        starts_at=_local(next_day, time(10)),
        ends_at=_local(next_day, time(11, 30)),
        path=essentials,
        note="Working through the harder-conversations section in one go.",
    )
    for index, days_on, start in OTHER_BLOCKS:
        on = day
        for _ in range(days_on):
            on = demo_learning_day(on - timedelta(days=1))
        begins = _local(on, start)
        schedule.request_learning_time(
            person=general[index], starts_at=begins, ends_at=begins + timedelta(minutes=30)
        )
    schedule.create_calendar_feed(person=sam)

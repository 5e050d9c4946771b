"""Deterministic xAPI statements for the LRS benchmark, without Django.

Statement ``i`` is always the same statement: its id, learner, verb, activity,
registration and time follow from ``i`` alone, so a database can be grown in steps
and the HTTP load continues where the preload stopped. The shape follows a learning
platform's traffic: 20,000 learners of uneven activity, 2,000 activities in 100
courses, 15 verbs (a few frequent), one registration per learner and course, and
times spread over a year.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

AGENTS = 20_000
ACTIVITIES = 2_000
COURSES = 100
COURSES_PER_AGENT = 5
HOME_PAGE = "https://peerpath.example"
ACTIVITY_BASE = "https://peerpath.example/activities"
COURSE_BASE = "https://peerpath.example/courses"
YEAR = timedelta(days=365)
# Fixed, so the same statement has the same time on every run.
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
_ADL = "http://adlnet.gov/expapi/verbs/"
# (verb, weight): learners mostly experience, attempt and progress.
VERBS: tuple[tuple[str, int], ...] = (
    ("experienced", 30),
    ("attempted", 14),
    ("progressed", 12),
    ("completed", 10),
    ("answered", 9),
    ("passed", 5),
    ("failed", 3),
    ("launched", 4),
    ("initialized", 3),
    ("terminated", 3),
    ("scored", 2),
    ("commented", 2),
    ("interacted", 1),
    ("registered", 1),
    ("mastered", 1),
)
_VERB_CUMULATIVE = [sum(w for _, w in VERBS[: i + 1]) for i in range(len(VERBS))]
_RESULT_VERBS = {"completed", "passed", "failed", "scored", "answered", "mastered"}
_ID_SPACE = uuid.UUID("6f1c3a52-9d1e-4d8b-b0c2-51a7e3f0b1d4")


@dataclass(frozen=True)
class Shape:
    """Who did what in statement ``i``: enough to build it and to pick filters from it."""

    index: int
    agent: int
    verb: str
    activity: int
    registration: uuid.UUID
    timestamp: datetime


def statement_id(index: int) -> uuid.UUID:
    return uuid.uuid5(_ID_SPACE, str(index))


def agent_name(agent: int) -> str:
    return f"learner-{agent:05d}"


def agent_json(agent: int) -> dict[str, Any]:
    return {
        "objectType": "Agent",
        "name": f"Learner {agent}",
        "account": {"homePage": HOME_PAGE, "name": agent_name(agent)},
    }


def activity_iri(activity: int) -> str:
    return f"{ACTIVITY_BASE}/{activity:04d}"


def course_of(activity: int) -> int:
    return activity % COURSES


def verb_iri(verb: str) -> str:
    return _ADL + verb


def registration_of(agent: int, course: int) -> uuid.UUID:
    return uuid.uuid5(_ID_SPACE, f"registration:{agent}:{course}")


def time_of(index: int, total: int) -> datetime:
    """Statements are spread evenly over the year, in index order (so stored order too)."""
    return EPOCH + YEAR * (index / max(total, 1))


def shape(index: int, total: int) -> Shape:
    """The learner, verb, activity, registration and time of statement ``index``."""
    rng = random.Random(index)
    # Learners' activity is uneven: a quarter of them send about half of the statements.
    agent = rng.randrange(AGENTS // 4) if rng.random() < 0.5 else rng.randrange(AGENTS)
    # Each learner follows a few courses; an activity belongs to one course.
    course = (agent * 7 + rng.randrange(COURSES_PER_AGENT) * 13) % COURSES
    activity = course + COURSES * rng.randrange(ACTIVITIES // COURSES)
    pick = rng.randrange(_VERB_CUMULATIVE[-1])
    verb = next(VERBS[i][0] for i, top in enumerate(_VERB_CUMULATIVE) if pick < top)
    return Shape(
        index=index,
        agent=agent,
        verb=verb,
        activity=activity,
        registration=registration_of(agent, course),
        timestamp=time_of(index, total),
    )


def statement(index: int, total: int) -> dict[str, Any]:
    """Statement ``index`` of a store that will hold ``total``, as a client would send it."""
    s = shape(index, total)
    course = course_of(s.activity)
    body: dict[str, Any] = {
        "id": str(statement_id(index)),
        "actor": agent_json(s.agent),
        "verb": {"id": verb_iri(s.verb), "display": {"en-US": s.verb}},
        "object": {
            "objectType": "Activity",
            "id": activity_iri(s.activity),
            "definition": {
                "name": {"en-US": f"Activity {s.activity}"},
                "type": "http://adlnet.gov/expapi/activities/lesson",
            },
        },
        "context": {
            "registration": str(s.registration),
            "platform": "Peerpath",
            "language": "en-US",
            "contextActivities": {
                "parent": [{"objectType": "Activity", "id": f"{COURSE_BASE}/{course:03d}"}],
                "category": [{"id": "https://peerpath.example/profiles/course"}],
            },
        },
        "timestamp": s.timestamp.isoformat().replace("+00:00", "Z"),
    }
    if s.verb in _RESULT_VERBS:
        scaled = (index % 101) / 100
        body["result"] = {
            "score": {"scaled": scaled, "raw": index % 101, "min": 0, "max": 100},
            "success": s.verb != "failed",
            "completion": s.verb in {"completed", "passed", "mastered"},
            "duration": f"PT{index % 3600}S",
        }
    return body

"""Peerpath's own learning events, kept as xAPI statements in the same store.

An analytics tool reading ``/xapi/`` sees what learners did in Peerpath beside what
external content reported. Statements are vouched for by Peerpath's own key, which has
no usable secret and so cannot sign in.

Quizzes are recorded question by question: one "answered" statement per question, with
the question as a ``cmi.interaction`` activity (its choices and right answers) and the
learner's response, then "passed" or "failed" for the attempt. Item analysis (which
question most people miss, which wrong option they pick) needs the per-question rows; a
single "scored" statement per attempt would hide them. The attempt's statements share a
registration so a reader can put the attempt back together.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password

from peerpath.core import events
from peerpath.lrs import services
from peerpath.lrs.identity import (
    certificate_extension_id,
    certificate_url,
    certification_activity_id,
    learner_agent,
    module_activity_id,
    path_activity_id,
)
from peerpath.lrs.models import LrsKey

PEERPATH_KEY = "peerpath"

_ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    verb: _ADL + verb
    for verb in ("launched", "progressed", "completed", "passed", "failed", "scored", "answered")
}
ACTIVITY_TYPES = {
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "package": "http://adlnet.gov/expapi/activities/course",
}
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"
PATH_TYPE = "http://adlnet.gov/expapi/activities/course"
INTERACTION_TYPE = "http://adlnet.gov/expapi/activities/cmi.interaction"
# cmi5's progress extension: how far through the activity the learner is, 0 to 100.
PROGRESS_EXTENSION = "https://w3id.org/xapi/cmi5/result/extensions/progress"
# "Earned" from the xAPI vocabulary registry (registry.tincanapi.com): the actor has earned
# an award, here a certification. ADL's core verbs have no word for it.
EARNED_VERB = "http://id.tincanapi.com/verb/earned"
_PROMPT_MAX = 1000
_RESPONSE_MAX = 1000


def peerpath_key() -> LrsKey:
    """The key Peerpath writes its own statements with (made on first use)."""
    key, _ = LrsKey.objects.get_or_create(
        key=PEERPATH_KEY,
        defaults={"name": "Peerpath", "secret_hash": make_password(None), "can_read": False},
    )
    return key


def iso_duration(seconds: int) -> str:
    """Whole seconds as an ISO 8601 duration: 3725 → ``PT1H2M5S``."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    text = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M")) if n)
    return f"PT{text}{secs}S" if secs or not text else f"PT{text}"


def _name(text: str) -> dict[str, str]:
    return {"en-US": text}


def _module(event: events.LearningRecorded | events.QuestionAnswered, kind: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": module_activity_id(event.module_public_id),
        "definition": {
            "name": _name(event.module_title),
            "type": ACTIVITY_TYPES.get(kind, MODULE_TYPE),
        },
    }


def _path(public_id: str, title: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": path_activity_id(public_id),
        "definition": {"name": _name(title), "type": PATH_TYPE},
    }


def _context(
    *,
    parents: list[dict[str, Any]],
    paths: Iterable[events.PathRef],
    registration: str | None,
) -> dict[str, Any]:
    """Parent: what the object is directly part of. Grouping: the paths holding the module."""
    activities: dict[str, Any] = {}
    grouping = [_path(p.public_id, p.title) for p in paths]
    if parents:
        activities["parent"] = parents
        if grouping:
            activities["grouping"] = grouping
    elif grouping:
        activities["parent"] = grouping
    context: dict[str, Any] = {"platform": "Peerpath"}
    if activities:
        context["contextActivities"] = activities
    if registration:
        context["registration"] = registration
    return context


def _score(score: Decimal) -> dict[str, Any]:
    scaled = (score / Decimal(100)).quantize(Decimal("0.0001"))
    return {"scaled": float(scaled), "raw": float(score), "min": 0, "max": 100}


def statement_for(event: events.LearningRecorded) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "actor": learner_agent(event.learner_public_id, event.learner_name),
        "verb": {"id": VERBS[event.verb], "display": {"en-US": event.verb}},
        "object": _module(event, event.module_kind),
        "context": _context(parents=[], paths=event.paths, registration=event.registration),
        "timestamp": event.at.isoformat(),
    }
    result: dict[str, Any] = {}
    if event.score is not None:
        result["score"] = _score(event.score)
    if event.verb in ("passed", "failed"):
        result["success"] = event.verb == "passed"
    if event.verb == "completed":
        result["completion"] = True
    if event.duration_seconds:
        result["duration"] = iso_duration(event.duration_seconds)
    if event.progress is not None:
        result["completion"] = event.progress >= 100
        result["extensions"] = {PROGRESS_EXTENSION: event.progress}
    if result:
        statement["result"] = result
    return statement


def answered_statement_for(event: events.QuestionAnswered) -> dict[str, Any]:
    """One question of an attempt as a ``cmi.interaction`` activity, answered."""
    definition: dict[str, Any] = {
        "name": _name(f"{event.module_title}: question {event.question_id.lstrip('q')}"),
        "description": _name(event.prompt[:_PROMPT_MAX]),
        "type": INTERACTION_TYPE,
        "interactionType": event.interaction_type,
        "correctResponsesPattern": list(event.correct_responses),
    }
    if event.choices:
        definition["choices"] = [
            {"id": ident, "description": _name(text)} for ident, text in event.choices
        ]
    module = _module(event, "quiz")
    return {
        "actor": learner_agent(event.learner_public_id, event.learner_name),
        "verb": {"id": VERBS["answered"], "display": {"en-US": "answered"}},
        "object": {
            "objectType": "Activity",
            "id": f"{module['id']}#{event.question_id}",
            "definition": definition,
        },
        "result": {"response": event.response[:_RESPONSE_MAX], "success": event.success},
        "context": _context(parents=[module], paths=event.paths, registration=event.registration),
        "timestamp": event.at.isoformat(),
    }


def path_statement_for(event: events.PathCompleted) -> dict[str, Any]:
    result: dict[str, Any] = {"completion": True}
    if event.duration_seconds:
        result["duration"] = iso_duration(event.duration_seconds)
    return {
        "actor": learner_agent(event.learner_public_id, event.learner_name),
        "verb": {"id": VERBS["completed"], "display": {"en-US": "completed"}},
        "object": _path(event.path_public_id, event.path_title),
        "result": result,
        "context": _context(parents=[], paths=(), registration=None),
        "timestamp": event.at.isoformat(),
    }


def certification_statement_for(event: events.CertificationEarned) -> dict[str, Any]:
    """The holder earned (or, on renewal, earned again) a certification."""
    context = _context(parents=[], paths=(), registration=None)
    # The holding's public verification page, so a reader of the record can check it.
    context["extensions"] = {certificate_extension_id(): certificate_url(event.award_public_id)}
    return {
        "actor": learner_agent(event.holder_public_id, event.holder_name),
        "verb": {"id": EARNED_VERB, "display": {"en-US": "earned"}},
        "object": {
            "objectType": "Activity",
            "id": certification_activity_id(event.certification_public_id),
            "definition": {
                "name": _name(event.certification_name),
                "description": _name("Recertified" if event.renewal else "Certification earned"),
            },
        },
        "result": {"success": True, "completion": True},
        "context": context,
        "timestamp": event.at.isoformat(),
    }


def _store(statement: dict[str, Any]) -> None:
    """Store one statement inside the transaction that recorded the learning."""
    services.statements_store(key=peerpath_key(), statements=[statement], single=True)


def on_learning_recorded(event: events.LearningRecorded) -> None:
    _store(statement_for(event))


def on_question_answered(event: events.QuestionAnswered) -> None:
    _store(answered_statement_for(event))


def on_path_completed(event: events.PathCompleted) -> None:
    _store(path_statement_for(event))


def on_certification_earned(event: events.CertificationEarned) -> None:
    _store(certification_statement_for(event))


def _statement_of(event: object) -> dict[str, Any]:
    if isinstance(event, events.LearningRecorded):
        return statement_for(event)
    if isinstance(event, events.QuestionAnswered):
        return answered_statement_for(event)
    if isinstance(event, events.PathCompleted):
        return path_statement_for(event)
    raise TypeError(f"{type(event).__name__} is not a learning event.")


def record_history(history: Iterable[object], *, batch: int = 500) -> int:
    """Store many past events at once (their own times kept), in batches; returns the count.

    For loading a history in bulk, where one insert per event would be slow.
    """
    key = peerpath_key()
    pending: list[dict[str, Any]] = []
    count = 0
    for event in history:
        pending.append(_statement_of(event))
        if len(pending) >= batch:
            count += len(services.statements_store(key=key, statements=pending))
            pending = []
    if pending:
        count += len(services.statements_store(key=key, statements=pending))
    return count

"""Peerpath's own learning events, kept as xAPI statements in the same store.

An analytics tool reading ``/xapi/`` sees what learners did in Peerpath beside what
external content reported. Statements are vouched for by Peerpath's own key, which has
no usable secret and so cannot sign in.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password

from peerpath.core import events
from peerpath.lrs import services
from peerpath.lrs.identity import learner_agent, module_activity_id
from peerpath.lrs.models import LrsKey

PEERPATH_KEY = "peerpath"

VERBS = {
    "launched": "http://adlnet.gov/expapi/verbs/launched",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
}
ACTIVITY_TYPES = {
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "package": "http://adlnet.gov/expapi/activities/course",
}
MODULE_TYPE = "http://adlnet.gov/expapi/activities/module"


def peerpath_key() -> LrsKey:
    """The key Peerpath writes its own statements with (made on first use)."""
    key, _ = LrsKey.objects.get_or_create(
        key=PEERPATH_KEY,
        defaults={"name": "Peerpath", "secret_hash": make_password(None), "can_read": False},
    )
    return key


def statement_for(event: events.LearningRecorded) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "actor": learner_agent(event.learner_public_id, event.learner_name),
        "verb": {"id": VERBS[event.verb], "display": {"en-US": event.verb}},
        "object": {
            "objectType": "Activity",
            "id": module_activity_id(event.module_public_id),
            "definition": {
                "name": {"en-US": event.module_title},
                "type": ACTIVITY_TYPES.get(event.module_kind, MODULE_TYPE),
            },
        },
        "timestamp": event.at.isoformat(),
    }
    result: dict[str, Any] = {}
    if event.score is not None:
        scaled = (event.score / Decimal(100)).quantize(Decimal("0.0001"))
        result["score"] = {"scaled": float(scaled), "raw": float(event.score), "min": 0, "max": 100}
    if event.verb in ("passed", "failed"):
        result["success"] = event.verb == "passed"
    if event.verb == "completed":
        result["completion"] = True
    if result:
        statement["result"] = result
    return statement


def on_learning_recorded(event: events.LearningRecorded) -> None:
    """Store the event as a statement, inside the transaction that recorded the progress."""
    services.statements_store(key=peerpath_key(), statements=[statement_for(event)], single=True)

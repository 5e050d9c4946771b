"""Each kind of learning event becomes a valid statement with the right verb, result and context."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings

from peerpath.content import paths
from peerpath.content.models import ModuleKind
from peerpath.content.services import QuizSettings
from peerpath.core import events
from peerpath.learning import services as learning
from peerpath.learning.models import ModuleProgress, PathCompletion
from peerpath.lrs import recording, validation
from peerpath.lrs.models import Statement
from peerpath.lrs.recording import PROGRESS_EXTENSION, VERBS
from tests.factories import ModuleFactory
from tests.learning.test_scorm import package_module

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
QUIZ = (
    "? Which port does HTTPS use?\n(x) 443\n( ) 80\n\n"
    "? Which are signs of phishing?\n[x] Urgency\n[x] Odd sender\n[ ] Your name\n\n"
    "? IT may ask for your password.\n= false\n\n"
    "? Signing in with a second factor is called?\n= MFA | multi-factor authentication\n"
)


def _statements(verb: str) -> list[dict]:
    rows = Statement.objects.filter(verb_id=VERBS[verb]).order_by("stored", "id")
    return [row.data for row in rows]


def _valid(statement: dict) -> dict:
    """Stored statements pass the LRS's own validation again, as a reader would receive them."""
    validation.validate_statement(statement)
    return statement


@pytest.fixture
def path_of_two(org):
    first = ModuleFactory(author=org.lead, title="Greeting")
    second = ModuleFactory(author=org.lead, title="Wrap-up")
    path = paths.path_create(
        author=org.lead, title="Calls", summary="S", sections=[("Basics", [first, second])]
    )
    paths.path_publish(actor=org.lead, path=path)
    return path, first, second


def test_durations_are_iso_8601():
    assert recording.iso_duration(0) == "PT0S"
    assert recording.iso_duration(59) == "PT59S"
    assert recording.iso_duration(3600) == "PT1H"
    assert recording.iso_duration(3725) == "PT1H2M5S"


def test_completion_carries_time_spent_and_its_path_as_parent(org, path_of_two):
    path, first, _ = path_of_two
    learning.progress_open(user=org.member, module=first)
    ModuleProgress.objects.filter(user=org.member, module=first).update(time_spent_seconds=125)
    learning.progress_complete(user=org.member, module=first)
    [launched] = _statements("launched")
    [completed] = _statements("completed")
    assert _valid(completed)["result"] == {"completion": True, "duration": "PT2M5S"}
    parent = completed["context"]["contextActivities"]["parent"]
    assert parent == [
        {
            "objectType": "Activity",
            "id": f"{settings.BASE_URL}/learn/paths/{path.public_id}/",
            "definition": {
                "name": {"en-US": "Calls"},
                "type": "http://adlnet.gov/expapi/activities/course",
            },
        }
    ]
    assert launched["context"]["contextActivities"]["parent"] == parent
    assert completed["context"]["platform"] == "Peerpath"


def test_finishing_the_last_step_completes_the_path_once(org, path_of_two):
    path, first, second = path_of_two
    learning.progress_complete(user=org.member, module=first)
    assert not _statements("completed")[-1]["object"]["id"].endswith(f"{path.public_id}/")
    ModuleProgress.objects.filter(user=org.member, module=first).update(time_spent_seconds=60)
    learning.progress_complete(user=org.member, module=second)
    learning.progress_complete(user=org.member, module=second)
    path_id = f"{settings.BASE_URL}/learn/paths/{path.public_id}/"
    done = [s for s in _statements("completed") if s["object"]["id"] == path_id]
    assert len(done) == 1
    assert _valid(done[0])["result"] == {"completion": True, "duration": "PT1M"}
    assert done[0]["object"]["definition"]["name"] == {"en-US": "Calls"}
    assert PathCompletion.objects.filter(user=org.member, path=path).count() == 1
    # Another learner's completion of one step does not finish the path for them.
    learning.progress_complete(user=org.outsider, module=second)
    assert PathCompletion.objects.count() == 1


def test_a_quiz_attempt_is_recorded_question_by_question(org):
    quiz = ModuleFactory(
        author=org.lead,
        kind=ModuleKind.QUIZ,
        body_markdown="",
        quiz_source=QUIZ,
        quiz_settings=QuizSettings(pass_mark=50),
    )
    with time_machine.travel(START, tick=False):
        token = learning.quiz_start_token(user=org.member, module=quiz)
    with time_machine.travel(START + timedelta(seconds=75), tick=False):
        learning.quiz_submit(
            user=org.member,
            module=quiz,
            answers={"q1": ["q1o1"], "q2": ["q2o1"], "q3": ["false"], "q4": ["mfa"]},
            start_token=token,
        )
    # Stored in the same instant: put them in question order.
    answered = sorted((_valid(s) for s in _statements("answered")), key=lambda s: s["object"]["id"])
    assert [s["object"]["id"].rsplit("#", 1)[1] for s in answered] == ["q1", "q2", "q3", "q4"]
    choice, multiple, true_false, fill_in = answered
    assert choice["object"]["definition"]["interactionType"] == "choice"
    assert choice["object"]["definition"]["type"] == recording.INTERACTION_TYPE
    assert choice["object"]["definition"]["choices"] == [
        {"id": "q1o1", "description": {"en-US": "443"}},
        {"id": "q1o2", "description": {"en-US": "80"}},
    ]
    assert choice["object"]["definition"]["correctResponsesPattern"] == ["q1o1"]
    assert choice["result"] == {"response": "q1o1", "success": True}
    assert multiple["object"]["definition"]["correctResponsesPattern"] == ["q2o1[,]q2o2"]
    assert multiple["result"] == {"response": "q2o1", "success": False}
    assert true_false["object"]["definition"]["interactionType"] == "true-false"
    assert true_false["result"] == {"response": "false", "success": True}
    assert fill_in["object"]["definition"]["correctResponsesPattern"] == [
        "{case_matters=false}MFA",
        "{case_matters=false}multi-factor authentication",
    ]
    assert fill_in["result"] == {"response": "mfa", "success": True}
    module_id = f"{settings.BASE_URL}/learn/m/{quiz.public_id}/"
    assert choice["context"]["contextActivities"]["parent"][0]["id"] == module_id
    [passed] = _statements("passed")
    assert _valid(passed)["result"] == {
        "score": {"scaled": 0.75, "raw": 75.0, "min": 0, "max": 100},
        "success": True,
        "duration": "PT1M15S",
    }
    registrations = {s["context"]["registration"] for s in [*answered, passed]}
    assert len(registrations) == 1
    [completed] = _statements("completed")
    assert completed["context"]["registration"] in registrations


def test_deck_progress_is_recorded_with_a_progress_extension_and_throttled(org):
    deck = ModuleFactory(
        author=org.lead,
        kind="deck",
        body_markdown="# One\n\n---\n\n# Two\n\n---\n\n# Three\n\n---\n\n# Four\n",
    )
    with time_machine.travel(START, tick=False):
        learning.progress_record_position(user=org.member, module=deck, percent=25, resume_at="1")
        learning.progress_record_position(user=org.member, module=deck, percent=50, resume_at="2")
        # Going back reports nothing.
        learning.progress_record_position(user=org.member, module=deck, percent=25, resume_at="1")
    with time_machine.travel(START + timedelta(minutes=6), tick=False):
        learning.progress_record_position(user=org.member, module=deck, percent=75, resume_at="3")
    with time_machine.travel(START + timedelta(minutes=7), tick=False):
        learning.progress_record_position(user=org.member, module=deck, percent=100, resume_at="4")
    progressed = [_valid(s) for s in _statements("progressed")]
    assert [s["result"]["extensions"][PROGRESS_EXTENSION] for s in progressed] == [25, 75, 100]
    assert [s["result"]["completion"] for s in progressed] == [False, False, True]
    assert progressed[0]["object"]["definition"]["type"] == recording.MODULE_TYPE


def test_scorm_results_are_recorded_when_they_change(org):
    module = package_module(org.lead)
    with time_machine.travel(START, tick=False):
        learning.progress_open(user=org.member, module=module)

    def commit(minutes, **data):
        with time_machine.travel(START + timedelta(minutes=minutes), tick=False):
            learning.scorm_commit(user=org.member, module=module, package=module.package, data=data)

    commit(1, **{"cmi.core.lesson_status": "incomplete", "cmi.core.session_time": "00:01:00"})
    assert not _statements("completed")
    commit(
        3,
        **{
            "cmi.core.lesson_status": "failed",
            "cmi.core.score.raw": "40",
            "cmi.core.session_time": "00:03:00",
        },
    )
    commit(
        4,
        **{
            "cmi.core.lesson_status": "failed",
            "cmi.core.score.raw": "60",
            "cmi.core.session_time": "00:04:00",
        },
    )
    commit(
        5,
        **{
            "cmi.core.lesson_status": "failed",
            "cmi.core.score.raw": "60",
            "cmi.core.session_time": "00:05:00",
        },
    )
    commit(
        6,
        **{
            "cmi.core.lesson_status": "passed",
            "cmi.core.score.raw": "90",
            "cmi.core.session_time": "00:06:00",
        },
    )
    [failed] = _statements("failed")
    assert _valid(failed)["result"] == {
        "score": {"scaled": 0.4, "raw": 40.0, "min": 0, "max": 100},
        "success": False,
        "duration": "PT3M",
    }
    [scored] = _statements("scored")
    assert _valid(scored)["result"]["score"]["raw"] == 60.0
    assert "success" not in scored["result"]
    [passed] = _statements("passed")
    assert passed["result"]["success"] is True
    assert passed["result"]["duration"] == "PT6M"
    [completed] = _statements("completed")
    assert _valid(completed)["result"]["completion"] is True
    assert completed["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/course"


def test_history_is_stored_in_batches_with_its_own_times(org):
    at = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
    history = [
        events.LearningRecorded(
            verb="completed",
            learner_public_id=str(org.member.public_id),
            learner_name=org.member.display_name,
            module_public_id=f"00000000-0000-0000-0000-00000000000{n}",
            module_title=f"Module {n}",
            module_kind="article",
            at=at,
            duration_seconds=600,
        )
        for n in range(5)
    ]
    assert recording.record_history(history, batch=2) == 5
    stored = _statements("completed")
    assert len(stored) == 5
    assert {s["timestamp"] for s in stored} == {"2025-06-01T12:00:00+00:00"}
    assert {s["result"]["duration"] for s in stored} == {"PT10M"}

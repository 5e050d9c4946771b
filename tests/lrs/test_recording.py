"""Peerpath's own learning events become xAPI statements an analytics tool can read."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from peerpath.content.models import ModuleKind
from peerpath.content.services import QuizSettings
from peerpath.learning import services as learning
from peerpath.lrs.identity import learner_agent
from peerpath.lrs.models import Statement
from peerpath.lrs.recording import VERBS
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db

QUESTIONS = "? Which port does HTTPS use?\n(x) 443\n( ) 80\n"


def _verbs(user) -> list[str]:
    agent = learner_agent(str(user.public_id), user.display_name)
    rows = Statement.objects.order_by("stored", "id")
    return [
        r.data["verb"]["display"]["en-US"]
        for r in rows
        if r.data["actor"]["account"] == agent["account"]
    ]


def test_opening_and_completing_a_module_are_recorded_once(org, module):
    learning.progress_open(user=org.member, module=module)
    learning.progress_open(user=org.member, module=module)
    learning.progress_complete(user=org.member, module=module)
    learning.progress_complete(user=org.member, module=module)
    assert _verbs(org.member) == ["launched", "completed"]
    completed = Statement.objects.get(verb_id=VERBS["completed"])
    assert completed.data["object"]["id"] == f"{settings.BASE_URL}/learn/m/{module.public_id}/"
    assert completed.data["result"] == {"completion": True}
    assert completed.data["authority"]["name"] == "Peerpath"
    assert "mbox" not in completed.data["actor"]


def test_quiz_attempts_record_pass_or_fail_with_the_score(org):
    quiz = ModuleFactory(
        author=org.lead,
        kind=ModuleKind.QUIZ,
        body_markdown="",
        quiz_source=QUESTIONS,
        quiz_settings=QuizSettings(pass_mark=100),
    )
    learning.quiz_submit(user=org.member, module=quiz, answers={"q1": ["q1o2"]})
    learning.quiz_submit(user=org.member, module=quiz, answers={"q1": ["q1o1"]})
    assert _verbs(org.member) == ["answered", "failed", "answered", "passed", "completed"]
    passed = Statement.objects.get(verb_id=VERBS["passed"])
    assert passed.data["result"]["success"] is True
    assert passed.data["result"]["score"] == {"scaled": 1.0, "raw": 100.0, "min": 0, "max": 100}
    assert passed.data["object"]["definition"]["type"].endswith("/assessment")


def test_the_record_is_readable_through_the_xapi_endpoint(org, module, xapi):
    learning.progress_complete(user=org.member, module=module)
    agent = learner_agent(str(org.member.public_id), org.member.display_name)
    response = xapi.get("/xapi/statements", {"agent": json.dumps(agent)})
    assert response.status_code == 200
    statements = response.json()["statements"]
    assert [s["verb"]["id"] for s in statements] == [VERBS["completed"]]


def test_a_refused_completion_records_nothing(org):
    with_quiz = ModuleFactory(author=org.lead, quiz_source=QUESTIONS)
    with pytest.raises(ValidationError, match="Pass the quiz"):
        learning.progress_complete(user=org.member, module=with_quiz)
    assert not Statement.objects.exists()


def test_a_learner_downloads_their_own_record_only(org, module, client, client_for):
    learning.progress_complete(user=org.member, module=module)
    learning.progress_complete(user=org.lead, module=module)
    response = client_for(org.member).get(reverse("my_record"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="peerpath-learning-record.json"'
    )
    record = json.loads(b"".join(response.streaming_content))
    assert [s["actor"]["account"]["name"] for s in record] == [str(org.member.public_id)]
    assert record[0]["verb"]["id"] == VERBS["completed"]
    anonymous = client.get(reverse("my_record"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))

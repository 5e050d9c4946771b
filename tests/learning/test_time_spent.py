"""Time spent: page heartbeats (capped), SCORM session time and timed quiz attempts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerpath.content.models import ModuleKind
from peerpath.learning import cmi, services
from peerpath.learning.models import ModuleProgress, QuizAttempt
from tests.factories import ModuleFactory
from tests.learning.test_scorm import package_module

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
QUESTIONS = "? Which port does HTTPS use?\n(x) 443\n( ) 80\n"


def _spent(user, module) -> int:
    return ModuleProgress.objects.get(user=user, module=module).time_spent_seconds


def _opened(user, module, at=START):
    with time_machine.travel(at, tick=False):
        return services.progress_open(user=user, module=module)


def test_heartbeats_add_the_seconds_reported(org, module):
    _opened(org.member, module)
    with time_machine.travel(START + timedelta(seconds=30), tick=False):
        services.progress_heartbeat(user=org.member, module=module, seconds=30)
    with time_machine.travel(START + timedelta(seconds=60), tick=False):
        services.progress_heartbeat(user=org.member, module=module, seconds=29)
    assert _spent(org.member, module) == 59


def test_a_beat_counts_no_more_than_the_time_since_the_last_one(org, module):
    _opened(org.member, module)
    with time_machine.travel(START + timedelta(seconds=30), tick=False):
        services.progress_heartbeat(user=org.member, module=module, seconds=30)
        # A second tab (or a tampered page) reporting again at the same moment adds nothing.
        services.progress_heartbeat(user=org.member, module=module, seconds=30)
    with time_machine.travel(START + timedelta(seconds=40), tick=False):
        services.progress_heartbeat(user=org.member, module=module, seconds=30)
    assert _spent(org.member, module) == 40


def test_a_beat_counts_at_most_a_minute_even_after_a_long_gap(org, module):
    _opened(org.member, module)
    with time_machine.travel(START + timedelta(hours=5), tick=False):
        services.progress_heartbeat(user=org.member, module=module, seconds=3600)
    assert _spent(org.member, module) == services.HEARTBEAT_MAX_SECONDS


@pytest.mark.parametrize("seconds", [0, -5, 3601])
def test_impossible_reports_are_refused(org, module, seconds):
    _opened(org.member, module)
    with pytest.raises(ValidationError):
        services.progress_heartbeat(user=org.member, module=module, seconds=seconds)
    assert _spent(org.member, module) == 0


def test_quizzes_and_packages_do_not_take_heartbeats(org):
    quiz = ModuleFactory(
        author=org.lead, kind=ModuleKind.QUIZ, body_markdown="", quiz_source=QUESTIONS
    )
    with pytest.raises(ValidationError, match="another way"):
        services.progress_heartbeat(user=org.member, module=quiz, seconds=10)
    assert not ModuleProgress.objects.filter(module=quiz).exists()


def test_no_time_is_recorded_on_an_unpublished_module(org):
    draft = ModuleFactory(author=org.lead, publish=False)
    with pytest.raises(PermissionDenied):
        services.progress_heartbeat(user=org.lead, module=draft, seconds=10)
    assert not ModuleProgress.objects.filter(module=draft).exists()


def test_the_endpoint_records_for_the_signed_in_learner_only(org, module, client_for):
    _opened(org.member, module, at=timezone.now() - timedelta(minutes=1))
    url = reverse("learning:time", args=[module.public_id])
    response = client_for(org.member).post(url, {"seconds": "20"})
    assert response.status_code == 200
    assert response.json() == {"time_spent_seconds": 20}
    assert not ModuleProgress.objects.filter(user=org.outsider, module=module).exists()


def test_the_endpoint_refuses_bad_input_and_anonymous_callers(org, module, client_for):
    url = reverse("learning:time", args=[module.public_id])
    assert client_for(org.member).post(url, {"seconds": "lots"}).status_code == 400
    assert client_for(org.member).get(url).status_code == 405
    anonymous = Client().post(url, {"seconds": "20"})
    assert anonymous.status_code == 302
    draft = ModuleFactory(author=org.lead, publish=False)
    outsider = client_for(org.outsider).post(
        reverse("learning:time", args=[draft.public_id]), {"seconds": "20"}
    )
    assert outsider.status_code in (403, 404)
    assert not ModuleProgress.objects.filter(module=draft).exists()


def test_the_endpoint_needs_the_csrf_token(org, module):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.member)
    url = reverse("learning:time", args=[module.public_id])
    assert client.post(url, {"seconds": "20"}).status_code == 403
    page = client.get(reverse("learning:module", args=[module.public_id, module.slug]))
    token = page.cookies["csrftoken"].value
    response = client.post(url, {"seconds": "1", "csrfmiddlewaretoken": token})
    assert response.status_code == 200


def test_the_module_page_tracks_time_for_learners_and_shows_it(org, module, client_for):
    client = client_for(org.member)
    page = client.get(reverse("learning:module", args=[module.public_id, module.slug]))
    assert b"data-time-tracker" in page.content
    assert b"time-spent.js" in page.content
    ModuleProgress.objects.filter(user=org.member, module=module).update(time_spent_seconds=330)
    page = client.get(reverse("learning:module", args=[module.public_id, module.slug]))
    assert "Time spent so far: 5 min" in page.content.decode()
    mine = client.get(reverse("learning:mine")).content.decode()
    assert "5 min spent" in mine


# --- SCORM ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("standard", "value", "seconds"),
    [
        ("scorm12", "0000:05:30.25", 330),
        ("scorm12", "01:00:00", 3600),
        ("scorm12", "5 minutes", None),
        ("scorm2004", "PT1H2M5.5S", 3725),
        ("scorm2004", "P1DT1S", 86401),
        ("scorm2004", "PT", None),
        ("scorm2004", "P1Y", None),
    ],
)
def test_session_time_is_read_in_each_standards_format(standard, value, seconds):
    key = "cmi.core.session_time" if standard == "scorm12" else "cmi.session_time"
    assert cmi.session_seconds(standard, {key: value}) == seconds


def test_scorm_sessions_add_their_time_without_counting_it_twice(org):
    module = package_module(org.lead)
    _opened(org.member, module)

    def commit(at, session_time):
        with time_machine.travel(at, tick=False):
            services.scorm_commit(
                user=org.member,
                module=module,
                package=module.package,
                data={"cmi.core.session_time": session_time},
            )

    commit(START + timedelta(minutes=2), "00:02:00")
    commit(START + timedelta(minutes=5), "00:05:00")  # the same session went on
    commit(START + timedelta(days=1), "00:03:00")  # a new session the next day
    assert _spent(org.member, module) == 8 * 60


def test_a_package_cannot_claim_more_time_than_has_passed(org):
    module = package_module(org.lead)
    _opened(org.member, module)
    with time_machine.travel(START + timedelta(minutes=10), tick=False):
        services.scorm_commit(
            user=org.member,
            module=module,
            package=module.package,
            data={"cmi.core.session_time": "99:00:00"},
        )
    assert _spent(org.member, module) == 10 * 60


# --- Quizzes -------------------------------------------------------------------------------


def test_a_quiz_attempt_is_timed_from_showing_to_submitting(org):
    quiz = ModuleFactory(
        author=org.lead, kind=ModuleKind.QUIZ, body_markdown="", quiz_source=QUESTIONS
    )
    with time_machine.travel(START, tick=False):
        token = services.quiz_start_token(user=org.member, module=quiz)
    with time_machine.travel(START + timedelta(seconds=95), tick=False):
        attempt = services.quiz_submit(
            user=org.member, module=quiz, answers={"q1": ["q1o1"]}, start_token=token
        )
    assert attempt.duration_seconds == 95
    assert _spent(org.member, quiz) == 95


def test_a_forged_or_borrowed_start_is_not_timed(org):
    quiz = ModuleFactory(
        author=org.lead, kind=ModuleKind.QUIZ, body_markdown="", quiz_source=QUESTIONS
    )
    others = services.quiz_start_token(user=org.outsider, module=quiz)
    for token in (others, "forged", others + "x"):
        services.quiz_submit(
            user=org.member, module=quiz, answers={"q1": ["q1o2"]}, start_token=token
        )
    assert set(QuizAttempt.objects.values_list("duration_seconds", flat=True)) == {None}
    assert _spent(org.member, quiz) == 0


def test_an_articles_quiz_time_is_kept_on_the_attempt_not_added_to_page_time(org):
    article = ModuleFactory(author=org.lead, quiz_source=QUESTIONS)
    with time_machine.travel(START, tick=False):
        token = services.quiz_start_token(user=org.member, module=article)
    with time_machine.travel(START + timedelta(seconds=40), tick=False):
        attempt = services.quiz_submit(
            user=org.member, module=article, answers={"q1": ["q1o1"]}, start_token=token
        )
    assert attempt.duration_seconds == 40
    assert _spent(org.member, article) == 0


def test_the_quiz_form_carries_its_start(org, client_for):
    quiz = ModuleFactory(
        author=org.lead, kind=ModuleKind.QUIZ, body_markdown="", quiz_source=QUESTIONS
    )
    page = client_for(org.member).get(reverse("learning:module", args=[quiz.public_id, quiz.slug]))
    assert b'name="started"' in page.content


def test_my_learning_shows_a_failed_attempts_score_while_in_progress(org, client_for):
    quiz = ModuleFactory(
        author=org.lead, kind=ModuleKind.QUIZ, body_markdown="", quiz_source=QUESTIONS
    )
    services.quiz_submit(user=org.member, module=quiz, answers={"q1": ["q1o2"]})
    body = client_for(org.member).get(reverse("learning:mine")).content.decode()
    assert "best score 0%, not passed yet" in body

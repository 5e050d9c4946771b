from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peerpath.content import services as content_services
from peerpath.content.models import ModuleKind
from peerpath.content.services import QuizSettings
from peerpath.learning import services
from peerpath.learning.models import ModuleProgress, ProgressStatus, QuizAttempt, SuccessStatus
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db

QUESTIONS = """\
? Which port does HTTPS use?
(x) 443
( ) 80

? Passwords may be shared with IT support.
= false
"""
RIGHT = {"q1": ["q1o1"], "q2": ["false"]}
HALF = {"q1": ["q1o1"], "q2": ["true"]}


@pytest.fixture
def quiz(org):
    return ModuleFactory(
        author=org.lead,
        kind=ModuleKind.QUIZ,
        body_markdown="",
        quiz_source=QUESTIONS,
        quiz_settings=QuizSettings(pass_mark=100, max_attempts=2),
    )


def test_passing_completes_the_module_with_its_score(org, quiz):
    attempt = services.quiz_submit(user=org.member, module=quiz, answers=RIGHT)
    assert (attempt.passed, attempt.score, attempt.version_number) == (True, Decimal(100), 1)
    progress = ModuleProgress.objects.get(user=org.member, module=quiz)
    assert progress.status == ProgressStatus.COMPLETED
    assert progress.success_status == SuccessStatus.PASSED
    assert (progress.score, progress.percent) == (Decimal(100), 100)


def test_failing_records_the_attempt_without_completing(org, quiz):
    services.quiz_submit(user=org.member, module=quiz, answers=HALF)
    progress = ModuleProgress.objects.get(user=org.member, module=quiz)
    assert progress.status == ProgressStatus.IN_PROGRESS
    assert (progress.success_status, progress.score) == (SuccessStatus.FAILED, Decimal(50))


def test_a_weaker_later_attempt_keeps_the_pass_and_best_score(org, quiz):
    services.quiz_submit(user=org.member, module=quiz, answers=RIGHT)
    services.quiz_submit(user=org.member, module=quiz, answers=HALF)
    progress = ModuleProgress.objects.get(user=org.member, module=quiz)
    assert (progress.success_status, progress.score) == (SuccessStatus.PASSED, Decimal(100))
    assert progress.status == ProgressStatus.COMPLETED


def test_the_attempt_limit_is_enforced(org, quiz):
    services.quiz_submit(user=org.member, module=quiz, answers=HALF)
    services.quiz_submit(user=org.member, module=quiz, answers=HALF)
    with pytest.raises(ValidationError, match="used all 2 attempts"):
        services.quiz_submit(user=org.member, module=quiz, answers=RIGHT)
    assert QuizAttempt.objects.filter(user=org.member).count() == 2


def test_a_module_with_a_quiz_is_not_completed_by_the_button(org):
    article = ModuleFactory(author=org.lead, quiz_source=QUESTIONS)
    with pytest.raises(ValidationError, match="Pass the quiz"):
        services.progress_complete(user=org.member, module=article)
    assert not ModuleProgress.objects.filter(status=ProgressStatus.COMPLETED).exists()


def test_nobody_answers_a_draft_quiz(org):
    draft = ModuleFactory(author=org.lead, quiz_source=QUESTIONS, publish=False)
    with pytest.raises(PermissionDenied):
        services.quiz_submit(user=org.member, module=draft, answers=RIGHT)
    assert not QuizAttempt.objects.exists()


def test_learners_answer_the_curated_version_they_see(org, quiz):
    content_services.module_update(
        actor=org.lead,
        module=quiz,
        title=quiz.title,
        summary=quiz.summary,
        estimated_minutes=5,
        skills=[],
        quiz_source=QUESTIONS + "\n? Another?\n= yes\n",
    )
    content_services.module_publish(actor=org.lead, module=quiz)
    quiz.refresh_from_db()
    assert len(quiz.quiz["questions"]) == 3
    attempt = services.quiz_submit(user=org.member, module=quiz, answers=RIGHT)
    assert attempt.version_number == 2
    assert attempt.total == 3


def test_bad_quiz_text_is_refused_with_the_line(org):
    with pytest.raises(ValidationError) as exc:
        ModuleFactory(author=org.lead, quiz_source="? Pick\n(x) A\n(x) B\n")
    assert "Line 1: mark exactly one option" in str(exc.value.message_dict["quiz_source"])


def test_a_quiz_cannot_be_published_without_questions(org):
    with pytest.raises(ValidationError, match="at least one question"):
        ModuleFactory(author=org.lead, kind=ModuleKind.QUIZ, body_markdown="", quiz_source="")


# --- Pages ------------------------------------------------------------------------


def test_the_module_page_shows_the_questions_without_answers(org, client_for, quiz):
    page = client_for(org.member).get(reverse("learning:module", args=[quiz.public_id, quiz.slug]))
    html = page.content.decode()
    assert "Which port does HTTPS use?" in html
    assert 'name="q1" value="q1o1"' in html
    assert '"correct"' not in html
    assert "2 of 2 attempts left" in html


def test_submitting_shows_the_result_and_feedback(org, client_for, quiz):
    client = client_for(org.member)
    response = client.post(
        reverse("learning:quiz_submit", args=[quiz.public_id]), HALF, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not passed yet" in html
    assert "1 of 2 right" in html
    assert "Try again" in html
    # The right answer stays hidden while attempts remain.
    assert "The answer:" not in html
    response = client.post(
        reverse("learning:quiz_submit", args=[quiz.public_id]), HALF, HTTP_HX_REQUEST="true"
    )
    assert "The answer: False" in response.content.decode()


def test_passing_by_htmx_updates_the_completion_panel(org, client_for, quiz):
    response = client_for(org.member).post(
        reverse("learning:quiz_submit", args=[quiz.public_id]), RIGHT, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "Passed" in html
    assert 'id="completion" hx-swap-oob="true"' in html
    assert "Completed" in html


def test_submitting_without_htmx_redirects_back_to_the_quiz(org, client_for, quiz):
    response = client_for(org.member).post(
        reverse("learning:quiz_submit", args=[quiz.public_id]), RIGHT
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#quiz")


def test_others_cannot_answer_a_draft_and_anonymous_must_sign_in(org, client, client_for):
    draft = ModuleFactory(author=org.lead, quiz_source=QUESTIONS, publish=False)
    response = client_for(org.outsider).post(
        reverse("learning:quiz_submit", args=[draft.public_id]), RIGHT
    )
    assert response.status_code == 403
    response = client.post(reverse("learning:quiz_submit", args=[draft.public_id]), RIGHT)
    assert response.status_code == 302
    assert not QuizAttempt.objects.exists()


def test_shuffled_quizzes_keep_their_order_for_one_attempt(org, client_for):
    many = "\n".join(f"? Question {n}?\n(x) Yes\n( ) No\n( ) Maybe\n" for n in range(1, 9))
    module = ModuleFactory(
        author=org.lead, quiz_source=many, quiz_settings=QuizSettings(shuffle=True)
    )
    client = client_for(org.member)
    url = reverse("learning:quiz", args=[module.public_id])
    first, again = client.get(url).content.decode(), client.get(url).content.decode()
    order = [first.index(f"Question {n}?") for n in range(1, 9)]
    assert order == [again.index(f"Question {n}?") for n in range(1, 9)]
    assert order != sorted(order)

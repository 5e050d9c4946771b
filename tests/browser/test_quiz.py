"""Authors write quiz questions with a live preview; learners take the quiz."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from peerpath.content.models import Module, ModuleKind
from peerpath.content.services import QuizSettings
from peerpath.learning.models import ModuleProgress
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db(transaction=True)

QUESTIONS = """\
? Which port does HTTPS use?
(x) 443
  > Right: 443 carries TLS.
( ) 80
  > 80 is plain HTTP.

? Passwords may be shared with IT support.
= false
> IT never asks for your password.
"""


def test_author_writes_a_quiz_with_a_live_preview(org, sign_in, page, screenshot, axe):
    sign_in(org.member)
    page.goto("/create/new/")
    expect(page.get_by_role("heading", name="What would you like to make?")).to_be_visible()
    assert axe() == []
    screenshot("module-kind")
    page.get_by_role("link", name="Quiz").click()
    page.get_by_label("Title").fill("Security basics check")
    page.get_by_label("Summary").fill("Five minutes to check you know the basics.")
    page.get_by_label("Estimated minutes").fill("5")
    page.get_by_label("Questions", exact=True).fill("? Pick one\n(x) A\n(x) B\n")
    expect(page.locator("#preview")).to_contain_text("Line 1: mark exactly one option")
    page.get_by_label("Questions", exact=True).fill(QUESTIONS)
    expect(page.locator("#preview")).to_contain_text("2 questions")
    expect(page.locator("#preview")).to_contain_text("True or false: False")
    assert axe() == []
    screenshot("quiz-editor")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Security basics check")).to_be_visible()
    module = Module.objects.get(title="Security basics check")
    assert module.kind == ModuleKind.QUIZ
    assert len(module.quiz["questions"]) == 2


def test_learner_fails_tries_again_and_passes(org, sign_in, page, screenshot, axe):
    module = ModuleFactory(
        author=org.lead,
        title="Security basics check",
        kind=ModuleKind.QUIZ,
        body_markdown="Two questions on the basics.",
        quiz_source=QUESTIONS,
        quiz_settings=QuizSettings(pass_mark=100, max_attempts=3),
    )
    sign_in(org.member)
    page.goto(f"/learn/m/{module.public_id}/")
    quiz = page.locator("#quiz")
    expect(quiz).to_contain_text("3 of 3 attempts left")
    expect(page.get_by_role("link", name="Go to the quiz")).to_be_visible()
    assert axe() == []
    quiz.get_by_label("80").check()
    quiz.get_by_label("False").check()
    quiz.get_by_role("button", name="Submit answers").click()
    expect(quiz).to_contain_text("Not passed yet — 50%")
    expect(quiz).to_contain_text("80 is plain HTTP.")
    expect(quiz).to_contain_text("IT never asks for your password.")
    screenshot("quiz-result")
    quiz.get_by_role("link", name="Try again").click()
    expect(quiz).to_contain_text("2 of 3 attempts left")
    quiz.get_by_label("443").check()
    quiz.get_by_label("False").check()
    quiz.get_by_role("button", name="Submit answers").click()
    expect(quiz).to_contain_text("Passed — 100%")
    expect(page.locator("#completion")).to_contain_text("Completed")
    progress = ModuleProgress.objects.get(user=org.member, module=module)
    assert (progress.status, progress.success_status) == ("completed", "passed")
    screenshot("quiz-passed")


def test_a_quiz_reads_well_on_a_phone(org, sign_in, page, screenshot):
    module = ModuleFactory(
        author=org.lead, title="Security basics check", kind=ModuleKind.QUIZ, quiz_source=QUESTIONS
    )
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(org.member)
    page.goto(f"/learn/m/{module.public_id}/")
    quiz = page.locator("#quiz")
    quiz.get_by_label("443").check()
    box = quiz.get_by_role("button", name="Submit answers").bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390
    screenshot("quiz-phone")

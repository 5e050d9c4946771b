from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerpath.content.quizzes import QuizSyntaxError, grade, parse_quiz

QUIZ = """\
? Which port does **HTTPS** use by default?
(x) 443
  > Right: browsers use 443 for HTTPS.
( ) 80
> 80 is plain HTTP.

? Which are signs of phishing?
[x] An urgent tone
[x] A sender address that does not match the name
[ ] Your manager's correct name

? IT support may ask for your password over the phone.
= false

? What do we call signing in with a second factor?
= MFA | multi-factor authentication
"""


def test_each_question_type_is_read():
    questions = parse_quiz(QUIZ)
    assert [q["type"] for q in questions] == ["single", "multiple", "true_false", "short"]
    assert [q["id"] for q in questions] == ["q1", "q2", "q3", "q4"]
    first = questions[0]
    assert "<strong>HTTPS</strong>" in first["prompt_html"]
    assert first["options"][0] == {
        "id": "q1o1",
        "text": "443",
        "correct": True,
        "feedback": "Right: browsers use 443 for HTTPS.",
    }
    assert first["feedback"] == "80 is plain HTTP."
    assert [o["correct"] for o in questions[1]["options"]] == [True, True, False]
    assert questions[2]["correct"] is False
    assert questions[3]["answers"] == ["MFA", "multi-factor authentication"]


def test_prompts_are_sanitised():
    (question,) = parse_quiz('? <img src=x onerror="alert(1)"> Which?\n(x) A\n( ) B\n')
    assert "onerror" not in question["prompt_html"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "Write at least one question"),
        ("(x) 443\n", "Line 1: start each question"),
        ("? Pick one\n(x) A\n(x) B\n", "Line 1: mark exactly one option"),
        ("? Pick some\n[ ] A\n[ ] B\n", "Line 1: mark at least one right option"),
        ("? Pick\n(x) A\n[ ] B\n", "Line 3: use “( )” for every option"),
        ("? Only one\n(x) A\n", "Line 1: give at least two options"),
        ("? Both\n(x) A\n= A\n", "Line 3: a question has either options"),
        ("? Empty\n=  \n", "Line 2: write the accepted answer"),
        ("? \n(x) A\n( ) B\n", "Line 1: write the question"),
        ("? Pick\n(x) A\n( ) B\nstray text\n", "Line 4: this line is not an option"),
        ("? Pick\n(x] A\n( ) B\n", "Line 2: write options as"),
    ],
)
def test_mistakes_name_the_line_and_the_fix(source, message):
    with pytest.raises(QuizSyntaxError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_quiz(source)


def _quiz(pass_mark=75):
    return {"pass_mark": pass_mark, "questions": parse_quiz(QUIZ)}


def test_all_right_scores_full_marks():
    result = grade(
        _quiz(),
        {
            "q1": ["q1o1"],
            "q2": ["q2o2", "q2o1"],
            "q3": ["false"],
            "q4": ["  multi-Factor  Authentication. "],
        },
    )
    assert (result.correct, result.total, result.score, result.passed) == (4, 4, Decimal(100), True)


def test_multiple_choice_needs_exactly_the_right_set():
    result = grade(_quiz(), {"q2": ["q2o1"]})
    assert result.results["q2"] is False
    result = grade(_quiz(), {"q2": ["q2o1", "q2o2", "q2o3"]})
    assert result.results["q2"] is False


def test_below_the_pass_mark_fails():
    result = grade(_quiz(pass_mark=75), {"q1": ["q1o1"], "q3": ["false"]})
    assert (result.correct, result.score, result.passed) == (2, Decimal("50.00"), False)


def test_unknown_answers_are_simply_wrong():
    result = grade(_quiz(), {"q1": ["nonsense"], "q3": ["maybe"], "q4": ["", "MFA"]})
    assert result.correct == 0


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=40
).filter(lambda t: t.strip() and t.strip()[0] not in "?([=>" and "|" not in t)


@given(prompt=texts, options=st.lists(texts, min_size=2, max_size=6), right=st.integers(0, 5))
def test_any_well_formed_single_choice_question_round_trips(prompt, options, right):
    right %= len(options)
    lines = [f"? {prompt}"] + [
        f"({'x' if i == right else ' '}) {text}" for i, text in enumerate(options)
    ]
    (question,) = parse_quiz("\n".join(lines))
    assert question["type"] == "single"
    assert [o["text"] for o in question["options"]] == [t.strip() for t in options]
    chosen = question["options"][right]["id"]
    assert grade({"pass_mark": 100, "questions": [question]}, {"q1": [chosen]}).passed


@given(st.text(max_size=400))
def test_any_text_is_either_a_quiz_or_a_clear_error(source):
    try:
        questions = parse_quiz(source)
    except QuizSyntaxError as exc:
        message = str(exc)
        questions = []
    else:
        message = ""
    assert bool(message) != bool(questions)
    assert {q["type"] for q in questions} <= {"single", "multiple", "true_false", "short"}

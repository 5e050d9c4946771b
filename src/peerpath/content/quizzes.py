"""Quizzes: the plain-text format authors write questions in, and grading.

Authors write questions as text, so a quiz is versioned, diffed and reviewed like the
rest of a module::

    ? Which port does HTTPS use by default?
    (x) 443
    ( ) 80
    > 80 is plain HTTP; browsers use 443 for HTTPS.

    ? Which are signs of phishing?
    [x] An urgent tone
      > Pressure is the attacker's friend.
    [x] A sender address that does not match the name
    [ ] Your manager's correct name

    ? IT support may ask for your password over the phone.
    = false

    ? What do we call signing in with a second factor?
    = MFA | multi-factor authentication

``( )`` marks single-choice options, ``[ ]`` multiple-choice ones, and an ``x`` marks the
right answers. ``= true`` or ``= false`` makes a true/false question; any other ``=`` line
lists accepted short answers separated by ``|``. An indented ``>`` line under an option is
that option's feedback; a ``>`` line at the start of a line is the question's feedback.
Feedback is shown once the learner has answered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from peerpath.content.rendering import render_markdown

MAX_QUESTIONS = 100
MAX_OPTIONS = 12
MAX_TEXT = 2000
MAX_SHORT_ANSWER = 200

SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"
SHORT = "short"
QUESTION_TYPES = {
    SINGLE: "Single choice",
    MULTIPLE: "Multiple choice",
    TRUE_FALSE: "True or false",
    SHORT: "Short answer",
}

_OPTION = re.compile(r"^\s*(?P<open>[(\[])\s*(?P<mark>[xX]?)\s*(?P<close>[)\]])\s+(?P<text>\S.*)$")
_QUESTION = re.compile(r"^\?\s*(?P<text>.*)$")
_ANSWER = re.compile(r"^\s*=\s*(?P<text>.*)$")
_FEEDBACK = re.compile(r"^\s*>\s?(?P<text>.*)$")


class QuizSyntaxError(ValueError):
    """The quiz text cannot be read; the message names the line and what to change."""


@dataclass
class _Draft:
    line: int
    prompt: list[str]
    options: list[dict[str, Any]]
    option_style: str | None
    answers: list[str] | None
    feedback: list[str]


def _fail(line: int, message: str) -> QuizSyntaxError:
    return QuizSyntaxError(f"Line {line}: {message}")


def parse_quiz(source: str) -> list[dict[str, Any]]:
    """Read quiz text into questions ready to show and grade.

    Raises QuizSyntaxError naming the first line that is wrong.
    """
    drafts: list[_Draft] = []
    current: _Draft | None = None
    last_option: dict[str, Any] | None = None
    for number, raw in enumerate(source.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            last_option = None
            continue
        if len(line) > MAX_TEXT:
            raise _fail(number, f"keep each line under {MAX_TEXT} characters.")
        if question := _QUESTION.match(line):
            if len(drafts) >= MAX_QUESTIONS:
                raise _fail(number, f"a quiz has at most {MAX_QUESTIONS} questions.")
            current = _Draft(number, [question["text"]], [], None, None, [])
            drafts.append(current)
            last_option = None
            continue
        if current is None:
            raise _fail(number, "start each question with a line beginning with “?”.")
        if option := _OPTION.match(line):
            style = "(" if option["open"] == "(" else "["
            if (option["open"], option["close"]) not in (("(", ")"), ("[", "]")):
                raise _fail(number, "write options as “( )”, “(x)”, “[ ]” or “[x]”.")
            if current.answers is not None:
                raise _fail(number, "a question has either options or “=” answers, not both.")
            if current.option_style not in (None, style):
                raise _fail(
                    number,
                    "use “( )” for every option of a single-choice question, "
                    "or “[ ]” for every option of a multiple-choice one.",
                )
            if len(current.options) >= MAX_OPTIONS:
                raise _fail(number, f"a question has at most {MAX_OPTIONS} options.")
            current.option_style = style
            last_option = {"text": option["text"].strip(), "correct": bool(option["mark"])}
            last_option["feedback"] = ""
            current.options.append(last_option)
            continue
        if answer := _ANSWER.match(line):
            if current.options:
                raise _fail(number, "a question has either options or “=” answers, not both.")
            if current.answers is not None:
                raise _fail(number, "list every accepted answer on one “=” line, split by “|”.")
            accepted = [a.strip() for a in answer["text"].split("|") if a.strip()]
            if not accepted:
                raise _fail(number, "write the accepted answer after “=”.")
            if any(len(a) > MAX_SHORT_ANSWER for a in accepted):
                raise _fail(number, f"keep answers under {MAX_SHORT_ANSWER} characters.")
            current.answers = accepted
            last_option = None
            continue
        if feedback := _FEEDBACK.match(line):
            if last_option is not None and raw[:1].isspace():
                joined = f"{last_option['feedback']}\n{feedback['text']}".strip()
                last_option["feedback"] = joined
            else:
                current.feedback.append(feedback["text"])
            continue
        if current.options or current.answers is not None:
            raise _fail(
                number,
                "this line is not an option, an “=” answer or “>” feedback. "
                "Start a new question with “?”.",
            )
        current.prompt.append(line)
    if not drafts:
        raise QuizSyntaxError("Write at least one question, starting with “?”.")
    return [_finish(i, d) for i, d in enumerate(drafts, start=1)]


def _finish(index: int, draft: _Draft) -> dict[str, Any]:
    prompt = "\n".join(draft.prompt).strip()
    if not prompt:
        raise _fail(draft.line, "write the question after “?”.")
    qid = f"q{index}"
    question: dict[str, Any] = {
        "id": qid,
        "prompt": prompt,
        "prompt_html": render_markdown(prompt),
        "feedback": "\n".join(draft.feedback).strip(),
    }
    if draft.answers is not None:
        lowered = [_normalise(a) for a in draft.answers]
        if len(lowered) == 1 and lowered[0] in ("true", "false"):
            question.update(type=TRUE_FALSE, correct=lowered[0] == "true")
        else:
            question.update(type=SHORT, answers=draft.answers)
        return question
    if len(draft.options) < 2:
        raise _fail(draft.line, "give at least two options, or an “=” answer.")
    right = sum(o["correct"] for o in draft.options)
    if draft.option_style == "(":
        if right != 1:
            raise _fail(draft.line, "mark exactly one option of a single-choice question “(x)”.")
        question["type"] = SINGLE
    else:
        if right < 1:
            raise _fail(draft.line, "mark at least one right option “[x]”.")
        question["type"] = MULTIPLE
    question["options"] = [{**o, "id": f"{qid}o{n}"} for n, o in enumerate(draft.options, start=1)]
    return question


def _normalise(text: str) -> str:
    """Compare short answers as people mean them: case, accents-as-typed and spacing aside."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" .!")


@dataclass(frozen=True)
class Grade:
    correct: int
    total: int
    score: Decimal
    passed: bool
    # Question id -> whether the learner's answer was right.
    results: dict[str, bool]


def _is_right(question: Mapping[str, Any], given: Sequence[str]) -> bool:
    kind = question["type"]
    if kind in (SINGLE, MULTIPLE):
        right = {o["id"] for o in question["options"] if o["correct"]}
        return set(given) == right and len(given) == len(set(given))
    if kind == TRUE_FALSE:
        return list(given) == ["true" if question["correct"] else "false"]
    if kind == SHORT:
        answer = _normalise(given[0]) if len(given) == 1 else ""
        return bool(answer) and answer in {_normalise(a) for a in question["answers"]}
    return False


def grade(quiz: Mapping[str, Any], answers: Mapping[str, Sequence[str]]) -> Grade:
    """Grade a learner's answers (question id -> chosen option ids, or typed text)."""
    questions = quiz.get("questions", [])
    results = {q["id"]: _is_right(q, answers.get(q["id"], ())) for q in questions}
    total = len(questions)
    correct = sum(results.values())
    score = (
        (Decimal(correct * 100) / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if total
        else Decimal(0)
    )
    return Grade(correct, total, score, score >= Decimal(quiz.get("pass_mark", 0)), results)

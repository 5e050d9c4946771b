"""The LRS benchmark's statements: deterministic, valid as sent, and shaped as documented."""

from __future__ import annotations

import json
from collections import Counter

from benchmarks import lrs, lrs_data
from peerpath.lrs import validation

TOTAL = 10_000


def test_a_statement_is_the_same_every_time_and_ids_never_repeat() -> None:
    assert lrs_data.statement(42, TOTAL) == lrs_data.statement(42, TOTAL)
    ids = {lrs_data.statement_id(i) for i in range(TOTAL)}
    assert len(ids) == TOTAL
    assert lrs_data.statement(7, TOTAL)["id"] == str(lrs_data.statement_id(7))


def test_generated_statements_are_already_in_the_validators_normal_form() -> None:
    """The preload skips validation, so what it writes must equal what a POST would store."""
    for index in range(0, TOTAL, 7):
        body = lrs_data.statement(index, TOTAL)
        assert validation.validate_statement(body) == body


def test_the_shape_follows_the_documented_distribution() -> None:
    shapes = [lrs_data.shape(i, TOTAL) for i in range(TOTAL)]
    agents = Counter(s.agent for s in shapes)
    assert all(0 <= a < lrs_data.AGENTS for a in agents)
    # A quarter of the learners send about half of the statements (plus their share of the rest).
    busy = sum(n for a, n in agents.items() if a < lrs_data.AGENTS // 4)
    assert 0.55 < busy / TOTAL < 0.70
    verbs = Counter(s.verb for s in shapes)
    assert set(verbs) <= {verb for verb, _ in lrs_data.VERBS}
    assert verbs.most_common(1)[0][0] == lrs_data.VERBS[0][0]
    # An activity belongs to one course, and a learner follows few courses.
    courses = {(s.agent, lrs_data.course_of(s.activity)) for s in shapes}
    per_agent = Counter(agent for agent, _ in courses)
    assert max(per_agent.values()) <= lrs_data.COURSES_PER_AGENT
    for s in shapes:
        assert s.registration == lrs_data.registration_of(s.agent, lrs_data.course_of(s.activity))
    # Times run through one year in index order.
    times = [s.timestamp for s in shapes]
    assert times == sorted(times)
    assert times[0] == lrs_data.EPOCH
    assert times[-1] - times[0] < lrs_data.YEAR


def test_every_benchmark_query_matches_stored_statements() -> None:
    """Each filter is built from a statement that exists, so no query measures an empty
    result by mistake."""
    named = {q.name: q.params for q in lrs.queries(TOTAL, limit=100)}
    body = lrs_data.statement(TOTAL // 2, TOTAL)
    assert named["agent+activity"]["activity"] == body["object"]["id"]
    assert json.loads(named["agent"]["agent"]) == body["actor"]
    assert named["registration"]["registration"] == body["context"]["registration"]
    parent = body["context"]["contextActivities"]["parent"][0]["id"]
    assert named["related act.+agent"]["activity"] == parent
    assert all(q["limit"] == "100" for q in named.values())

"""Each MUST rule the validator covers rejects with a message naming the field."""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerpath.lrs.validation import StatementInvalid, agent_key, validate_statement
from tests.lrs.conftest import make_statement


def rejected(statement: Any) -> str:
    with pytest.raises(StatementInvalid) as caught:
        validate_statement(statement)
    return str(caught.value)


def test_a_minimal_statement_is_valid_and_unchanged() -> None:
    statement = make_statement()
    assert validate_statement(statement) == statement


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "not-a-uuid"}, "id must be a UUID"),
        ({"colour": "blue"}, "colour is not a property xAPI defines here"),
        ({"version": "2.0.0"}, "version must be a 1.0.x version"),
        ({"timestamp": "yesterday"}, "timestamp must be an ISO 8601 date and time"),
        ({"timestamp": "2026-01-01T00:00:00-00:00"}, "timestamp must not use the offset -00:00"),
        ({"actor": {"mbox": "mina@example.com"}}, "actor.mbox must start with 'mailto:'"),
        ({"actor": {"name": "Mina"}}, "actor must have exactly one of mbox"),
        (
            {"actor": {"mbox": "mailto:a@b.c", "openid": "https://id.example/a"}},
            "actor must have exactly one of mbox",
        ),
        ({"actor": {"mbox_sha1sum": "abc"}}, "actor.mbox_sha1sum must be 40 hexadecimal"),
        ({"actor": {"account": {"name": "mina"}}}, "actor.account.homePage is required"),
        ({"actor": {"objectType": "Robot"}}, "actor.objectType must be 'Agent' or 'Group'"),
        ({"actor": {"objectType": "Group"}}, "actor.member is required"),
        (
            {"actor": {"objectType": "Group", "member": [{"name": "x"}]}},
            "actor.member[0] must have exactly one of mbox",
        ),
        ({"verb": {"display": {"en": "did"}}}, "verb.id is required"),
        ({"verb": {"id": "completed"}}, "verb.id must be an absolute IRI"),
        ({"verb": {"id": "https://v.example/x", "display": {"en US": "x"}}}, "verb.display.en US"),
        ({"object": {"id": "no scheme"}}, "object.id must be an absolute IRI"),
        ({"object": {"objectType": "Thing", "id": "https://a.example"}}, "object.objectType"),
        ({"object": {"objectType": "StatementRef", "id": "x"}}, "object.id must be a UUID"),
        (
            {
                "object": {
                    "objectType": "SubStatement",
                    "actor": {"mbox": "mailto:a@b.c"},
                    "verb": {"id": "https://v.example/x"},
                    "object": {"objectType": "SubStatement"},
                }
            },
            "object.object.objectType must not be a SubStatement",
        ),
        (
            {
                "object": {
                    "objectType": "SubStatement",
                    "id": "6fbd600f-d17c-4c74-801a-2ec2e53231f7",
                    "actor": {"mbox": "mailto:a@b.c"},
                    "verb": {"id": "https://v.example/x"},
                    "object": {"id": "https://a.example"},
                }
            },
            "object.id is not a property",
        ),
        ({"result": {"score": {"scaled": 1.5}}}, "result.score.scaled must be between -1 and 1"),
        ({"result": {"score": {"raw": 11, "max": 10}}}, "result.score.raw must not be more"),
        ({"result": {"score": {"raw": 1, "min": 2}}}, "result.score.raw must not be less"),
        ({"result": {"score": {"min": 5, "max": 1}}}, "result.score.max must not be less"),
        ({"result": {"success": "yes"}}, "result.success must be true or false"),
        ({"result": {"duration": "90 seconds"}}, "result.duration must be an ISO 8601 duration"),
        ({"context": {"registration": "abc"}}, "context.registration must be a UUID"),
        ({"context": {"language": "english!"}}, "context.language is not an RFC 5646"),
        (
            {"context": {"contextActivities": {"parent": [{"id": "x"}]}}},
            "context.contextActivities.parent[0].id must be an absolute IRI",
        ),
        ({"context": {"extensions": {"color": 1}}}, "context.extensions key 'color'"),
        ({"result": None}, "result must not be null"),
        ({"result": {"duration": "P4W1D"}}, "result.duration must be an ISO 8601 duration"),
        (
            {"object": {"id": "https://a.example", "definition": {"interactionType": {}}}},
            "object.definition.interactionType is not an interaction type",
        ),
        (
            {"object": {"id": "https://a.example", "definition": {"correctResponsesPattern": []}}},
            "object.definition.correctResponsesPattern needs an interactionType",
        ),
        (
            {"authority": {"objectType": "Group", "mbox": "mailto:g@example.com", "member": []}},
            "authority must be an Agent or an anonymous Group",
        ),
        (
            {"authority": {"objectType": "Group", "member": [{"mbox": "mailto:a@example.com"}]}},
            "authority.member must hold exactly two Agents",
        ),
    ],
)
def test_a_broken_rule_is_rejected_naming_the_field(change: dict[str, Any], message: str) -> None:
    assert message in rejected(make_statement(**change))


@pytest.mark.parametrize(
    "target",
    [
        {"objectType": "Agent", "mbox": "mailto:b@example.com"},
        {"objectType": "StatementRef", "id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"},
        {
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:b@example.com"},
            "verb": {"id": "https://v.example/x"},
            "object": {"id": "https://a.example/x"},
        },
    ],
)
@pytest.mark.parametrize("name", ["revision", "platform"])
def test_revision_and_platform_need_an_activity_object(target: dict[str, Any], name: str) -> None:
    statement = make_statement(object=target, context={name: "2"})
    assert f"context.{name} is only allowed when the object is an Activity" in rejected(statement)


def test_a_voiding_statement_must_target_a_statement_ref() -> None:
    statement = make_statement(verb={"id": "http://adlnet.gov/expapi/verbs/voided"})
    assert "object.objectType must be 'StatementRef'" in rejected(statement)


def test_a_single_context_activity_is_returned_as_a_list() -> None:
    statement = make_statement(
        context={"contextActivities": {"parent": {"id": "https://a.example/course"}}}
    )
    normalised = validate_statement(statement)
    assert normalised["context"]["contextActivities"]["parent"] == [
        {"id": "https://a.example/course"}
    ]


def test_required_parts_are_named_when_missing() -> None:
    statement = make_statement()
    del statement["verb"]
    assert rejected(statement) == "verb is required"
    assert rejected([]) == "statement must be a JSON object"


def test_agent_keys_are_canonical_per_identifier() -> None:
    assert agent_key({"mbox": "mailto:a@b.c"}) == "mbox:mailto:a@b.c"
    assert agent_key({"account": {"homePage": "https://h", "name": "n"}}) == "account:https://h|n"
    assert agent_key({"objectType": "Group", "member": []}) is None


_names = st.text(alphabet=string.ascii_letters, min_size=1, max_size=12)
_iris = st.builds(lambda host, p: f"https://{host}.example/{p}", _names, _names)
_agents = st.one_of(
    st.builds(lambda n: {"mbox": f"mailto:{n}@example.com"}, _names),
    st.builds(lambda h, n: {"account": {"homePage": h, "name": n}}, _iris, _names),
    st.builds(lambda h: {"openid": h}, _iris),
)


def _score(low: float, span: float, scaled: float) -> dict[str, float]:
    return {"min": low, "max": low + span, "raw": low + span / 2, "scaled": scaled}


_scores = st.builds(_score, st.floats(-100, 100), st.floats(0, 100), st.floats(-1, 1))
_statements = st.fixed_dictionaries(
    {
        "actor": _agents,
        "verb": st.builds(lambda i: {"id": i}, _iris),
        "object": st.builds(lambda i: {"id": i}, _iris),
    },
    optional={"result": st.builds(lambda s: {"score": s}, _scores), "version": st.just("1.0.3")},
)


@given(_statements)
def test_generated_valid_statements_pass_unchanged(statement: dict[str, Any]) -> None:
    assert validate_statement(statement) == statement


@given(_statements, _names.filter(lambda n: n not in {"id", "actor", "verb", "object"}))
def test_any_unknown_top_level_property_is_named(statement: dict[str, Any], extra: str) -> None:
    statement = {**statement, f"x{extra}": 1}
    assert rejected(statement) == f"x{extra} is not a property xAPI defines here"


@given(_statements, st.floats(allow_nan=False).filter(lambda x: abs(x) > 1))
def test_any_scaled_score_outside_minus_one_to_one_is_refused(
    statement: dict[str, Any], scaled: float
) -> None:
    statement = {**statement, "result": {"score": {"scaled": scaled}}}
    assert rejected(statement).startswith("result.score.scaled")


def test_weeks_stand_alone_in_a_duration() -> None:
    assert validate_statement(make_statement(result={"duration": "P4W"}))["result"]


def test_a_sub_statement_context_activity_becomes_a_list() -> None:
    single = {"id": "https://a.example/course"}
    statement = make_statement(
        object={
            "objectType": "SubStatement",
            "actor": {"mbox": "mailto:b@example.com"},
            "verb": {"id": "https://v.example/x"},
            "object": {"id": "https://a.example/x"},
            "context": {"contextActivities": {"parent": single}},
        }
    )
    normalised = validate_statement(statement)
    assert normalised["object"]["context"]["contextActivities"] == {"parent": [single]}


def test_an_oauth_pair_may_be_the_authority() -> None:
    pair = {
        "objectType": "Group",
        "member": [
            {"account": {"homePage": "https://oauth.example", "name": "app"}},
            {"mbox": "mailto:mina@example.com"},
        ],
    }
    assert validate_statement(make_statement(authority=pair))["authority"] == pair

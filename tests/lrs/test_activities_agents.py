"""The Activities and Agents resources, and the Activity table statements keep up to date."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from peerpath.lrs import services
from peerpath.lrs.activities import merge_definitions
from peerpath.lrs.models import Activity
from tests.lrs.conftest import ACTIVITY, make_statement, xapi_client

ACTIVITIES = "/xapi/activities"
AGENTS = "/xapi/agents"
MEETING = "https://peerpath.example/activities/meeting"


def post(client: Client, body: Any) -> Any:
    response = client.post(
        "/xapi/statements", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response


def activity(definition: dict[str, Any], ident: str = MEETING) -> dict[str, Any]:
    return {"objectType": "Activity", "id": ident, "definition": definition}


def test_the_activity_comes_back_as_a_statement_defined_it(xapi: Client) -> None:
    meeting = activity(
        {
            "name": {"en-US": "example meeting"},
            "type": "http://adlnet.gov/expapi/activities/meeting",
            "extensions": {"https://x.example/room": "B12"},
        }
    )
    post(xapi, make_statement(object=meeting))
    response = xapi.get(ACTIVITIES, {"activityId": MEETING})
    assert response.status_code == 200
    assert response.json() == meeting
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_definitions_from_several_statements_merge(xapi: Client) -> None:
    post(
        xapi,
        [
            make_statement(object=activity({"name": {"en-US": "example meeting"}})),
            make_statement(object=activity({"name": {"fr-FR": "réunion"}})),
        ],
    )
    later = {"description": {"en-US": "Weekly"}, "extensions": {"https://x.example/a": 1}}
    post(xapi, make_statement(object=activity(later)))
    definition = xapi.get(ACTIVITIES, {"activityId": MEETING}).json()["definition"]
    assert definition == {
        "name": {"en-US": "example meeting", "fr-FR": "réunion"},
        "description": {"en-US": "Weekly"},
        "extensions": {"https://x.example/a": 1},
    }
    assert Activity.objects.count() == 1


def test_context_and_sub_statement_activities_are_recorded(xapi: Client) -> None:
    parent = activity({"name": {"en": "Course"}}, "https://peerpath.example/course")
    inner = activity({"name": {"en": "Lesson"}}, "https://peerpath.example/lesson")
    sub = {
        "objectType": "SubStatement",
        "actor": {"mbox": "mailto:a@example.com"},
        "verb": {"id": "https://v.example/plans"},
        "object": inner,
    }
    post(xapi, make_statement(object=sub, context={"contextActivities": {"parent": [parent]}}))
    assert xapi.get(ACTIVITIES, {"activityId": parent["id"]}).json() == parent
    assert xapi.get(ACTIVITIES, {"activityId": inner["id"]}).json() == inner


def test_an_activity_known_without_a_definition_is_just_its_id(xapi: Client) -> None:
    post(xapi, make_statement())
    assert xapi.get(ACTIVITIES, {"activityId": ACTIVITY}).json() == {
        "objectType": "Activity",
        "id": ACTIVITY,
    }
    assert Activity.objects.count() == 0


def test_a_rejected_batch_records_no_activity(xapi: Client) -> None:
    batch = [
        make_statement(object=activity({"name": {"en": "x"}})),
        make_statement(verb={"id": "bad"}),
    ]
    response = xapi.post(
        "/xapi/statements", data=json.dumps(batch), content_type="application/json"
    )
    assert response.status_code == 400
    assert Activity.objects.count() == 0


def queries_to_store(key: Any, statements: list[dict[str, Any]]) -> int:
    with CaptureQueriesContext(connection) as captured:
        services.statements_store(key=key, statements=statements)
    return len(captured)


def test_a_batch_with_definitions_costs_two_more_queries_however_many(
    issued: services.IssuedKey,
) -> None:
    def defined(n: int) -> dict[str, Any]:
        return make_statement(object=activity({"name": {"en": f"n{n}"}}, f"https://a.example/{n}"))

    plain = queries_to_store(issued.key, [make_statement() for _ in range(10)])
    # One query locks the activities already known, one upserts them all.
    assert queries_to_store(issued.key, [defined(n) for n in range(10)]) == plain + 2
    assert queries_to_store(issued.key, [defined(n) for n in range(5, 30)]) == plain + 2
    assert Activity.objects.count() == 30


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({}, "activityId"),
        ({"activityId": "not an iri"}, "activityId"),
        ({"activity": MEETING}, "activity"),
    ],
)
def test_the_activities_resource_refuses_bad_parameters(
    xapi: Client, params: dict[str, str], named: str
) -> None:
    response = xapi.get(ACTIVITIES, params)
    assert response.status_code == 400
    assert named in response.json()["error"]


def test_the_activities_and_agents_resources_only_read(xapi: Client) -> None:
    for path in (ACTIVITIES, AGENTS):
        response = xapi.post(path, data="{}", content_type="application/json")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"


def test_the_agents_resource_needs_a_key(db: None) -> None:
    anonymous = Client(headers={"X-Experience-API-Version": "1.0.3"})
    agent = json.dumps({"mbox": "mailto:mina@example.com"})
    assert anonymous.get(AGENTS, {"agent": agent}).status_code == 401
    assert anonymous.get(ACTIVITIES, {"activityId": MEETING}).status_code == 401


def test_a_person_holds_the_identifier_and_known_names(xapi: Client) -> None:
    post(xapi, make_statement(actor={"name": "Mina K.", "mbox": "mailto:mina@example.com"}))
    response = xapi.get(AGENTS, {"agent": json.dumps({"mbox": "mailto:mina@example.com"})})
    assert response.status_code == 200
    assert response.json() == {
        "objectType": "Person",
        "name": ["Mina K."],
        "mbox": ["mailto:mina@example.com"],
    }
    named = {"name": "Mina", "account": {"homePage": "https://hr.example", "name": "m1"}}
    assert xapi.get(AGENTS, {"agent": json.dumps(named)}).json() == {
        "objectType": "Person",
        "name": ["Mina"],
        "account": [{"homePage": "https://hr.example", "name": "m1"}],
    }
    head = xapi.head(AGENTS, {"agent": json.dumps(named)})
    assert head.status_code == 200
    assert head.content == b""


def test_an_own_only_key_learns_names_only_from_its_own_statements(xapi: Client) -> None:
    post(xapi, make_statement(actor={"name": "Mina K.", "mbox": "mailto:mina@example.com"}))
    own = xapi_client(services.lrs_key_create(name="Sandbox", own_only=True))
    response = own.get(AGENTS, {"agent": json.dumps({"mbox": "mailto:mina@example.com"})})
    assert response.json() == {"objectType": "Person", "mbox": ["mailto:mina@example.com"]}


@pytest.mark.parametrize(
    "agent",
    [
        None,
        "{not json",
        json.dumps({"name": "No identifier"}),
        json.dumps({"mbox": "mina"}),
        json.dumps({"objectType": "Group", "mbox": "mailto:team@example.com"}),
    ],
)
def test_the_agents_resource_refuses_a_bad_agent(xapi: Client, agent: str | None) -> None:
    response = xapi.get(AGENTS, {} if agent is None else {"agent": agent})
    assert response.status_code == 400
    assert "agent" in response.json()["error"]


def test_a_write_only_key_cannot_read_activities_or_agents(db: None) -> None:
    writer = xapi_client(services.lrs_key_create(name="Player", can_read=False))
    assert writer.get(ACTIVITIES, {"activityId": MEETING}).status_code == 403
    assert (
        writer.get(AGENTS, {"agent": json.dumps({"mbox": "mailto:a@example.com"})}).status_code
        == 403
    )


language_maps = st.dictionaries(
    st.sampled_from(["en", "fr", "de", "es"]), st.text(max_size=4), max_size=3
)
definitions = st.fixed_dictionaries(
    {},
    optional={
        "name": language_maps,
        "description": language_maps,
        "type": st.sampled_from(["https://t.example/a", "https://t.example/b"]),
    },
)


@given(old=definitions, new=definitions)
def test_a_merged_definition_keeps_every_language_and_prefers_the_newer(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    merged = merge_definitions(old, new)
    assert set(merged) == set(old) | set(new)
    for name in ("name", "description"):
        languages = set(old.get(name, {})) | set(new.get(name, {}))
        assert set(merged.get(name, {})) == languages
        for tag in new.get(name, {}):
            assert merged[name][tag] == new[name][tag]
    if "type" in new:
        assert merged["type"] == new["type"]
    assert merge_definitions(merged, new) == merged

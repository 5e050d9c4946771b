"""The /xapi/ endpoint: headers, keys and scopes, and statements round trips."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from peerpath.lrs import selectors, services
from peerpath.lrs.models import Activity, Statement
from tests.lrs.conftest import ACTIVITY, VERB, make_statement, voiding, xapi_client

URL = "/xapi/statements"


def post(client: Client, body: Any, **extra: Any) -> Any:
    return client.post(URL, data=json.dumps(body), content_type="application/json", **extra)


def put(client: Client, statement_id: str, body: Any) -> Any:
    return client.put(
        f"{URL}?statementId={statement_id}",
        data=json.dumps(body),
        content_type="application/json",
    )


def test_about_needs_no_key_and_lists_the_versions(db: None) -> None:
    response = Client().get("/xapi/about")
    assert response.status_code == 200
    assert response.json()["version"][0] == "1.0.3"
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_a_request_without_the_version_header_is_refused(issued: services.IssuedKey) -> None:
    response = xapi_client(issued, version=None).get(URL)
    assert response.status_code == 400
    assert "X-Experience-API-Version" in response.json()["error"]
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_an_unsupported_version_is_refused(issued: services.IssuedKey) -> None:
    assert xapi_client(issued, version="0.95").get(URL).status_code == 400
    assert xapi_client(issued, version="1.0").get(URL).status_code == 200


def test_no_credentials_get_401_with_a_challenge_not_a_sign_in_redirect(db: None) -> None:
    response = Client(headers={"X-Experience-API-Version": "1.0.3"}).get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_a_wrong_secret_or_revoked_key_gets_401(issued: services.IssuedKey) -> None:
    wrong = services.IssuedKey(key=issued.key, secret="not-the-secret")
    assert xapi_client(wrong).get(URL).status_code == 401
    services.lrs_key_revoke(key=issued.key.key)
    assert xapi_client(issued).get(URL).status_code == 401


def test_a_read_only_key_cannot_write(db: None) -> None:
    reader = xapi_client(services.lrs_key_create(name="Reports", can_write=False))
    assert post(reader, make_statement()).status_code == 403
    assert Statement.objects.count() == 0
    assert reader.get(URL).status_code == 200


def test_a_write_only_key_cannot_read(db: None) -> None:
    writer = xapi_client(services.lrs_key_create(name="Player", can_read=False))
    assert post(writer, make_statement()).status_code == 200
    assert writer.get(URL).status_code == 403


def test_an_own_only_key_reads_just_what_it_wrote(xapi: Client) -> None:
    post(xapi, make_statement())
    own = xapi_client(services.lrs_key_create(name="Quiz tool", own_only=True))
    (mine,) = post(own, make_statement()).json()
    listed = own.get(URL).json()["statements"]
    assert [s["id"] for s in listed] == [mine]


def test_put_then_get_by_statement_id(xapi: Client) -> None:
    ident = str(uuid.uuid4())
    response = put(xapi, ident, make_statement())
    assert response.status_code == 204
    assert response["X-Experience-API-Version"] == "1.0.3"
    fetched = xapi.get(URL, {"statementId": ident})
    assert fetched.status_code == 200
    assert fetched.json()["id"] == ident
    assert fetched.json()["actor"]["mbox"] == "mailto:mina@example.com"
    assert "Last-Modified" in fetched
    assert "X-Experience-API-Consistent-Through" in fetched


def test_put_needs_a_matching_statement_id(xapi: Client) -> None:
    response = xapi.put(URL, data=json.dumps(make_statement()), content_type="application/json")
    assert response.status_code == 400
    other = make_statement(id=str(uuid.uuid4()))
    assert put(xapi, str(uuid.uuid4()), other).status_code == 400
    assert Statement.objects.count() == 0


def test_post_single_and_batch_return_ids_in_order(xapi: Client) -> None:
    given = str(uuid.uuid4())
    single = post(xapi, make_statement())
    batch = post(xapi, [make_statement(id=given), make_statement()])
    assert single.status_code == 200
    assert len(single.json()) == 1
    assert batch.status_code == 200
    assert batch.json()[0] == given
    assert Statement.objects.count() == 3


def test_resending_is_accepted_and_different_content_is_409(xapi: Client) -> None:
    ident = str(uuid.uuid4())
    assert put(xapi, ident, make_statement()).status_code == 204
    assert put(xapi, ident, make_statement()).status_code == 204
    conflict = post(xapi, make_statement(id=ident, result={"completion": True}))
    assert conflict.status_code == 409
    assert Statement.objects.count() == 1


def test_malformed_json_and_statements_get_400_naming_the_problem(xapi: Client) -> None:
    broken = xapi.post(URL, data="{not json", content_type="application/json")
    assert broken.status_code == 400
    assert "not valid JSON" in broken.json()["error"]
    invalid = post(xapi, [make_statement(), make_statement(actor={"mbox": "mina@example.com"})])
    assert invalid.status_code == 400
    assert invalid.json()["error"] == "statement [1]: actor.mbox must start with 'mailto:'"
    assert Statement.objects.count() == 0


def test_the_endpoint_needs_no_csrf_token(issued: services.IssuedKey) -> None:
    client = xapi_client(issued)
    client.handler.enforce_csrf_checks = True
    assert post(client, make_statement()).status_code == 200


def test_unknown_parameters_and_mixed_single_lookups_are_refused(xapi: Client) -> None:
    assert xapi.get(URL, {"colour": "blue"}).status_code == 400
    ident = str(uuid.uuid4())
    assert xapi.get(URL, {"statementId": ident, "verb": VERB}).status_code == 400
    assert xapi.get(URL, {"statementId": ident}).status_code == 404
    assert xapi.get(URL, {"limit": "-1"}).status_code == 400
    assert xapi.get(URL, {"since": "last week"}).status_code == 400


def test_voided_statements_leave_lists_but_stay_retrievable(xapi: Client) -> None:
    (target,) = post(xapi, make_statement()).json()
    (voider,) = post(xapi, voiding(target)).json()
    listed = [s["id"] for s in xapi.get(URL).json()["statements"]]
    assert listed == [voider]
    assert xapi.get(URL, {"statementId": target}).status_code == 404
    assert xapi.get(URL, {"voidedStatementId": target}).json()["id"] == target
    assert xapi.get(URL, {"voidedStatementId": voider}).status_code == 404


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [s["id"] for s in response.json()["statements"]]


def test_filters_by_verb_activity_agent_and_registration(xapi: Client) -> None:
    registration = str(uuid.uuid4())
    (plain,) = post(xapi, make_statement()).json()
    (other_verb,) = post(xapi, make_statement(verb={"id": "https://v.example/liked"})).json()
    (other_activity,) = post(xapi, make_statement(object={"id": "https://a.example/x"})).json()
    (other_agent,) = post(
        xapi, make_statement(actor={"account": {"homePage": "https://h.example", "name": "leo"}})
    ).json()
    (registered,) = post(xapi, make_statement(context={"registration": registration})).json()
    (as_object,) = post(
        xapi, make_statement(object={"objectType": "Agent", "mbox": "mailto:leo@example.com"})
    ).json()

    assert other_verb not in ids(xapi.get(URL, {"verb": VERB}))
    assert ids(xapi.get(URL, {"verb": "https://v.example/liked"})) == [other_verb]
    assert ids(xapi.get(URL, {"activity": "https://a.example/x"})) == [other_activity]
    assert plain in ids(xapi.get(URL, {"activity": ACTIVITY}))
    account = {"account": {"homePage": "https://h.example", "name": "leo"}}
    assert ids(xapi.get(URL, {"agent": json.dumps(account)})) == [other_agent]
    leo = json.dumps({"mbox": "mailto:leo@example.com"})
    assert ids(xapi.get(URL, {"agent": leo})) == [as_object]
    assert ids(xapi.get(URL, {"registration": registration})) == [registered]
    assert xapi.get(URL, {"agent": '{"name": "nobody"}'}).status_code == 400


def test_since_until_and_ascending(xapi: Client) -> None:
    first = post(xapi, [make_statement()]).json()[0]
    stored = xapi.get(URL, {"statementId": first}).json()["stored"]
    second = post(xapi, [make_statement()]).json()[0]
    assert ids(xapi.get(URL, {"since": stored})) == [second]
    assert ids(xapi.get(URL, {"until": stored})) == [first]
    assert ids(xapi.get(URL, {"ascending": "true"})) == [first, second]
    assert ids(xapi.get(URL)) == [second, first]


@pytest.mark.parametrize("ascending", ["false", "true"])
def test_more_pages_through_every_statement_once(xapi: Client, ascending: str) -> None:
    stored = []
    for _ in range(3):
        stored += post(xapi, [make_statement(), make_statement()]).json()
    seen: list[str] = []
    response = xapi.get(URL, {"limit": "2", "ascending": ascending, "verb": VERB})
    pages = 0
    while True:
        pages += 1
        body = response.json()
        assert len(body["statements"]) <= 2
        seen += [s["id"] for s in body["statements"]]
        if not body["more"]:
            break
        assert body["more"].startswith("/xapi/statements?more=")
        response = xapi.get(body["more"])
    assert pages == 3
    assert sorted(seen) == sorted(stored)
    assert len(set(seen)) == 6


def test_a_forged_more_token_is_refused(xapi: Client) -> None:
    assert xapi.get(URL, {"more": "forged"}).status_code == 400


@time_machine.travel("2026-03-02 09:00:00Z", tick=False)
def test_get_lists_send_consistent_through(xapi: Client) -> None:
    post(xapi, make_statement())
    before = timezone.now()
    response = xapi.get(URL)
    header = response["X-Experience-API-Consistent-Through"]
    assert header.endswith("Z")
    assert datetime.fromisoformat(header) == before - selectors.CONSISTENCY_WINDOW
    assert response.json()["more"] == ""


def test_ids_format_reduces_agents_and_activities(xapi: Client) -> None:
    (ident,) = post(xapi, make_statement()).json()
    statement = xapi.get(URL, {"statementId": ident, "format": "ids"}).json()
    assert statement["actor"] == {"objectType": "Agent", "mbox": "mailto:mina@example.com"}
    assert statement["verb"] == {"id": VERB}
    assert statement["object"] == {"id": ACTIVITY}
    assert xapi.get(URL, {"format": "short"}).status_code == 400


def test_ids_format_reaches_into_sub_statements(xapi: Client) -> None:
    group = {
        "objectType": "Group",
        "name": "Safety team",
        "mbox": "mailto:team@example.com",
        "member": [{"mbox": "mailto:mina@example.com"}],
    }
    sub = {
        "objectType": "SubStatement",
        "actor": group,
        "verb": {"id": VERB, "display": {"en-US": "completed"}},
        "object": {"id": ACTIVITY, "definition": {"name": {"en-US": "Safety"}}},
    }
    (ident,) = post(xapi, make_statement(object=sub)).json()
    reduced = xapi.get(URL, {"statementId": ident, "format": "ids"}).json()["object"]
    assert reduced["actor"] == {"objectType": "Group", "mbox": "mailto:team@example.com"}
    assert reduced["verb"] == {"id": VERB}
    assert reduced["object"] == {"id": ACTIVITY}


def test_canonical_format_keeps_the_language_the_reader_asks_for(xapi: Client) -> None:
    statement = make_statement(
        verb={"id": VERB, "display": {"en-US": "completed", "en-GB": "completed", "fr": "fini"}},
        object={
            "id": ACTIVITY,
            "definition": {
                "name": {"en-US": "Safety", "fr-FR": "Sécurité"},
                "description": {"de": "Sicherheit"},
            },
        },
        context={
            "contextActivities": {
                "category": [
                    {
                        "id": ACTIVITY,
                        "definition": {"name": {"en-US": "Safety", "fr-CA": "Sécurité"}},
                    }
                ]
            }
        },
    )
    (ident,) = post(xapi, statement).json()
    french = xapi.get(
        URL,
        {"statementId": ident, "format": "canonical"},
        headers={"Accept-Language": "fr;q=0.9, de;q=0.1"},
    ).json()
    assert french["verb"]["display"] == {"fr": "fini"}
    assert french["object"]["definition"]["name"] == {"fr-FR": "Sécurité"}
    assert french["object"]["definition"]["description"] == {"de": "Sicherheit"}
    category = french["context"]["contextActivities"]["category"][0]
    assert category["definition"]["name"] == {"fr-CA": "Sécurité"}
    exact = xapi.get(URL, {"statementId": ident}, headers={"Accept-Language": "fr"}).json()
    assert len(exact["verb"]["display"]) == 3


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"statementId": "00000000-0000-4000-8000-000000000000"}, 404),
        ({"statementId": "00000000-0000-4000-8000-000000000000", "since": "2026-01-01"}, 400),
        ({"voidedStatementId": "00000000-0000-4000-8000-000000000000", "limit": "1"}, 400),
        ({"attachments": "maybe"}, 400),
    ],
)
def test_every_get_answer_carries_consistent_through(
    xapi: Client, params: dict[str, str], status: int
) -> None:
    response = xapi.get(URL, params)
    assert response.status_code == status
    assert response["X-Experience-API-Consistent-Through"].endswith("Z")


def test_a_key_without_read_scope_still_gets_consistent_through(db: None) -> None:
    writer = xapi_client(services.lrs_key_create(name="Player", can_read=False))
    response = writer.head(URL)
    assert response.status_code == 403
    assert "X-Experience-API-Consistent-Through" in response


def test_related_activities_reach_context_and_sub_statements(xapi: Client) -> None:
    course = "https://a.example/course"
    (direct,) = post(xapi, make_statement(object={"id": course})).json()
    (in_context,) = post(
        xapi, make_statement(context={"contextActivities": {"parent": {"id": course}}})
    ).json()
    sub = {
        "objectType": "SubStatement",
        "actor": {"mbox": "mailto:sam@example.com"},
        "verb": {"id": VERB},
        "object": {"id": course},
    }
    (in_sub,) = post(xapi, make_statement(object=sub)).json()
    post(xapi, make_statement())

    assert ids(xapi.get(URL, {"activity": course})) == [direct]
    related = ids(xapi.get(URL, {"activity": course, "related_activities": "true"}))
    assert sorted(related) == sorted([direct, in_context, in_sub])


def test_related_agents_reach_instructors_teams_sub_statements_and_authority(
    xapi: Client, issued: services.IssuedKey
) -> None:
    sam = {"mbox": "mailto:sam@example.com"}
    (as_actor,) = post(xapi, make_statement(actor=sam)).json()
    (as_instructor,) = post(xapi, make_statement(context={"instructor": sam})).json()
    sub = {
        "objectType": "SubStatement",
        "actor": sam,
        "verb": {"id": VERB},
        "object": {"id": ACTIVITY},
    }
    (in_sub,) = post(xapi, make_statement(object=sub)).json()
    post(xapi, make_statement())

    agent = json.dumps(sam)
    assert ids(xapi.get(URL, {"agent": agent})) == [as_actor]
    related = ids(xapi.get(URL, {"agent": agent, "related_agents": "true"}))
    assert sorted(related) == sorted([as_actor, as_instructor, in_sub])
    authority = json.dumps(services.authority_for(issued.key))
    assert len(ids(xapi.get(URL, {"agent": authority, "related_agents": "true"}))) == 4


def test_head_answers_like_get_without_a_body(xapi: Client) -> None:
    post(xapi, make_statement())
    response = xapi.head(URL)
    assert response.status_code == 200
    assert response.content == b""
    assert "X-Experience-API-Consistent-Through" in response
    assert xapi.delete(URL).status_code == 405


def test_a_body_over_the_cap_gets_413_and_stores_nothing(xapi: Client, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200
    response = post(xapi, [make_statement() for _ in range(5)])
    assert response.status_code == 413
    assert Statement.objects.count() == 0


def test_a_list_page_costs_the_same_queries_however_many_statements(
    xapi: Client, django_assert_num_queries
) -> None:
    post(xapi, [make_statement() for _ in range(30)])
    xapi.get(URL)  # the key's last use is recorded at most once a minute
    # The key, then the page of statements.
    with django_assert_num_queries(2):
        assert len(ids(xapi.get(URL, {"limit": "10", "verb": VERB}))) == 10
    with django_assert_num_queries(2):
        assert len(ids(xapi.get(URL, {"activity": ACTIVITY, "related_activities": "true"}))) == 30


def test_related_filters_combine_every_place_an_agent_and_an_activity_appear(
    xapi: Client, issued: services.IssuedKey
) -> None:
    """Actor, object and authority are read from the statement's columns, the rest from
    relation rows: every pairing of the two must be found, and nothing else."""
    sam = {"mbox": "mailto:sam@example.com"}
    sam_as_object = {"objectType": "Agent", **sam}
    team = {"objectType": "Group", "mbox": "mailto:team@example.com"}
    course = "https://a.example/course"
    in_course = {"contextActivities": {"grouping": [{"id": course}]}}

    def sub(**parts: Any) -> dict[str, Any]:
        body = {"actor": {"mbox": "mailto:kim@example.com"}, "verb": {"id": VERB}}
        return {"objectType": "SubStatement", "object": {"id": ACTIVITY}, **body, **parts}

    registration = str(uuid.uuid4())
    matching = [
        make_statement(actor=sam, object={"id": course}),
        make_statement(object=sam_as_object, context=in_course),
        make_statement(context={"instructor": sam, "registration": registration, **in_course}),
        make_statement(object=sub(actor=sam, context=in_course)),
        make_statement(object=sub(object=sam_as_object), context=in_course),
        make_statement(actor=sam, object=sub(object={"id": course})),
    ]
    found = [post(xapi, statement).json()[0] for statement in matching]
    (sam_only,) = post(xapi, make_statement(actor=sam)).json()
    (course_only,) = post(xapi, make_statement(object={"id": course})).json()
    # A Group matches by its own identifier, not its members'.
    (by_team,) = post(xapi, make_statement(context={"team": team, **in_course})).json()
    with_members = {**team, "member": [sam]}
    (by_members,) = post(xapi, make_statement(context={"team": with_members, **in_course})).json()

    both = {"agent": json.dumps(sam), "activity": course}
    flags = {"related_agents": "true", "related_activities": "true"}
    assert sorted(ids(xapi.get(URL, {**both, **flags}))) == sorted(found)
    assert ids(xapi.get(URL, {**both, **flags, "registration": registration})) == [found[2]]
    assert ids(xapi.get(URL, both)) == [found[0]]
    teams = ids(xapi.get(URL, {"agent": json.dumps(team), "related_agents": "true"}))
    assert sorted(teams) == sorted([by_team, by_members])
    authority = json.dumps(services.authority_for(issued.key))
    written = ids(xapi.get(URL, {"agent": authority, "activity": course, **flags}))
    assert sam_only not in written
    assert sorted(written) == sorted([*found, course_only, by_team, by_members])


def _lesson(number: int) -> dict[str, Any]:
    """A statement about its own activity, with a definition, in a course."""
    return make_statement(
        object={"id": f"https://a.example/lessons/{number}", "definition": {"type": VERB}},
        context={"contextActivities": {"parent": [{"id": "https://a.example/course"}]}},
    )


def test_storing_a_batch_costs_the_same_queries_however_many_statements(
    xapi: Client, django_assert_max_num_queries
) -> None:
    xapi.get(URL)  # the key's last use is recorded at most once a minute
    # The key; the transaction; the ids already held and the voids already naming them; one
    # insert each of the statements and their relations; the activities read, and written
    # as they are new.
    for size in (1, 500):
        with django_assert_max_num_queries(9):
            response = post(xapi, [_lesson(size * 1000 + n) for n in range(size)])
        assert response.status_code == 200
    assert Statement.objects.count() == 501
    assert Activity.objects.count() == 501
    # A definition the store already holds is not written again.
    with django_assert_max_num_queries(8):
        assert post(xapi, [_lesson(500_000 + n) for n in range(500)]).status_code == 200
    assert Statement.objects.count() == 1001
    assert Activity.objects.count() == 501


def test_admins_see_keys_without_their_secrets(issued: services.IssuedKey, org, client_for) -> None:
    response = client_for(org.sysadmin).get("/django-admin/lrs/lrskey/")
    assert response.status_code == 200
    assert issued.key.key in response.content.decode()
    detail = client_for(org.sysadmin).get(f"/django-admin/lrs/lrskey/{issued.key.pk}/change/")
    assert detail.status_code == 200
    assert issued.key.secret_hash not in detail.content.decode()
    assert client_for(org.sysadmin).get("/django-admin/lrs/lrskey/add/").status_code == 403


def test_about_allows_only_reading(db: None) -> None:
    response = Client(enforce_csrf_checks=True).post("/xapi/about")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_filters_also_return_statements_referring_to_a_match(xapi: Client) -> None:
    course = "https://a.example/course"
    (target,) = post(xapi, make_statement(object={"id": course})).json()
    comment = make_statement(
        verb={"id": "https://v.example/commented"},
        object={"objectType": "StatementRef", "id": target},
    )
    (referring,) = post(xapi, comment).json()
    (voider,) = post(xapi, voiding(target)).json()
    post(xapi, make_statement())

    # The target is voided and leaves the list; what refers to it stays findable by activity.
    assert sorted(ids(xapi.get(URL, {"activity": course}))) == sorted([referring, voider])
    # Time filters apply to the referring statement itself.
    stored = xapi.get(URL, {"statementId": referring}).json()["stored"]
    assert ids(xapi.get(URL, {"activity": course, "since": stored})) == [voider]

"""The xAPI document resources: state, activity profile and agent profile."""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import IntegrityError, connection
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from peerpath.lrs import documents, services
from peerpath.lrs.models import Document, DocumentKind
from tests.lrs.conftest import xapi_client

STATE = "/xapi/activities/state"
ACTIVITY_PROFILE = "/xapi/activities/profile"
AGENT_PROFILE = "/xapi/agents/profile"
COURSE = "https://peerpath.example/courses/fire-safety"
AGENT = {"objectType": "Agent", "mbox": "mailto:mina@example.com"}
# Creates a document only if it is new, as a PUT to a profile must say.
NEW = {"If-None-Match": "*"}


def state_params(**overrides: Any) -> dict[str, str]:
    params = {"activityId": COURSE, "agent": json.dumps(AGENT), "stateId": "bookmark"}
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def url(path: str, params: dict[str, str]) -> str:
    return f"{path}?{urlencode(params)}"


def send(
    client: Client,
    method: str,
    path: str,
    params: dict[str, str],
    body: Any = None,
    *,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Any:
    if method in {"get", "head"}:
        return getattr(client, method)(url(path, params), headers=headers or {})
    data = body if isinstance(body, bytes | str) or body is None else json.dumps(body)
    return getattr(client, method)(
        url(path, params), data=data or "", content_type=content_type, headers=headers or {}
    )


def etag_of(response: Any) -> str:
    return str(response["ETag"])


# --- state: round trips -------------------------------------------------------------------


def test_a_state_document_round_trips_with_its_content_type_and_etag(xapi: Client) -> None:
    body = b"\x00\x01 any bytes at all"
    response = send(
        xapi, "put", STATE, state_params(), body, content_type="application/octet-stream"
    )
    assert response.status_code == 204
    assert response["ETag"] == f'"{hashlib.sha1(body).hexdigest()}"'  # noqa: S324

    fetched = xapi.get(STATE, state_params())
    assert fetched.status_code == 200
    assert fetched.content == body
    assert fetched["Content-Type"] == "application/octet-stream"
    assert fetched["ETag"] == response["ETag"]
    assert fetched["Last-Modified"]
    assert fetched["X-Experience-API-Version"] == "1.0.3"


def test_head_answers_like_get_without_the_body(xapi: Client) -> None:
    send(xapi, "put", STATE, state_params(), {"page": 3})
    head = xapi.head(STATE, state_params())
    assert head.status_code == 200
    assert head.content == b""
    assert head["ETag"] == xapi.get(STATE, state_params())["ETag"]
    listing = xapi.head(STATE, state_params(stateId=None))
    assert listing.status_code == 200
    assert listing.content == b""


def test_a_missing_document_is_404(xapi: Client) -> None:
    assert xapi.get(STATE, state_params()).status_code == 404


def test_put_on_state_replaces_the_document_without_preconditions(xapi: Client) -> None:
    assert send(xapi, "put", STATE, state_params(), {"page": 1}).status_code == 204
    assert send(xapi, "put", STATE, state_params(), {"chapter": 2}).status_code == 204
    assert xapi.get(STATE, state_params()).json() == {"chapter": 2}
    assert Document.objects.count() == 1


def test_the_agent_is_matched_by_its_identifier_not_its_name(xapi: Client) -> None:
    send(xapi, "put", STATE, state_params(), {"page": 1})
    named = json.dumps({"name": "Mina", "mbox": "mailto:mina@example.com"})
    assert xapi.get(STATE, state_params(agent=named)).json() == {"page": 1}
    other = json.dumps({"mbox": "mailto:someone@example.com"})
    assert xapi.get(STATE, state_params(agent=other)).status_code == 404


def test_registration_keeps_separate_documents(xapi: Client) -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    send(xapi, "put", STATE, state_params(registration=first), {"attempt": 1})
    send(xapi, "put", STATE, state_params(registration=second), {"attempt": 2})
    send(xapi, "put", STATE, state_params(), {"attempt": 0})
    assert xapi.get(STATE, state_params(registration=first)).json() == {"attempt": 1}
    assert xapi.get(STATE, state_params(registration=second)).json() == {"attempt": 2}
    assert xapi.get(STATE, state_params()).json() == {"attempt": 0}
    # The same registration in capitals is the same registration.
    assert xapi.get(STATE, state_params(registration=first.upper())).json() == {"attempt": 1}


def test_the_ids_list_holds_one_set_and_honours_since(xapi: Client) -> None:
    with time_machine.travel(timezone.now() - timedelta(hours=1), tick=False):
        send(xapi, "put", STATE, state_params(stateId="old"), {"a": 1})
    since = timezone.now() - timedelta(minutes=1)
    send(xapi, "put", STATE, state_params(stateId="new"), {"a": 2})
    send(xapi, "put", STATE, state_params(stateId="elsewhere", activityId=COURSE + "/2"), {})
    other = json.dumps({"mbox": "mailto:other@example.com"})
    send(xapi, "put", STATE, state_params(stateId="someone else's", agent=other), {})
    registration = str(uuid.uuid4())
    send(xapi, "put", STATE, state_params(stateId="registered", registration=registration), {})

    # Without a registration the list covers the Activity and Agent's documents of any.
    listing = xapi.get(STATE, state_params(stateId=None))
    assert listing.status_code == 200
    assert listing.json() == ["old", "new", "registered"]
    newest = Document.objects.get(document_id="registered").updated
    assert listing["Last-Modified"] == http_date(newest.timestamp())
    recent = xapi.get(STATE, state_params(stateId=None, since=since.isoformat()))
    assert recent.json() == ["new", "registered"]
    in_registration = xapi.get(STATE, state_params(stateId=None, registration=registration))
    assert in_registration.json() == ["registered"]
    empty = xapi.get(STATE, state_params(stateId=None, activityId=COURSE + "/none"))
    assert empty.json() == []
    assert "Last-Modified" not in empty


def test_delete_one_and_delete_all_of_a_set(xapi: Client) -> None:
    registration = str(uuid.uuid4())
    for state_id in ("a", "b", "c"):
        send(xapi, "put", STATE, state_params(stateId=state_id), {"id": state_id})
    send(xapi, "put", STATE, state_params(stateId="r1", registration=registration), {})
    send(xapi, "put", STATE, state_params(stateId="r2", registration=str(uuid.uuid4())), {})
    send(xapi, "put", STATE, state_params(stateId="keep", activityId=COURSE + "/2"), {})

    assert xapi.delete(url(STATE, state_params(stateId="a"))).status_code == 204
    assert xapi.get(STATE, state_params(stateId=None)).json() == ["b", "c", "r1", "r2"]
    # With a registration only that registration's documents go.
    response = xapi.delete(url(STATE, state_params(stateId=None, registration=registration)))
    assert response.status_code == 204
    assert xapi.get(STATE, state_params(stateId=None)).json() == ["b", "c", "r2"]
    # Without one, every document of the Activity and Agent goes.
    assert xapi.delete(url(STATE, state_params(stateId=None))).status_code == 204
    assert xapi.get(STATE, state_params(stateId=None)).json() == []
    assert Document.objects.get().document_id == "keep"
    # Deleting what is not there leaves nothing, as asked.
    assert xapi.delete(url(STATE, state_params(stateId="a"))).status_code == 204


# --- merging ------------------------------------------------------------------------------


def test_post_creates_then_merges_one_level_deep(xapi: Client) -> None:
    first = {"car": {"make": "Ford", "model": "Escape"}, "driver": "Dale"}
    assert send(xapi, "post", STATE, state_params(), first).status_code == 204
    second = {"car": {"make": "Dodge"}, "series": "nextel"}
    response = send(xapi, "post", STATE, state_params(), second)
    assert response.status_code == 204
    merged = xapi.get(STATE, state_params())
    assert merged.json() == {"car": {"make": "Dodge"}, "driver": "Dale", "series": "nextel"}
    assert merged["ETag"] == response["ETag"]


@pytest.mark.parametrize(
    ("stored", "stored_type", "posted", "posted_type"),
    [
        ({"a": 1}, "application/json", "plain text", "text/plain"),
        ("plain text", "text/plain", {"a": 1}, "application/json"),
        ([1, 2], "application/json", {"a": 1}, "application/json"),
        ({"a": 1}, "application/json", [1, 2], "application/json"),
        ({"a": 1}, "application/json", "{broken", "application/json"),
    ],
)
def test_post_refuses_to_merge_what_is_not_two_json_objects(
    xapi: Client, stored: Any, stored_type: str, posted: Any, posted_type: str
) -> None:
    send(xapi, "put", STATE, state_params(), stored, content_type=stored_type)
    before = xapi.get(STATE, state_params()).content
    response = send(xapi, "post", STATE, state_params(), posted, content_type=posted_type)
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]
    assert xapi.get(STATE, state_params()).content == before


def test_a_json_body_that_is_not_json_is_refused_even_for_a_new_document(xapi: Client) -> None:
    for method in ("put", "post"):
        response = send(
            xapi, method, STATE, state_params(), "{nope", content_type="application/json"
        )
        assert response.status_code == 400
        assert "not valid JSON" in response.json()["error"]
    assert Document.objects.count() == 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
json_objects = st.dictionaries(st.text(max_size=6), json_values, max_size=5)


@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stored=json_objects, posted=json_objects)
def test_a_merge_keeps_stored_properties_and_takes_posted_ones_whole(
    issued: services.IssuedKey, stored: dict[str, Any], posted: dict[str, Any]
) -> None:
    address = documents.DocumentAddress(
        kind=DocumentKind.STATE,
        document_id=str(uuid.uuid4()),
        activity_id=COURSE,
        agent_key="mbox:mailto:mina@example.com",
    )
    none = documents.Preconditions()
    content_type = "application/json"
    documents.document_post(
        key=issued.key,
        address=address,
        content=json.dumps(stored).encode(),
        content_type=content_type,
        preconditions=none,
    )
    documents.document_post(
        key=issued.key,
        address=address,
        content=json.dumps(posted).encode(),
        content_type=content_type,
        preconditions=none,
    )
    row = Document.objects.get(address=address.address)
    merged = json.loads(bytes(row.content))
    assert set(merged) == set(stored) | set(posted)
    for name, value in merged.items():
        assert value == (posted[name] if name in posted else stored[name])
    assert row.etag == hashlib.sha1(bytes(row.content)).hexdigest()  # noqa: S324


# --- concurrency: ETags, 409 and 412 -----------------------------------------------------


def profile_params(**overrides: Any) -> dict[str, str]:
    params = {"activityId": COURSE, "profileId": "settings"}
    params.update(overrides)
    return params


def test_a_profile_put_over_an_existing_document_needs_a_precondition(xapi: Client) -> None:
    assert (
        send(xapi, "put", ACTIVITY_PROFILE, profile_params(), {"v": 1}, headers=NEW).status_code
        == 204
    )
    conflict = send(xapi, "put", ACTIVITY_PROFILE, profile_params(), {"v": 2})
    assert conflict.status_code == 409
    assert "If-Match" in conflict.json()["error"]
    assert xapi.get(ACTIVITY_PROFILE, profile_params()).json() == {"v": 1}


def test_a_profile_put_without_a_precondition_is_refused_even_when_new(xapi: Client) -> None:
    response = send(xapi, "put", AGENT_PROFILE, agent_params(), {"v": 1})
    assert response.status_code == 400
    assert "If-None-Match" in response.json()["error"]
    assert Document.objects.count() == 0
    # POST needs no precondition: it creates or merges.
    assert send(xapi, "post", AGENT_PROFILE, agent_params(), {"v": 1}).status_code == 204


def test_if_match_with_the_current_etag_replaces_and_a_stale_one_is_412(xapi: Client) -> None:
    send(xapi, "put", ACTIVITY_PROFILE, profile_params(), {"v": 1}, headers=NEW)
    current = etag_of(xapi.get(ACTIVITY_PROFILE, profile_params()))
    stale = '"' + "1" * 40 + '"'

    refused = send(
        xapi, "put", ACTIVITY_PROFILE, profile_params(), {"v": 2}, headers={"If-Match": stale}
    )
    assert refused.status_code == 412
    assert xapi.get(ACTIVITY_PROFILE, profile_params()).json() == {"v": 1}

    replaced = send(
        xapi, "put", ACTIVITY_PROFILE, profile_params(), {"v": 2}, headers={"If-Match": current}
    )
    assert replaced.status_code == 204
    assert xapi.get(ACTIVITY_PROFILE, profile_params()).json() == {"v": 2}
    # The old tag no longer matches once the document changed.
    again = send(
        xapi, "put", ACTIVITY_PROFILE, profile_params(), {"v": 3}, headers={"If-Match": current}
    )
    assert again.status_code == 412


def test_if_match_star_needs_an_existing_document(xapi: Client) -> None:
    star = {"If-Match": "*"}
    assert (
        send(xapi, "put", ACTIVITY_PROFILE, profile_params(), {}, headers=star).status_code == 412
    )
    send(xapi, "put", ACTIVITY_PROFILE, profile_params(), {"v": 1}, headers=NEW)
    assert (
        send(xapi, "put", ACTIVITY_PROFILE, profile_params(), {}, headers=star).status_code == 204
    )


def test_if_none_match_star_creates_only_a_new_document(xapi: Client) -> None:
    new_only = {"If-None-Match": "*"}
    assert (
        send(xapi, "put", AGENT_PROFILE, agent_params(), {"v": 1}, headers=new_only).status_code
        == 204
    )
    assert (
        send(xapi, "put", AGENT_PROFILE, agent_params(), {"v": 2}, headers=new_only).status_code
        == 412
    )
    assert xapi.get(AGENT_PROFILE, agent_params()).json() == {"v": 1}


def test_preconditions_also_guard_post_and_delete(xapi: Client) -> None:
    send(xapi, "post", STATE, state_params(), {"v": 1})
    stale = {"If-Match": '"' + "0" * 40 + '"'}
    assert send(xapi, "post", STATE, state_params(), {"w": 2}, headers=stale).status_code == 412
    assert xapi.delete(url(STATE, state_params()), headers=stale).status_code == 412
    assert xapi.get(STATE, state_params()).json() == {"v": 1}
    current = {"If-Match": etag_of(xapi.get(STATE, state_params()))}
    assert xapi.delete(url(STATE, state_params()), headers=current).status_code == 204
    assert Document.objects.count() == 0


def lose_the_first_look(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first look for the row misses it, as for a writer that looked before a concurrent
    creator committed; later looks see the table as it is."""
    real_locked = documents._locked
    calls: list[int] = []

    def blind_first_time(address: documents.DocumentAddress, key: Any) -> Any:
        calls.append(1)
        return None if len(calls) == 1 else real_locked(address, key)

    monkeypatch.setattr(documents, "_locked", blind_first_time)
    return calls


def test_a_create_that_loses_a_race_retries_against_the_winner(
    issued: services.IssuedKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loser's insert meets the unique address and it runs again against the winner's
    row, so there is never a second copy."""
    address = documents.DocumentAddress(
        kind=DocumentKind.STATE, document_id="s", activity_id=COURSE
    )
    none = documents.Preconditions()
    json_type = "application/json"
    documents.document_put(
        key=issued.key,
        address=address,
        content=b'{"a": 1}',
        content_type=json_type,
        preconditions=none,
    )
    calls = lose_the_first_look(monkeypatch)
    documents.document_post(
        key=issued.key,
        address=address,
        content=b'{"b": 2}',
        content_type=json_type,
        preconditions=none,
    )
    assert len(calls) == 2
    row = Document.objects.get()
    assert json.loads(bytes(row.content)) == {"a": 1, "b": 2}


def test_of_two_racing_creates_only_one_wins(
    issued: services.IssuedKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = documents.DocumentAddress(
        kind=DocumentKind.ACTIVITY_PROFILE, document_id="settings", activity_id=COURSE
    )
    new_only = documents.Preconditions(if_none_match=frozenset({"*"}))
    json_type = "application/json"
    documents.document_put(
        key=issued.key,
        address=address,
        content=b"{}",
        content_type=json_type,
        preconditions=new_only,
    )
    lose_the_first_look(monkeypatch)
    with pytest.raises(documents.PreconditionFailed):
        documents.document_put(
            key=issued.key,
            address=address,
            content=b"[]",
            content_type=json_type,
            preconditions=new_only,
        )
    assert bytes(Document.objects.get().content) == b"{}"


def test_the_address_is_unique_in_the_database(issued: services.IssuedKey) -> None:
    address = documents.DocumentAddress(
        kind=DocumentKind.STATE, document_id="x", activity_id=COURSE
    )
    none = documents.Preconditions()
    documents.document_put(
        key=issued.key, address=address, content=b"1", content_type="text/plain", preconditions=none
    )
    row = Document.objects.get()
    row.pk = None
    with pytest.raises(IntegrityError):
        row.save()


# --- profiles -----------------------------------------------------------------------------


def agent_params(**overrides: Any) -> dict[str, str]:
    params = {"agent": json.dumps(AGENT), "profileId": "preferences"}
    params.update(overrides)
    return params


def test_agent_profile_round_trip_list_and_delete(xapi: Client) -> None:
    send(xapi, "put", AGENT_PROFILE, agent_params(), "dark", content_type="text/plain", headers=NEW)
    send(xapi, "post", AGENT_PROFILE, agent_params(profileId="second"), {"a": 1})
    fetched = xapi.get(AGENT_PROFILE, agent_params())
    assert fetched.content == b"dark"
    assert fetched["Content-Type"] == "text/plain"
    listing = xapi.get(AGENT_PROFILE, {"agent": json.dumps(AGENT)})
    assert listing.json() == ["preferences", "second"]
    assert xapi.delete(url(AGENT_PROFILE, agent_params())).status_code == 204
    assert xapi.get(AGENT_PROFILE, {"agent": json.dumps(AGENT)}).json() == ["second"]


def test_activity_and_agent_profiles_with_the_same_id_are_separate(xapi: Client) -> None:
    send(
        xapi,
        "put",
        ACTIVITY_PROFILE,
        profile_params(profileId="p"),
        {"of": "activity"},
        headers=NEW,
    )
    send(xapi, "put", AGENT_PROFILE, agent_params(profileId="p"), {"of": "agent"}, headers=NEW)
    send(xapi, "put", STATE, state_params(stateId="p"), {"of": "state"})
    assert xapi.get(ACTIVITY_PROFILE, profile_params(profileId="p")).json() == {"of": "activity"}
    assert xapi.get(AGENT_PROFILE, agent_params(profileId="p")).json() == {"of": "agent"}
    assert xapi.get(STATE, state_params(stateId="p")).json() == {"of": "state"}


def test_profiles_cannot_be_deleted_all_at_once(xapi: Client) -> None:
    send(xapi, "put", ACTIVITY_PROFILE, profile_params(), {}, headers=NEW)
    response = xapi.delete(url(ACTIVITY_PROFILE, {"activityId": COURSE}))
    assert response.status_code == 400
    assert "profileId" in response.json()["error"]
    assert Document.objects.count() == 1


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "params", "named"),
    [
        ("put", STATE, state_params(activityId=None), "activityId"),
        ("get", STATE, state_params(agent=None), "agent"),
        ("post", STATE, state_params(stateId=None), "stateId"),
        ("delete", STATE, state_params(agent="{not json"), "agent"),
        ("put", STATE, state_params(agent=json.dumps({"name": "No id"})), "agent"),
        ("put", STATE, state_params(registration="not-a-uuid"), "registration"),
        ("get", STATE, state_params(stateId=None, since="yesterday"), "since"),
        ("put", STATE, state_params(activityId="not an iri"), "activityId"),
        ("put", STATE, state_params(profileId="x"), "profileId"),
        ("put", ACTIVITY_PROFILE, {"activityId": COURSE}, "profileId"),
        ("get", ACTIVITY_PROFILE, {"profileId": "x"}, "activityId"),
        ("put", AGENT_PROFILE, {"profileId": "x"}, "agent"),
        ("post", AGENT_PROFILE, {"agent": json.dumps(AGENT)}, "profileId"),
        ("put", AGENT_PROFILE, agent_params(registration=str(uuid.uuid4())), "registration"),
        ("put", STATE, state_params(stateId="x" * 1001), "stateId"),
    ],
)
def test_bad_parameters_get_400_naming_the_parameter(
    xapi: Client, method: str, path: str, params: dict[str, str], named: str
) -> None:
    response = send(xapi, method, path, params, {"a": 1})
    assert response.status_code == 400
    assert named in response.json()["error"]
    assert Document.objects.count() == 0


def test_a_document_over_the_cap_gets_413_and_is_not_stored(xapi: Client, settings) -> None:
    settings.PEERPATH_LRS_MAX_DOCUMENT_BYTES = 100
    response = send(xapi, "put", STATE, state_params(), b"x" * 101, content_type="text/plain")
    assert response.status_code == 413
    assert "100 bytes" in response.json()["error"]
    assert (
        send(xapi, "put", STATE, state_params(), b"x" * 100, content_type="text/plain").status_code
        == 204
    )


def test_other_methods_are_not_allowed(xapi: Client) -> None:
    response = xapi.patch(url(STATE, state_params()), data="{}", content_type="application/json")
    assert response.status_code == 405
    assert "PUT" in response["Allow"]


# --- keys and scopes ----------------------------------------------------------------------


def test_documents_need_a_key_and_the_version_header(issued: services.IssuedKey) -> None:
    anonymous = Client(headers={"X-Experience-API-Version": "1.0.3"})
    assert send(anonymous, "put", STATE, state_params(), {"a": 1}).status_code == 401
    assert (
        send(xapi_client(issued, version=None), "put", STATE, state_params(), {}).status_code == 400
    )
    assert Document.objects.count() == 0


@pytest.mark.parametrize("path", [STATE, ACTIVITY_PROFILE, AGENT_PROFILE])
def test_a_read_only_key_reads_but_cannot_write(db: None, path: str) -> None:
    writer = xapi_client(services.lrs_key_create(name="Player"))
    reader = xapi_client(services.lrs_key_create(name="Reports", can_write=False))
    params = {
        STATE: state_params(),
        ACTIVITY_PROFILE: profile_params(),
        AGENT_PROFILE: agent_params(),
    }[path]
    send(writer, "put", path, params, {"v": 1}, headers=NEW)
    for method in ("put", "post", "delete"):
        response = send(reader, method, path, params, {"v": 2}, headers={"If-Match": "*"})
        assert response.status_code == 403
    assert reader.get(path, params).json() == {"v": 1}


@pytest.mark.parametrize(
    "path", [STATE, ACTIVITY_PROFILE, AGENT_PROFILE, "/xapi/activities", "/xapi/agents"]
)
def test_a_write_only_key_cannot_read(db: None, path: str) -> None:
    writer = xapi_client(services.lrs_key_create(name="Player", can_read=False))
    assert writer.get(path, {"activityId": COURSE, "agent": json.dumps(AGENT)}).status_code == 403
    assert writer.head(path, {"activityId": COURSE, "agent": json.dumps(AGENT)}).status_code == 403


def test_an_own_only_key_sees_and_changes_only_the_documents_it_created(db: None) -> None:
    shared = xapi_client(services.lrs_key_create(name="Player"))
    own = xapi_client(services.lrs_key_create(name="Sandbox", own_only=True))
    send(shared, "put", STATE, state_params(stateId="theirs"), {"by": "player"})
    send(own, "put", STATE, state_params(stateId="mine"), {"by": "sandbox"})

    assert own.get(STATE, state_params(stateId="theirs")).status_code == 404
    assert own.get(STATE, state_params(stateId=None)).json() == ["mine"]
    refused = send(own, "post", STATE, state_params(stateId="theirs"), {"x": 1})
    assert refused.status_code == 403
    assert own.delete(url(STATE, state_params(stateId="theirs"))).status_code == 403
    # Deleting the whole set removes only its own documents.
    assert own.delete(url(STATE, state_params(stateId=None))).status_code == 204
    assert shared.get(STATE, state_params(stateId=None)).json() == ["theirs"]
    assert shared.get(STATE, state_params(stateId="theirs")).json() == {"by": "player"}


def test_a_full_key_changing_a_document_leaves_it_with_its_creator(db: None) -> None:
    shared = xapi_client(services.lrs_key_create(name="Player"))
    own = xapi_client(services.lrs_key_create(name="Sandbox", own_only=True))
    send(own, "put", STATE, state_params(), {"v": 1})
    send(shared, "post", STATE, state_params(), {"w": 2})
    assert own.get(STATE, state_params()).json() == {"v": 1, "w": 2}


def test_reading_a_document_costs_two_queries(xapi: Client, django_assert_num_queries) -> None:
    for n in range(20):
        send(xapi, "put", STATE, state_params(stateId=f"s{n}"), {"n": n})
    xapi.get(STATE, state_params(stateId="s0"))  # the key's last use is recorded once a minute
    # The key, then the document or the list.
    with django_assert_num_queries(2):
        assert xapi.get(STATE, state_params(stateId="s3")).json() == {"n": 3}
    with django_assert_num_queries(2):
        assert len(xapi.get(STATE, state_params(stateId=None)).json()) == 20


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_posts_leave_one_merged_document() -> None:
    """Writers in separate connections racing to create one document: every one lands, in
    one row, whatever the interleaving."""
    key = services.lrs_key_create(name="Player").key
    address = documents.DocumentAddress(
        kind=DocumentKind.STATE, document_id="race", activity_id=COURSE
    )
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            documents.document_post(
                key=key,
                address=address,
                content=json.dumps({f"w{n}": n}).encode(),
                content_type="application/json",
                preconditions=documents.Preconditions(),
            )
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    row = Document.objects.get()
    assert json.loads(bytes(row.content)) == {"w0": 0, "w1": 1, "w2": 2, "w3": 3}

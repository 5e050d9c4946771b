"""Admin pages of the learning record: export by filter, and LRS keys with scopes."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from peerpath.learning import services as learning
from peerpath.lrs import selectors, services
from peerpath.lrs.models import LrsKey, Statement
from peerpath.lrs.recording import VERBS
from tests.factories import ModuleFactory
from tests.lrs.conftest import make_statement

pytestmark = pytest.mark.django_db

EXPORT = reverse("lrs_admin:export")
KEYS = reverse("lrs_admin:keys")


def _download(client, fmt: str, **params) -> tuple[object, bytes]:
    response = client.get(reverse("lrs_admin:download", args=[fmt]), params)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


@pytest.fixture
def history(org, module):
    """The member opened and completed a module; the lead opened it; a package wrote one."""
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False):
        learning.progress_open(user=org.member, module=module)
    with time_machine.travel(datetime(2026, 3, 5, 9, 0, tzinfo=UTC), tick=False):
        learning.progress_complete(user=org.member, module=module)
        learning.progress_open(user=org.lead, module=module)
    issued = services.lrs_key_create(name="Player")
    services.statements_store(
        key=issued.key,
        statements=[make_statement(actor={"mbox": f"mailto:{org.member.email}", "name": "=cmd"})],
        single=True,
    )
    return module


# --- Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "manager", "outsider"])
def test_only_admins_reach_the_export_and_keys_pages(org, client_for, history, who):
    client = client_for(getattr(org, who))
    assert client.get(EXPORT).status_code == 403
    assert _download(client, "json")[0].status_code == 403
    assert client.get(KEYS).status_code == 403
    assert client.post(KEYS, {"name": "Sneaky", "access": "read_write"}).status_code == 403
    issued = services.lrs_key_create(name="Player 2")
    assert client.post(reverse("lrs_admin:revoke", args=[issued.key.key])).status_code == 403
    assert not LrsKey.objects.filter(name="Sneaky").exists()
    assert LrsKey.objects.get(pk=issued.key.pk).active


@pytest.mark.parametrize("who", ["admin", "sysadmin"])
def test_learning_and_system_admins_reach_both_pages(org, client_for, who):
    client = client_for(getattr(org, who))
    assert client.get(EXPORT).status_code == 200
    assert client.get(KEYS).status_code == 200
    home = client.get(reverse("people:admin_home")).content.decode()
    assert EXPORT in home
    assert KEYS in home


# --- Export -----------------------------------------------------------------------------------


def test_the_preview_counts_matches_and_shows_the_newest(org, client_for, history):
    client = client_for(org.admin)
    page = client.get(EXPORT).content.decode()
    assert "4 statements" in page
    page = client.get(EXPORT, {"email": org.member.email}).content.decode()
    # The member's two Peerpath statements and the package's statement naming them by email.
    assert "3 statements" in page
    assert "Leo Lead" not in page
    page = client.get(EXPORT, {"verb": VERBS["launched"]}).content.decode()
    assert "2 statements" in page


def test_bad_filters_get_clear_errors(org, client_for):
    client = client_for(org.admin)
    response = client.get(EXPORT, {"email": "nobody@example.com"})
    assert response.status_code == 400
    assert "Nobody in Peerpath has that email address." in response.content.decode()
    response = client.get(
        EXPORT, {"verb": "completed", "since": "2026-03-05", "until": "2026-03-01"}
    )
    body = response.content.decode()
    assert "Enter an absolute IRI" in body
    assert "Choose a date on or after the start." in body
    response, body = _download(client, "json", verb="completed")
    assert response.status_code == 400
    assert b"verb" in body
    assert client.get(reverse("lrs_admin:download", args=["xml"])).status_code == 404


def test_json_download_is_an_array_of_the_matching_statements(org, client_for, history):
    response, body = _download(client_for(org.admin), "json", email=org.member.email)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="peerpath-statements-')
    statements = json.loads(body)
    assert [s["verb"]["id"] for s in statements] == [
        VERBS["launched"],
        VERBS["completed"],
        "http://adlnet.gov/expapi/verbs/completed",
    ]
    assert [s["stored"] for s in statements] == sorted(s["stored"] for s in statements)


def test_csv_download_has_one_row_per_statement_and_defuses_formulas(org, client_for, history):
    response, body = _download(client_for(org.admin), "csv", email=org.member.email)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert len(rows) == 3
    completed = rows[1]
    stored = Statement.objects.get(verb_id=VERBS["completed"], lrs_key__key="peerpath")
    assert completed["id"] == str(stored.id)
    assert completed["verb_display"] == "completed"
    assert completed["object_name"] == history.title
    assert completed["result_completion"] == "true"
    assert completed["result_success"] == ""
    assert completed["actor_ifi"].endswith(f"|{org.member.public_id}")
    assert rows[2]["actor_name"] == "'=cmd"
    assert rows[2]["actor_ifi"] == f"mailto:{org.member.email}"


def test_dates_filter_by_when_statements_were_stored(org, client_for, history):
    Statement.objects.filter(verb_id=VERBS["launched"]).update(
        stored=datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    )
    client = client_for(org.admin)
    _, body = _download(client, "json", since="2026-01-10", until="2026-01-10")
    assert {s["verb"]["id"] for s in json.loads(body)} == {VERBS["launched"]}
    _, body = _download(client, "json", since="2026-01-11")
    assert VERBS["launched"] not in {s["verb"]["id"] for s in json.loads(body)}


def test_the_export_reads_in_chunks_by_keyset(org, django_assert_max_num_queries):
    module = ModuleFactory(author=org.lead)
    for user in (org.member, org.lead, org.deep, org.outsider, org.manager):
        learning.progress_open(user=user, module=module)
    query = selectors.ExportFilter(verb=VERBS["launched"])
    with django_assert_max_num_queries(3):
        rows = list(selectors.export_statements(query, chunk=2))
    assert len(rows) == 5
    assert len({r["id"] for r in rows}) == 5


def test_the_export_page_reads_in_a_fixed_number_of_queries(
    org, client_for, history, django_assert_max_num_queries
):
    client = client_for(org.admin)
    client.get(EXPORT)
    with django_assert_max_num_queries(8):
        assert client.get(EXPORT, {"email": org.member.email}).status_code == 200


# --- Keys -------------------------------------------------------------------------------------


def test_creating_a_key_shows_its_secret_once(org, client_for):
    client = client_for(org.admin)
    response = client.post(KEYS, {"name": "Analytics", "access": "read", "own_only": "on"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = LrsKey.objects.get(name="Analytics")
    assert (key.can_read, key.can_write, key.own_only, key.created_by) == (
        True,
        False,
        True,
        org.admin,
    )
    body = response.content.decode()
    secret = body.split("data-issued-secret>", 1)[1].split("<", 1)[0]
    assert services.lrs_key_authenticate(key=key.key, secret=secret) == key
    listing = client.get(KEYS).content.decode()
    assert key.key in listing
    assert secret not in listing
    assert "own statements only" in listing


def test_a_key_needs_a_name(org, client_for):
    response = client_for(org.admin).post(KEYS, {"name": "  ", "access": "read_write"})
    assert response.status_code == 400
    assert not LrsKey.objects.exists()


def test_revoking_asks_first_then_deactivates(org, client_for):
    issued = services.lrs_key_create(name="Old player")
    client = client_for(org.admin)
    url = reverse("lrs_admin:revoke", args=[issued.key.key])
    confirm = client.get(url)
    assert "Revoke “Old player”?" in confirm.content.decode()
    assert LrsKey.objects.get(pk=issued.key.pk).active
    response = client.post(url)
    assert response["Location"] == KEYS
    assert not LrsKey.objects.get(pk=issued.key.pk).active
    assert client.post(url).status_code == 302  # again: already revoked, nothing changes


def test_peerpaths_own_key_cannot_be_revoked(org, client_for, module):
    learning.progress_open(user=org.member, module=module)
    client = client_for(org.admin)
    assert client.post(reverse("lrs_admin:revoke", args=["peerpath"])).status_code == 404
    assert LrsKey.objects.get(key="peerpath").active
    assert client.get(reverse("lrs_admin:revoke", args=["nope"])).status_code == 404

"""Statements with attachment bodies: multipart/mixed requests in, multipart answers out."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from peerpath.lrs import attachments
from peerpath.lrs.models import AttachmentBody, Statement
from tests.lrs.conftest import BOUNDARY, declared, make_statement, multipart, part

URL = "/xapi/statements"
MIXED = f"multipart/mixed; boundary={BOUNDARY}"
PDF = b"%PDF-1.7\r\n\x00\xff binary \r\n--not-a-boundary\r\n"


def send(client: Client, body: bytes, *, content_type: str = MIXED) -> Any:
    return client.post(URL, data=body, content_type=content_type)


def test_a_statement_and_its_attachment_body_are_stored_together(xapi: Client) -> None:
    statement = make_statement(attachments=[declared(PDF, "application/pdf")])
    response = send(xapi, multipart(statement, part(PDF, "application/pdf")))
    assert response.status_code == 200
    (ident,) = response.json()
    body = AttachmentBody.objects.get()
    assert bytes(body.content) == PDF
    assert (body.content_type, body.length) == ("application/pdf", len(PDF))
    stored = Statement.objects.get(id=ident).data
    assert stored["attachments"][0]["sha2"] == hashlib.sha256(PDF).hexdigest()


def test_put_takes_a_multipart_body_too(xapi: Client) -> None:
    ident = str(uuid.uuid4())
    statement = make_statement(attachments=[declared(PDF)])
    response = xapi.put(
        f"{URL}?statementId={ident}", data=multipart(statement, part(PDF)), content_type=MIXED
    )
    assert response.status_code == 204
    assert Statement.objects.filter(id=ident).exists()
    assert AttachmentBody.objects.count() == 1


def test_the_same_body_is_kept_once(xapi: Client) -> None:
    batch = [make_statement(attachments=[declared(PDF)]) for _ in range(2)]
    assert send(xapi, multipart(batch, part(PDF))).status_code == 200
    assert send(xapi, multipart(make_statement(attachments=[declared(PDF)]), part(PDF))).json()
    assert Statement.objects.count() == 3
    assert AttachmentBody.objects.count() == 1


def test_an_attachment_with_a_file_url_needs_no_part(xapi: Client) -> None:
    linked = declared(PDF, fileUrl="https://files.example/evidence.pdf")
    response = xapi.post(
        URL, data=json.dumps(make_statement(attachments=[linked])), content_type="application/json"
    )
    assert response.status_code == 200
    assert AttachmentBody.objects.count() == 0


def test_get_with_attachments_answers_multipart_with_each_body(xapi: Client) -> None:
    other = b"second body"
    statement = make_statement(attachments=[declared(PDF), declared(other)])
    (ident,) = send(xapi, multipart(statement, part(PDF), part(other))).json()
    response = xapi.get(URL, {"statementId": ident, "attachments": "true"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("multipart/mixed; boundary=")
    parsed = attachments.parse(response.getvalue(), response["Content-Type"])
    assert json.loads(parsed.statements)["id"] == ident
    assert sorted(p.content for p in parsed.parts) == sorted([PDF, other])

    listed = xapi.get(URL, {"attachments": "true"})
    assert xapi.head(URL, {"attachments": "true"}).getvalue() == b""
    parsed = attachments.parse(listed.getvalue(), listed["Content-Type"])
    assert [s["id"] for s in json.loads(parsed.statements)["statements"]] == [ident]
    assert len(parsed.parts) == 2


def test_get_without_attachments_answers_json_only(xapi: Client) -> None:
    statement = make_statement(attachments=[declared(PDF)])
    (ident,) = send(xapi, multipart(statement, part(PDF))).json()
    for flag in ({}, {"attachments": "false"}):
        response = xapi.get(URL, {"statementId": ident, **flag})
        assert response["Content-Type"] == "application/json"
        assert response.json()["id"] == ident


def test_a_reader_gets_only_the_bodies_of_statements_it_may_read(
    xapi: Client, own_only: Client
) -> None:
    send(xapi, multipart(make_statement(attachments=[declared(PDF)]), part(PDF)))
    mine = b"my own evidence"
    send(own_only, multipart(make_statement(attachments=[declared(mine)]), part(mine)))
    response = own_only.get(URL, {"attachments": "true"})
    parsed = attachments.parse(response.getvalue(), response["Content-Type"])
    assert [p.content for p in parsed.parts] == [mine]


def _missing_boundary_in_body() -> tuple[bytes, str]:
    statement = make_statement(attachments=[declared(PDF)])
    body = b"Content-Type: application/json\r\n\r\n" + json.dumps(statement).encode()
    return body, MIXED


def _wrong_hash() -> tuple[bytes, str]:
    content, headers = part(PDF)
    headers["X-Experience-API-Hash"] = hashlib.sha256(b"something else").hexdigest()
    return multipart(make_statement(attachments=[declared(PDF)]), (content, headers)), MIXED


def _no_hash_header() -> tuple[bytes, str]:
    content, headers = part(PDF)
    del headers["X-Experience-API-Hash"]
    return multipart(make_statement(attachments=[declared(PDF)]), (content, headers)), MIXED


def _base64_part() -> tuple[bytes, str]:
    content, headers = part(PDF)
    headers["Content-Transfer-Encoding"] = "base64"
    return multipart(make_statement(attachments=[declared(PDF)]), (content, headers)), MIXED


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: (multipart(make_statement(attachments=[declared(PDF)])), MIXED),
            "attachments[0] has no fileUrl and no multipart part",
        ),
        (
            lambda: (
                json.dumps(make_statement(attachments=[declared(PDF)])).encode(),
                "application/json",
            ),
            "attachments[0] has no fileUrl and no multipart part",
        ),
        (
            lambda: (multipart(make_statement(), part(PDF)), MIXED),
            "belongs to no attachment",
        ),
        (
            lambda: (
                multipart(
                    make_statement(attachments=[declared(PDF)]),
                    part(PDF),
                    first_type="text/plain",
                ),
                MIXED,
            ),
            "first part of a multipart request must be application/json",
        ),
        (
            lambda: (
                multipart(make_statement(attachments=[declared(PDF)]), part(PDF)),
                "multipart/mixed",
            ),
            "needs a boundary parameter",
        ),
        (_missing_boundary_in_body, "not well formed"),
        (_wrong_hash, "does not match its body"),
        (_no_hash_header, "needs an X-Experience-API-Hash header"),
        (_base64_part, "Content-Transfer-Encoding: binary"),
        (
            lambda: (
                multipart(make_statement(attachments=[declared(PDF)]), part(PDF)),
                f"multipart/form-data; boundary={BOUNDARY}",
            ),
            "must be sent as multipart/mixed",
        ),
    ],
)
def test_a_broken_multipart_request_is_refused_and_stores_nothing(
    xapi: Client, build: Any, message: str
) -> None:
    body, content_type = build()
    response = send(xapi, body, content_type=content_type)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert Statement.objects.count() == 0
    assert AttachmentBody.objects.count() == 0


def test_a_batch_with_one_bad_statement_stores_no_attachment(xapi: Client) -> None:
    batch = [make_statement(attachments=[declared(PDF)]), make_statement(verb={"id": "nope"})]
    response = send(xapi, multipart(batch, part(PDF)))
    assert response.status_code == 400
    assert Statement.objects.count() == 0
    assert AttachmentBody.objects.count() == 0


def test_a_body_over_the_cap_is_refused(xapi: Client, settings: Any) -> None:
    settings.PEERPATH_XAPI_MAX_REQUEST_BYTES = 1000
    big = b"x" * 2000
    response = send(xapi, multipart(make_statement(attachments=[declared(big)]), part(big)))
    assert response.status_code == 413
    assert AttachmentBody.objects.count() == 0


@hypothesis_settings(deadline=None)
@given(
    st.lists(
        st.tuples(
            st.binary(max_size=300),
            st.sampled_from(["text/plain", "application/octet-stream", "image/png"]),
        ),
        max_size=4,
    ),
    st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=3),
)
def test_a_built_multipart_body_parses_back_to_the_same_parts(
    bodies: list[tuple[bytes, str]], document: dict[str, str]
) -> None:
    built = [
        attachments.Body(sha2=hashlib.sha256(c).hexdigest(), content_type=t, content=c)
        for c, t in bodies
    ]
    chunks, content_type = attachments.build(json.dumps(document).encode(), built)
    parsed = attachments.parse(b"".join(chunks), content_type)
    assert json.loads(parsed.statements) == document
    assert [(p.content, p.content_type, p.sha2) for p in parsed.parts] == [
        (b.content, b.content_type, b.sha2) for b in built
    ]


@hypothesis_settings(deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["", "--", "\r\n--", "Content-Type: x\r\n\r\n"]))
def test_any_body_is_either_parsed_or_refused_with_a_reason(noise: bytes, prefix: str) -> None:
    body = prefix.encode() + BOUNDARY.encode() + b"\r\n" + noise
    try:
        parsed = attachments.parse(body, MIXED)
    except attachments.AttachmentsInvalid:
        return
    assert all(attachments.digest(p.sha2, p.content) == p.sha2 for p in parsed.parts)


def test_a_conflicting_batch_stores_no_attachment(xapi: Client) -> None:
    ident = str(uuid.uuid4())
    assert send(xapi, multipart(make_statement(id=ident))).status_code == 200
    changed = make_statement(id=ident, result={"success": True}, attachments=[declared(PDF)])
    response = send(xapi, multipart([make_statement(), changed], part(PDF)))
    assert response.status_code == 409
    assert Statement.objects.count() == 1
    assert AttachmentBody.objects.count() == 0


def test_a_page_with_attachments_costs_one_more_query_however_many_bodies(
    xapi: Client, django_assert_num_queries: Any
) -> None:
    bodies = [f"evidence {n}".encode() for n in range(12)]
    batch = [make_statement(attachments=[declared(body)]) for body in bodies]
    send(xapi, multipart(batch, *(part(body) for body in bodies)))
    xapi.get(URL)  # the key's last use is recorded at most once a minute
    # The key, the page of statements, then the bodies.
    with django_assert_num_queries(3):
        response = xapi.get(URL, {"attachments": "true"})
        parsed = attachments.parse(response.getvalue(), response["Content-Type"])
    assert sorted(p.content for p in parsed.parts) == sorted(bodies)

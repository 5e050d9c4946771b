"""What every /xapi/ resource shares: the alternate request syntax and CORS."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from peerpath.lrs import services
from peerpath.lrs.models import LrsKey, Statement
from peerpath.lrs.views import xapi_view
from tests.lrs.conftest import make_statement

URL = "/xapi/statements"
FORM = "application/x-www-form-urlencoded"


def basic(issued: services.IssuedKey) -> str:
    return "Basic " + base64.b64encode(f"{issued.key.key}:{issued.secret}".encode()).decode()


def alternate(method: str, form: dict[str, str], *, query: str = "") -> Any:
    """A POST ?method= with everything (headers included) in the form, from a plain client."""
    return Client().post(f"{URL}?method={method}{query}", data=urlencode(form), content_type=FORM)


def test_a_put_sent_as_a_form_post_stores_the_statement(issued: services.IssuedKey) -> None:
    ident = str(uuid.uuid4())
    response = alternate(
        "PUT",
        {
            "statementId": ident,
            "content": json.dumps(make_statement()),
            "Authorization": basic(issued),
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 204
    assert Statement.objects.get(id=ident).lrs_key == issued.key


def test_a_get_sent_as_a_form_post_answers_the_statement_result(
    issued: services.IssuedKey,
) -> None:
    services.statements_store(key=issued.key, statements=[make_statement()] * 2)
    response = alternate(
        "GET",
        {"limit": "1", "Authorization": basic(issued), "X-Experience-API-Version": "1.0.3"},
    )
    assert response.status_code == 200
    assert len(response.json()["statements"]) == 1
    assert response.json()["more"]
    assert response["X-Experience-API-Consistent-Through"]


def test_headers_in_the_form_replace_the_request_headers(issued: services.IssuedKey) -> None:
    client = Client(headers={"Authorization": basic(issued), "X-Experience-API-Version": "1.0.3"})
    form = {"X-Experience-API-Version": "0.8", "content": json.dumps(make_statement())}
    response = client.post(f"{URL}?method=POST", data=urlencode(form), content_type=FORM)
    assert response.status_code == 400
    assert "'0.8' is not supported" in response.json()["error"]
    assert Statement.objects.count() == 0


@pytest.mark.parametrize(
    ("request_method", "query", "content_type", "message"),
    [
        ("put", "?method=POST", FORM, "only allowed on a POST"),
        ("post", "?method=PUT&statementId=x", FORM, "every other parameter goes in the form"),
        ("post", "?method=PATCH", FORM, "method must be one of"),
        ("post", "?method=PUT", "application/json", "takes a form (urlencoded) body"),
    ],
)
def test_a_malformed_alternate_request_is_refused(
    xapi: Client, request_method: str, query: str, content_type: str, message: str
) -> None:
    body = urlencode({"content": json.dumps(make_statement()), "statementId": str(uuid.uuid4())})
    response = getattr(xapi, request_method)(f"{URL}{query}", data=body, content_type=content_type)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert Statement.objects.count() == 0


def test_the_alternate_syntax_still_needs_a_valid_key(issued: services.IssuedKey) -> None:
    response = alternate(
        "GET", {"Authorization": "Basic bm9ib2R5Om5vdGhpbmc=", "X-Experience-API-Version": "1.0.3"}
    )
    assert response.status_code == 401


def test_every_resource_built_on_the_decorator_gets_the_alternate_syntax(
    issued: services.IssuedKey,
) -> None:
    seen: list[tuple[str, dict[str, str], bytes, str]] = []

    @xapi_view
    def documents(request: HttpRequest, key: LrsKey) -> HttpResponse:
        seen.append(
            (request.method or "", request.GET.dict(), request.body, request.content_type or "")
        )
        return HttpResponse(status=204)

    form = {
        "stateId": "bookmark",
        "content": "page 12",
        "Content-Type": "text/plain",
        "Authorization": basic(issued),
        "X-Experience-API-Version": "1.0.3",
    }
    request = RequestFactory().post(
        "/xapi/activities/state?method=PUT", data=urlencode(form), content_type=FORM
    )
    response = documents(request)
    assert response.status_code == 204
    assert seen == [("PUT", {"stateId": "bookmark"}, b"page 12", "text/plain")]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_a_preflight_needs_no_key_and_lists_what_browsers_may_send(db: None) -> None:
    response = Client().options(
        URL,
        headers={
            "Origin": "https://course.example",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization, x-experience-api-version",
        },
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "PUT" in response["Access-Control-Allow-Methods"]
    allowed = response["Access-Control-Allow-Headers"]
    for header in ("Authorization", "X-Experience-API-Version", "Content-Type", "If-Match"):
        assert header in allowed


def test_every_answer_lets_browsers_read_the_xapi_headers(xapi: Client) -> None:
    for response in (xapi.get(URL), Client().get(URL), Client().get("/xapi/about")):
        assert response["Access-Control-Allow-Origin"] == "*"
        exposed = response["Access-Control-Expose-Headers"]
        for header in (
            "ETag",
            "Last-Modified",
            "X-Experience-API-Version",
            "X-Experience-API-Consistent-Through",
        ):
            assert header in exposed

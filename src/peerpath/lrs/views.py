"""The xAPI endpoint at /xapi/: statements and about, authenticated by LRS keys.

These views use HTTP Basic with an LRS key instead of a session, so they are exempt from the
sign-in requirement and from CSRF checks (no cookie is ever consulted).
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from peerpath.core import permissions
from peerpath.lrs import attachments, export, formats, selectors, services, validation

if TYPE_CHECKING:
    from peerpath.core.http import AuthedRequest
    from peerpath.lrs.models import LrsKey

VERSION = "1.0.3"
SUPPORTED_VERSIONS = ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]
_VERSION_HEADER = re.compile(r"^1\.0(\.\d+)?$")
_REALM = 'Basic realm="Peerpath LRS"'
_GET_PARAMS = {
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "more",
}
_SINGLE_PARAMS = {"statementId", "voidedStatementId", "format", "attachments"}


class BadRequest(Exception):
    """The request breaks a rule of the xAPI communication part (400)."""


class _TooLarge(Exception):
    """The body is over the cap (413)."""


def _json(data: Any, status: int = 200) -> HttpResponse:
    return JsonResponse(data, status=status, safe=False)


def _error(status: int, message: str) -> HttpResponse:
    return JsonResponse({"error": message}, status=status)


def _basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, sep, secret = decoded.partition(":")
    return (key, secret) if sep and key else None


View = Callable[[HttpRequest, "LrsKey"], HttpResponseBase]

# Browser-based xAPI clients call the LRS from other origins. Keys travel in the Authorization
# header, never in cookies, so any origin may call and no credentials mode is involved.
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": (
        "ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through"
    ),
}
_PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, HEAD, PUT, POST, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match"
    ),
    "Access-Control-Max-Age": "86400",
}
# Form fields of the alternate request syntax that stand for request headers (Communication 1.3).
_FORM_HEADERS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": None,
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}
_METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE"}


def _finish(response: HttpResponseBase) -> HttpResponseBase:
    """Headers every /xapi/ answer carries: the version, no caching, and CORS."""
    response["X-Experience-API-Version"] = VERSION
    response["Cache-Control"] = "no-store"
    for name, value in _CORS.items():
        response[name] = value
    return response


def _preflight() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Allow"] = _PREFLIGHT["Access-Control-Allow-Methods"]
    for name, value in _PREFLIGHT.items():
        response[name] = value
    return response


def _alternate(request: HttpRequest) -> HttpRequest:
    """The request a ``POST ?method=`` stands for, or the request itself (Communication 1.3).

    Form fields named like request headers become those headers, ``content`` becomes the
    body and every other field a query parameter; the view then sees an ordinary request.
    """
    if "method" not in request.GET:
        return request
    if request.method != "POST":
        raise BadRequest("The method parameter is only allowed on a POST.")
    if set(request.GET) != {"method"} or len(request.GET.getlist("method")) != 1:
        raise BadRequest("With the method parameter, every other parameter goes in the form.")
    method = request.GET["method"]
    if method not in _METHODS:
        raise BadRequest(f"method must be one of {', '.join(sorted(_METHODS))}.")
    if request.content_type != "application/x-www-form-urlencoded":
        raise BadRequest("The alternate request syntax takes a form (urlencoded) body.")
    try:
        form = request.POST
    except RequestDataTooBig as exc:
        raise _TooLarge from exc
    # The content is JSON unless the form's Content-Type field says otherwise.
    environ = {**request.META, "CONTENT_TYPE": "application/json"}
    params: list[tuple[str, str]] = []
    content = ""
    for name, values in form.lists():
        if name == "content":
            content = values[-1]
        elif name.lower() in _FORM_HEADERS:
            header = _FORM_HEADERS[name.lower()]
            if header is not None:
                environ[header] = values[-1]
        else:
            params.extend((name, value) for value in values)
    body = content.encode("utf-8")
    environ.update(
        {
            "REQUEST_METHOD": method,
            "QUERY_STRING": urlencode(params),
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
    )
    return WSGIRequest(environ)


def xapi_view(view: View) -> Callable[[HttpRequest], HttpResponseBase]:
    """What every authenticated xAPI resource shares: CORS (a preflight needs no key), the
    alternate request syntax, the version header, and the key check."""

    @login_not_required
    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponseBase:
        if request.method == "OPTIONS":
            return _finish(_preflight())
        try:
            request = _alternate(request)
        except BadRequest as exc:
            return _finish(_error(400, str(exc)))
        except _TooLarge:
            return _finish(_error(413, "The request body is too large."))
        version = request.META.get("HTTP_X_EXPERIENCE_API_VERSION", "").strip()
        if not version:
            return _finish(_error(400, "The X-Experience-API-Version header is required."))
        if not _VERSION_HEADER.match(version):
            return _finish(
                _error(400, f"X-Experience-API-Version {version!r} is not supported; use 1.0.3.")
            )
        credentials = _basic_credentials(request)
        key = (
            services.lrs_key_authenticate(key=credentials[0], secret=credentials[1])
            if credentials
            else None
        )
        if key is None:
            refused = _error(401, "Give a valid LRS key and secret with HTTP Basic.")
            refused["WWW-Authenticate"] = _REALM
            return _finish(refused)
        response: HttpResponseBase
        try:
            response = view(request, key)
        except BadRequest as exc:
            response = _error(400, str(exc))
        except _TooLarge:
            response = _error(413, "The request body is too large.")
        return _finish(response)

    return wrapped


@login_not_required
@csrf_exempt
def about(request: HttpRequest) -> HttpResponseBase:
    """Which xAPI versions this LRS speaks; open to anyone, as the specification asks."""
    if request.method == "OPTIONS":
        return _finish(_preflight())
    if request.method not in {"GET", "HEAD"}:
        response = _error(405, "Only GET is allowed here.")
        response["Allow"] = "GET, HEAD"
        return _finish(response)
    return _finish(_json({"version": SUPPORTED_VERSIONS, "extensions": {}}))


@xapi_view
def statements(request: HttpRequest, key: LrsKey) -> HttpResponseBase:
    if request.method in {"GET", "HEAD"}:
        # Taken before the read, and sent with every answer, errors included.
        consistent = selectors.consistent_through()
        response: HttpResponseBase
        if not key.can_read:
            response = _error(403, "This key may not read statements.")
        else:
            try:
                response = _get(request, key)
            except BadRequest as exc:
                response = _error(400, str(exc))
        response["X-Experience-API-Consistent-Through"] = _iso(consistent)
        if request.method == "HEAD" and isinstance(response, StreamingHttpResponse):
            response.streaming_content = []
        elif request.method == "HEAD" and isinstance(response, HttpResponse):
            response.content = b""
        return response
    if request.method in {"PUT", "POST"}:
        if not key.can_write:
            return _error(403, "This key may not write statements.")
        return _put(request, key) if request.method == "PUT" else _post(request, key)
    response = _error(405, "Use GET, HEAD, PUT or POST.")
    response["Allow"] = "GET, HEAD, PUT, POST"
    return response


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _reject_nan(name: str) -> Any:
    raise BadRequest(f"The body is not valid JSON: {name} is not allowed.")


def _read(request: HttpRequest, limit: int) -> bytes:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise _TooLarge
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise _TooLarge
    return raw


def _json_document(raw: bytes) -> Any:
    try:
        return json.loads(raw, parse_constant=_reject_nan)
    except UnicodeDecodeError as exc:
        raise BadRequest("The body must be UTF-8 encoded JSON.") from exc
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"The body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}."
        ) from exc


def _body(request: HttpRequest) -> tuple[Any, list[attachments.Part]]:
    """The statement(s) sent, and the attachment bodies when the request is multipart."""
    content_type = request.META.get("CONTENT_TYPE", "")
    if attachments.is_multipart(content_type):
        raw = _read(request, settings.PEERPATH_XAPI_MAX_REQUEST_BYTES)
        try:
            multipart = attachments.parse(raw, content_type)
        except attachments.AttachmentsInvalid as exc:
            raise BadRequest(str(exc)) from exc
        return _json_document(multipart.statements), multipart.parts
    if content_type.lower().startswith("multipart/"):
        raise BadRequest("Statements with attachment bodies must be sent as multipart/mixed.")
    return _json_document(_read(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)), []


def _only_params(request: HttpRequest, allowed: set[str]) -> None:
    for name in request.GET:
        if name not in allowed:
            raise BadRequest(f"The parameter {name!r} is not recognised here.")


def _store(
    key: LrsKey, batch: list[Any], parts: list[attachments.Part], *, single: bool
) -> HttpResponse | list[str]:
    try:
        ids = services.statements_store(key=key, statements=batch, single=single, parts=parts)
    except (
        validation.StatementInvalid,
        attachments.AttachmentsInvalid,
        services.StatementRejected,
    ) as exc:
        return _error(400, str(exc))
    except services.StatementConflict as exc:
        return _error(409, str(exc))
    return [str(ident) for ident in ids]


def _put(request: HttpRequest, key: LrsKey) -> HttpResponse:
    _only_params(request, {"statementId"})
    statement_id = request.GET.get("statementId")
    if not statement_id:
        raise BadRequest("PUT needs the statementId parameter.")
    if not validation.is_uuid(statement_id):
        raise BadRequest("statementId must be a UUID.")
    body, parts = _body(request)
    if not isinstance(body, dict):
        raise BadRequest("PUT takes a single statement (a JSON object).")
    if "id" in body and (
        not validation.is_uuid(body["id"]) or uuid.UUID(body["id"]) != uuid.UUID(statement_id)
    ):
        raise BadRequest("id must match the statementId parameter.")
    body = {**body, "id": statement_id}
    stored = _store(key, [body], parts, single=True)
    if isinstance(stored, HttpResponse):
        return stored
    return HttpResponse(status=204)


def _post(request: HttpRequest, key: LrsKey) -> HttpResponse:
    _only_params(request, set())
    body, parts = _body(request)
    single = isinstance(body, dict)
    if not single and not isinstance(body, list):
        raise BadRequest("POST takes a statement or a list of statements.")
    stored = _store(key, [body] if single else body, parts, single=single)
    if isinstance(stored, HttpResponse):
        return stored
    return _json(stored)


def _flag(request: HttpRequest, name: str) -> bool:
    value = request.GET.get(name, "false")
    if value not in {"true", "false"}:
        raise BadRequest(f"{name} must be true or false.")
    return value == "true"


def _timestamp_param(request: HttpRequest, name: str) -> Any:
    value = request.GET.get(name)
    if value is None:
        return None
    try:
        return validation.parse_timestamp(value, name)
    except validation.StatementInvalid as exc:
        raise BadRequest(str(exc)) from exc


def _agent_param(value: str) -> str:
    try:
        agent = json.loads(value)
    except json.JSONDecodeError as exc:
        raise BadRequest("agent must be a JSON Agent or Group.") from exc
    try:
        if not isinstance(agent, dict):
            raise validation.StatementInvalid("agent must be a JSON object")
        if agent.get("objectType") == "Group":
            identified = {k: v for k, v in agent.items() if k != "member"}
            identified.setdefault("member", [])
            validation.check_actor(identified, "agent")
        else:
            validation.check_actor(agent, "agent")
    except validation.StatementInvalid as exc:
        raise BadRequest(str(exc)) from exc
    ifi = validation.agent_key(agent)
    if ifi is None:
        raise BadRequest("agent must have an identifier (mbox, mbox_sha1sum, openid or account).")
    return ifi


def _query(request: HttpRequest) -> selectors.StatementQuery:
    params = request.GET
    registration = params.get("registration")
    if registration is not None and not validation.is_uuid(registration):
        raise BadRequest("registration must be a UUID.")
    for name in ("verb", "activity"):
        if name in params:
            try:
                validation.check_iri(params[name], name)
            except validation.StatementInvalid as exc:
                raise BadRequest(str(exc)) from exc
    limit_text = params.get("limit", "0")
    if not limit_text.isdigit():
        raise BadRequest("limit must be a whole number, 0 for the server's maximum.")
    return selectors.StatementQuery(
        agent_key=_agent_param(params["agent"]) if "agent" in params else None,
        verb=params.get("verb"),
        activity=params.get("activity"),
        registration=uuid.UUID(registration) if registration else None,
        related_activities=_flag(request, "related_activities"),
        related_agents=_flag(request, "related_agents"),
        since=_timestamp_param(request, "since"),
        until=_timestamp_param(request, "until"),
        limit=int(limit_text),
        ascending=_flag(request, "ascending"),
        extra={"format": params.get("format", "exact")},
    )


def _get(request: HttpRequest, key: LrsKey) -> HttpResponseBase:
    _only_params(request, _GET_PARAMS)
    fmt = request.GET.get("format", "exact")
    if fmt not in formats.FORMATS:
        raise BadRequest("format must be ids, exact or canonical.")
    with_attachments = _flag(request, "attachments")
    single = {"statementId", "voidedStatementId"} & set(request.GET)
    last_modified = None
    if single:
        if len(single) > 1 or set(request.GET) - _SINGLE_PARAMS:
            raise BadRequest(
                "statementId and voidedStatementId take no other parameters "
                "but format and attachments."
            )
        (name,) = single
        value = request.GET[name]
        if not validation.is_uuid(value):
            raise BadRequest(f"{name} must be a UUID.")
        found = selectors.statement_by_id(
            key=key, statement_id=uuid.UUID(value), voided=name == "voidedStatementId"
        )
        if found is None:
            return _error(404, "No such statement.")
        listed = [found]
        last_modified = validation.parse_timestamp(found["stored"], "stored")
    else:
        if "more" in request.GET:
            if set(request.GET) - {"more", "format", "attachments"}:
                raise BadRequest("more takes no other parameters.")
            decoded = selectors.decode_cursor(request.GET["more"])
            if decoded is None:
                raise BadRequest("more is not a valid or current paging token.")
            query, after = decoded
            fmt = query.extra.get("format", "exact")
        else:
            query, after = _query(request), None
        page = selectors.statements_page(key=key, query=query, after=after)
        listed = page.statements
        more = f"{reverse('lrs:statements')}?{urlencode({'more': page.more})}" if page.more else ""
    language = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    shown = [formats.formatted(s, fmt, language) for s in listed]
    document = shown[0] if single else {"statements": shown, "more": more}
    response: HttpResponseBase
    if with_attachments:
        bodies = selectors.attachment_bodies(attachments.hashes_in(listed))
        chunks, content_type = attachments.build(json.dumps(document).encode(), bodies)
        # Streamed, so a page of large attachments is never held in memory at once.
        response = StreamingHttpResponse(chunks, content_type=content_type)
    else:
        response = _json(document)
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    return response


def my_record(request: AuthedRequest) -> StreamingHttpResponse:
    """A learner downloads their own learning record: every statement about them, as JSON."""
    permissions.require(permissions.can_view_learning_of(request.user, request.user))
    statements = selectors.learner_record(str(request.user.public_id))
    response = StreamingHttpResponse(
        export.json_chunks(statements), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="peerpath-learning-record.json"'
    response["Cache-Control"] = "no-store"
    return response

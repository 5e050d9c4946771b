"""The xAPI document resources (state, activity profile, agent profile) and the Activities and
Agents resources, authenticated by LRS keys like the statements resource.

Reading (GET, HEAD) needs a key's read scope and writing (PUT, POST, DELETE) its write scope.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date

from peerpath.lrs import documents, selectors, validation
from peerpath.lrs.documents import DocumentAddress, Preconditions
from peerpath.lrs.models import DocumentKind
from peerpath.lrs.views import (
    BadRequest,
    _agent_param,
    _error,
    _json,
    _only_params,
    _timestamp_param,
    xapi_view,
)

if TYPE_CHECKING:
    from peerpath.lrs.models import LrsKey

_READS = {"GET", "HEAD"}
_WRITES = {"PUT", "POST", "DELETE"}
_MAX_PARAMETER_CHARS = 1000


@dataclass(frozen=True)
class _Resource:
    """Which parameters address a document in one of the three document resources."""

    kind: DocumentKind
    id_param: str
    by_activity: bool
    by_agent: bool
    # Only the state resource takes a registration and deletes a whole set at once.
    by_registration: bool


_STATE = _Resource(DocumentKind.STATE, "stateId", True, True, True)
_ACTIVITY_PROFILE = _Resource(DocumentKind.ACTIVITY_PROFILE, "profileId", True, False, False)
_AGENT_PROFILE = _Resource(DocumentKind.AGENT_PROFILE, "profileId", False, True, False)


def _not_allowed(allowed: str) -> HttpResponse:
    response = _error(405, f"Use {allowed}.")
    response["Allow"] = allowed
    return response


def _scope_denied(key: LrsKey, method: str) -> HttpResponse | None:
    if method in _READS and not key.can_read:
        return _error(403, "This key may not read.")
    if method in _WRITES and not key.can_write:
        return _error(403, "This key may not write.")
    return None


def _required(request: HttpRequest, name: str) -> str:
    value = request.GET.get(name)
    if value is None or value == "":
        raise BadRequest(f"The {name} parameter is required.")
    if len(value) > _MAX_PARAMETER_CHARS:
        raise BadRequest(f"{name} must be at most {_MAX_PARAMETER_CHARS} characters.")
    return value


def _activity_id(request: HttpRequest) -> str:
    value = _required(request, "activityId")
    try:
        validation.check_iri(value, "activityId")
    except validation.StatementInvalid as exc:
        raise BadRequest(str(exc)) from exc
    return value


def _agent(request: HttpRequest) -> str:
    return _agent_param(_required(request, "agent"))


def _registration(request: HttpRequest) -> uuid.UUID | None:
    value = request.GET.get("registration")
    if value is None:
        return None
    if not validation.is_uuid(value):
        raise BadRequest("registration must be a UUID.")
    return uuid.UUID(value)


def _entity_tags(request: HttpRequest, header: str) -> frozenset[str] | None:
    value = request.headers.get(header)
    if value is None:
        return None
    tags = set()
    for part in value.split(","):
        tag = part.strip().removeprefix("W/").strip('"')
        if tag:
            tags.add(tag.lower() if tag != "*" else tag)
    return frozenset(tags)


def _preconditions(request: HttpRequest) -> Preconditions:
    return Preconditions(
        if_match=_entity_tags(request, "If-Match"),
        if_none_match=_entity_tags(request, "If-None-Match"),
    )


class _TooLarge(Exception):
    pass


def _content(request: HttpRequest) -> bytes:
    limit = settings.PEERPATH_LRS_MAX_DOCUMENT_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise _TooLarge
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise _TooLarge from exc
    if len(body) > limit:
        raise _TooLarge
    return body


def _written(etag: str) -> HttpResponse:
    response = HttpResponse(status=204)
    response["ETag"] = f'"{etag}"'
    return response


def _document_resource(request: HttpRequest, key: LrsKey, resource: _Resource) -> HttpResponse:
    method = request.method or ""
    if method not in _READS | _WRITES:
        return _not_allowed("GET, HEAD, PUT, POST, DELETE")
    denied = _scope_denied(key, method)
    if denied is not None:
        return denied
    allowed = {resource.id_param}
    allowed |= {"activityId"} if resource.by_activity else set()
    allowed |= {"agent"} if resource.by_agent else set()
    allowed |= {"registration"} if resource.by_registration else set()
    if method in _READS:
        # Only a list reads it, but a client may send it on a single GET too.
        allowed.add("since")
    _only_params(request, allowed)
    activity_id = _activity_id(request) if resource.by_activity else ""
    agent_key = _agent(request) if resource.by_agent else ""
    registration = _registration(request) if resource.by_registration else None

    if resource.id_param not in request.GET:
        if method in _READS:
            scope = documents.document_scope(
                kind=resource.kind, activity_id=activity_id, agent_key=agent_key
            )
            return _ids_response(request, key, scope, registration)
        if method == "DELETE" and resource.by_registration:
            documents.documents_delete(
                key=key,
                kind=resource.kind,
                activity_id=activity_id,
                agent_key=agent_key,
                registration=registration,
            )
            return HttpResponse(status=204)
    address = DocumentAddress(
        kind=resource.kind,
        document_id=_required(request, resource.id_param),
        activity_id=activity_id,
        agent_key=agent_key,
        registration=registration,
    )
    if method in _READS:
        return _document_response(key, address, head=method == "HEAD")
    try:
        if method == "DELETE":
            documents.document_delete(
                key=key, address=address, preconditions=_preconditions(request)
            )
            return HttpResponse(status=204)
        write = documents.document_put if method == "PUT" else documents.document_post
        etag = write(
            key=key,
            address=address,
            content=_content(request),
            content_type=request.META.get("CONTENT_TYPE") or "application/octet-stream",
            preconditions=_preconditions(request),
        )
    except _TooLarge:
        limit = settings.PEERPATH_LRS_MAX_DOCUMENT_BYTES
        return _error(413, f"A document may be at most {limit} bytes.")
    except documents.DocumentInvalid as exc:
        raise BadRequest(str(exc)) from exc
    except documents.PreconditionFailed as exc:
        return _error(412, str(exc))
    except documents.DocumentConflict as exc:
        return _error(409, str(exc))
    except documents.DocumentNotYours as exc:
        return _error(403, str(exc))
    return _written(etag)


def _ids_response(
    request: HttpRequest, key: LrsKey, scope: str, registration: uuid.UUID | None
) -> HttpResponse:
    found = selectors.document_ids(
        key=key, scope=scope, registration=registration, since=_timestamp_param(request, "since")
    )
    response = _json(found.ids)
    if found.updated is not None:
        response["Last-Modified"] = http_date(found.updated.timestamp())
    return _without_body_for_head(request, response)


def _document_response(key: LrsKey, address: DocumentAddress, *, head: bool) -> HttpResponse:
    found = selectors.document_at(key=key, address=address)
    if found is None:
        return _error(404, "No such document.")
    response = HttpResponse(b"" if head else found.content, content_type=found.content_type)
    response["ETag"] = f'"{found.etag}"'
    response["Last-Modified"] = http_date(found.updated.timestamp())
    return response


@xapi_view
def state(request: HttpRequest, key: LrsKey) -> HttpResponse:
    return _document_resource(request, key, _STATE)


@xapi_view
def activity_profile(request: HttpRequest, key: LrsKey) -> HttpResponse:
    return _document_resource(request, key, _ACTIVITY_PROFILE)


@xapi_view
def agent_profile(request: HttpRequest, key: LrsKey) -> HttpResponse:
    return _document_resource(request, key, _AGENT_PROFILE)


def _read_only(request: HttpRequest, key: LrsKey) -> HttpResponse | None:
    if request.method not in _READS:
        return _not_allowed("GET, HEAD")
    return _scope_denied(key, request.method)


def _without_body_for_head(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if request.method == "HEAD":
        response.content = b""
    return response


@xapi_view
def activities(request: HttpRequest, key: LrsKey) -> HttpResponse:
    """The Activity with the fullest definition the statements stored about it gave."""
    refused = _read_only(request, key)
    if refused is not None:
        return refused
    _only_params(request, {"activityId"})
    activity = selectors.activity_object(_activity_id(request))
    return _without_body_for_head(request, _json(activity))


@xapi_view
def agents(request: HttpRequest, key: LrsKey) -> HttpResponse:
    """The Person object for an Agent."""
    refused = _read_only(request, key)
    if refused is not None:
        return refused
    _only_params(request, {"agent"})
    _agent(request)
    agent = json.loads(request.GET["agent"])
    if agent.get("objectType") == "Group":
        raise BadRequest("agent must be an Agent, not a Group.")
    return _without_body_for_head(request, _json(selectors.person_for(key=key, agent=agent)))

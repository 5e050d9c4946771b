"""Pages and endpoints of Open Badges credentials.

Public (no sign-in, readable cross-origin): the JWKS, each key, the issuer profile,
achievements, status lists, the verification page and its JSON endpoint. Signed in:
a person's own credentials and their downloads; learning admins list and revoke
credentials; system admins rotate the signing key.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from peerpath.core import permissions
from peerpath.core.pagination import paginate
from peerpath.recognition import credentials, open_badges, verification
from peerpath.recognition import signing_keys as keys
from peerpath.recognition.credential_forms import CredentialSearchForm, RevokeForm, VerifyForm
from peerpath.recognition.models import (
    BadgeDefinition,
    Certification,
    CredentialKind,
)

if TYPE_CHECKING:
    from peerpath.core.http import AuthedRequest

# Verifications per client address per minute, on the page and the endpoint together.
VERIFY_PER_MINUTE = 30


def _public(response: HttpResponse, *, max_age: int = 300) -> HttpResponse:
    """Anyone may read it, from any origin (wallets and verifiers run in browsers)."""
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _json(data: Any, *, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    return HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        status=status,
        content_type=f"{content_type}; charset=utf-8",
    )


def _client_address(request: HttpRequest) -> str:
    from allauth.account.adapter import get_adapter

    try:
        return str(get_adapter().get_client_ip(request))
    except PermissionDenied:
        return "unknown"


def _throttled(request: HttpRequest) -> bool:
    """A fixed one-minute window per client address, kept in the shared cache."""
    key = f"recognition:verify:{_client_address(request)}"
    if cache.add(key, 1, timeout=60):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, timeout=60)
        return False
    return count > VERIFY_PER_MINUTE


# --- Public documents ------------------------------------------------------------------


@login_not_required
@require_safe
def jwks(request: HttpRequest) -> HttpResponse:
    """Every public key credentials were ever signed with (RFC 7517 JWK Set)."""
    keys.active_key()  # a fresh deployment publishes its key before the first credential
    return _public(_json(keys.jwks(), content_type="application/jwk-set+json"))


@login_not_required
@require_safe
def key(request: HttpRequest, kid: str) -> HttpResponse:
    """What a credential's ``kid`` header dereferences to: one public JWK."""
    row = keys.key_by_kid(kid)
    if row is None:
        raise Http404("No such key.")
    return _public(_json(keys.public_jwk(row), content_type="application/jwk+json"))


@login_not_required
@require_safe
def issuer(request: HttpRequest) -> HttpResponse:
    return _public(_json(open_badges.issuer_profile_document(), content_type="application/ld+json"))


@login_not_required
@require_safe
def achievement(request: HttpRequest, kind: str, public_id: uuid.UUID) -> HttpResponse:
    document: dict[str, Any]
    if kind == CredentialKind.CERTIFICATION:
        certification = Certification.objects.filter(public_id=public_id).first()
        if certification is None:
            raise Http404("No such achievement.")
        document = open_badges.certification_achievement(certification)
    elif kind == CredentialKind.BADGE:
        badge = BadgeDefinition.objects.filter(public_id=public_id).first()
        if badge is None:
            raise Http404("No such achievement.")
        document = open_badges.badge_achievement(badge)
    else:
        raise Http404("No such achievement.")
    return _public(
        _json(open_badges.achievement_document(document), content_type="application/ld+json")
    )


@login_not_required
@require_safe
def status_list(request: HttpRequest, list_number: int) -> HttpResponse:
    """The Bitstring Status List credential, signed as a VC-JWT (``?format=json`` shows
    the credential itself, unsigned, for people to read)."""
    if not credentials.status_list_in_use(list_number):
        raise Http404("No such status list.")
    if request.GET.get("format") == "json":
        response = _json(credentials.status_list_document(list_number))
    else:
        response = HttpResponse(
            credentials.status_list_token(list_number), content_type="application/vc+jwt"
        )
    # Short: a revocation should reach verifiers within a minute.
    return _public(response, max_age=60)


# --- Verification ------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """Paste a credential or upload its file; the answer shows on the same page."""
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    result = None
    status = 200
    if request.method == "POST":
        if _throttled(request):
            form.add_error(None, "Too many checks from your address. Wait a minute and try again.")
            status = 429
        elif form.is_valid():
            result = verification.verify(form.cleaned_data["token"])
            form = VerifyForm()  # ready for the next one
        else:
            status = 400
    response = render(
        request,
        "recognition/credentials/verify.html",
        {"form": form, "result": result, "jwks_url": open_badges.absolute("recognition:jwks")},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


def _cors_json(data: Any, *, status: int = 200) -> HttpResponse:
    response = _json(data, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-store"
    return response


def _refusal(reason: str, *, status: int) -> HttpResponse:
    return _cors_json(
        {"status": str(verification.Outcome.MALFORMED), "valid": False, "reasons": [reason]},
        status=status,
    )


@login_not_required
@csrf_exempt
def verify_api(request: HttpRequest) -> HttpResponse:
    """``POST`` a credential (the compact JWS as text/plain, or JSON
    ``{"credential": "…"}``); the answer says valid, expired, revoked, tampered,
    unknown_key or malformed, with reasons. No cookies are read: it needs no CSRF token."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "86400"
        return response
    if request.method != "POST":
        response = _refusal("POST the credential to this address.", status=405)
        response["Allow"] = "POST, OPTIONS"
        return response
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > verification.MAX_TOKEN_BYTES:
        return _refusal("The request is larger than any credential Peerpath issues.", status=413)
    if _throttled(request):
        response = _refusal("Too many checks from your address. Wait a minute.", status=429)
        response["Retry-After"] = "60"
        return response
    body = request.read(verification.MAX_TOKEN_BYTES + 1)
    if len(body) > verification.MAX_TOKEN_BYTES:
        return _refusal("The request is larger than any credential Peerpath issues.", status=413)
    token: str | bytes = body
    if request.content_type == "application/json":
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _refusal("The body is not JSON.", status=400)
        if not isinstance(data, dict) or not isinstance(data.get("credential"), str):
            return _refusal('Send {"credential": "<the VC-JWT>"}.', status=400)
        token = data["credential"]
    return _cors_json(verification.verify(token).as_json())


# --- A person's own credentials ---------------------------------------------------------


@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, credentials.credentials_of(request.user), per_page=20)
    rows = [(c, credentials.credential_title(c)) for c in page.object_list]
    return render(
        request,
        "recognition/credentials/mine.html",
        {
            "page": page,
            "rows": rows,
            "now": timezone.now(),
            "jwks_url": open_badges.absolute("recognition:jwks"),
        },
    )


@require_GET
def download(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    """The signed credential as a .jwt file (OB 3.0 §5: the file is the compact JWS)."""
    credential = credentials.get_credential_for_user(request.user, public_id)
    name = slugify(credentials.credential_title(credential))[:60] or "credential"
    response = HttpResponse(credential.token, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.jwt"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def credential_json(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    """The credential as signed (the JWT payload), to read; the .jwt file is the proof."""
    credential = credentials.get_credential_for_user(request.user, public_id)
    response = _json(credentials.decoded_payload(credential))
    response["Cache-Control"] = "private, no-store"
    return response


# --- Admin -----------------------------------------------------------------------------


@require_GET
def manage(request: AuthedRequest) -> HttpResponse:
    permissions.require(
        permissions.can_revoke_credential(request.user),
        "Credentials are managed by learning admins.",
    )
    form = CredentialSearchForm(request.GET or None)
    query, state = "", ""
    if form.is_valid():
        query, state = form.cleaned_data["q"], form.cleaned_data["state"]
    page = paginate(
        request, credentials.credentials_for_admin(query=query, state=state), per_page=25
    )
    rows = [(c, credentials.credential_title(c)) for c in page.object_list]
    return render(
        request, "recognition/credentials/manage.html", {"form": form, "page": page, "rows": rows}
    )


@require_http_methods(["GET", "POST"])
def revoke(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    credential = credentials.get_credential_for_user(request.user, public_id, write=True)
    form = RevokeForm(request.POST) if request.method == "POST" else RevokeForm()
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                credentials.credential_revoke(
                    actor=request.user, credential=credential, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
                status = 400
            else:
                messages.success(
                    request,
                    f"Revoked the credential for {credentials.credential_title(credential)} "
                    f"held by {credential.holder.display_name}.",
                )
                return redirect("recognition:credentials_manage")
        else:
            status = 400
    return render(
        request,
        "recognition/credentials/revoke.html",
        {
            "credential": credential,
            "title": credentials.credential_title(credential),
            "form": form,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def signing_keys(request: AuthedRequest) -> HttpResponse:
    """The signing keys, and rotation: a new key signs from now on; old ones stay
    published so what they signed still verifies."""
    permissions.require(
        permissions.can_manage_signing_keys(request.user), "Signing keys are for system admins."
    )
    if request.method == "POST":
        new = keys.signing_key_rotate()
        messages.success(
            request,
            f"New signing key {new.kid[:12]}… is active. Earlier keys stay published, so "
            "credentials they signed still verify.",
        )
        return redirect("recognition:signing_keys")
    return render(
        request,
        "recognition/credentials/signing_keys.html",
        {
            "keys": list(keys.keys_with_usage()),
            "jwks_url": open_badges.absolute("recognition:jwks"),
            "admin_tab": "signing_keys",
        },
    )

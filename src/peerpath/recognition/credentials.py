"""Open Badges 3.0 credentials: issuing, revoking and the reads behind their pages.

Every certification award and badge award is issued as an ``OpenBadgeCredential``
signed as a VC-JWT (OB 3.0 §8.2) in the same transaction as the award, so an award never
exists without its credential. The signed token is kept verbatim: it is what holders
download and what verifiers check. Revocation sets the credential's bit in its Bitstring
Status List, which is published signed.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from joserfc import jws

from peerpath.core import permissions
from peerpath.recognition import open_badges, signing_keys, status_list
from peerpath.recognition.models import (
    BadgeAward,
    CertificationAward,
    CredentialKind,
    IssuedCredential,
)

if TYPE_CHECKING:
    from peerpath.core.events import BadgeEarned, CertificationEarned, CertificationRevoked
    from peerpath.people.models import User

REASON_MAX = 500
STATUS_LIST_CACHE_SECONDS = 60
# Status indexes are drawn at random (the Bitstring Status List's advice, so an index
# says nothing about when or to whom a credential was issued) from enough lists that
# each stays at most about half full.
_INDEX_ATTEMPTS = 32


class CredentialIssueFailed(Exception):
    """No free status index was found (should never happen: lists grow with use)."""


# --- Signing -------------------------------------------------------------------------


def sign(payload: dict[str, Any]) -> tuple[str, signing_keys.UsableKey]:
    """A compact JWS of the payload with the active key: header ``alg``, ``kid`` (the
    key's URL) and ``typ`` only, as OB 3.0 §8.2.3 allows."""
    key = signing_keys.signing_key()
    header = {"alg": signing_keys.ALGORITHM, "kid": signing_keys.key_url(key.row.kid), "typ": "JWT"}
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    token = jws.serialize_compact(header, body, key.private, algorithms=[signing_keys.ALGORITHM])
    return token, key


# --- Issuing -------------------------------------------------------------------------


def _free_status_index() -> int:
    lists = IssuedCredential.objects.count() // (status_list.LIST_SIZE // 2) + 1
    for _ in range(_INDEX_ATTEMPTS):
        index = secrets.randbelow(lists * status_list.LIST_SIZE)
        if not IssuedCredential.objects.filter(status_index=index).exists():
            return index
    raise CredentialIssueFailed("No free status index found; try again.")


def _issue(
    *,
    kind: str,
    holder: User,
    achievement: dict[str, Any],
    awarded_at: datetime,
    valid_until: datetime | None,
    evidence: list[dict[str, Any]],
    award_fields: dict[str, Any],
) -> IssuedCredential:
    valid_from = open_badges.to_second(awarded_at)
    until = open_badges.to_second(valid_until) if valid_until is not None else None
    for _ in range(_INDEX_ATTEMPTS):
        public_id = uuid.uuid4()
        status_index = _free_status_index()
        document = open_badges.credential_document(
            credential_id=f"urn:uuid:{public_id}",
            achievement=achievement,
            holder=holder,
            valid_from=valid_from,
            valid_until=until,
            awarded_at=awarded_at,
            evidence=evidence,
            status_index=status_index,
        )
        token, key = sign(open_badges.jwt_claims(document))
        credential = IssuedCredential(
            public_id=public_id,
            kind=kind,
            holder=holder,
            signing_key=key.row,
            token=token,
            valid_from=valid_from,
            valid_until=until,
            status_index=status_index,
            **award_fields,
        )
        try:
            # A savepoint: a concurrent issue may take the same status index first.
            with transaction.atomic():
                credential.save()
        except IntegrityError:
            # Either the award got its credential meanwhile (keep that one) or the index
            # was taken (draw another).
            existing = IssuedCredential.objects.filter(**award_fields).first()
            if existing is not None:
                return existing
            continue
        return credential
    raise CredentialIssueFailed("No free status index found; try again.")


def credential_issue_for_certification(*, award: CertificationAward) -> IssuedCredential:
    """The award's credential, issued now unless it exists already (idempotent)."""
    existing = IssuedCredential.objects.filter(certification_award=award).first()
    if existing is not None:
        return existing
    certification = award.certification
    return _issue(
        kind=CredentialKind.CERTIFICATION,
        holder=award.holder,
        achievement=open_badges.certification_achievement(certification),
        awarded_at=award.awarded_at,
        valid_until=award.expires_at,
        evidence=[open_badges.evidence_for_method(award.method, award.evidence)],
        award_fields={"certification_award": award},
    )


def credential_issue_for_badge(*, award: BadgeAward) -> IssuedCredential:
    existing = IssuedCredential.objects.filter(badge_award=award).first()
    if existing is not None:
        return existing
    badge = award.badge
    return _issue(
        kind=CredentialKind.BADGE,
        holder=award.person,
        achievement=open_badges.badge_achievement(badge),
        awarded_at=award.awarded_at,
        valid_until=None,
        evidence=[
            {
                "type": ["Evidence"],
                "name": "Badge rule met",
                "narrative": f"Peerpath recorded that {badge.get_rule_display().lower()} "
                f"reached {badge.threshold}.",
            }
        ],
        award_fields={"badge_award": award},
    )


# --- Revoking --------------------------------------------------------------------------


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say why the credential is revoked."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    return reason


def credential_revoke(
    *, actor: User | None, credential: IssuedCredential, reason: str
) -> IssuedCredential:
    """Revoke a credential: its status-list bit is set, and verifiers are told why.

    ``actor`` None is Peerpath itself (a certification award was revoked).
    """
    if actor is not None and not permissions.can_revoke_credential(actor):
        raise PermissionDenied("Only learning admins revoke credentials.")
    reason = _clean_reason(reason)
    with transaction.atomic():
        # Locks the row so two revocations at once record one reason, not two.
        locked = IssuedCredential.objects.select_for_update().get(pk=credential.pk)
        if locked.revoked_at is not None:
            raise ValidationError("This credential is already revoked.")
        locked.revoked_at = timezone.now()
        locked.revoked_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_reason"])
        list_key = _status_list_cache_key(locked.status_index // status_list.LIST_SIZE)
        transaction.on_commit(lambda: cache.delete(list_key))
    return locked


# --- Reactions to recognition events ------------------------------------------------------


def on_certification_earned(event: CertificationEarned) -> None:
    award = CertificationAward.objects.select_related("certification", "holder").get(
        pk=event.award_id
    )
    credential_issue_for_certification(award=award)


def on_badge_earned(event: BadgeEarned) -> None:
    award = BadgeAward.objects.select_related("badge", "person").get(pk=event.award_id)
    credential_issue_for_badge(award=award)


def on_certification_revoked(event: CertificationRevoked) -> None:
    credential = IssuedCredential.objects.filter(
        certification_award_id=event.award_id, revoked_at__isnull=True
    ).first()
    if credential is not None:
        credential_revoke(
            actor=None,
            credential=credential,
            reason=event.reason or "The certification was revoked.",
        )


# --- Reads -------------------------------------------------------------------------------


def _with_award() -> QuerySet[IssuedCredential]:
    return IssuedCredential.objects.select_related(
        "holder", "certification_award__certification", "badge_award__badge"
    )


def credential_title(credential: IssuedCredential) -> str:
    if credential.certification_award is not None:
        return credential.certification_award.certification.name
    if credential.badge_award is not None:
        return credential.badge_award.badge.name
    return "Credential"


def credentials_of(person: User) -> QuerySet[IssuedCredential]:
    """A person's credentials, newest first, with what they are for."""
    return _with_award().filter(holder=person).order_by("-issued_at", "-pk")


def credentials_for_admin(*, query: str = "", state: str = "") -> QuerySet[IssuedCredential]:
    found = _with_award().order_by("-issued_at", "-pk")
    query = query.strip()
    if query:
        found = found.filter(
            Q(holder__display_name__icontains=query)
            | Q(holder__email__icontains=query)
            | Q(certification_award__certification__name__icontains=query)
            | Q(badge_award__badge__name__icontains=query)
        )
    if state == "revoked":
        found = found.filter(revoked_at__isnull=False)
    elif state == "active":
        found = found.filter(revoked_at__isnull=True)
    return found


def credential_by_public_id(public_id: uuid.UUID | str) -> IssuedCredential | None:
    try:
        return _with_award().filter(public_id=public_id).first()
    except ValidationError:
        return None


def get_credential_for_user(
    user: User, public_id: uuid.UUID, *, write: bool = False
) -> IssuedCredential:
    """The credential if the user may have it (download: holder and learning admins;
    ``write``: revoke, learning admins); 404 when it does not exist, 403 otherwise."""
    credential = credential_by_public_id(public_id)
    if credential is None:
        raise Http404("No such credential.")
    allowed = (
        permissions.can_revoke_credential(user)
        if write
        else permissions.can_download_credential(user, credential)
    )
    permissions.require(allowed, "This credential belongs to someone else.")
    return credential


def decoded_payload(credential: IssuedCredential) -> dict[str, Any]:
    """The credential as signed (the JWT payload), for its JSON view."""
    body = credential.token.split(".")[1]
    payload: dict[str, Any] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return payload


def revoked_bits(list_number: int) -> list[int]:
    start = list_number * status_list.LIST_SIZE
    indexes = IssuedCredential.objects.filter(
        revoked_at__isnull=False,
        status_index__gte=start,
        status_index__lt=start + status_list.LIST_SIZE,
    ).values_list("status_index", flat=True)
    return [index - start for index in indexes]


def status_list_in_use(list_number: int) -> bool:
    """Whether the list exists: list 0 always does, later ones once an index is in them."""
    if list_number == 0:
        return True
    start = list_number * status_list.LIST_SIZE
    return IssuedCredential.objects.filter(
        status_index__gte=start, status_index__lt=start + status_list.LIST_SIZE
    ).exists()


def status_list_document(list_number: int) -> dict[str, Any]:
    return open_badges.status_list_credential(
        list_number=list_number, revoked_bits=revoked_bits(list_number), now=timezone.now()
    )


def _status_list_cache_key(list_number: int) -> str:
    return f"recognition:status-list:{list_number}"


def status_list_token(list_number: int) -> str:
    """The status list credential, signed as a VC-JWT like the credentials themselves.

    Kept in the cache for a minute (verifiers fetch it often, and each copy is a
    signature); a revocation clears it as it commits.
    """
    cached = cache.get(_status_list_cache_key(list_number))
    if isinstance(cached, str):
        return cached
    document = status_list_document(list_number)
    claims = {
        **document,
        "iss": document["issuer"],
        "sub": document["credentialSubject"]["id"],
        "nbf": open_badges.timestamp(document["validFrom"]),
        "exp": open_badges.timestamp(document["validUntil"]),
        "jti": document["id"],
    }
    token, _key = sign(claims)
    cache.set(_status_list_cache_key(list_number), token, STATUS_LIST_CACHE_SECONDS)
    return token

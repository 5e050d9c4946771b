"""Shared steps of the credential tests: earning awards through the event bus, and an
independent verifier (PyJWT) that trusts only the JWKS Peerpath publishes."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
from django.conf import settings
from django.test import Client

from peerpath.core import events
from peerpath.recognition.models import BadgeAward, CertificationAward, IssuedCredential


def earn_certification(award: CertificationAward, *, renewal: bool = False) -> IssuedCredential:
    """Announce the award as the certifications area does; the credential is issued in
    the same transaction."""
    events.publish(
        events.CertificationEarned(
            award_id=award.pk,
            award_public_id=str(award.public_id),
            certification_public_id=str(award.certification.public_id),
            certification_name=award.certification.name,
            holder_id=award.holder_id,
            holder_public_id=str(award.holder.public_id),
            holder_name=award.holder.display_name,
            at=award.awarded_at,
            expires_at=award.expires_at,
            renewal=renewal,
        )
    )
    return IssuedCredential.objects.get(certification_award=award)


def earn_badge(award: BadgeAward) -> IssuedCredential:
    events.publish(
        events.BadgeEarned(
            award_id=award.pk,
            badge_slug=award.badge.slug,
            badge_name=award.badge.name,
            person_id=award.person_id,
            at=award.awarded_at,
        )
    )
    return IssuedCredential.objects.get(badge_award=award)


def published_jwks(client: Client | None = None) -> dict[str, Any]:
    response = (client or Client()).get("/.well-known/jwks.json")
    assert response.status_code == 200
    data: dict[str, Any] = json.loads(response.content)
    return data


def verify_with_pyjwt(token: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """Verify as an outside party would: pick the key the header's kid names from the
    published JWK Set, check the RS256 signature and the registered claims."""
    kid = jwt.get_unverified_header(token)["kid"]
    keys = {k.key_id: k for k in jwt.PyJWKSet.from_dict(jwks).keys}
    key = keys[kid]
    claims: dict[str, Any] = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        issuer=settings.BASE_URL + "/credentials/issuer",
        options={"require": ["iss", "sub", "nbf", "jti"], "verify_aud": False},
    )
    return claims


def header_of(token: str) -> dict[str, Any]:
    return json.loads(_b64(token.split(".")[0]))


def payload_of(token: str) -> dict[str, Any]:
    return json.loads(_b64(token.split(".")[1]))


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def change_one_character(token: str, part: int) -> str:
    """The token with one character in the middle of a part replaced by another valid
    base64url character (so the bytes change but the token still parses)."""
    parts = token.split(".")
    segment = parts[part]
    middle = len(segment) // 2
    replacement = "A" if segment[middle] != "A" else "B"
    parts[part] = segment[:middle] + replacement + segment[middle + 1 :]
    return ".".join(parts)

"""Checking an Open Badges 3.0 credential someone presents (OB 3.0 §8.2.6).

The answer is one of: valid, expired, revoked, tampered (the signature does not match
the content), unknown key (not signed by a key this Peerpath publishes) or malformed
(not a VC-JWT OpenBadgeCredential at all), with the reasons in plain words.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from django.utils import timezone
from joserfc import jws
from joserfc.errors import JoseError

from peerpath.recognition import credentials, open_badges, signing_keys, status_list
from peerpath.recognition.models import IssuedCredential

MAX_TOKEN_BYTES = 64 * 1024
# Clocks differ a little between the issuer and the verifier.
LEEWAY = timedelta(minutes=5)
_HEADERS = {"alg", "kid", "jwk", "typ"}


class Outcome(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    TAMPERED = "tampered"
    UNKNOWN_KEY = "unknown_key"
    MALFORMED = "malformed"


HEADLINES = {
    Outcome.VALID: "Valid credential",
    Outcome.EXPIRED: "Expired",
    Outcome.REVOKED: "Revoked",
    Outcome.TAMPERED: "Tampered: the signature does not match",
    Outcome.UNKNOWN_KEY: "Not signed by a key we know",
    Outcome.MALFORMED: "Not a credential we can read",
}


@dataclass
class Verification:
    outcome: Outcome
    reasons: list[str]
    payload: dict[str, Any] = field(default_factory=dict)
    credential: IssuedCredential | None = None
    checked_at: datetime = field(default_factory=timezone.now)

    @property
    def valid(self) -> bool:
        return self.outcome == Outcome.VALID

    @property
    def headline(self) -> str:
        return HEADLINES[self.outcome]

    @property
    def achievement_name(self) -> str:
        achievement = _dict(_dict(self.payload.get("credentialSubject")).get("achievement"))
        name = achievement.get("name")
        return name if isinstance(name, str) else ""

    @property
    def achievement_type(self) -> str:
        achievement = _dict(_dict(self.payload.get("credentialSubject")).get("achievement"))
        kind = achievement.get("achievementType")
        return kind if isinstance(kind, str) else ""

    @property
    def issuer_name(self) -> str:
        name = _dict(self.payload.get("issuer")).get("name")
        return name if isinstance(name, str) else ""

    @property
    def holder_name(self) -> str:
        return self.credential.holder.display_name if self.credential else ""

    @property
    def valid_from(self) -> datetime | None:
        return open_badges.parse_iso(self.payload.get("validFrom"))

    @property
    def valid_until(self) -> datetime | None:
        return open_badges.parse_iso(self.payload.get("validUntil"))

    def as_json(self) -> dict[str, Any]:
        """The answer of the verification endpoint."""
        answer: dict[str, Any] = {
            "status": str(self.outcome),
            "valid": self.valid,
            "reasons": self.reasons,
            "checked_at": open_badges.iso(self.checked_at),
        }
        if self.payload and self.outcome not in {Outcome.MALFORMED, Outcome.UNKNOWN_KEY}:
            answer["credential"] = {
                "id": self.payload.get("id"),
                "name": self.achievement_name,
                "achievement_type": self.achievement_type,
                "issuer": _dict(self.payload.get("issuer")).get("id"),
                "issuer_name": self.issuer_name,
                "holder_name": self.holder_name or None,
                "valid_from": self.payload.get("validFrom"),
                "valid_until": self.payload.get("validUntil"),
            }
        return answer


def human(moment: datetime) -> str:
    """``1 March 2027, 09:30 UTC``: the same for every reader, wherever they are."""
    utc = moment.astimezone(UTC)
    return f"{utc.day} {utc:%B %Y, %H:%M} UTC"


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _b64json(segment: str) -> Any:
    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    return json.loads(raw)


def _malformed(reason: str) -> Verification:
    return Verification(Outcome.MALFORMED, [reason])


def verify(token: str | bytes) -> Verification:
    """Check a compact-JWS credential: signature, shape, status and validity dates."""
    if isinstance(token, bytes):
        if len(token) > MAX_TOKEN_BYTES:
            return _malformed("The credential is larger than any Peerpath issues.")
        try:
            token = token.decode("utf-8")
        except UnicodeDecodeError:
            return _malformed(
                "The credential is not text: expected a VC-JWT (header.payload.signature)."
            )
    token = token.strip()
    if not token:
        return _malformed("No credential was given.")
    if len(token) > MAX_TOKEN_BYTES:
        return _malformed("The credential is larger than any Peerpath issues.")
    if token.startswith("{"):
        return _malformed(
            "This is a JSON credential without a VC-JWT proof; Peerpath checks the signed "
            "credential file (.jwt) it issues."
        )
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return _malformed("A VC-JWT has three dot-separated parts: header.payload.signature.")

    try:
        header = _b64json(parts[0])
    except (binascii.Error, ValueError):
        return _malformed("The JOSE header is not base64url-encoded JSON.")
    if not isinstance(header, dict):
        return _malformed("The JOSE header is not a JSON object.")
    if header.get("alg") != signing_keys.ALGORITHM:
        return _malformed(f"The signing algorithm must be {signing_keys.ALGORITHM}.")
    if set(header) - _HEADERS:
        extra = ", ".join(sorted(set(header) - _HEADERS))
        return _malformed(f"The JOSE header has members OB 3.0 does not allow: {extra}.")

    kid = signing_keys.kid_from_header(header.get("kid"))
    row = signing_keys.key_by_kid(kid) if kid else None
    if row is None:
        return Verification(
            Outcome.UNKNOWN_KEY,
            [
                "The credential was not signed by any key this Peerpath publishes in its "
                "JWKS, so it was not issued here."
            ],
        )

    try:
        jws.deserialize_compact(token, signing_keys.public_key_of(row), algorithms=["RS256"])
    except (JoseError, ValueError):
        return Verification(
            Outcome.TAMPERED,
            [
                "The signature does not match the content: the credential was changed after "
                "it was issued, or it is damaged."
            ],
        )

    try:
        payload = _b64json(parts[1])
    except (binascii.Error, ValueError):
        return _malformed("The payload is not JSON.")
    if not isinstance(payload, dict):
        return _malformed("The payload is not a JSON object.")
    problems = shape_problems(payload)
    if problems:
        return Verification(Outcome.MALFORMED, problems, payload=payload)

    record = credentials.credential_by_public_id(str(payload["id"]).removeprefix("urn:uuid:"))
    now = timezone.now()
    result = Verification(Outcome.VALID, [], payload=payload, credential=record, checked_at=now)
    revoked = _revocation(payload, record)
    if revoked:
        result.outcome = Outcome.REVOKED
        result.reasons = revoked
        return result
    valid_from = open_badges.parse_iso(payload["validFrom"])
    valid_until = open_badges.parse_iso(payload.get("validUntil"))
    if valid_from is None or valid_from > now + LEEWAY:
        result.outcome = Outcome.MALFORMED
        when = human(valid_from) if valid_from else "a date it does not give"
        result.reasons = [f"It only becomes valid on {when}."]
        return result
    if valid_until is not None and valid_until <= now - LEEWAY:
        result.outcome = Outcome.EXPIRED
        result.reasons = [f"It expired on {human(valid_until)}."]
        return result
    result.reasons = [
        f"Signed by {result.issuer_name or 'this issuer'} with a key published in its JWKS.",
        "Not revoked.",
        f"Valid until {human(valid_until)}." if valid_until else "Does not expire.",
    ]
    return result


def shape_problems(payload: dict[str, Any]) -> list[str]:
    """What keeps the payload from being an OB 3.0 VC-JWT credential (§8.2.4, §8.2.6)."""
    problems: list[str] = []
    context = payload.get("@context")
    if (
        not isinstance(context, list)
        or len(context) < 2
        or context[0] != open_badges.VC_CONTEXT
        or not str(context[1]).startswith("https://purl.imsglobal.org/spec/ob/v3p0/context")
    ):
        problems.append("@context must start with the VC 2.0 and Open Badges 3.0 contexts.")
    types = payload.get("type")
    if (
        not isinstance(types, list)
        or "VerifiableCredential" not in types
        or not ({"OpenBadgeCredential", "AchievementCredential"} & set(types))
    ):
        problems.append("type must include VerifiableCredential and OpenBadgeCredential.")
    issuer = _dict(payload.get("issuer"))
    subject = _dict(payload.get("credentialSubject"))
    if not isinstance(payload.get("id"), str):
        problems.append("The credential has no id.")
    if not isinstance(issuer.get("id"), str):
        problems.append("The issuer has no id.")
    if "AchievementSubject" not in (subject.get("type") or []):
        problems.append("credentialSubject must be an AchievementSubject.")
    if not _dict(subject.get("achievement")):
        problems.append("credentialSubject has no achievement.")
    valid_from = open_badges.parse_iso(payload.get("validFrom"))
    if valid_from is None:
        problems.append("validFrom is missing or not a date-time.")
    if "validUntil" in payload and open_badges.parse_iso(payload["validUntil"]) is None:
        problems.append("validUntil is not a date-time.")
    if problems:
        return problems
    # The registered claims must repeat the credential (§8.2.6.1).
    if payload.get("iss") != issuer["id"]:
        problems.append("The iss claim does not match issuer.id.")
    if payload.get("jti") != payload["id"]:
        problems.append("The jti claim does not match the credential id.")
    if payload.get("sub") != subject.get("id"):
        problems.append("The sub claim does not match credentialSubject.id.")
    if valid_from is None or payload.get("nbf") != int(valid_from.timestamp()):
        problems.append("The nbf claim does not match validFrom.")
    valid_until = open_badges.parse_iso(payload.get("validUntil"))
    if valid_until is not None and payload.get("exp") != int(valid_until.timestamp()):
        problems.append("The exp claim does not match validUntil.")
    if issuer["id"] != open_badges.issuer_id():
        problems.append("The credential names another issuer than this Peerpath.")
    return problems


def _revocation(payload: dict[str, Any], record: IssuedCredential | None) -> list[str]:
    """Why the credential is revoked, or nothing. The issuer's record is what the
    status list is published from, and it keeps the reason given."""
    entry = _dict(payload.get("credentialStatus"))
    try:
        bit = int(entry.get("statusListIndex", ""))
        list_number = int(str(entry.get("statusListCredential", "")).rstrip("/").rsplit("/", 1)[-1])
    except ValueError:
        return ["The credential's status entry cannot be read, so its status is unknown."]
    if record is None:
        return ["This Peerpath no longer holds a record of the credential: it was withdrawn."]
    index = list_number * status_list.LIST_SIZE + bit
    if index != record.status_index:
        return ["The credential's status entry does not match the issuer's record."]
    if record.revoked_at is not None:
        when = human(record.revoked_at)
        return [f"Revoked on {when}: {record.revoked_reason}"]
    return []

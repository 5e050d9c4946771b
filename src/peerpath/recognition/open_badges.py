"""The Open Badges 3.0 documents Peerpath publishes: its issuer Profile, the Achievements
(certifications and badges), each OpenBadgeCredential, and the Bitstring Status List
credentials that say which ones are revoked.

Every identifier is an absolute URL under ``settings.BASE_URL`` (or a ``urn:uuid``), so
a verifier can dereference the issuer, the achievement, the key and the status list.
Times are UTC to the second: the VC-JWT ``nbf``/``exp`` claims are whole seconds and
must equal ``validFrom``/``validUntil`` exactly.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse

from peerpath.recognition import status_list
from peerpath.recognition.models import AwardMethod, CredentialKind, SignOff

if TYPE_CHECKING:
    from peerpath.people.models import User
    from peerpath.recognition.models import BadgeDefinition, Certification

Json = dict[str, Any]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXTS = [VC_CONTEXT, OB_CONTEXT]
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
OB_SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}
STATUS_PURPOSE = "revocation"
# How long a fetched status list may be relied on before fetching it again.
STATUS_LIST_VALIDITY = timedelta(days=1)


def iso(moment: datetime) -> str:
    """``2026-03-01T09:30:00Z``: UTC, whole seconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def to_second(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def absolute(url_name: str, *args: object) -> str:
    return settings.BASE_URL + reverse(url_name, args=args)


# --- Issuer ------------------------------------------------------------------------


def issuer_id() -> str:
    return absolute("recognition:credential_issuer")


def issuer_profile() -> Json:
    """The issuer as it appears inside each credential."""
    return {
        "id": issuer_id(),
        "type": ["Profile"],
        "name": settings.ORG_NAME,
        "url": settings.BASE_URL + "/",
    }


def issuer_profile_document() -> Json:
    """The issuer Profile served at its id, as a JSON-LD document."""
    return {
        "@context": CONTEXTS,
        **issuer_profile(),
        "description": f"{settings.ORG_NAME} issues certifications and badges earned on "
        "its Peerpath workplace-learning platform.",
    }


# --- Achievements ------------------------------------------------------------------------


def achievement_id(kind: str, public_id: object) -> str:
    return absolute("recognition:credential_achievement", kind, public_id)


def _sentence_list(items: list[str]) -> str:
    return "; ".join(items)


def certification_criteria(certification: Certification) -> str:
    """What earns the certification, in words (Markdown is allowed; we use plain text)."""
    lines: list[str] = []
    modules = list(certification.required_modules.order_by("title").values_list("title", flat=True))
    paths = list(certification.required_paths.order_by("title").values_list("title", flat=True))
    if modules:
        lines.append(f"Complete the modules: {_sentence_list(modules)}.")
    if paths:
        lines.append(f"Complete the learning paths: {_sentence_list(paths)}.")
    if certification.min_score is not None:
        lines.append(
            f"Score at least {certification.min_score.normalize():f}% on each required assessment."
        )
    if certification.sign_off == SignOff.MANAGER:
        lines.append("Be signed off by their manager.")
    elif certification.sign_off == SignOff.EXPERT:
        lines.append("Pass an assessment observed by an expert reviewer.")
    if certification.validity_days:
        lines.append(
            f"Valid for {certification.validity_days} days; renewed by recertification "
            "before it expires."
        )
    return " ".join(lines) or certification.description


def certification_achievement(certification: Certification) -> Json:
    achievement: Json = {
        "id": achievement_id(CredentialKind.CERTIFICATION, certification.public_id),
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": certification.name,
        "description": certification.description,
        "criteria": {"narrative": certification_criteria(certification)},
        "humanCode": certification.slug,
    }
    skills = list(certification.skills.order_by("name").values_list("name", flat=True))
    if skills:
        achievement["tag"] = skills
    return achievement


def badge_image_url(badge: BadgeDefinition) -> str:
    return f"{settings.BASE_URL}/badges/{badge.slug}.svg"


def badge_achievement(badge: BadgeDefinition) -> Json:
    return {
        "id": achievement_id(CredentialKind.BADGE, badge.public_id),
        "type": ["Achievement"],
        "achievementType": "Badge",
        "name": badge.name,
        "description": badge.description,
        "criteria": {"narrative": f"{badge.get_rule_display()}: at least {badge.threshold}."},
        "image": {"id": badge_image_url(badge), "type": "Image", "caption": badge.name},
    }


def achievement_document(achievement: Json) -> Json:
    return {"@context": CONTEXTS, **achievement}


# --- The credential ------------------------------------------------------------------


def subject_id(person: User) -> str:
    return f"urn:uuid:{person.public_id}"


def email_identity(email: str) -> Json:
    """A salted hash of the holder's email address (OB IdentityObject): a verifier who
    knows the address can confirm it, nobody else learns it."""
    salt = secrets.token_hex(16)
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "salt": salt,
    }


def status_list_url(list_number: int) -> str:
    return absolute("recognition:credential_status_list", list_number)


def status_entry(status_index: int) -> Json:
    list_number, bit = divmod(status_index, status_list.LIST_SIZE)
    url = status_list_url(list_number)
    return {
        "id": f"{url}#{bit}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(bit),
        "statusListCredential": url,
    }


def evidence_for_method(method: str, evidence: str) -> Json:
    label = dict(AwardMethod.choices).get(method, method)
    narratives: dict[str, str] = {
        AwardMethod.AUTOMATIC: "Peerpath recorded that every criterion was met.",
        AwardMethod.RECERTIFIED: "Peerpath recorded that the recertification was completed "
        "before the previous award expired.",
        AwardMethod.MANUAL: "A learning administrator awarded it by hand.",
    }
    return {
        "type": ["Evidence"],
        "name": str(label),
        "narrative": evidence.strip() or narratives.get(method, str(label)),
    }


def credential_document(
    *,
    credential_id: str,
    achievement: Json,
    holder: User,
    valid_from: datetime,
    valid_until: datetime | None,
    awarded_at: datetime,
    evidence: list[Json],
    status_index: int,
) -> Json:
    document: Json = {
        "@context": CONTEXTS,
        "id": credential_id,
        "type": CREDENTIAL_TYPES,
        "name": achievement["name"],
        "description": achievement["description"],
        "issuer": issuer_profile(),
        "validFrom": iso(valid_from),
    }
    if valid_until is not None:
        document["validUntil"] = iso(valid_until)
    document.update(
        {
            "awardedDate": iso(awarded_at),
            "credentialSubject": {
                "id": subject_id(holder),
                "type": ["AchievementSubject"],
                "identifier": [email_identity(holder.email)],
                "achievement": achievement,
            },
            "evidence": evidence,
            "credentialStatus": status_entry(status_index),
            "credentialSchema": [OB_SCHEMA],
        }
    )
    if "image" in achievement:
        document["image"] = achievement["image"]
    return document


def jwt_claims(document: Json) -> Json:
    """OB 3.0 §8.2: the payload is the credential plus iss, sub, nbf, jti and exp."""
    claims: Json = {
        "iss": document["issuer"]["id"],
        "sub": document["credentialSubject"]["id"],
        "nbf": timestamp(document["validFrom"]),
        "jti": document["id"],
    }
    if "validUntil" in document:
        claims["exp"] = timestamp(document["validUntil"])
    return {**document, **claims}


def timestamp(value: str) -> int:
    """A JWT NumericDate from one of our ISO date-times."""
    parsed = parse_iso(value)
    if parsed is None:
        raise ValueError(f"Not a date-time: {value!r}")
    return int(parsed.timestamp())


# --- Status list credential --------------------------------------------------------------


def status_list_credential(*, list_number: int, revoked_bits: list[int], now: datetime) -> Json:
    url = status_list_url(list_number)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(),
        "validFrom": iso(now),
        "validUntil": iso(now + STATUS_LIST_VALIDITY),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": status_list.encode(revoked_bits),
        },
    }

"""Issuing Open Badges 3.0 credentials for certifications and badges, checked with an
independent verifier (PyJWT) against the JWKS Peerpath publishes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from peerpath.core import events
from peerpath.recognition import credentials, signing_keys, status_list
from peerpath.recognition.models import AwardMethod, IssuedCredential, SigningKey
from tests.factories import SkillFactory, UserFactory
from tests.recognition.credential_helpers import (
    change_one_character,
    earn_badge,
    earn_certification,
    header_of,
    payload_of,
    published_jwks,
    verify_with_pyjwt,
)
from tests.recognition.factories import (
    BadgeAwardFactory,
    BadgeDefinitionFactory,
    CertificationAwardFactory,
    CertificationFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_default_badges")]


def test_earning_a_certification_issues_a_credential_an_independent_verifier_accepts():
    holder = UserFactory(display_name="Mina Member", email="mina@example.com")
    award = CertificationAwardFactory(holder=holder)

    credential = earn_certification(award)

    claims = verify_with_pyjwt(credential.token, published_jwks())
    assert claims["jti"] == f"urn:uuid:{credential.public_id}"
    assert claims["sub"] == f"urn:uuid:{holder.public_id}"
    assert credential.holder == holder
    assert credential.kind == "certification"


def test_the_credential_follows_the_open_badges_3_data_model():
    skill = SkillFactory(name="Call handling")
    certification = CertificationFactory(name="Certified Agent", description="Handles calls.")
    certification.skills.add(skill)
    awarded = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    award = CertificationAwardFactory(
        certification=certification,
        awarded_at=awarded,
        expires_at=awarded + timedelta(days=365),
        method=AwardMethod.MANUAL,
        evidence="Observed on the floor for a week.",
    )

    payload = payload_of(earn_certification(award).token)

    base = settings.BASE_URL
    assert payload["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["issuer"] == {
        "id": f"{base}/credentials/issuer",
        "type": ["Profile"],
        "name": settings.ORG_NAME,
        "url": f"{base}/",
    }
    assert payload["validFrom"] == "2026-03-01T09:30:15Z"
    assert payload["validUntil"] == "2027-03-01T09:30:15Z"
    subject = payload["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["id"] == f"urn:uuid:{award.holder.public_id}"
    identity = subject["identifier"][0]
    assert identity["type"] == "IdentityObject"
    assert identity["identityType"] == "emailAddress"
    assert identity["hashed"] is True
    assert identity["identityHash"].startswith("sha256$")
    achievement = subject["achievement"]
    assert achievement["id"] == (
        f"{base}/credentials/achievements/certification/{certification.public_id}"
    )
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "Certification"
    assert achievement["name"] == "Certified Agent"
    assert achievement["description"] == "Handles calls."
    assert achievement["criteria"]["narrative"]
    assert achievement["tag"] == ["Call handling"]
    assert payload["evidence"] == [
        {
            "type": ["Evidence"],
            "name": "Awarded by an admin",
            "narrative": "Observed on the floor for a week.",
        }
    ]
    status = payload["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListCredential"] == f"{base}/credentials/status/0"
    assert status["id"] == f"{status['statusListCredential']}#{status['statusListIndex']}"
    assert payload["credentialSchema"][0]["type"] == "1EdTechJsonSchemaValidator2019"


def test_the_jwt_header_and_claims_follow_ob_3_section_8_2():
    award = CertificationAwardFactory()
    credential = earn_certification(award)

    header = header_of(credential.token)
    payload = payload_of(credential.token)

    key = SigningKey.objects.get()
    assert header == {
        "alg": "RS256",
        "kid": f"{settings.BASE_URL}/credentials/keys/{key.kid}",
        "typ": "JWT",
    }
    # The payload IS the credential, with the registered claims beside it.
    assert "vc" not in payload
    assert payload["iss"] == payload["issuer"]["id"]
    assert payload["sub"] == payload["credentialSubject"]["id"]
    assert payload["jti"] == payload["id"]
    assert payload["nbf"] == int(credential.valid_from.timestamp())
    assert payload["exp"] == int(credential.valid_until.timestamp())


def test_a_changed_byte_anywhere_fails_independent_verification():
    credential = earn_certification(CertificationAwardFactory())
    jwks = published_jwks()

    for part in (1, 2):
        with pytest.raises(jwt.InvalidSignatureError):
            verify_with_pyjwt(change_one_character(credential.token, part), jwks)


def test_an_expired_credential_is_refused_by_the_independent_verifier():
    awarded = timezone.now() - timedelta(days=400)
    award = CertificationAwardFactory(awarded_at=awarded, expires_at=awarded + timedelta(days=365))

    credential = earn_certification(award)

    with pytest.raises(jwt.ExpiredSignatureError):
        verify_with_pyjwt(credential.token, published_jwks())


def test_a_certification_without_expiry_has_no_valid_until():
    award = CertificationAwardFactory(certification__validity_days=None, expires_at=None)

    payload = payload_of(earn_certification(award).token)

    assert "validUntil" not in payload
    assert "exp" not in payload


def test_earning_a_badge_issues_a_badge_credential_with_its_artwork():
    badge = BadgeDefinitionFactory(slug="first-module", name="First module shared")
    award = BadgeAwardFactory(badge=badge)

    credential = earn_badge(award)

    claims = verify_with_pyjwt(credential.token, published_jwks())
    achievement = claims["credentialSubject"]["achievement"]
    assert credential.kind == "badge"
    assert achievement["achievementType"] == "Badge"
    assert achievement["name"] == "First module shared"
    assert achievement["image"] == {
        "id": f"{settings.BASE_URL}/badges/first-module.svg",
        "type": "Image",
        "caption": "First module shared",
    }
    assert "validUntil" not in claims


def test_issuing_is_idempotent():
    award = CertificationAwardFactory()

    first = earn_certification(award)
    again = earn_certification(award)

    assert first == again
    assert IssuedCredential.objects.count() == 1


def test_a_renewal_gets_its_own_credential_and_the_old_one_stays():
    old_award = CertificationAwardFactory()
    old = earn_certification(old_award)
    old_award.status = "renewed"
    old_award.save()
    new_award = CertificationAwardFactory(
        certification=old_award.certification,
        holder=old_award.holder,
        method=AwardMethod.RECERTIFIED,
        renews=old_award,
    )

    new = earn_certification(new_award, renewal=True)

    assert new != old
    assert new.status_index != old.status_index
    assert payload_of(new.token)["evidence"][0]["name"] == "Recertified"


def test_the_credential_is_issued_in_the_awards_transaction():
    """If the award rolls back, so does its credential (and the other way round)."""
    holder = UserFactory()

    def award_that_fails_later() -> None:
        with transaction.atomic():
            earn_certification(CertificationAwardFactory(holder=holder))
            raise RuntimeError("the award failed later on")

    with pytest.raises(RuntimeError):
        award_that_fails_later()

    assert not IssuedCredential.objects.filter(holder=holder).exists()


def test_revoking_the_certification_revokes_its_credential():
    award = CertificationAwardFactory()
    credential = earn_certification(award)

    events.publish(
        events.CertificationRevoked(
            award_id=award.pk, holder_id=award.holder_id, reason="Cheated on the assessment"
        )
    )

    credential.refresh_from_db()
    assert credential.revoked_at is not None
    assert credential.revoked_reason == "Cheated on the assessment"


def test_status_indexes_are_unique_and_spread_over_the_list():
    awards = [CertificationAwardFactory() for _ in range(6)]

    indexes = [earn_certification(a).status_index for a in awards]

    assert len(set(indexes)) == 6
    assert all(0 <= i < status_list.LIST_SIZE for i in indexes)
    assert indexes != sorted(indexes) or max(indexes) > 100


def test_a_key_is_made_on_first_use_and_reused():
    assert not SigningKey.objects.exists()

    earn_certification(CertificationAwardFactory())
    earn_certification(CertificationAwardFactory())

    key = SigningKey.objects.get()
    assert key.retired_at is None
    assert key.algorithm == "RS256"
    assert set(IssuedCredential.objects.values_list("signing_key", flat=True)) == {key.pk}


def test_revoking_needs_a_reason_and_happens_once():
    credential = earn_certification(CertificationAwardFactory())
    admin = UserFactory(is_learning_admin=True)

    with pytest.raises(ValidationError):
        credentials.credential_revoke(actor=admin, credential=credential, reason="   ")
    credential.refresh_from_db()
    assert credential.revoked_at is None

    credentials.credential_revoke(actor=admin, credential=credential, reason="Issued in error")
    with pytest.raises(ValidationError):
        credentials.credential_revoke(actor=admin, credential=credential, reason="Again")
    credential.refresh_from_db()
    assert credential.revoked_reason == "Issued in error"


def test_only_learning_admins_revoke_credentials():
    credential = earn_certification(CertificationAwardFactory())
    with pytest.raises(PermissionDenied):
        credentials.credential_revoke(
            actor=credential.holder, credential=credential, reason="I want to"
        )

    credential.refresh_from_db()
    assert credential.revoked_at is None


def test_signing_key_helpers_agree_on_the_kid():
    earn_certification(CertificationAwardFactory())
    key = SigningKey.objects.get()

    assert signing_keys.kid_from_header(signing_keys.key_url(key.kid)) == key.kid
    assert signing_keys.kid_from_header(key.kid) == key.kid
    assert signing_keys.kid_from_header(42) is None


def test_a_status_index_taken_meanwhile_is_drawn_again(monkeypatch):
    first = earn_certification(CertificationAwardFactory())
    draws = iter([first.status_index, first.status_index + 1])
    monkeypatch.setattr(credentials, "_free_status_index", lambda: next(draws))

    second = earn_certification(CertificationAwardFactory())

    assert second.status_index == first.status_index + 1
    assert IssuedCredential.objects.count() == 2

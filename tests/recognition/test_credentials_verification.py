"""Peerpath's own verifier: valid, expired, revoked, tampered, unknown key, malformed."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joserfc import jws
from joserfc.jwk import RSAKey

from peerpath.recognition import credentials, verification
from peerpath.recognition.verification import Outcome
from tests.factories import UserFactory
from tests.recognition.credential_helpers import (
    change_one_character,
    earn_badge,
    earn_certification,
    header_of,
    payload_of,
)
from tests.recognition.factories import BadgeAwardFactory, CertificationAwardFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_default_badges")]


def _reencode(token: str, *, header: dict | None = None, payload: dict | None = None) -> str:
    parts = token.split(".")

    def enc(data: dict) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    if header is not None:
        parts[0] = enc(header)
    if payload is not None:
        parts[1] = enc(payload)
    return ".".join(parts)


def test_a_freshly_issued_credential_is_valid():
    holder = UserFactory(display_name="Mina Member")
    credential = earn_certification(
        CertificationAwardFactory(holder=holder, certification__name="Certified Agent")
    )

    result = verification.verify(credential.token)

    assert result.outcome == Outcome.VALID
    assert result.valid
    assert result.achievement_name == "Certified Agent"
    assert result.holder_name == "Mina Member"
    assert result.credential == credential


def test_the_downloaded_file_bytes_verify_too():
    credential = earn_badge(BadgeAwardFactory())

    result = verification.verify((credential.token + "\n").encode())

    assert result.outcome == Outcome.VALID


def test_a_changed_character_in_the_payload_or_signature_is_tampering():
    credential = earn_certification(CertificationAwardFactory())

    for part in (1, 2):
        result = verification.verify(change_one_character(credential.token, part))
        assert result.outcome == Outcome.TAMPERED, part
        assert "signature does not match" in result.reasons[0]


def test_an_edited_payload_reencoded_cleanly_is_still_tampering():
    credential = earn_certification(CertificationAwardFactory(certification__name="Basic"))
    payload = payload_of(credential.token)
    payload["credentialSubject"]["achievement"]["name"] = "Expert"

    result = verification.verify(_reencode(credential.token, payload=payload))

    assert result.outcome == Outcome.TAMPERED


def test_an_expired_credential_says_when_it_expired():
    awarded = timezone.now() - timedelta(days=400)
    credential = earn_certification(
        CertificationAwardFactory(awarded_at=awarded, expires_at=awarded + timedelta(days=365))
    )

    result = verification.verify(credential.token)

    assert result.outcome == Outcome.EXPIRED
    assert result.reasons == [f"It expired on {verification.human(credential.valid_until)}."]


def test_a_credential_expires_when_its_validity_ends():
    credential = earn_certification(CertificationAwardFactory())

    with time_machine.travel(credential.valid_until + timedelta(hours=1)):
        assert verification.verify(credential.token).outcome == Outcome.EXPIRED
    with time_machine.travel(credential.valid_until - timedelta(hours=1)):
        assert verification.verify(credential.token).outcome == Outcome.VALID


def test_a_revoked_credential_says_why():
    credential = earn_certification(CertificationAwardFactory())
    admin = UserFactory(is_learning_admin=True)
    credentials.credential_revoke(actor=admin, credential=credential, reason="Issued in error")

    result = verification.verify(credential.token)

    assert result.outcome == Outcome.REVOKED
    assert "Issued in error" in result.reasons[0]


def test_revoked_wins_over_expired():
    awarded = timezone.now() - timedelta(days=400)
    credential = earn_certification(
        CertificationAwardFactory(awarded_at=awarded, expires_at=awarded + timedelta(days=365))
    )
    credentials.credential_revoke(actor=None, credential=credential, reason="Withdrawn")

    assert verification.verify(credential.token).outcome == Outcome.REVOKED


def test_a_credential_signed_by_another_key_is_unknown():
    credential = earn_certification(CertificationAwardFactory())
    stranger = RSAKey.import_key(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    header = {**header_of(credential.token), "kid": "https://elsewhere.example/keys/1"}
    forged = jws.serialize_compact(
        header, json.dumps(payload_of(credential.token)).encode(), stranger, algorithms=["RS256"]
    )

    result = verification.verify(forged)

    assert result.outcome == Outcome.UNKNOWN_KEY


def test_a_credential_resigned_by_another_key_under_our_kid_is_tampering():
    credential = earn_certification(CertificationAwardFactory())
    stranger = RSAKey.import_key(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    forged = jws.serialize_compact(
        header_of(credential.token),
        json.dumps(payload_of(credential.token)).encode(),
        stranger,
        algorithms=["RS256"],
    )

    assert verification.verify(forged).outcome == Outcome.TAMPERED


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "No credential was given."),
        ("not a credential", "three dot-separated parts"),
        ("a.b", "three dot-separated parts"),
        ("!!!.e30.sig", "not base64url-encoded JSON"),
        ('{"@context": []}', "JSON credential without a VC-JWT proof"),
    ],
)
def test_malformed_input_is_named(token, reason):
    result = verification.verify(token)

    assert result.outcome == Outcome.MALFORMED
    assert reason in result.reasons[0]


def test_a_none_algorithm_is_refused():
    credential = earn_certification(CertificationAwardFactory())
    token = _reencode(credential.token, header={"alg": "none", "typ": "JWT"})

    result = verification.verify(token)

    assert result.outcome == Outcome.MALFORMED
    assert "RS256" in result.reasons[0]


def test_an_oversized_credential_is_refused_without_parsing():
    result = verification.verify("a" * (verification.MAX_TOKEN_BYTES + 1))

    assert result.outcome == Outcome.MALFORMED


def test_the_json_answer_names_the_status_and_reasons():
    credential = earn_certification(CertificationAwardFactory(certification__name="Agent"))

    answer = verification.verify(credential.token).as_json()

    assert answer["status"] == "valid"
    assert answer["valid"] is True
    assert answer["credential"]["name"] == "Agent"
    assert answer["credential"]["id"] == f"urn:uuid:{credential.public_id}"


_B64URL = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.text(max_size=300),
        st.binary(max_size=300),
        st.builds(lambda a, b, c: f"{a}.{b}.{c}", _B64URL, _B64URL, _B64URL),
    )
)
def test_any_input_gets_an_answer_never_an_error(db, token):
    result = verification.verify(token)

    assert result.outcome in {Outcome.MALFORMED, Outcome.UNKNOWN_KEY, Outcome.TAMPERED}
    assert result.reasons

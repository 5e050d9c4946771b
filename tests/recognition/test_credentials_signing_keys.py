"""Signing keys: made per deployment, encrypted at rest, rotated without invalidating
what earlier keys signed."""

from __future__ import annotations

import pytest

from peerpath.cli import main
from peerpath.recognition import signing_keys, verification
from peerpath.recognition.models import SigningKey
from peerpath.recognition.verification import Outcome
from tests.recognition.credential_helpers import (
    earn_certification,
    header_of,
    published_jwks,
    verify_with_pyjwt,
)
from tests.recognition.factories import CertificationAwardFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_default_badges")]


def test_the_private_key_is_stored_encrypted():
    key = signing_keys.active_key()

    assert "PRIVATE KEY" not in key.private_key_pem
    assert key.private_key_pem.startswith("aesgcm1:")
    pem, current = signing_keys.unwrap_private_key(key.private_key_pem, kid=key.kid)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert current


def test_a_wrapped_key_moved_to_another_row_does_not_open():
    key = signing_keys.active_key()

    with pytest.raises(signing_keys.SigningKeyUnavailable):
        signing_keys.unwrap_private_key(key.private_key_pem, kid="another-key")


def test_the_jwks_never_publishes_private_members():
    signing_keys.active_key()

    for jwk in published_jwks()["keys"]:
        assert set(jwk) == {"kty", "n", "e", "alg", "use", "kid"}
        assert jwk["kty"] == "RSA"
        assert jwk["alg"] == "RS256"


def test_after_secret_key_changes_a_fallback_opens_the_key_and_it_is_rewrapped(settings):
    first = earn_certification(CertificationAwardFactory())
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-secret-key-for-this-deployment-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old_secret]

    second = earn_certification(CertificationAwardFactory())

    key = SigningKey.objects.get()
    assert first.signing_key == second.signing_key == key
    _pem, current = signing_keys.unwrap_private_key(key.private_key_pem, kid=key.kid)
    assert current  # wrapped again under the new secret
    assert verification.verify(second.token).outcome == Outcome.VALID


def test_a_key_no_secret_opens_is_retired_and_old_credentials_still_verify(settings):
    first = earn_certification(CertificationAwardFactory())
    settings.SECRET_KEY = "a-brand-new-secret-key-for-this-deployment-0123456789"
    settings.SECRET_KEY_FALLBACKS = []

    second = earn_certification(CertificationAwardFactory())

    assert second.signing_key != first.signing_key
    assert SigningKey.objects.filter(retired_at__isnull=True).get() == second.signing_key
    jwks = published_jwks()
    assert len(jwks["keys"]) == 2
    verify_with_pyjwt(first.token, jwks)
    verify_with_pyjwt(second.token, jwks)


def test_rotation_keeps_old_credentials_valid_and_signs_new_ones_with_the_new_key():
    before = earn_certification(CertificationAwardFactory())
    old_key = before.signing_key

    new_key = signing_keys.signing_key_rotate()
    after = earn_certification(CertificationAwardFactory())

    old_key.refresh_from_db()
    assert old_key.retired_at is not None
    assert after.signing_key == new_key
    assert header_of(before.token)["kid"] != header_of(after.token)["kid"]
    jwks = published_jwks()
    assert [k["kid"] for k in jwks["keys"]] == [
        signing_keys.key_url(new_key.kid),
        signing_keys.key_url(old_key.kid),
    ]
    # Both verify, independently and with Peerpath's own verifier.
    verify_with_pyjwt(before.token, jwks)
    verify_with_pyjwt(after.token, jwks)
    assert verification.verify(before.token).outcome == Outcome.VALID
    assert verification.verify(after.token).outcome == Outcome.VALID


def test_rotating_before_any_key_exists_makes_the_first_one():
    key = signing_keys.signing_key_rotate()

    assert SigningKey.objects.get() == key
    assert key.retired_at is None


def test_the_command_line_rotates_and_lists_keys(capsys):
    earn_certification(CertificationAwardFactory())
    old = SigningKey.objects.get()

    assert main(["credentials", "rotate-key"]) == 0
    out = capsys.readouterr().out
    new = SigningKey.objects.get(retired_at__isnull=True)
    assert f"New signing key {new.kid} is active." in out

    assert main(["credentials", "list-keys"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(new.kid)
    assert "active" in lines[0]
    assert "0 credential(s)" in lines[0]
    assert lines[1].startswith(old.kid)
    assert "retired" in lines[1]
    assert "1 credential(s)" in lines[1]


def test_the_command_line_says_when_there_is_no_key_yet(capsys):
    assert main(["credentials", "list-keys"]) == 0

    assert "No signing key yet" in capsys.readouterr().out

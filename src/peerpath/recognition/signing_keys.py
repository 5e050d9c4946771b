"""The keys Peerpath signs Open Badges credentials with.

Each deployment makes its own RSA key the first time it signs, so no two installations
share a key. The private half is stored encrypted (AES-GCM, with a key derived from
``SECRET_KEY`` by HKDF); after ``SECRET_KEY`` changes, the old value in
``SECRET_KEY_FALLBACKS`` still opens it, and the key is re-wrapped under the new secret
on its next use. Rotating makes a new active key and retires the old one; retired keys
stay in the published JWKS so everything they signed still verifies.
"""

from __future__ import annotations

import base64
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from joserfc.jwk import RSAKey

from peerpath.recognition.models import IssuedCredential, SigningKey

logger = logging.getLogger(__name__)

# OB 3.0 §8.2 requires RS256 support of every verifier; 3072-bit keys keep RSA sound
# past 2030 (NIST SP 800-57).
ALGORITHM = "RS256"
KEY_BITS = 3072
_WRAP_PREFIX = "aesgcm1:"
_HKDF_SALT = b"peerpath.recognition.signing-key"
_HKDF_INFO = b"private key wrapping v1"


class SigningKeyUnavailable(Exception):
    """No secret in SECRET_KEY or SECRET_KEY_FALLBACKS opens a stored private key."""


def _wrapping_key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
        secret.encode("utf-8")
    )


def _secrets() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def wrap_private_key(pem: bytes, *, kid: str) -> str:
    """Encrypt a PKCS#8 PEM under the current SECRET_KEY; the kid is bound as associated
    data, so a wrapped key cannot be swapped onto another row unnoticed."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_wrapping_key(settings.SECRET_KEY)).encrypt(nonce, pem, kid.encode())
    return _WRAP_PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def unwrap_private_key(stored: str, *, kid: str) -> tuple[bytes, bool]:
    """The PEM, and whether it was opened with the current SECRET_KEY (False: a
    fallback secret opened it, so it should be wrapped again)."""
    if not stored.startswith(_WRAP_PREFIX):
        raise SigningKeyUnavailable(f"Signing key {kid} is not stored in a known format.")
    raw = base64.b64decode(stored[len(_WRAP_PREFIX) :])
    nonce, sealed = raw[:12], raw[12:]
    for position, secret in enumerate(_secrets()):
        try:
            pem = AESGCM(_wrapping_key(secret)).decrypt(nonce, sealed, kid.encode())
        except InvalidTag:
            continue
        return pem, position == 0
    raise SigningKeyUnavailable(
        f"Signing key {kid} cannot be opened with SECRET_KEY or SECRET_KEY_FALLBACKS."
    )


def key_url(kid: str) -> str:
    """The absolute URL a credential's ``kid`` header names: it answers with the JWK."""
    return settings.BASE_URL + reverse("recognition:credential_key", args=[kid])


def kid_from_header(value: object) -> str | None:
    """Our short key id from a JOSE ``kid`` (the key URL, or the bare id)."""
    if not isinstance(value, str) or not value or len(value) > 2000:
        return None
    return value.rstrip("/").rsplit("/", 1)[-1]


def _new_key_row() -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    jwk = RSAKey.import_key(private.public_key())
    kid = jwk.thumbprint()  # RFC 7638: the same key always gets the same id
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_jwk = {**jwk.as_dict(private=False), "alg": ALGORITHM, "use": "sig"}
    return SigningKey(
        kid=kid,
        algorithm=ALGORITHM,
        private_key_pem=wrap_private_key(pem, kid=kid),
        public_jwk=public_jwk,
    )


def active_key() -> SigningKey:
    """The key to sign with now, made on first use. Safe under concurrent first uses:
    the one-active-key constraint lets one insert win and the others read it."""
    key = SigningKey.objects.filter(algorithm=ALGORITHM, retired_at__isnull=True).first()
    if key is not None:
        return key
    candidate = _new_key_row()
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        return SigningKey.objects.get(algorithm=ALGORITHM, retired_at__isnull=True)
    logger.info("Made signing key %s for Open Badges credentials.", candidate.kid)
    return candidate


@dataclass(frozen=True)
class UsableKey:
    row: SigningKey
    private: RSAKey


# Opened private keys, by key id, stored (wrapped) value and current secret. Loading an
# RSA private key checks it, which takes about a tenth of a second; a process signs many
# credentials with the same key.
_opened: dict[tuple[str, str, str], RSAKey] = {}


def signing_key() -> UsableKey:
    """The active key with its private half opened, ready to sign.

    A key no secret opens any more (SECRET_KEY replaced without a fallback) is retired
    and a new one made: its public half stays published, so what it signed still
    verifies; only new credentials use the new key.
    """
    row = active_key()
    cache_key = (row.kid, row.private_key_pem, settings.SECRET_KEY)
    if cache_key in _opened:
        return UsableKey(row=row, private=_opened[cache_key])
    try:
        pem, current = unwrap_private_key(row.private_key_pem, kid=row.kid)
    except SigningKeyUnavailable:
        logger.warning(
            "Signing key %s cannot be opened with the configured secrets; retiring it and "
            "making a new one. Credentials it signed still verify.",
            row.kid,
        )
        _retire(row)
        return signing_key()
    if not current:
        row.private_key_pem = wrap_private_key(pem, kid=row.kid)
        row.save(update_fields=["private_key_pem"])
    private = RSAKey.import_key(pem)
    _opened.clear()  # only the active key signs: keep the one just opened
    _opened[(row.kid, row.private_key_pem, settings.SECRET_KEY)] = private
    return UsableKey(row=row, private=private)


def _retire(row: SigningKey) -> None:
    SigningKey.objects.filter(pk=row.pk, retired_at__isnull=True).update(retired_at=timezone.now())


def signing_key_rotate() -> SigningKey:
    """Retire the active key (if any) and make a new one; returns the new key.

    Callers check permission (system admins; the command line runs as the operator).
    """
    with transaction.atomic():
        # Locks the active key so two rotations at once retire it only once and do not
        # both insert a successor.
        current = (
            SigningKey.objects.select_for_update()
            .filter(algorithm=ALGORITHM, retired_at__isnull=True)
            .first()
        )
        if current is not None:
            _retire(current)
        new = _new_key_row()
        new.save()
    logger.info("Rotated the credential signing key: %s is now active.", new.kid)
    return new


def public_jwk(row: SigningKey) -> dict[str, Any]:
    """The published JWK: public members only, ``kid`` the key's URL."""
    jwk = {k: v for k, v in row.public_jwk.items() if k in {"kty", "n", "e", "alg", "use"}}
    return {**jwk, "kid": key_url(row.kid)}


def published_keys() -> QuerySet[SigningKey]:
    """Every key that ever signed, newest first: retired keys stay so old credentials
    still verify."""
    return SigningKey.objects.filter(algorithm=ALGORITHM).order_by("-created_at", "-pk")


def jwks() -> dict[str, Any]:
    return {"keys": [public_jwk(row) for row in published_keys()]}


def key_by_kid(kid: str) -> SigningKey | None:
    return SigningKey.objects.filter(kid=kid).first()


def keys_with_usage() -> QuerySet[SigningKey]:
    """Keys for the admin page and the command line, with how many credentials each
    signed (one query)."""
    signed = (
        IssuedCredential.objects.filter(signing_key=OuterRef("pk"))
        .order_by()
        .values("signing_key")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return published_keys().annotate(credential_count=Coalesce(Subquery(signed), 0))


def public_key_of(row: SigningKey) -> RSAKey:
    return RSAKey.import_key({"kty": "RSA", "n": row.public_jwk["n"], "e": row.public_jwk["e"]})

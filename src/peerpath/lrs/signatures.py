"""Signed statements (xAPI Data 2.6): a JWS over the statement, sent as a signature attachment.

The LRS checks that the JWS is well formed and uses RS256, RS384 or RS512, that its payload is
the statement it came with (apart from what an LRS may set itself), and, when the JWS header
carries an X.509 chain (``x5c``), that the first certificate's key verifies the signature.
Without ``x5c`` there is no key to check against, so only the form and payload are checked, as
the specification allows.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from peerpath.lrs import validation
from peerpath.lrs.attachments import SIGNATURE_USAGE, AttachmentsInvalid, Part

ALGORITHMS = ("RS256", "RS384", "RS512")
SIGNATURE_TYPE = "application/octet-stream"
# What an LRS may add or change in a statement, so a signed payload need not include them.
_IGNORED = ("id", "authority", "stored", "timestamp", "version", "attachments")

Json = dict[str, Any]


def _registry() -> jws.JWSRegistry:
    """The RSA algorithms only, with room for an x5c certificate chain in the header."""
    registry = jws.JWSRegistry(algorithms=ALGORITHMS)
    registry.max_header_length = 64 * 1024
    registry.max_payload_length = 1024 * 1024
    registry.max_signature_length = 4096
    return registry


_REGISTRY = _registry()


def check(statement: Json, parts: dict[str, Part], where: str = "") -> None:
    """Raise ``AttachmentsInvalid`` unless each signature attachment signs this statement."""
    for index, attachment in enumerate(statement.get("attachments", [])):
        if attachment["usageType"] != SIGNATURE_USAGE:
            continue
        path = f"{where}attachments[{index}]"
        if attachment["contentType"].split(";", 1)[0].strip().lower() != SIGNATURE_TYPE:
            raise AttachmentsInvalid(f"{path}: a signature must have contentType {SIGNATURE_TYPE}.")
        part = parts.get(attachment["sha2"].lower())
        if part is None:
            raise AttachmentsInvalid(f"{path}: a signature must be sent as a multipart part.")
        _verify(statement, part.content, path)


def _verify(statement: Json, token: bytes, path: str) -> None:
    try:
        extracted = jws.extract_compact(token.strip(), registry=_REGISTRY)
    except (JoseError, ValueError) as exc:
        raise AttachmentsInvalid(f"{path}: the signature is not a compact JWS.") from exc
    header = extracted.headers()
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise AttachmentsInvalid(f"{path}: the signature must use RS256, RS384 or RS512.")
    try:
        signed = json.loads(extracted.payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AttachmentsInvalid(f"{path}: the signed payload is not JSON.") from exc
    try:
        original = validation.validate_statement(signed)
    except validation.StatementInvalid as exc:
        raise AttachmentsInvalid(f"{path}: the signed payload is not a statement: {exc}") from exc
    if _comparable(original) != _comparable(statement) or (
        "id" in original and original["id"] != statement.get("id")
    ):
        raise AttachmentsInvalid(f"{path}: the signed payload differs from the statement.")
    if "x5c" in header:
        key = _certificate_key(header["x5c"], path)
        try:
            jws.deserialize_compact(
                token.strip(), key, algorithms=[str(algorithm)], registry=_REGISTRY
            )
        except (JoseError, ValueError) as exc:
            raise AttachmentsInvalid(f"{path}: the signature does not verify.") from exc


def _comparable(statement: Json) -> Json:
    return {k: v for k, v in statement.items() if k not in _IGNORED}


def _certificate_key(chain: Any, path: str) -> RSAKey:
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        raise AttachmentsInvalid(f"{path}: x5c must be a list of certificates.")
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
    except (binascii.Error, ValueError) as exc:
        raise AttachmentsInvalid(f"{path}: the x5c certificate cannot be read.") from exc
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise AttachmentsInvalid(f"{path}: the x5c certificate must hold an RSA key.")
    return RSAKey.import_key(public_key)

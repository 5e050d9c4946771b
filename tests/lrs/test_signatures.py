"""Signed statements: a JWS attachment that signs the statement it travels with (Data 2.6)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.test import Client
from joserfc import jws
from joserfc.jwk import OctKey, RSAKey

from peerpath.lrs.attachments import SIGNATURE_USAGE
from peerpath.lrs.models import AttachmentBody, Statement
from tests.lrs.conftest import BOUNDARY, make_statement, multipart, part

URL = "/xapi/statements"
MIXED = f"multipart/mixed; boundary={BOUNDARY}"


@pytest.fixture(scope="module")
def signer() -> tuple[rsa.RSAPrivateKey, str]:
    """An RSA key and a self-signed certificate for it (base64 DER, as x5c carries it)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Peerpath test signer")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(private, hashes.SHA256())
    )
    der = certificate.public_bytes(serialization.Encoding.DER)
    return private, base64.b64encode(der).decode()


def sign(payload: dict[str, Any], private: Any, *, alg: str = "RS256", x5c: str = "") -> bytes:
    header: dict[str, Any] = {"alg": alg}
    if x5c:
        header["x5c"] = [x5c]
    # An HMAC "signature" (refused by the LRS) needs a shared secret instead of the RSA key.
    key = OctKey.import_key(b"s" * 32) if alg.startswith("HS") else RSAKey.import_key(private)
    token = jws.serialize_compact(header, json.dumps(payload), key, algorithms=[alg])
    return token.encode()


def signed_request(
    statement: dict[str, Any], token: bytes, *, content_type: str = "application/octet-stream"
) -> bytes:
    """The statement with its signature attachment declared, and the JWS as a raw part."""
    with_signature = {
        **statement,
        "attachments": [
            {
                "usageType": SIGNATURE_USAGE,
                "display": {"en-US": "Signature"},
                "contentType": content_type,
                "length": len(token),
                "sha2": hashlib.sha256(token).hexdigest(),
            }
        ],
    }
    return multipart(with_signature, part(token, content_type))


def send(client: Client, body: bytes) -> Any:
    return client.post(URL, data=body, content_type=MIXED)


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_a_statement_signed_with_its_certificate_is_stored_with_the_signature(
    xapi: Client, signer: tuple[Any, str], alg: str
) -> None:
    private, certificate = signer
    statement = make_statement(id=str(uuid.uuid4()))
    response = send(
        xapi, signed_request(statement, sign(statement, private, alg=alg, x5c=certificate))
    )
    assert response.status_code == 200, response.json()
    assert Statement.objects.filter(id=statement["id"]).exists()
    assert AttachmentBody.objects.count() == 1


def test_without_a_certificate_the_form_and_payload_are_checked(
    xapi: Client, signer: tuple[Any, str]
) -> None:
    private, _ = signer
    statement = make_statement()
    # The payload may leave out what the LRS fills in (id, stored, authority...).
    assert send(xapi, signed_request(statement, sign(statement, private))).status_code == 200


def test_a_tampered_statement_is_refused(xapi: Client, signer: tuple[Any, str]) -> None:
    private, certificate = signer
    statement = make_statement()
    token = sign(statement, private, x5c=certificate)
    tampered = make_statement(result={"success": True})
    response = send(xapi, signed_request(tampered, token))
    assert response.status_code == 400
    assert "signed payload differs from the statement" in response.json()["error"]
    assert Statement.objects.count() == 0
    assert AttachmentBody.objects.count() == 0


def test_a_signature_the_certificate_does_not_verify_is_refused(
    xapi: Client, signer: tuple[Any, str]
) -> None:
    _, certificate = signer
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    statement = make_statement()
    response = send(xapi, signed_request(statement, sign(statement, impostor, x5c=certificate)))
    assert response.status_code == 400
    assert "does not verify" in response.json()["error"]


def test_a_changed_signature_byte_is_refused(xapi: Client, signer: tuple[Any, str]) -> None:
    private, certificate = signer
    statement = make_statement()
    head, payload, signature = sign(statement, private, x5c=certificate).split(b".")
    flipped = signature[:-2] + (b"A" if signature[-2:-1] != b"A" else b"B") + signature[-1:]
    response = send(xapi, signed_request(statement, b".".join([head, payload, flipped])))
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("token", "content_type", "message"),
    [
        (lambda p: sign(make_statement(), p, alg="HS256"), None, "RS256, RS384 or RS512"),
        (lambda p: b"not a jws at all", None, "not a compact JWS"),
        (
            lambda p: b".".join(
                [
                    base64.urlsafe_b64encode(b'{"alg":"RS256"}').rstrip(b"="),
                    base64.urlsafe_b64encode(b"{'not': json}").rstrip(b"="),
                    b"c2ln",
                ]
            ),
            None,
            "signed payload is not JSON",
        ),
        (lambda p: sign(make_statement(), p), "text/plain", "contentType application/octet-stream"),
    ],
)
def test_a_malformed_signature_is_refused(
    xapi: Client, signer: tuple[Any, str], token: Any, content_type: str | None, message: str
) -> None:
    private, _ = signer
    key: Any = private
    if message.startswith("RS256"):
        key = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    body = signed_request(
        make_statement(), token(key), content_type=content_type or "application/octet-stream"
    )
    response = send(xapi, body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert Statement.objects.count() == 0

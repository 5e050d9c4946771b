"""The credential pages and endpoints: who may see what, and what verifiers read."""

from __future__ import annotations

import json
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openbadgeslib.ob3 import OB3VerificationError, OB3Verifier

from peerpath.recognition import credential_views, credentials, signing_keys, status_list
from peerpath.recognition.models import IssuedCredential, SigningKey
from tests.recognition.credential_helpers import (
    change_one_character,
    earn_badge,
    earn_certification,
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


@pytest.fixture
def issued(org):
    """A certification credential held by the member."""
    return earn_certification(
        CertificationAwardFactory(holder=org.member, certification__name="Certified Agent")
    )


def _fetch(client: Client):
    """What openbadgeslib downloads, served by this Peerpath."""

    def download(url: str) -> bytes:
        response = client.get(url.removeprefix(settings.BASE_URL))
        assert response.status_code == 200, url
        return response.content

    return download


# --- Public documents ------------------------------------------------------------------


def test_the_jwks_is_public_and_readable_from_any_origin(issued):
    response = Client().get("/.well-known/jwks.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jwk-set+json")
    assert response["Access-Control-Allow-Origin"] == "*"
    key = SigningKey.objects.get()
    assert json.loads(response.content)["keys"][0]["kid"] == signing_keys.key_url(key.kid)


def test_public_documents_answer_head_requests_too(issued):
    assert Client().head("/.well-known/jwks.json").status_code == 200
    assert Client().head("/credentials/status/0").status_code == 200


def test_a_fresh_deployment_publishes_its_key_before_the_first_credential(db):
    assert len(published_jwks()["keys"]) == 1


def test_the_kid_dereferences_to_the_public_jwk(issued):
    key = SigningKey.objects.get()

    response = Client().get(f"/credentials/keys/{key.kid}")

    assert response.status_code == 200
    jwk = json.loads(response.content)
    assert jwk["kid"] == signing_keys.key_url(key.kid)
    assert "d" not in jwk
    assert Client().get("/credentials/keys/nope").status_code == 404


def test_the_issuer_profile_is_public_json_ld(db):
    response = Client().get("/credentials/issuer")

    profile = json.loads(response.content)
    assert response.status_code == 200
    assert profile["id"] == f"{settings.BASE_URL}/credentials/issuer"
    assert profile["type"] == ["Profile"]
    assert profile["@context"][0] == "https://www.w3.org/ns/credentials/v2"


def test_achievements_are_public_and_match_the_credentials(issued):
    achievement_id = payload_of(issued.token)["credentialSubject"]["achievement"]["id"]

    response = Client().get(achievement_id.removeprefix(settings.BASE_URL))

    document = json.loads(response.content)
    assert response.status_code == 200
    assert document["id"] == achievement_id
    assert document["name"] == "Certified Agent"
    badge = BadgeDefinitionFactory(name="Helper")
    badge_doc = json.loads(
        Client().get(f"/credentials/achievements/badge/{badge.public_id}").content
    )
    assert badge_doc["achievementType"] == "Badge"
    cert = CertificationFactory()
    assert Client().get(f"/credentials/achievements/badge/{cert.public_id}").status_code == 404
    assert Client().get(f"/credentials/achievements/other/{cert.public_id}").status_code == 404


def test_the_status_list_is_a_signed_bitstring_status_list_credential(issued):
    credentials.credential_revoke(actor=None, credential=issued, reason="Issued in error")

    response = Client().get("/credentials/status/0")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    claims = jwt.decode(
        response.content,
        jwt.PyJWKSet.from_dict(published_jwks()).keys[0].key,
        algorithms=["RS256"],
        options={"verify_aud": False},
    )
    assert claims["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = claims["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    bits = status_list.decode(subject["encodedList"])
    assert len(bits) * 8 == status_list.LIST_SIZE
    assert status_list.is_set(bits, issued.status_index)
    readable = json.loads(Client().get("/credentials/status/0?format=json").content)
    assert readable["credentialSubject"]["encodedList"] == subject["encodedList"]


def test_unused_status_lists_do_not_exist(db):
    assert Client().get("/credentials/status/7").status_code == 404


def test_openbadgeslib_accepts_the_credential_and_reads_revocation_from_the_status_list(
    issued, django_capture_on_commit_callbacks
):
    """A second, Open Badges-aware verifier, given only the key from the JWKS."""
    client = Client()
    jwk = published_jwks(client)["keys"][0]
    pem = jwt.PyJWK.from_dict(jwk).key
    verifier = OB3Verifier(pubkey_pem=pem)

    credential = verifier.verify(issued.token, check_status=True, download=_fetch(client))
    assert credential.achievement.name == "Certified Agent"
    assert credential.achievement.achievement_type == "Certification"

    # The list was fetched (and cached) before; the revocation clears it as it commits.
    with django_capture_on_commit_callbacks(execute=True):
        credentials.credential_revoke(actor=None, credential=issued, reason="Issued in error")
    with pytest.raises(OB3VerificationError, match="revocation"):
        verifier.verify(issued.token, check_status=True, download=_fetch(client))
    with pytest.raises(OB3VerificationError):
        verifier.verify(change_one_character(issued.token, 1))


# --- Downloads -------------------------------------------------------------------------


def test_the_holder_downloads_the_jwt_file(client_for, org, issued):
    response = client_for(org.member).get(f"/credentials/{issued.public_id}.jwt")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="certified-agent.jwt"'
    assert response.content.decode() == issued.token
    verify_with_pyjwt(response.content.decode(), published_jwks())


def test_learning_admins_download_any_credential(client_for, org, issued):
    assert client_for(org.admin).get(f"/credentials/{issued.public_id}.jwt").status_code == 200


@pytest.mark.parametrize("who", ["manager", "outsider", "lead"])
def test_others_may_not_download_a_credential(client_for, org, issued, who):
    response = client_for(getattr(org, who)).get(f"/credentials/{issued.public_id}.jwt")

    assert response.status_code == 403
    assert issued.token.encode() not in response.content


def test_signed_out_visitors_are_sent_to_sign_in(issued):
    response = Client().get(f"/credentials/{issued.public_id}.jwt")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_unknown_credential_is_not_found(client_for, org, db):
    response = client_for(org.admin).get("/credentials/00000000-0000-4000-8000-000000000000.jwt")

    assert response.status_code == 404


def test_the_json_view_shows_the_signed_credential_to_its_holder(client_for, org, issued):
    response = client_for(org.member).get(f"/credentials/{issued.public_id}.json")

    assert response.status_code == 200
    assert json.loads(response.content) == payload_of(issued.token)
    outsider = client_for(org.outsider).get(f"/credentials/{issued.public_id}.json")
    assert outsider.status_code == 403


def test_my_credentials_lists_only_mine_in_bounded_queries(
    client_for, org, django_assert_max_num_queries
):
    for _ in range(3):
        earn_certification(CertificationAwardFactory(holder=org.member))
        earn_badge(BadgeAwardFactory(person=org.member))
    earn_certification(CertificationAwardFactory(holder=org.outsider))
    client = client_for(org.member)

    with django_assert_max_num_queries(12):
        response = client.get("/credentials/")

    assert response.status_code == 200
    assert response.content.decode().count("data-credential=") == 6


# --- Verification endpoint ----------------------------------------------------------------


def _api(body, content_type="text/plain", client=None):
    client = client or Client(enforce_csrf_checks=True)
    return client.post("/credentials/verify.json", data=body, content_type=content_type)


def test_the_endpoint_answers_valid_without_a_csrf_token(issued):
    response = _api(issued.token)

    answer = json.loads(response.content)
    assert response.status_code == 200
    assert answer["status"] == "valid"
    assert answer["valid"] is True
    assert answer["credential"]["name"] == "Certified Agent"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_endpoint_accepts_json(issued):
    response = _api(json.dumps({"credential": issued.token}), "application/json")

    assert json.loads(response.content)["status"] == "valid"


def test_the_endpoint_names_each_failure(issued, org):
    tampered = change_one_character(issued.token, 1)
    awarded = timezone.now() - timedelta(days=400)
    expired = earn_certification(
        CertificationAwardFactory(awarded_at=awarded, expires_at=awarded + timedelta(days=365))
    )
    revoked = earn_badge(BadgeAwardFactory())
    credentials.credential_revoke(actor=org.admin, credential=revoked, reason="Gaming")

    statuses = {
        "tampered": json.loads(_api(tampered).content),
        "expired": json.loads(_api(expired.token).content),
        "revoked": json.loads(_api(revoked.token).content),
        "malformed": json.loads(_api("hello").content),
    }

    for expected, answer in statuses.items():
        assert answer["status"] == expected
        assert answer["valid"] is False
        assert answer["reasons"]
    assert "Gaming" in statuses["revoked"]["reasons"][0]


def test_the_endpoint_refuses_bad_requests(db):
    assert _api("{not json", "application/json").status_code == 400
    assert _api(json.dumps({"token": "x"}), "application/json").status_code == 400
    assert Client().get("/credentials/verify.json").status_code == 405
    too_big = _api("a" * (70 * 1024))
    assert too_big.status_code == 413
    assert Client().options("/credentials/verify.json").status_code == 204


def test_the_endpoint_is_rate_limited(issued, monkeypatch):
    monkeypatch.setattr(credential_views, "VERIFY_PER_MINUTE", 3)
    client = Client()

    answers = [_api(issued.token, client=client).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


# --- Verification page ------------------------------------------------------------------


def test_anyone_may_open_the_verification_page(db):
    response = Client().get("/credentials/verify/")

    assert response.status_code == 200
    assert b"Check a credential" in response.content


def test_pasting_a_credential_shows_the_verdict(issued):
    response = Client().post("/credentials/verify/", {"credential": issued.token})

    assert response.status_code == 200
    assert b'data-verdict="valid"' in response.content
    assert b"Certified Agent" in response.content


def test_uploading_the_file_shows_the_verdict(issued):
    upload = SimpleUploadedFile(
        "certified-agent.jwt", change_one_character(issued.token, 1).encode()
    )

    response = Client().post("/credentials/verify/", {"file": upload})

    assert b'data-verdict="tampered"' in response.content


def test_the_page_asks_for_one_credential(issued):
    empty = Client().post("/credentials/verify/", {})
    both = Client().post(
        "/credentials/verify/",
        {"credential": issued.token, "file": SimpleUploadedFile("c.jwt", issued.token.encode())},
    )

    assert empty.status_code == 400
    assert b"Paste a credential or choose its file." in empty.content
    assert both.status_code == 400
    assert b"not both" in both.content


# --- Admin pages ---------------------------------------------------------------------------


def test_learning_admins_list_credentials_in_bounded_queries(
    client_for, org, django_assert_max_num_queries
):
    for _ in range(4):
        earn_certification(CertificationAwardFactory())
        earn_badge(BadgeAwardFactory())
    client = client_for(org.admin)

    with django_assert_max_num_queries(12):
        response = client.get("/credentials/manage/")

    assert response.status_code == 200
    assert response.content.decode().count("data-credential=") == 8


def test_the_admin_list_finds_a_persons_credentials(client_for, org, issued):
    earn_badge(BadgeAwardFactory())

    response = client_for(org.admin).get("/credentials/manage/", {"q": "Mina"})

    assert response.content.decode().count("data-credential=") == 1


@pytest.mark.parametrize("who", ["member", "manager", "outsider"])
def test_only_learning_admins_see_the_credentials_list(client_for, org, who):
    assert client_for(getattr(org, who)).get("/credentials/manage/").status_code == 403


def test_an_admin_revokes_a_credential_with_a_reason(client_for, org, issued):
    client = client_for(org.admin)
    assert client.get(f"/credentials/{issued.public_id}/revoke/").status_code == 200

    response = client.post(
        f"/credentials/{issued.public_id}/revoke/", {"reason": "Issued in error"}
    )

    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.revoked_reason == "Issued in error"
    assert json.loads(_api(issued.token).content)["status"] == "revoked"


def test_revoking_without_a_reason_changes_nothing(client_for, org, issued):
    response = client_for(org.admin).post(
        f"/credentials/{issued.public_id}/revoke/", {"reason": ""}
    )

    assert response.status_code == 400
    issued.refresh_from_db()
    assert issued.revoked_at is None


@pytest.mark.parametrize("who", ["member", "manager", "outsider"])
def test_others_may_not_revoke(client_for, org, issued, who):
    response = client_for(getattr(org, who)).post(
        f"/credentials/{issued.public_id}/revoke/", {"reason": "Because"}
    )

    assert response.status_code == 403
    issued.refresh_from_db()
    assert issued.revoked_at is None


def test_system_admins_rotate_the_signing_key_from_the_page(client_for, org, issued):
    client = client_for(org.sysadmin)
    page = client.get("/credentials/signing-keys/")
    assert page.status_code == 200
    assert issued.signing_key.kid.encode() in page.content

    response = client.post("/credentials/signing-keys/")

    assert response.status_code == 302
    assert SigningKey.objects.count() == 2
    assert SigningKey.objects.get(retired_at__isnull=False) == issued.signing_key
    verify_with_pyjwt(issued.token, published_jwks())


@pytest.mark.parametrize("who", ["admin", "member"])
def test_others_may_not_rotate_the_signing_key(client_for, org, issued, who):
    client = client_for(getattr(org, who))

    assert client.get("/credentials/signing-keys/").status_code == 403
    assert client.post("/credentials/signing-keys/").status_code == 403
    assert SigningKey.objects.count() == 1


def test_every_issued_credential_counts_once(issued):
    assert IssuedCredential.objects.count() == 1

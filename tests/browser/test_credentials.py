"""Open Badges credentials in a real browser: checking one, downloading mine, revoking
one, rotating the signing key."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from peerpath.recognition.models import SigningKey
from tests.recognition.credential_helpers import (
    change_one_character,
    earn_badge,
    earn_certification,
)
from tests.recognition.factories import (
    BadgeAwardFactory,
    BadgeDefinitionFactory,
    CertificationAwardFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_anyone_checks_a_pasted_or_uploaded_credential(org, page, screenshot, axe, tmp_path):
    credential = earn_certification(
        CertificationAwardFactory(holder=org.member, certification__name="Certified Agent")
    )

    page.goto("/credentials/verify/")
    expect(page.get_by_role("heading", name="Check a credential")).to_be_visible()
    assert axe() == []
    page.get_by_label("Paste the credential").fill(credential.token)
    page.get_by_role("button", name="Check credential").click()

    verdict = page.locator("[data-verdict]")
    expect(verdict).to_have_attribute("data-verdict", "valid")
    expect(verdict.get_by_role("heading", name="Valid credential")).to_be_visible()
    expect(verdict).to_contain_text("Certified Agent")
    expect(verdict).to_contain_text("Mina Member")
    assert axe() == []
    screenshot("credential-verify-valid")
    page.emulate_media(color_scheme="dark")
    assert axe() == []
    screenshot("credential-verify-valid-dark")
    page.emulate_media(color_scheme="light")

    tampered = tmp_path / "certified-agent.jwt"
    tampered.write_text(change_one_character(credential.token, 1))
    page.get_by_label("Or upload the credential file").set_input_files(str(tampered))
    page.get_by_role("button", name="Check credential").click()
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "tampered")
    expect(
        page.get_by_role("heading", name="Tampered: the signature does not match")
    ).to_be_visible()
    assert axe() == []
    screenshot("credential-verify-tampered")

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.get_by_label("Paste the credential").fill(credential.token)
    page.get_by_role("button", name="Check credential").click()
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")
    screenshot("credential-verify-phone")


def test_a_holder_downloads_their_credential_and_it_checks_out(org, sign_in, page, screenshot, axe):
    credential = earn_certification(
        CertificationAwardFactory(holder=org.member, certification__name="Certified Agent")
    )
    earn_badge(
        BadgeAwardFactory(
            person=org.member, badge=BadgeDefinitionFactory(name="First module shared")
        )
    )

    sign_in(org.member)
    page.goto("/credentials/")
    expect(page.get_by_role("heading", name="My credentials")).to_be_visible()
    expect(page.locator("[data-credential]")).to_have_count(2)
    assert axe() == []
    screenshot("credentials-mine")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download credential for Certified Agent").click()
    download = info.value
    assert download.suggested_filename == "certified-agent.jwt"
    assert Path(download.path()).read_text(encoding="utf-8") == credential.token

    page.goto("/credentials/verify/")
    page.get_by_label("Or upload the credential file").set_input_files(download.path())
    page.get_by_role("button", name="Check credential").click()
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")


def test_an_admin_revokes_a_credential_and_verifiers_are_told(org, sign_in, page, screenshot, axe):
    credential = earn_certification(
        CertificationAwardFactory(holder=org.member, certification__name="Certified Agent")
    )

    sign_in(org.admin)
    page.goto("/credentials/manage/")
    expect(page.get_by_role("heading", name="Credentials", exact=True)).to_be_visible()
    assert axe() == []
    screenshot("credentials-manage")
    page.get_by_role("link", name="Revoke Certified Agent for Mina Member").click()
    expect(
        page.get_by_role("heading", name="Revoke the credential for Certified Agent?")
    ).to_be_visible()
    page.get_by_label("Reason").fill("Awarded to the wrong person")
    assert axe() == []
    screenshot("credential-revoke")
    page.get_by_role("button", name="Revoke credential").click()
    expect(page.get_by_text("Revoked the credential for Certified Agent")).to_be_visible()
    expect(page.locator(f'[data-credential="{credential.public_id}"]')).to_contain_text("Revoked")

    page.goto("/credentials/verify/")
    page.get_by_label("Paste the credential").fill(credential.token)
    page.get_by_role("button", name="Check credential").click()
    verdict = page.locator("[data-verdict]")
    expect(verdict).to_have_attribute("data-verdict", "revoked")
    expect(verdict).to_contain_text("Awarded to the wrong person")
    screenshot("credential-verify-revoked")


def test_a_system_admin_rotates_the_signing_key(org, sign_in, page, screenshot, axe):
    credential = earn_certification(CertificationAwardFactory(holder=org.member))

    sign_in(org.sysadmin)
    page.goto("/credentials/signing-keys/")
    expect(page.get_by_role("heading", name="Credential signing keys")).to_be_visible()
    assert axe() == []
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Rotate signing key").click()
    expect(page.get_by_text("is active. Earlier keys stay published")).to_be_visible()
    expect(page.locator("[data-key-row]")).to_have_count(2)
    assert SigningKey.objects.filter(retired_at__isnull=True).count() == 1
    screenshot("credential-signing-keys")

    page.goto("/credentials/verify/")
    page.get_by_label("Paste the credential").fill(credential.token)
    page.get_by_role("button", name="Check credential").click()
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "valid")

"""Certifications in the browser: a learner finishes the security path, passes its quiz,
is certified at once, sees the certificate and downloads it; admins define and award;
managers sign off; anyone checks a certificate on its public page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from peerpath.learning import services as learning
from peerpath.recognition import certifications
from peerpath.recognition.models import (
    AwardMethod,
    AwardStatus,
    CertificationAward,
    SignOff,
)
from tests.factories import ModuleFactory
from tests.recognition.factories import (
    CertificationAwardFactory,
    CertificationFactory,
    security_path,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _security_certification(org):
    path, articles, quiz = security_path(org.lead)
    certification = certifications.certification_define(
        actor=org.admin,
        spec=certifications.CertificationSpec(
            name="Security awareness certified",
            description="Knows the security habits everyone at the company follows, and "
            "shows it on the assessment.",
            required_paths=[path],
            min_score=Decimal(80),
            validity_days=365,
        ),
    )
    return certification, articles, quiz


def test_learner_is_certified_at_once_and_downloads_the_certificate(
    org, sign_in, page, screenshot, axe
):
    _certification, articles, _quiz = _security_certification(org)
    CertificationFactory(name="Fire warden", description="Leads an evacuation calmly.")
    for article in articles:
        learning.progress_complete(user=org.member, module=article)
    sign_in(org.member)

    # The catalog shows the progress, criterion by criterion.
    page.goto("/learn/mine/")
    page.get_by_role("link", name="My certificates").click()
    page.get_by_role("link", name="See certifications").click()
    card = page.locator(".cert-card", has_text="Security awareness certified")
    expect(card).to_contain_text("2 of 3 modules")
    expect(card).to_contain_text("Not taken yet")
    assert axe() == []
    screenshot("certifications-catalog")

    card.get_by_role("link", name="Security awareness certified").click()
    expect(page.get_by_role("heading", name="What it asks")).to_be_visible()
    expect(page.get_by_text("You are certified the moment the last step is done.")).to_be_visible()
    assert axe() == []
    screenshot("certification-detail")

    # Pass the assessment: the last step.
    page.get_by_role("link", name="Security basics check: 80% or more").click()
    page_quiz = page.locator("#quiz")
    page_quiz.get_by_label("443").check()
    page_quiz.get_by_label("False").check()
    page_quiz.get_by_role("button", name="Submit answers").click()
    expect(page_quiz).to_contain_text("Passed — 100%")
    award = CertificationAward.objects.get(holder=org.member)
    assert award.method == AwardMethod.AUTOMATIC

    # Certified: the catalog and the certification say so and lead to the certificate.
    page.goto("/certifications/")
    held = page.locator(".cert-card--held")
    expect(held).to_contain_text("Certified")
    screenshot("certifications-catalog-held")
    held.get_by_role("link", name="View certificate").click()
    expect(page.locator(".certificate")).to_contain_text("Mina Member")
    expect(page.locator(".certificate")).to_contain_text("Security awareness certified")
    address = page.get_by_label("Verification address").input_value()
    assert address.endswith(f"/certificates/{award.public_id}/verify/")
    expect(page.locator(".verify-card svg")).to_be_visible()
    assert axe() == []
    screenshot("certificate-page")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("certificate-security-awareness-certified-")
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"

    # On a phone, the certificate and its verification stack up; dark mode keeps contrast.
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("certificate-page-mobile")
    page.emulate_media(color_scheme="dark")
    assert axe() == []
    screenshot("certificate-page-mobile-dark")
    page.emulate_media(color_scheme="light")
    page.goto("/certifications/mine/")
    expect(
        page.locator(".list-row__title", has_text="Security awareness certified")
    ).to_be_visible()
    assert axe() == []
    screenshot("my-certificates-mobile")


def test_anyone_checks_a_certificate_on_its_public_page(org, page, screenshot, axe):
    award = CertificationAwardFactory(
        certification=CertificationFactory(name="Forklift safety"), holder=org.member
    )
    page.goto(f"/certificates/{award.public_id}/verify/")
    expect(page.get_by_role("heading", name="Valid certificate")).to_be_visible()
    expect(page.locator(".verify-kv")).to_contain_text("Mina Member")
    expect(page.locator(".verify-kv")).to_contain_text("Forklift safety")
    assert axe() == []
    screenshot("certificate-verify")
    page.emulate_media(color_scheme="dark")
    assert axe() == []
    screenshot("certificate-verify-dark")
    page.emulate_media(color_scheme="light")
    certifications.award_revoke(actor=org.admin, award=award, reason="Licence withdrawn.")
    page.reload()
    expect(page.get_by_role("heading", name="Revoked: not in force")).to_be_visible()
    screenshot("certificate-verify-revoked")


def test_admin_defines_a_certification_and_awards_it_by_hand(org, sign_in, page, screenshot, axe):
    ModuleFactory(author=org.lead, title="Fire drill basics")
    sign_in(org.admin)
    page.goto("/certifications/")
    page.get_by_role("link", name="New certification").click()
    page.get_by_label("Name").fill("Fire warden")
    page.get_by_label("Description").fill(
        "Leads an evacuation calmly and knows the assembly points."
    )
    page.get_by_label("Required modules").select_option(label="Fire drill basics")
    page.get_by_label("Practical sign-off").select_option(label="Sign-off by the person's manager")
    page.get_by_label("Valid for (days)").fill("365")
    assert axe() == []
    screenshot("certification-define")
    page.get_by_role("button", name="Create certification").click()
    expect(page.get_by_role("heading", name="Fire warden")).to_be_visible()
    expect(page.locator(".kv")).to_contain_text("Sign-off by the person's manager")
    assert axe() == []
    screenshot("certification-detail-admin")

    page.get_by_role("link", name="Award by hand").click()
    page.get_by_label("Person’s email").fill(org.lead.email)
    page.get_by_label("Evidence").fill("Led the spring evacuation drill on 12 March.")
    assert axe() == []
    page.get_by_role("button", name="Award certification").click()
    expect(page.locator(".certificate")).to_contain_text("Leo Lead")
    expect(page.get_by_text("Led the spring evacuation drill")).to_be_visible()
    screenshot("certificate-page-manual")

    page.goto(f"/certifications/{CertificationAward.objects.get().certification.slug}/holders/")
    expect(page.locator("table.data")).to_contain_text("Leo Lead")
    assert axe() == []
    screenshot("certification-holders")
    page.get_by_role("link", name="Certificate of Leo Lead").click()
    page.get_by_role("link", name="Revoke…").click()
    page.get_by_label("Reason").fill("Awarded to the wrong person.")
    assert axe() == []
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator(".outcome--declined")).to_contain_text("Awarded to the wrong person.")
    assert CertificationAward.objects.get().status == AwardStatus.REVOKED


def test_manager_signs_off_from_the_queue(org, sign_in, page, screenshot, axe):
    article = ModuleFactory(author=org.lead, title="Evacuation plan")
    certification = CertificationFactory(name="Evacuation lead", sign_off=SignOff.MANAGER)
    certification.required_modules.add(article)
    learning.progress_complete(user=org.member, module=article)
    certifications.sign_off_request(
        candidate=org.member, certification=certification, note="Ran the drill on Tuesday."
    )
    sign_in(org.manager)
    page.goto("/certifications/")
    page.get_by_role("link", name="Sign-offs").click()
    expect(page.locator(".sign-off")).to_contain_text("Ran the drill on Tuesday.")
    assert axe() == []
    screenshot("certification-sign-offs")
    page.get_by_role("button", name="Sign off Mina Member").click()
    expect(page.locator(".messages")).to_contain_text("Mina Member is now certified.")
    assert CertificationAward.objects.get().holder == org.member

"""Certification pages: who may see and do what, what they show, and in how many queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from peerpath.learning import services as learning
from peerpath.recognition import certifications
from peerpath.recognition.models import (
    AwardMethod,
    AwardStatus,
    Certification,
    CertificationAward,
    SignOff,
    SignOffRequest,
    SignOffStatus,
)
from tests.factories import ModuleFactory
from tests.recognition.factories import (
    CertificationAwardFactory,
    CertificationFactory,
    security_path,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(org):
    certification = CertificationFactory(name="Fire warden", slug="fire-warden")
    award = CertificationAwardFactory(
        certification=certification,
        holder=org.member,
        method=AwardMethod.MANUAL,
        awarded_by=org.admin,
        evidence="Ran the spring fire drill without a hitch.",
    )
    return certification, award


def _url(name, *args):
    return reverse(f"recognition:{name}", args=args)


# --- Catalog and detail ----------------------------------------------------------------


def test_the_catalog_shows_each_certification_with_my_progress(org, client_for):
    path, articles, _quiz = security_path(org.lead)
    CertificationFactory(name="Security certified", slug="security-certified").required_paths.add(
        path
    )
    learning.progress_complete(user=org.member, module=articles[0])
    response = client_for(org.member).get(_url("certifications"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Security certified" in text
    assert "1 of 3 modules" in text
    assert "0 of 1 done" in text
    assert "New certification" not in text


def test_the_catalog_reads_in_the_same_queries_whatever_the_number_of_certifications(
    org, client_for, django_assert_max_num_queries
):
    client = client_for(org.member)
    modules = [ModuleFactory(author=org.lead) for _ in range(3)]

    def add(count: int) -> None:
        for _ in range(count):
            certification = CertificationFactory()
            certification.required_modules.set(modules)

    add(2)
    client.get(_url("certifications"))  # warm the session and navigation caches
    with django_assert_max_num_queries(16) as small:
        client.get(_url("certifications"))
    add(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(_url("certifications"))
    assert response.content.decode().count("cert-card") >= 12


def test_admins_define_certifications_and_others_may_not(org, client_for):
    article = ModuleFactory(author=org.lead, title="Clean desk")
    data = {
        "name": "Clean desk champion",
        "description": "Keeps a clear desk.",
        "required_modules": [str(article.public_id)],
        "sign_off": SignOff.NONE,
        "validity_days": "365",
        "recertify_within_days": "30",
    }
    assert client_for(org.manager).post(_url("certification_new"), data).status_code == 403
    assert client_for(org.member).get(_url("certification_new")).status_code == 403
    assert not Certification.objects.exists()
    admin = client_for(org.admin)
    assert admin.get(_url("certification_new")).status_code == 200
    response = admin.post(_url("certification_new"), data)
    certification = Certification.objects.get()
    assert response.url == _url("certification", certification.slug)
    assert list(certification.required_modules.all()) == [article]


def test_a_bad_definition_is_shown_back_with_its_errors(org, client_for):
    response = client_for(org.admin).post(
        _url("certification_new"),
        {
            "name": "Short lived",
            "description": "Quick.",
            "sign_off": SignOff.NONE,
            "validity_days": "10",
            "recertify_within_days": "30",
        },
    )
    assert response.status_code == 200
    assert "fewer days than the validity" in response.content.decode()
    assert not Certification.objects.exists()


def test_admins_edit_and_retire(org, client_for, held):
    certification, _ = held
    admin = client_for(org.admin)
    response = admin.post(
        _url("certification_edit", certification.slug),
        {
            "name": "Fire marshal",
            "description": "Leads evacuations.",
            "sign_off": SignOff.MANAGER,
            "validity_days": "730",
            "recertify_within_days": "60",
        },
    )
    assert response.status_code == 302
    certification.refresh_from_db()
    assert (certification.name, certification.sign_off) == ("Fire marshal", SignOff.MANAGER)
    assert (
        client_for(org.member).post(_url("certification_retire", certification.slug)).status_code
        == 403
    )
    admin.post(_url("certification_retire", certification.slug))
    certification.refresh_from_db()
    assert not certification.is_active
    # A retired certification's page is for admins; its holders keep their certificates.
    assert client_for(org.member).get(_url("certification", certification.slug)).status_code == 404
    assert admin.get(_url("certification", certification.slug)).status_code == 200


def test_the_detail_page_tells_the_holder_they_are_certified(org, client_for, held):
    certification, award = held
    text = client_for(org.member).get(_url("certification", certification.slug)).content.decode()
    assert "You are certified." in text
    assert _url("certificate", award.public_id) in text
    assert _url("certificate_pdf", award.public_id) in text


def test_the_permanent_address_leads_to_the_certification(org, client_for, held):
    certification, _ = held
    response = client_for(org.outsider).get(_url("certification_by_id", certification.public_id))
    assert response.url == _url("certification", certification.slug)


def test_my_certificates_lists_what_i_hold_and_held(org, client_for, held):
    _, award = held
    old = CertificationAwardFactory(holder=org.member, status=AwardStatus.EXPIRED)
    text = client_for(org.member).get(_url("my_certifications")).content.decode()
    assert _url("certificate", award.public_id) in text
    assert _url("certificate", old.public_id) in text
    assert "Expired" in text


# --- Certificates ----------------------------------------------------------------------


def test_the_certificate_is_for_the_holder_their_managers_and_admins(org, client_for, held):
    _, award = held
    for person in (org.member, org.manager, org.admin):
        assert client_for(person).get(_url("certificate", award.public_id)).status_code == 200
    for person in (org.outsider, org.lead):
        assert client_for(person).get(_url("certificate", award.public_id)).status_code == 403
        assert client_for(person).get(_url("certificate_pdf", award.public_id)).status_code == 403
    assert Client().get(_url("certificate", award.public_id)).status_code == 302  # sign in


def test_the_certificate_page_carries_the_verification_address_and_its_qr_code(
    org, client_for, held
):
    _, award = held
    text = client_for(org.member).get(_url("certificate", award.public_id)).content.decode()
    assert f"{settings.BASE_URL}/certificates/{award.public_id}/verify/" in text
    assert "<svg" in text
    assert "QR code of the verification address" in text
    assert "Mina Member" in text
    assert "Fire warden" in text
    assert "Ran the spring fire drill" in text


def test_the_pdf_is_a_real_pdf_to_download(org, client_for, held):
    _, award = held
    response = client_for(org.member).get(_url("certificate_pdf", award.public_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="certificate-fire-warden-'
    )
    body = response.content
    assert body.startswith(b"%PDF-")
    assert body.rstrip().endswith(b"%%EOF")
    assert len(body) > 2000


def test_the_public_check_shows_only_name_certification_dates_and_status(held):
    _, award = held
    response = Client().get(_url("certificate_verify", award.public_id))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    text = response.content.decode()
    assert "Valid certificate" in text
    assert "Mina Member" in text
    assert "Fire warden" in text
    assert award.holder.email not in text
    assert "spring fire drill" not in text  # the evidence stays private


def test_the_public_check_says_when_a_certificate_is_revoked(org, held):
    _, award = held
    certifications.award_revoke(actor=org.admin, award=award, reason="Shared the answers.")
    text = Client().get(_url("certificate_verify", award.public_id)).content.decode()
    assert "Revoked: not in force" in text
    assert "Shared the answers" not in text


def test_an_unknown_code_is_not_found():
    assert (
        Client().get(_url("certificate_verify", "7d3c2f0e-0000-4000-8000-000000000000")).status_code
        == 404
    )


def test_only_admins_revoke_from_the_certificate(org, client_for, held):
    _, award = held
    url = _url("certificate_revoke", award.public_id)
    assert client_for(org.manager).post(url, {"reason": "No."}).status_code == 403
    assert CertificationAward.objects.get(pk=award.pk).status == AwardStatus.ACTIVE
    response = client_for(org.admin).post(url, {"reason": "The exam was retaken."})
    assert response.url == _url("certificate", award.public_id)
    award.refresh_from_db()
    assert (award.status, award.revoked_reason) == (AwardStatus.REVOKED, "The exam was retaken.")


# --- Awarding by hand and holders ------------------------------------------------------


def test_an_admin_awards_by_email_with_evidence(org, client_for):
    certification = CertificationFactory(slug="first-aid")
    admin = client_for(org.admin)
    url = _url("certification_award", certification.slug)
    response = admin.post(url, {"person": "nobody@example.com", "evidence": "Red Cross course."})
    assert "Nobody in Peerpath has this email address." in response.content.decode()
    response = admin.post(url, {"person": org.lead.email, "evidence": "Red Cross course, May."})
    award = CertificationAward.objects.get()
    assert response.url == _url("certificate", award.public_id)
    assert (award.holder, award.method) == (org.lead, AwardMethod.MANUAL)
    assert client_for(org.manager).get(url).status_code == 403


def test_holders_are_listed_for_admins_in_bounded_queries(
    org, client_for, held, django_assert_max_num_queries
):
    certification, _ = held
    for person in (org.lead, org.deep, org.outsider, org.manager):
        CertificationAwardFactory(certification=certification, holder=person)
    url = _url("certification_holders", certification.slug)
    assert client_for(org.member).get(url).status_code == 403
    admin = client_for(org.admin)
    admin.get(url)
    with django_assert_max_num_queries(10):
        response = admin.get(url)
    assert response.content.decode().count("/certificates/") >= 5


# --- Sign-offs -------------------------------------------------------------------------


@pytest.fixture
def signed(org):
    article = ModuleFactory(author=org.lead, title="Evacuation plan")
    certification = CertificationFactory(name="Evacuation lead", slug="evacuation-lead")
    certification.sign_off = SignOff.MANAGER
    certification.save()
    certification.required_modules.add(article)
    return certification, article


def test_a_learner_asks_and_their_manager_signs_off_from_the_queue(org, client_for, signed):
    certification, article = signed
    learning.progress_complete(user=org.member, module=article)
    member = client_for(org.member)
    page = member.get(_url("certification", certification.slug)).content.decode()
    assert "Ask my manager to sign off" in page
    member.post(_url("sign_off_ask", certification.slug), {"note": "Did the drill Tuesday."})
    request = SignOffRequest.objects.get()
    manager = client_for(org.manager)
    queue = manager.get(_url("sign_offs")).content.decode()
    assert "Mina Member" in queue
    assert "Did the drill Tuesday." in queue
    # Someone outside the line may not decide it.
    assert (
        client_for(org.outsider).post(_url("sign_off_approve", request.public_id)).status_code
        == 403
    )
    assert (
        client_for(org.outsider).get(_url("sign_offs")).content.decode().count("Mina Member") == 0
    )
    response = manager.post(_url("sign_off_approve", request.public_id), {"note": "Great."})
    assert response.url == _url("sign_offs")
    request.refresh_from_db()
    assert request.status == SignOffStatus.APPROVED
    assert CertificationAward.objects.get().holder == org.member


def test_declining_needs_a_note(org, client_for, signed):
    certification, _ = signed
    request = certifications.sign_off_request(candidate=org.member, certification=certification)
    manager = client_for(org.manager)
    manager.post(_url("sign_off_decline", request.public_id), {"note": ""})
    request.refresh_from_db()
    assert request.status == SignOffStatus.PENDING
    manager.post(_url("sign_off_decline", request.public_id), {"note": "Practise first."})
    request.refresh_from_db()
    assert request.status == SignOffStatus.DECLINED


def test_the_admin_navigation_links_to_certifications(org, client_for):
    text = client_for(org.admin).get(reverse("people:admin_home")).content.decode()
    assert _url("certifications") in text


def test_my_learning_links_to_my_certificates(org, client_for):
    text = client_for(org.member).get(reverse("learning:mine")).content.decode()
    assert _url("my_certifications") in text


def test_an_expired_award_shows_as_expired_on_its_certificate(org, client_for):
    award = CertificationAwardFactory(
        holder=org.member,
        awarded_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    text = client_for(org.member).get(_url("certificate", award.public_id)).content.decode()
    assert "Expired" in text


def test_the_profile_links_each_certification_to_its_certificate_or_public_check(
    org, client_for, held
):
    _, award = held
    profile = reverse("people:profile", args=[org.member.public_id])
    own = client_for(org.member).get(profile).content.decode()
    assert _url("certificate", award.public_id) in own
    colleague = client_for(org.outsider).get(profile).content.decode()
    assert _url("certificate_verify", award.public_id) in colleague
    assert _url("certificate", award.public_id) + '"' not in colleague


def test_the_sign_off_queue_reads_in_bounded_queries(
    org, client_for, django_assert_max_num_queries
):
    article = ModuleFactory(author=org.lead)
    for _n in range(6):
        certification = CertificationFactory(sign_off=SignOff.MANAGER)
        certification.required_modules.add(article)
        for person in (org.member, org.lead, org.deep):
            certifications.sign_off_request(candidate=person, certification=certification)
    manager = client_for(org.manager)
    manager.get(_url("sign_offs"))
    with django_assert_max_num_queries(10):
        response = manager.get(_url("sign_offs"))
    assert response.content.decode().count('class="card sign-off"') == 18


def test_the_edit_form_shows_what_the_certification_asks(org, client_for):
    article = ModuleFactory(author=org.lead, title="Evacuation plan")
    certification = CertificationFactory(slug="evacuation")
    certification.required_modules.add(article)
    text = (
        client_for(org.admin).get(_url("certification_edit", certification.slug)).content.decode()
    )
    assert f'<option value="{article.public_id}" selected>Evacuation plan</option>' in text

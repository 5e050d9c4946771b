"""The certificate PDF: a real one-page PDF for any holder's name, marked when void, with
its verification address broken only where it fits."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from reportlab.pdfbase import pdfmetrics

from peerpath.recognition import certificates, certifications
from peerpath.recognition.models import AwardStatus
from tests.factories import UserFactory
from tests.recognition.factories import CertificationAwardFactory, CertificationFactory

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.mark.django_db
def test_any_name_is_printed_with_an_embedded_font():
    holder = UserFactory(display_name="Zoë Ångström-Łukasiewicz 王小明")
    award = CertificationAwardFactory(
        holder=holder, certification=CertificationFactory(name="Sécurité des données")
    )
    body = certificates.certificate_pdf(award)
    assert body.startswith(b"%PDF-")
    assert body.count(b"/Type /Page\n") + body.count(b"/Type /Page ") >= 1
    if DEJAVU.is_file():
        assert b"DejaVuSans" in body


@pytest.mark.django_db
def test_a_certificate_no_longer_in_force_says_so(org):
    award = CertificationAwardFactory(holder=org.member)
    assert certificates.certificate_text(award).status == ""
    certifications.award_revoke(actor=org.admin, award=award, reason="Withdrawn.")
    award.refresh_from_db()
    assert award.status == AwardStatus.REVOKED
    assert certificates.certificate_text(award).status == "Revoked"
    assert certificates.certificate_pdf(award).startswith(b"%PDF-")


@pytest.mark.django_db
def test_the_qr_code_is_inline_svg_of_the_verification_address(org):
    award = CertificationAwardFactory(holder=org.member)
    url = certificates.verification_url(award)
    assert url.endswith(f"/certificates/{award.public_id}/verify/")
    svg = certificates.qr_svg(url)
    assert svg.startswith("<svg")
    assert "<title>" in svg


@given(
    host=st.from_regex(r"https?://[a-z]{1,40}(\.[a-z]{2,12}){1,3}(:[0-9]{2,5})?", fullmatch=True),
    code=st.uuids(),
)
def test_the_address_is_broken_only_after_slashes_and_loses_nothing(host, code):
    url = f"{host}/certificates/{code}/verify/"
    lines = certificates._url_lines(url, "Helvetica", 8, 210)
    assert "".join(lines) == url
    for line in lines[:-1]:
        assert line.endswith("/")
    for line in lines:
        # A line is longer than the width only when it is one unbreakable segment.
        if pdfmetrics.stringWidth(line, "Helvetica", 8) > 210:
            assert line.strip("/").count("/") == 0

"""A certificate as a printable PDF (reportlab) and its verification QR code (segno).

The PDF and the page carry the same verification address: anyone holding a printed
certificate scans the code and sees on Peerpath's public page whether it still holds.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from peerpath.recognition.models import AwardMethod, AwardStatus

if TYPE_CHECKING:
    from peerpath.recognition.models import CertificationAward

PRIMARY = HexColor("#3a4fd6")
PRIMARY_SOFT = HexColor("#e8ebfd")
ACCENT = HexColor("#0b7a5f")
TEXT = HexColor("#1b2033")
MUTED = HexColor("#535b73")
DANGER = HexColor("#b42335")

# Fonts with the glyphs of every name people have; the PDF's base-14 fonts cover only
# Latin-1, so they are the fallback when DejaVu is not installed.
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
)
_FONT_FILES = {
    "PeerpathSans": "DejaVuSans.ttf",
    "PeerpathSans-Bold": "DejaVuSans-Bold.ttf",
    "PeerpathSerif-Bold": "DejaVuSerif-Bold.ttf",
}
_FALLBACK = {
    "PeerpathSans": "Helvetica",
    "PeerpathSans-Bold": "Helvetica-Bold",
    "PeerpathSerif-Bold": "Times-Bold",
}
_fonts: dict[str, str] = {}


def _font(name: str) -> str:
    """The registered font for a role, registering DejaVu on first use when present."""
    if name in _fonts:
        return _fonts[name]
    chosen = _FALLBACK[name]
    for folder in _FONT_DIRS:
        path = folder / _FONT_FILES[name]
        if path.is_file():
            pdfmetrics.registerFont(TTFont(name, str(path)))
            chosen = name
            break
    _fonts[name] = chosen
    return chosen


def verification_url(award: CertificationAward) -> str:
    return settings.BASE_URL + reverse("recognition:certificate_verify", args=[award.public_id])


def qr_svg(url: str, *, title: str = "QR code of the verification address") -> SafeString:
    """The QR code of ``url`` as inline SVG (our own address: nothing user-written)."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=4, border=2, dark="#1b2033", light="#ffffff", title=title)
    return mark_safe(svg)  # noqa: S308 - segno's SVG of an address Peerpath built


@dataclass(frozen=True)
class CertificateText:
    """What a certificate says, in the order a reader meets it."""

    org_name: str
    holder: str
    certification: str
    skills: list[str]
    awarded_on: str
    valid_until: str
    method: str
    code: str
    url: str
    status: str  # "" while in force, else what it became ("Revoked", "Expired", …)


def _day(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return date_format(timezone.localtime(moment), "j F Y")


def certificate_text(award: CertificationAward) -> CertificateText:
    certification = award.certification
    status = "" if award.status == AwardStatus.ACTIVE else award.get_status_display()
    if (
        award.status == AwardStatus.ACTIVE
        and award.expires_at
        and award.expires_at <= timezone.now()
    ):
        status = "Expired"
    return CertificateText(
        org_name=settings.ORG_NAME,
        holder=award.holder.display_name,
        certification=certification.name,
        skills=[s.name for s in certification.skills.all()],
        awarded_on=_day(award.awarded_at),
        valid_until=_day(award.expires_at) or "Does not expire",
        method={
            AwardMethod.AUTOMATIC: "Criteria met",
            AwardMethod.MANUAL: "Awarded on evidence",
            AwardMethod.RECERTIFIED: "Recertified",
        }.get(AwardMethod(award.method), ""),
        code=str(award.public_id),
        url=verification_url(award),
        status=status,
    )


def _centred(canvas: Canvas, text: str, *, y: float, font: str, size: float, width: float) -> float:
    """Draw ``text`` centred, wrapped to ``width``; return the baseline of the last line."""
    lines = simpleSplit(text, font, size, width) or [""]
    page_width = canvas._pagesize[0]
    canvas.setFont(font, size)
    for line in lines:
        canvas.drawCentredString(page_width / 2, y, line)
        y -= size * 1.25
    return y + size * 1.25


def _url_lines(url: str, font: str, size: float, width: float) -> list[str]:
    """An address broken after slashes so that each line fits ``width``."""
    lines: list[str] = []
    current = ""
    for part in url.split("/"):
        piece = f"{current}/{part}" if current or lines else part
        # Measured with the slash a broken line ends with.
        if current and pdfmetrics.stringWidth(piece + "/", font, size) > width:
            lines.append(current + "/")
            current = part
        else:
            current = piece
    if current:
        lines.append(current)
    return lines


def _draw_qr(canvas: Canvas, url: str, *, x: float, y: float, size: float) -> None:
    """The QR code as filled squares, ``size`` points wide, lower-left corner at x, y."""
    matrix = segno.make(url, error="m").matrix
    count = len(matrix)
    module = size / count
    canvas.setFillColor(Color(1, 1, 1))
    canvas.rect(x - 4, y - 4, size + 8, size + 8, stroke=0, fill=1)
    canvas.setFillColor(TEXT)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                canvas.rect(
                    x + col_index * module,
                    y + size - (row_index + 1) * module,
                    module,
                    module,
                    stroke=0,
                    fill=1,
                )


def _draw_seal(canvas: Canvas, *, x: float, y: float, void: bool, font: str) -> None:
    """A round seal with a tick: the certificate's mark of being in force."""
    colour = DANGER if void else ACCENT
    canvas.saveState()
    canvas.setStrokeColor(colour)
    canvas.setFillColor(colour)
    canvas.setLineWidth(1.2)
    canvas.circle(x, y, 34, stroke=1, fill=0)
    canvas.circle(x, y, 29, stroke=0, fill=1)
    if not void:
        canvas.setStrokeColor(Color(1, 1, 1))
        canvas.setLineWidth(4)
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        tick = canvas.beginPath()
        tick.moveTo(x - 12, y + 1)
        tick.lineTo(x - 3, y - 9)
        tick.lineTo(x + 13, y + 10)
        canvas.drawPath(tick, stroke=1, fill=0)
    canvas.setFillColor(colour)
    canvas.setFont(font, 8)
    canvas.drawCentredString(x, y - 50, "CERTIFIED" if not void else "NOT IN FORCE")
    canvas.restoreState()


def certificate_pdf(award: CertificationAward) -> bytes:
    """The certificate as a one-page A4 landscape PDF."""
    text = certificate_text(award)
    buffer = io.BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(f"{text.certification} — {text.holder}")
    canvas.setAuthor(text.org_name)
    canvas.setSubject(f"Certificate {text.code}")
    canvas.setCreator("Peerpath")
    sans, bold, serif = (
        _font("PeerpathSans"),
        _font("PeerpathSans-Bold"),
        _font("PeerpathSerif-Bold"),
    )

    # Frame: a soft band, a strong outer rule and a fine inner one.
    canvas.setFillColor(PRIMARY_SOFT)
    canvas.rect(0, 0, width, height, stroke=0, fill=1)
    canvas.setFillColor(Color(1, 1, 1))
    canvas.rect(22, 22, width - 44, height - 44, stroke=0, fill=1)
    canvas.setStrokeColor(PRIMARY)
    canvas.setLineWidth(3)
    canvas.rect(22, 22, width - 44, height - 44, stroke=1, fill=0)
    canvas.setLineWidth(0.8)
    canvas.rect(32, 32, width - 64, height - 64, stroke=1, fill=0)
    canvas.setFillColor(PRIMARY)
    canvas.rect(width / 2 - 60, height - 34, 120, 4, stroke=0, fill=1)

    inner = width - 200
    canvas.setFillColor(PRIMARY)
    canvas.setFont(bold, 12)
    canvas.drawCentredString(width / 2, height - 92, text.org_name.upper())
    canvas.setFillColor(TEXT)
    y = _centred(canvas, "Certificate", y=height - 144, font=serif, size=40, width=inner)
    canvas.setFillColor(MUTED)
    y = _centred(canvas, "This certifies that", y=y - 44, font=sans, size=13, width=inner)
    canvas.setFillColor(TEXT)
    y = _centred(canvas, text.holder, y=y - 40, font=serif, size=30, width=inner)
    canvas.setStrokeColor(PRIMARY)
    canvas.setLineWidth(0.8)
    canvas.line(width / 2 - 160, y - 12, width / 2 + 160, y - 12)
    canvas.setFillColor(MUTED)
    y = _centred(canvas, "has earned the certification", y=y - 38, font=sans, size=13, width=inner)
    canvas.setFillColor(PRIMARY)
    y = _centred(canvas, text.certification, y=y - 32, font=bold, size=22, width=inner)
    if text.skills:
        canvas.setFillColor(MUTED)
        _centred(canvas, " · ".join(text.skills), y=y - 24, font=sans, size=10, width=inner)

    _draw_seal(canvas, x=width / 2, y=206, void=bool(text.status), font=bold)

    # Facts, bottom left.
    left, base = 70, 150
    facts = [
        ("Awarded", text.awarded_on),
        ("Valid until", text.valid_until),
        ("How", text.method),
        ("Certificate ID", text.code),
    ]
    for index, (label, value) in enumerate(facts):
        row = base - index * 22
        canvas.setFillColor(MUTED)
        canvas.setFont(sans, 9)
        canvas.drawString(left, row, label.upper())
        canvas.setFillColor(TEXT)
        canvas.setFont(bold if index < 2 else sans, 11 if index < 2 else 9)
        canvas.drawString(left + 92, row, value)

    # Verification, bottom right: the code and the address it holds.
    qr_size = 96
    qr_x, qr_y = width - 70 - qr_size, 70
    _draw_qr(canvas, text.url, x=qr_x, y=qr_y, size=qr_size)
    canvas.setFillColor(MUTED)
    canvas.setFont(sans, 8)
    lines = ["Check it at", *_url_lines(text.url, sans, 8, 210)]
    for index, line in enumerate(lines):
        canvas.drawRightString(qr_x - 14, qr_y + qr_size - 10 - index * 11, line)
    canvas.setFont(bold, 9)
    canvas.setFillColor(ACCENT)
    canvas.drawRightString(qr_x - 14, qr_y + qr_size - 10 - len(lines) * 11 - 4, "Scan to verify")

    if text.status:
        # A certificate no longer in force says so across the page.
        canvas.saveState()
        canvas.translate(width / 2, height / 2)
        canvas.rotate(24)
        canvas.setFillColor(DANGER)
        canvas.setFillAlpha(0.16)
        canvas.setFont(bold, 96)
        canvas.drawCentredString(0, -30, text.status.upper())
        canvas.restoreState()

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def certificate_filename(award: CertificationAward) -> str:
    return f"certificate-{award.certification.slug}-{str(award.public_id)[:8]}.pdf"

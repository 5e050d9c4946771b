"""Decks, documents and uploads in real Chromium: build, present, navigate, resume, read."""

from __future__ import annotations

import io
import re
import time

import pytest
from PIL import Image
from playwright.sync_api import expect

from peerpath.content import assets
from peerpath.content.models import AssetKind, Module
from peerpath.learning.models import ModuleProgress
from tests.browser.conftest import SCREENSHOTS
from tests.content import files
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db(transaction=True)

SLIDES = """# Warm transfers

Hand a caller over without making them repeat themselves.

Note: Ask who was transferred twice this week.

---

## Before you transfer

- Explain why you are transferring
- Say who they will speak to
- Stay on the line

Note: Role-play this with a partner.

---

## Introduce the caller

> “I have Sam on the line about a missing refund; they have already confirmed their address.”

---

## Recap

1. Explain
2. Stay
3. Introduce
"""


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def counter(page):
    return page.locator(".deck__counter")


def wait_for_resume_at(user, module, value: str) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        progress = ModuleProgress.objects.filter(user=user, module=module).first()
        if progress and progress.resume_at == value:
            return
        time.sleep(0.1)
    raise AssertionError(f"resume_at never became {value!r}")


def real_pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (620, 877), (255, 255, 255)).save(out, format="PDF")
    return out.getvalue()


def test_author_builds_a_deck_publishes_and_presents_it_with_notes(
    org, sign_in, page, screenshot, axe
):
    sign_in(org.lead)
    page.goto("/create/new/")
    page.get_by_role("link", name="Slide deck").click()
    page.get_by_label("Title").fill("Warm transfers")
    page.get_by_label("Summary").fill("Hand a caller over without making them repeat themselves.")
    page.get_by_label("Estimated minutes").fill("6")
    page.get_by_label("Slides").fill(SLIDES)
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1, name="Warm transfers").first).to_be_visible()
    module = Module.objects.get(title="Warm transfers")
    assert module.kind == "deck"

    expect(counter(page)).to_have_text("Slide 1 / 4")
    expect(page.get_by_text("Ask who was transferred twice this week.")).to_be_visible()
    expect(page.get_by_role("heading", name="Before you transfer")).to_be_hidden()
    assert axe() == []
    screenshot("deck-author")

    page.get_by_role("button", name="Present full screen").click()
    expect(page.locator(".deck")).to_have_class(re.compile("deck--presenting"))
    assert page.evaluate("document.fullscreenElement?.dataset.deck !== undefined")
    page.keyboard.press("ArrowRight")
    expect(counter(page)).to_have_text("Slide 2 / 4")
    expect(page.get_by_text("Role-play this with a partner.")).to_be_visible()
    screenshot("deck-presenting")
    page.keyboard.press("PageDown")
    expect(counter(page)).to_have_text("Slide 3 / 4")
    page.keyboard.press("Space")
    expect(counter(page)).to_have_text("Slide 4 / 4")
    page.keyboard.press("Home")
    expect(counter(page)).to_have_text("Slide 1 / 4")
    page.keyboard.press("End")
    expect(counter(page)).to_have_text("Slide 4 / 4")
    page.keyboard.press("PageUp")
    expect(counter(page)).to_have_text("Slide 3 / 4")
    page.get_by_role("button", name="Leave full screen").click()
    expect(page.locator(".deck")).not_to_have_class(re.compile("deck--presenting"))
    assert page.evaluate("document.fullscreenElement") is None


def test_learner_navigates_with_buttons_and_keys_then_resumes(org, sign_in, page, screenshot, axe):
    deck = ModuleFactory(author=org.lead, title="Warm transfers", kind="deck", body_markdown=SLIDES)
    sign_in(org.member)
    page.goto(f"/learn/m/{deck.public_id}/{deck.slug}/")
    expect(counter(page)).to_have_text("Slide 1 / 4")
    assert "Ask who was transferred" not in page.content()
    expect(page.get_by_text("Speaker notes")).to_have_count(0)

    page.get_by_role("button", name="Next slide").click()
    page.get_by_role("button", name="Next slide").click()
    expect(counter(page)).to_have_text("Slide 3 / 4")
    page.keyboard.press("ArrowLeft")
    expect(counter(page)).to_have_text("Slide 2 / 4")
    expect(page.get_by_role("heading", name="Before you transfer")).to_be_visible()
    wait_for_resume_at(org.member, deck, "3")
    assert axe() == []

    page.reload()
    expect(counter(page)).to_have_text("Slide 3 / 4")
    expect(page.get_by_text("Picking up where you left off, at slide 3.")).to_be_visible()
    page.get_by_role("button", name="Next slide").click()
    assert ModuleProgress.objects.get(user=org.member).status == "in_progress"
    deck_end = page.locator("[data-deck-end]")
    expect(deck_end).to_be_visible()
    screenshot("deck-learner-end")
    deck_end.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_role("status").filter(has_text="Completed")).to_be_visible()
    expect(deck_end).to_have_count(0)
    wait_for_resume_at(org.member, deck, "4")
    progress = ModuleProgress.objects.get(user=org.member)
    assert (progress.status, progress.percent) == ("completed", 100)


SWIPE_LEFT = """stage => {
    const touch = (x) => new Touch({identifier: 1, target: stage, clientX: x, clientY: 300});
    const fire = (type, x) => stage.dispatchEvent(
        new TouchEvent(type, {changedTouches: [touch(x)], bubbles: true}));
    fire('touchstart', 300);
    fire('touchend', 100);
}"""


def test_deck_on_a_phone_swipes_between_slides(org, browser, live_server):
    deck = ModuleFactory(author=org.lead, title="Warm transfers", kind="deck", body_markdown=SLIDES)
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
    )
    mobile = phone.new_page()
    mobile.goto("/accounts/login/")
    mobile.get_by_label("Email").fill(org.member.email)
    mobile.get_by_label("Password").fill("correct-horse-battery-9")
    mobile.get_by_role("button", name="Sign in").click()
    mobile.wait_for_url(lambda url: "/accounts/login" not in url)
    mobile.goto(f"/learn/m/{deck.public_id}/{deck.slug}/")
    expect(mobile.locator(".deck__counter")).to_have_text("Slide 1 / 4")
    mobile.locator("[data-deck-stage]").evaluate(SWIPE_LEFT)
    expect(mobile.locator(".deck__counter")).to_have_text("Slide 2 / 4")
    mobile.get_by_role("button", name="Next slide").click()
    expect(mobile.locator(".deck__counter")).to_have_text("Slide 3 / 4")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    mobile.screenshot(path=str(SCREENSHOTS / "deck-phone.png"), full_page=True)
    phone.close()


def test_without_javascript_every_slide_is_shown(org, browser, live_server):
    deck = ModuleFactory(author=org.lead, title="Warm transfers", kind="deck", body_markdown=SLIDES)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    plain = context.new_page()
    plain.goto("/accounts/login/")
    plain.get_by_label("Email").fill(org.member.email)
    plain.get_by_label("Password").fill("correct-horse-battery-9")
    plain.get_by_role("button", name="Sign in").click()
    plain.goto(f"/learn/m/{deck.public_id}/{deck.slug}/")
    for heading in ["Warm transfers", "Before you transfer", "Introduce the caller", "Recap"]:
        expect(plain.locator(".deck").get_by_role("heading", name=heading)).to_be_visible()
    expect(plain.get_by_role("button", name="Next slide")).to_be_hidden()
    context.close()


def test_author_uploads_an_image_into_an_article_and_sees_it(org, sign_in, page, screenshot):
    module = ModuleFactory(
        author=org.lead, title="Floor walk", body_markdown="## Where things are\n"
    )
    sign_in(org.lead)
    page.goto(f"/create/{module.public_id}/edit/")
    editor = page.get_by_label("Content")
    editor.click()
    page.keyboard.press("Control+End")
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "floor plan.png", "mimeType": "image/png", "buffer": files.image_bytes()}]
    )
    page.get_by_label("Description").fill("Floor plan of the contact centre")
    page.get_by_role("button", name="Upload and insert").click()
    expect(page.get_by_text("is uploaded and inserted into the text")).to_be_visible()
    value = editor.input_value()
    inserted = (
        r"!\[Floor plan of the contact centre\]\(/media/assets/[0-9a-f-]{36}/floor-plan\.png\)"
    )
    assert re.search(rf"## Where things are\n\n{inserted}\n", value), value
    screenshot("editor-uploaded")

    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "cat.png", "mimeType": "image/png", "buffer": files.HTML}]
    )
    page.get_by_role("button", name="Upload and insert").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "That file is not a PNG, JPEG, GIF or WebP image"
    )

    page.get_by_role("button", name="Publish").click()
    image = page.get_by_role("img", name="Floor plan of the contact centre")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 960


def test_a_pdf_document_module_shows_inline(org, sign_in, page, screenshot, axe):
    pdf = assets.asset_create(
        owner=org.lead,
        upload=files.upload("Safety handbook.pdf", real_pdf()),
        allowed={AssetKind.PDF},
    )
    module = ModuleFactory(
        author=org.lead,
        title="Safety handbook",
        kind="file",
        body_markdown="Read sections 1 to 3 before your first shift.",
        document=pdf,
    )
    sign_in(org.member)
    page.goto(f"/learn/m/{module.public_id}/{module.slug}/")
    frame = page.locator("iframe[title='Safety handbook.pdf (PDF)']")
    expect(frame).to_be_visible()
    assert frame.get_attribute("src") == f"{pdf.url}#view=FitH"
    response = page.request.get(pdf.url)
    assert response.headers["content-type"] == "application/pdf"
    expect(page.get_by_role("link", name="Download Safety handbook.pdf")).to_be_visible()
    assert axe() == []
    screenshot("document-pdf")

"""Learning paths in Chromium: an author builds and publishes one; a learner follows it."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import Page, expect

from peerpath.content import paths
from peerpath.content.models import LearningPath, ModuleStatus
from peerpath.learning import services
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded covers go to a fresh folder for each test."""
    settings.MEDIA_ROOT = tmp_path / "media"


def _cover_png() -> bytes:
    """A wide, soft two-colour gradient: something like a real cover photo's palette."""
    image = Image.new("RGB", (1200, 400))
    pixels = image.load()
    for x in range(1200):
        for y in range(0, 400, 4):
            t = x / 1199
            colour = (int(39 + 20 * t), int(52 + 60 * t + y / 20), int(143 + 30 * (1 - t)))
            for dy in range(4):
                pixels[x, y + dy] = colour
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _search(page: Page, section: str, query: str) -> None:
    details = (
        page.locator("#outline section")
        .filter(has=page.get_by_role("heading", name=section, exact=True))
        .locator("details.path-add")
    )
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    details.get_by_label("Search published modules by title").fill(query)


def _add_module(page: Page, section: str, query: str, title: str) -> None:
    _search(page, section, query)
    page.get_by_role("button", name=f"Add “{title}”").click()
    expect(page.get_by_role("status").filter(has_text=f"Added “{title}”")).to_be_attached()
    expect(page.locator("#outline").get_by_role("link", name=title)).to_be_visible()


def test_author_builds_a_path_with_sections_and_publishes_it(org, sign_in, page, axe, screenshot):
    for title, minutes in [("Greeting callers", 5), ("Active listening", 10), ("Hard calls", 20)]:
        ModuleFactory(author=org.member, title=title, estimated_minutes=minutes)
    ModuleFactory(author=org.member, title="Greeting drafts", publish=False)
    sign_in(org.lead)

    page.goto("/create/")
    page.get_by_role("link", name="My paths").click()
    expect(page.get_by_role("heading", name="My learning paths")).to_be_visible()
    assert axe() == []
    page.get_by_role("link", name="New path").click()
    page.get_by_label("Title").fill("Contact Centre essentials")
    page.get_by_label("Summary").fill("The core skills for taking customer calls.")
    assert axe() == []
    page.get_by_role("button", name="Create path").click()
    expect(page.get_by_role("heading", name="Contact Centre essentials")).to_be_visible()

    page.get_by_label("New section").fill("Basics")
    page.get_by_role("button", name="Add section").click()
    expect(page.get_by_role("heading", name="Basics")).to_be_visible()
    page.get_by_label("New section").fill("Practice")
    page.get_by_role("button", name="Add section").click()
    expect(page.get_by_role("heading", name="Practice")).to_be_visible()

    # The live search finds published modules by any author, and no drafts.
    _search(page, "Basics", "greet")
    expect(page.get_by_role("button", name="Add “Greeting callers”")).to_be_visible()
    expect(page.get_by_text("Greeting drafts")).to_have_count(0)
    _add_module(page, "Basics", "greet", "Greeting callers")
    _add_module(page, "Basics", "listen", "Active listening")
    _add_module(page, "Practice", "hard", "Hard calls")
    # Added modules drop out of the search results.
    _search(page, "Basics", "greet")
    expect(page.get_by_text("No published modules match “greet”")).to_be_visible()

    # Reorder with the keyboard: focus stays on the button that moved the step.
    move_up = page.get_by_role("button", name="Move “Active listening” up")
    move_up.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="is now step 1")).to_be_attached()
    expect(page.get_by_role("button", name="Move “Active listening” up")).to_be_focused()
    path = LearningPath.objects.get()
    assert [s.module.title for s in path.steps.order_by("position")] == [
        "Active listening",
        "Greeting callers",
        "Hard calls",
    ]

    # Hard calls waits for Greeting callers.
    page.get_by_text("Prerequisites for “Hard calls”").click()
    page.get_by_label("2. Greeting callers").check()
    page.get_by_role("button", name="Save prerequisites for “Hard calls”").click()
    expect(page.get_by_text("Needs first: “Greeting callers”")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("path-editor")
    assert axe() == []

    page.get_by_label("Choose an image").set_input_files(
        files=[{"name": "team.png", "mimeType": "image/png", "buffer": _cover_png()}]
    )
    page.get_by_role("button", name="Upload cover").click()
    expect(page.get_by_text("The new cover image is saved.")).to_be_visible()
    expect(page.get_by_role("img", name="The current cover image")).to_be_visible()

    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("path-editor-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.get_by_role("button", name="Publish path").click()
    expect(page.get_by_role("heading", level=1, name="Contact Centre essentials")).to_be_visible()
    expect(page.locator("img.path-hero__cover")).to_be_visible()
    path.refresh_from_db()
    assert path.status == ModuleStatus.PUBLISHED
    expect(page.get_by_text("Finish “Greeting callers” first")).to_be_visible()


def test_a_refused_move_is_explained_in_place(org, sign_in, page):
    a, b = (
        ModuleFactory(author=org.lead, title="First"),
        ModuleFactory(author=org.lead, title="Next"),
    )
    path = paths.path_create(author=org.lead, title="Order", summary="S", sections=[("S", [a, b])])
    first, second = path.steps.order_by("position")
    paths.path_step_set_prerequisites(actor=org.lead, step=second, prerequisites=[first])
    sign_in(org.lead)
    page.goto(f"/create/paths/{path.public_id}/")
    page.get_by_role("button", name="Move “Next” up").click()
    expect(page.get_by_role("alert")).to_contain_text("“Next” needs “First” first")


@pytest.fixture
def followed(org):
    modules = [
        ModuleFactory(author=org.lead, title=title, estimated_minutes=minutes)
        for title, minutes in [
            ("Greeting callers", 5),
            ("Active listening", 10),
            ("Hard calls", 20),
            ("After-call work", 8),
        ]
    ]
    path = paths.path_create(
        author=org.lead,
        title="Contact Centre essentials",
        summary="From the first hello to after-call work.",
        description_markdown="For **new agents** in their first two weeks.",
        sections=[("On the call", modules[:2]), ("Harder conversations", modules[2:])],
    )
    steps = list(path.steps.order_by("position"))
    paths.path_step_set_prerequisites(actor=org.lead, step=steps[2], prerequisites=[steps[1]])
    paths.path_upload_cover(
        actor=org.lead,
        path=path,
        upload=SimpleUploadedFile("calls.png", _cover_png(), content_type="image/png"),
    )
    paths.path_publish(actor=org.lead, path=path)
    return path


def test_learner_follows_a_path_and_sees_progress_move(
    org, followed, sign_in, page, axe, screenshot
):
    services.progress_complete(user=org.member, module=followed.steps.get(position=1).module)
    sign_in(org.member)
    page.goto("/learn/")
    page.get_by_role("link", name="Contact Centre essentials").click()
    expect(page.get_by_text("1 of 4")).to_be_visible()
    expect(page.get_by_text("Finish “Active listening” first")).to_be_visible()
    # The locked step is not a link until its prerequisite is done.
    expect(page.get_by_role("link", name="Hard calls")).to_have_count(0)
    expect(page.locator("[aria-current=step]")).to_contain_text("Active listening")
    screenshot("path-learner")
    assert axe() == []
    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("path-learner-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.get_by_role("link", name="Continue: Active listening").click()
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_role("status").filter(has_text="Completed")).to_be_visible()
    page.go_back()
    page.reload()
    expect(page.get_by_text("2 of 4")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "2")
    expect(page.get_by_role("link", name="Continue: Hard calls")).to_be_visible()
    expect(page.get_by_text("Finish “Active listening” first")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/learn/paths/"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_path_pages_are_accessible_in_both_schemes(org, followed, sign_in, page, axe, scheme):
    page.emulate_media(color_scheme=scheme)
    sign_in(org.lead)
    problems = {}
    for url in [
        f"/learn/paths/{followed.public_id}/{followed.slug}/",
        "/create/paths/",
        "/create/paths/new/",
        f"/create/paths/{followed.public_id}/",
    ]:
        page.goto(url)
        found = axe()
        if found:
            problems[url] = found
    assert problems == {}

"""SCORM packages in real Chromium: import, play in the sandbox, record, resume."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from peerpath.content import services as content_services
from peerpath.content.models import Module, ModuleKind
from peerpath.learning.models import ModuleProgress, ScormSession
from tests.content import scorm_fixtures as fx
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def published_package_module(author, data: bytes, title: str) -> Module:
    module = ModuleFactory(
        author=author, title=title, kind=ModuleKind.PACKAGE, body_markdown="", publish=False
    )
    content_services.module_attach_package(actor=author, module=module, upload=fx.upload(data))
    module.refresh_from_db()
    content_services.module_publish(actor=author, module=module)
    return module


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/"))


def test_admin_imports_a_scorm_12_package_that_a_learner_plays_and_resumes(
    org, sign_in, page, screenshot, tmp_path
):
    zip_path = tmp_path / "phone-etiquette.zip"
    zip_path.write_bytes(fx.scorm12_zip())

    sign_in(org.admin)
    page.goto("/create/new/")
    page.get_by_role("link", name="SCORM package").click()
    page.get_by_label("Title").fill("Phone etiquette")
    page.get_by_label("Summary").fill("Answer every call like it matters.")
    page.get_by_label("Estimated minutes").fill("15")
    page.get_by_role("button", name="Save and continue to the upload").click()
    expect(page.get_by_role("heading", name="SCORM package")).to_be_visible()
    page.get_by_label("SCORM package (.zip)").set_input_files(str(zip_path))
    page.get_by_role("button", name="Upload package").click()
    expect(page.get_by_text("“Phone etiquette” is ready")).to_be_visible()
    # The author previews the package before publishing: it plays, nothing is recorded.
    preview = page.frame_locator("iframe.player__frame")
    expect(preview.locator("#result")).to_have_text("Started")
    expect(page.locator("#scorm-status")).to_contain_text("Preview")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("is published in the catalog")).to_be_visible()
    module = Module.objects.get(title="Phone etiquette")
    assert module.package.standard == "scorm12"
    assert not ScormSession.objects.exists()
    sign_out(page)

    sign_in(org.member)
    page.goto(f"/learn/m/{module.public_id}/")
    frame = page.frame_locator("iframe.player__frame")
    expect(frame.locator("#result")).to_have_text("Started")
    expect(frame.locator("#saved")).to_have_text("(none)")
    expect(frame.locator("#entry")).to_have_text("ab-initio")
    expect(frame.locator("#learner")).to_have_text("Mina Member")
    expect(page.get_by_title("Phone etiquette (SCORM package)")).to_be_visible()
    screenshot("scorm-player-started")

    frame.get_by_role("button", name="Finish the lesson").click()
    expect(frame.locator("#result")).to_have_text("Finished: commit true, finish true")
    status = page.locator("#scorm-status")
    expect(status).to_contain_text("Completed")
    expect(status).to_contain_text("Passed")
    expect(status).to_contain_text("Score 85%")
    expect(page.locator("#completion")).to_contain_text("Completed")
    progress = ModuleProgress.objects.get(user=org.member, module=module)
    assert progress.status == "completed"
    assert progress.success_status == "passed"
    assert progress.score == Decimal("85.00")
    assert progress.resume_at == "page-3"
    screenshot("scorm-player-completed")

    page.reload()
    frame = page.frame_locator("iframe.player__frame")
    expect(frame.locator("#saved")).to_have_text("page-3")
    expect(frame.locator("#entry")).to_have_text("resume")
    expect(page.locator("#scorm-status")).to_contain_text("Completed")
    screenshot("scorm-player-resumed")


def test_a_scorm_2004_package_records_completion_success_and_score(org, sign_in, page):
    module = published_package_module(org.lead, fx.scorm2004_zip(), "Data protection basics")
    sign_in(org.member)
    page.goto(f"/learn/m/{module.public_id}/")
    frame = page.frame_locator("iframe.player__frame")
    expect(frame.locator("#result")).to_have_text("Started")
    expect(frame.locator("#entry")).to_have_text("ab-initio")
    expect(page.locator("#scorm-status")).to_contain_text("In progress · 50%")
    frame.get_by_role("button", name="Finish the lesson").click()
    expect(frame.locator("#result")).to_have_text("Finished: commit true, terminate true")
    expect(page.locator("#scorm-status")).to_contain_text("Score 90%")
    progress = ModuleProgress.objects.get(user=org.member, module=module)
    assert (progress.status, progress.success_status, progress.score) == (
        "completed",
        "passed",
        Decimal("90.00"),
    )
    page.reload()
    frame = page.frame_locator("iframe.player__frame")
    expect(frame.locator("#saved")).to_have_text("chapter-2")
    expect(frame.locator("#entry")).to_have_text("resume")


def test_package_scripts_cannot_reach_the_learners_session_or_the_page(org, sign_in, page):
    module = published_package_module(org.lead, fx.probe_zip(), "Probe")
    sign_in(org.member)
    page.goto(f"/learn/m/{module.public_id}/")
    frame = page.frame_locator("iframe.player__frame")
    expect(frame.locator("#api")).to_have_text("present")
    expect(frame.locator("#cookie")).to_have_text("blocked: SecurityError")
    expect(frame.locator("#parent")).to_have_text("blocked: SecurityError")
    expect(frame.locator("#storage")).to_have_text(re.compile(r"^blocked"))
    expect(frame.locator("#fetch")).to_have_text("blocked: TypeError")

    # Opened on its own, the package's address is still sandboxed by its response header.
    src = page.locator("iframe.player__frame").get_attribute("src")
    page.goto(src)
    expect(page.locator("#cookie")).to_have_text("blocked: SecurityError")
    origin = page.evaluate("() => window.origin")
    assert origin == "null"


def test_the_demo_lesson_plays_scores_and_resumes(org, sign_in, page, screenshot):
    from peerpath.demo import loader
    from tests.factories import SkillFactory

    module = loader._load_sample_package(org.admin, SkillFactory(name="Calls"))
    sign_in(org.member)
    page.goto(f"/learn/m/{module.public_id}/")
    frame = page.frame_locator("iframe.player__frame")
    expect(frame.get_by_text("Screen 1 of 4")).to_be_visible()
    for _ in range(3):
        frame.get_by_role("button", name="Next").click()
    frame.get_by_label("Your name and the reason for the call").check()
    frame.get_by_label("It avoids fixing the wrong problem").check()
    frame.get_by_label("A recap and the next step").check()
    frame.get_by_role("button", name="Submit answers").click()
    expect(frame.get_by_role("status")).to_have_text("Passed with 100%. Well done.")
    expect(page.locator("#scorm-status")).to_contain_text("Score 100%")
    expect(page.locator("#completion")).to_contain_text("Completed")
    screenshot("scorm-demo-lesson")
    progress = ModuleProgress.objects.get(user=org.member, module=module)
    assert (progress.status, progress.success_status, progress.score) == (
        "completed",
        "passed",
        Decimal("100.00"),
    )
    page.reload()
    expect(page.frame_locator("iframe.player__frame").get_by_text("Screen 4 of 4")).to_be_visible()

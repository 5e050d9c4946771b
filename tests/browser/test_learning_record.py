"""Time spent, path progress, and the learning record's admin pages, in a real browser."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from peerpath.content import paths
from peerpath.learning import services as learning
from peerpath.learning.models import ModuleProgress
from peerpath.lrs.models import LrsKey
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for_time(user, module, timeout: float = 10.0) -> int:
    """The beacon is sent as the page goes away; give the server a moment to store it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        spent = ModuleProgress.objects.get(user=user, module=module).time_spent_seconds
        if spent:
            return spent
        time.sleep(0.2)
    return 0


def test_reading_an_article_records_time_spent(org, sign_in, page, screenshot):
    module = ModuleFactory(author=org.lead, title="Warm transfers")
    sign_in(org.member)
    page.goto(f"/learn/m/{module.public_id}/")
    expect(page.get_by_role("heading", name="Warm transfers")).to_be_visible()
    page.wait_for_timeout(2500)
    page.goto("/learn/mine/")  # leaving the page sends the seconds it was visible
    spent = _wait_for_time(org.member, module)
    assert 1 <= spent <= 10
    page.reload()
    expect(page.locator("section[aria-labelledby=inprog-h]")).to_contain_text(
        "under a minute spent"
    )
    # Longer reading shows in minutes on the module page too.
    ModuleProgress.objects.filter(user=org.member, module=module).update(time_spent_seconds=420)
    page.goto(f"/learn/m/{module.public_id}/")
    expect(page.get_by_text("Time spent so far: 7 min")).to_be_visible()
    screenshot("module-time-spent")


def test_my_learning_shows_path_progress_and_completed_paths(org, sign_in, page, screenshot, axe):
    first = ModuleFactory(author=org.lead, title="Greeting callers")
    second = ModuleFactory(author=org.lead, title="Wrapping up calls")
    paths.path_create(
        author=org.lead,
        title="Calls for new agents",
        summary="S",
        sections=[("Basics", [first, second])],
        publish=True,
    )
    other = ModuleFactory(author=org.lead, title="Spotting phishing")
    paths.path_create(
        author=org.lead,
        title="Security basics",
        summary="S",
        sections=[("All", [other])],
        publish=True,
    )
    learning.progress_complete(user=org.member, module=first)
    learning.progress_complete(user=org.member, module=other)
    ModuleProgress.objects.filter(user=org.member).update(time_spent_seconds=600)
    sign_in(org.member)
    page.goto("/learn/mine/")
    paths_section = page.locator("section[aria-labelledby=paths-h]")
    bar = page.get_by_role("progressbar", name="Progress in Calls for new agents")
    expect(bar).to_have_attribute("aria-valuenow", "50")
    expect(paths_section).to_contain_text("1 of 2 modules completed · 10 min spent")
    expect(paths_section).to_contain_text("Security basics")
    expect(paths_section).to_contain_text("Path completed")
    assert axe() == []
    screenshot("my-learning-paths")

    page.goto(f"/learn/m/{second.public_id}/")
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.locator("#completion")).to_contain_text("Completed")
    page.goto("/learn/mine/")
    expect(bar).to_have_count(0)
    expect(
        paths_section.locator("[data-path-row]", has_text="Calls for new agents")
    ).to_contain_text("Path completed")


def test_admin_exports_the_learning_record_as_json_and_csv(org, sign_in, page, screenshot, axe):
    module = ModuleFactory(author=org.lead, title="De-escalation")
    learning.progress_open(user=org.member, module=module)
    learning.progress_complete(user=org.member, module=module)
    learning.progress_open(user=org.lead, module=module)
    sign_in(org.admin)
    page.goto("/admin/")
    page.get_by_role("link", name="Learning record").click()
    expect(page.get_by_role("heading", name="3 statements")).to_be_visible()
    page.get_by_label("Person (email)").fill(org.member.email)
    page.get_by_role("button", name="Show matches").click()
    expect(page.get_by_role("heading", name="2 statements")).to_be_visible()
    preview = page.locator("table[data-preview]")
    expect(preview).to_contain_text("Mina Member")
    expect(preview).not_to_contain_text("Leo Lead")
    assert axe() == []
    screenshot("admin-learning-record")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download JSON").click()
    statements = json.loads(Path(info.value.path()).read_text())
    assert [s["verb"]["display"]["en-US"] for s in statements] == ["launched", "completed"]
    assert {s["actor"]["name"] for s in statements} == {"Mina Member"}

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    assert info.value.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
    assert [r["verb_display"] for r in rows] == ["launched", "completed"]
    assert {r["object_name"] for r in rows} == {"De-escalation"}
    assert rows[1]["result_completion"] == "true"


def test_admin_creates_a_key_sees_the_secret_once_and_revokes_it(
    org, sign_in, page, screenshot, axe
):
    sign_in(org.sysadmin)
    page.goto("/admin/")
    page.get_by_role("link", name="LRS keys").click()
    page.get_by_label("Name").fill("Analytics dashboard")
    page.get_by_label("Access").select_option("read")
    page.get_by_label("Read only the statements this key writes").check()
    page.get_by_role("button", name="Create key").click()
    issued = page.locator("[data-issued]")
    expect(issued).to_contain_text("Key created: Analytics dashboard")
    secret = page.locator("[data-issued-secret]").inner_text()
    key = LrsKey.objects.get(name="Analytics dashboard")
    assert page.locator("[data-issued-key]").inner_text() == key.key
    assert len(secret) > 30
    row = page.locator(f"[data-key-row='{key.key}']")
    expect(row).to_contain_text("read")
    expect(row).to_contain_text("own statements only")
    assert axe() == []
    screenshot("admin-lrs-keys-created")

    page.goto("/admin/lrs-keys/")
    expect(page.locator("[data-issued]")).to_have_count(0)
    assert secret not in page.content()
    row.get_by_role("link", name="Revoke").click()
    expect(page.get_by_role("heading", name="Revoke “Analytics dashboard”?")).to_be_visible()
    expect(page.locator("main")).to_contain_text("read, own statements only")
    assert axe() == []
    screenshot("admin-lrs-key-revoke")
    page.get_by_role("button", name="Revoke key").click()
    expect(page.get_by_role("status").filter(has_text="Revoked")).to_be_visible()
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("link", name="Revoke")).to_have_count(0)
    assert not LrsKey.objects.get(pk=key.pk).active
    screenshot("admin-lrs-keys")

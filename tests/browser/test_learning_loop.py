"""The main path: sign in, find a module, complete it, see it in my learning."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from peerpath.learning.models import ModuleProgress
from tests.factories import ModuleFactory, SkillFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_with_wrong_password_shows_an_error(org, page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email").fill(org.member.email)
    page.get_by_label("Password").fill("wrong-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not correct")


def test_learner_finds_completes_and_sees_a_module(org, sign_in, page, screenshot):
    calls = SkillFactory(name="Customer service")
    ModuleFactory(
        author=org.lead,
        title="Warm transfers",
        skills=[calls],
        body_markdown="## Before you transfer\n\n- Explain why\n- Stay on the line\n",
    )
    ModuleFactory(author=org.lead, title="Phishing drills")
    sign_in(org.member)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hi Mina")
    screenshot("home")

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Learn", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Learn something new")).to_be_visible()
    page.get_by_role("link", name="Customer service").click()
    expect(page.get_by_role("link", name="Warm transfers")).to_be_visible()
    expect(page.get_by_role("link", name="Phishing drills")).to_have_count(0)
    screenshot("catalog")

    page.get_by_role("link", name="Warm transfers").click()
    expect(page.get_by_role("heading", name="Before you transfer")).to_be_visible()
    screenshot("module")
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_role("status").filter(has_text="Completed")).to_be_visible()
    assert ModuleProgress.objects.get(user=org.member).status == "completed"

    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Learn", exact=True
    ).click()
    page.get_by_role("link", name="My learning").click()
    expect(page.get_by_role("heading", name="My learning")).to_be_visible()
    expect(page.locator("section[aria-labelledby=done-h]")).to_contain_text("Warm transfers")
    screenshot("my-learning")


def test_catalog_search_updates_in_place(org, sign_in, page):
    ModuleFactory(author=org.lead, title="Warm transfers")
    ModuleFactory(author=org.lead, title="Phishing drills")
    sign_in(org.member)
    page.goto("/learn/")
    page.get_by_label("Search modules").fill("phish")
    expect(page.get_by_role("link", name="Warm transfers")).to_have_count(0)
    expect(page.get_by_role("link", name="Phishing drills")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=phish"))


def test_keyboard_user_can_skip_to_content(org, sign_in, page):
    sign_in(org.member)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()


def test_learner_downloads_their_learning_record(org, sign_in, page):
    module = ModuleFactory(author=org.lead, title="Warm transfers")
    sign_in(org.member)
    page.goto(f"/learn/m/{module.public_id}/")
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.locator("#completion")).to_contain_text("Completed")
    page.goto("/learn/mine/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download my record").click()
    download = info.value
    assert download.suggested_filename == "peerpath-learning-record.json"
    record = json.loads(Path(download.path()).read_text())
    assert [s["verb"]["display"]["en-US"] for s in record] == ["launched", "completed"]

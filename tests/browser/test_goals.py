"""Save a module for later, set a weekly goal, complete a module and see the goal move."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def test_learner_saves_a_module_sets_a_goal_and_sees_progress(org, sign_in, page, screenshot, axe):
    ModuleFactory(author=org.lead, title="Warm transfers")
    ModuleFactory(author=org.lead, title="Phishing drills")
    sign_in(org.member)

    page.goto("/learn/")
    page.get_by_role("link", name="Warm transfers").click()
    save = page.get_by_role("button", name="Save for later")
    expect(save).to_have_attribute("aria-pressed", "false")
    save.click()
    expect(save).to_have_attribute("aria-pressed", "true")
    expect(save).to_be_focused()  # the swap keeps keyboard users where they were
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    screenshot("module-saved")

    page.goto("/learn/mine/")
    saved = page.locator("section[aria-labelledby=saved-h]")
    expect(saved).to_contain_text("Warm transfers")

    page.get_by_label("Modules").fill("2")
    page.get_by_label("Every").select_option("modules_per_week")
    page.get_by_role("button", name="Set pace goal").click()
    goals = page.locator("section[aria-labelledby=goals-h]")
    expect(goals).to_contain_text("Complete 2 modules a week")
    expect(goals).to_contain_text("0 of 2 this week")

    page.goto("/learn/")
    page.get_by_role("link", name="Phishing drills").click()
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_role("status").filter(has_text="Completed")).to_be_visible()

    page.goto("/learn/mine/")
    expect(goals).to_contain_text("1 of 2 this week")
    expect(page.get_by_role("progressbar", name="Complete 2 modules a week")).to_have_attribute(
        "aria-valuenow", "1"
    )
    expect(page.locator("section[aria-labelledby=done-h]")).to_contain_text("Phishing drills")
    assert axe() == []
    screenshot("my-learning-goals")

    page.set_viewport_size(PHONE)
    page.get_by_text("Add a goal").click()
    assert axe() == []
    screenshot("my-learning-goals-phone")


def test_learner_sets_a_path_goal_on_a_phone(org, sign_in, page, screenshot, axe):
    from peerpath.content import paths

    steps = [ModuleFactory(author=org.lead, title=t) for t in ("Greeting", "Listening")]
    paths.path_create(
        author=org.lead,
        title="Taking calls",
        summary="Calls.",
        sections=[("Basics", steps)],
        publish=True,
    )
    page.set_viewport_size(PHONE)
    sign_in(org.member)
    page.goto("/learn/mine/")
    page.get_by_role("combobox", name="Path").select_option(label="Taking calls")
    page.get_by_label("Finish by").fill("2099-12-31")
    page.get_by_role("button", name="Set path goal").click()
    goals = page.locator("section[aria-labelledby=goals-h]")
    expect(goals).to_contain_text("Finish “Taking calls” by 31 Dec 2099")
    expect(goals).to_contain_text("0 of 2 modules")
    page.get_by_text("Add a goal").click()
    assert axe() == []
    page.evaluate("window.scrollTo(0, 0)")
    screenshot("my-learning-path-goal-phone")

"""Each page's main path in real Chromium, with a screenshot to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from peerpath.content.models import Module
from peerpath.people.models import User
from tests.factories import ModuleFactory, SkillFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_author_writes_and_publishes_a_module(org, sign_in, page, screenshot):
    SkillFactory(name="Customer service")
    sign_in(org.member)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Create").click()
    expect(page.get_by_role("heading", name="Share what you know")).to_be_visible()
    screenshot("create-empty")
    page.get_by_role("link", name="New module").click()
    page.get_by_role("link", name="Article").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert")).to_contain_text("correct the highlighted fields")
    page.get_by_label("Title").fill("Closing a call well")
    page.get_by_label("Summary").fill("End every call with a recap and a clear next step.")
    page.get_by_label("Estimated minutes").fill("7")
    page.get_by_label("Skills").select_option(label="Customer service")
    page.get_by_label("Content").fill(
        "## Recap\n\nSummarise what you did.\n\n> Ask: anything else?"
    )
    screenshot("module-form")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", name="Recap")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("was published")
    module = Module.objects.get(title="Closing a call well")
    assert module.is_published

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Co-authors").fill(org.lead.email)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("with Leo Lead")).to_be_visible()
    assert list(module.co_authors.all()) == [org.lead]


def test_manager_sees_their_team_and_a_reports_learning(org, sign_in, page, screenshot):
    from peerpath.learning import services

    module = ModuleFactory(author=org.lead, title="Warm transfers")
    services.progress_complete(user=org.member, module=module)
    sign_in(org.manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My team").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Mina Member")
    expect(table).not_to_contain_text("Dara Deep")
    page.get_by_role("link", name="Everyone below me").click()
    expect(page.get_by_role("table")).to_contain_text("Dara Deep")
    screenshot("my-team")
    page.get_by_role("link", name="Mina Member").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mina Member’s learning")
    expect(page.locator("section[aria-labelledby=done-h]")).to_contain_text("Warm transfers")


def test_learner_does_not_see_manager_or_admin_navigation(org, sign_in, page):
    sign_in(org.member)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="My team")).to_have_count(0)
    expect(nav.get_by_role("link", name="Admin")).to_have_count(0)
    page.goto("/team/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("isn’t open to you")


def test_profile_view_and_edit(org, sign_in, page, screenshot):
    sign_in(org.member)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina Member")
    screenshot("profile")
    page.get_by_role("link", name="Edit profile").click()
    page.get_by_label("About me").fill("Ten years on the phones. Ask me about refunds.")
    page.get_by_label("Location").fill("Leeds")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Ask me about refunds.")).to_be_visible()
    expect(page.get_by_text("Leeds")).to_be_visible()


def test_admin_imports_people_with_errors_then_fixes_them(org, sign_in, page, screenshot, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "email,display_name,hire_date\nok@example.com,Okay,2024-01-02\nbroken,No Email,2024-13-40\n"
    )
    good = tmp_path / "good.csv"
    good.write_text(
        "email,display_name,team,department,manager_email\n"
        f"new.agent@example.com,New Agent,Contact Centre,,{org.manager.email}\n"
    )
    sign_in(org.admin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    screenshot("admin-home")
    page.get_by_role("link", name="Import people").click()
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was imported")
    screenshot("admin-import-errors")
    assert not User.objects.filter(email="ok@example.com").exists()
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("status").first).to_contain_text("1 added")
    expect(page.get_by_role("table")).to_contain_text("New Agent")
    screenshot("admin-people")
    assert User.objects.get(email="new.agent@example.com").manager == org.manager


def test_admin_manages_skills_teams_and_job_roles(org, sign_in, page, screenshot):
    sign_in(org.admin)
    page.goto("/admin/skills/")
    page.get_by_label("Name").fill("Customer service")
    page.get_by_role("button", name="Add skill").click()
    page.get_by_label("Name").fill("Calls")
    page.get_by_label("Parent").select_option(label="Customer service")
    page.get_by_role("button", name="Add skill").click()
    expect(page.get_by_role("status").first).to_contain_text("Customer service / Calls")
    screenshot("admin-skills")
    page.get_by_role("link", name="Teams").click()
    page.get_by_label("Name").fill("Billing")
    page.get_by_label("Department").fill("Finance")
    page.get_by_label("Works scheduled shifts").check()
    page.get_by_role("button", name="Add team").click()
    expect(page.get_by_role("table")).to_contain_text("Finance")
    screenshot("admin-teams")
    page.get_by_role("link", name="Job roles").click()
    page.get_by_label("Name").fill("Support Agent")
    page.get_by_role("button", name="Add role").click()
    expect(page.get_by_role("list").filter(has_text="Support Agent").first).to_be_visible()


def test_missing_page_is_friendly(org, sign_in, page, screenshot):
    sign_in(org.member)
    response = page.goto("/learn/m/00000000-0000-0000-0000-000000000000/nothing/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="We couldn’t find that page")).to_be_visible()
    assert page.title().endswith(" · Peerpath")  # every page names itself, then the site
    screenshot("404")


def test_phone_layout_keeps_navigation_reachable(org, sign_in, page, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    ModuleFactory(author=org.lead, title="Warm transfers")
    sign_in(org.member)
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Learn", exact=True)
    ).to_be_visible()
    assert page.title() == "Home · Peerpath"
    screenshot("home-phone")


def test_author_revises_a_published_module_and_reads_its_history(org, sign_in, page, screenshot):
    module = ModuleFactory(
        author=org.member, title="Refund rules", body_markdown="## Window\n\n14 days.\n"
    )
    sign_in(org.member)
    page.goto(f"/create/{module.public_id}/edit/")
    page.get_by_label("Content").fill("## Window\n\n30 days, from delivery.\n")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)
    page.goto(f"/learn/m/{module.public_id}/{module.slug}/")
    expect(page.get_by_text("14 days.")).to_be_visible()  # learners still see version 1
    expect(page.get_by_text("You have unpublished changes")).to_be_visible()
    page.get_by_role("link", name="Review and publish them").click()
    expect(page.get_by_role("heading", name="Edit module")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("30 days, from delivery.")).to_be_visible()
    page.get_by_role("link", name="History").click()
    page.get_by_role("link", name="Version 2").click()
    diff = page.get_by_label("Lines removed and added")
    expect(diff).to_contain_text("14 days.")
    expect(diff).to_contain_text("30 days, from delivery.")
    screenshot("module-history")

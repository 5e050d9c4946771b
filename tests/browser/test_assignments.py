"""Assignments end to end: a manager assigns to their team, a learner sees it with its due
date, an admin's new-hire rule reaches someone imported later, and a withdrawal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peerpath.learning import assignments
from peerpath.learning.models import Assignment, DueRule, PersonAssignment
from tests.factories import PASSWORD, JobRoleFactory, ModuleFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def test_manager_assigns_a_module_to_their_team_and_a_learner_sees_it(
    org, sign_in, page, screenshot, axe, browser, live_server
):
    ModuleFactory(author=org.lead, title="Warm transfers")
    sign_in(org.manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Assignments").click()
    expect(page.get_by_role("heading", name="Assignments", exact=True)).to_be_visible()
    page.get_by_role("link", name="New assignment").first.click()

    page.get_by_label("Module").select_option(label="Warm transfers")
    page.get_by_label("Assign to").select_option("team")
    expect(page.get_by_label("Person’s email")).to_be_hidden()  # only the fields in use
    page.get_by_label("Team").select_option(label="Contact Centre")
    page.get_by_label("When it is due").select_option("after_assignment")
    page.get_by_label("Number of days").fill("10")
    assert axe() == []
    screenshot("assignment-new")
    page.get_by_role("button", name="Assign").click()

    expect(page.get_by_role("status")).to_contain_text("Assigned to 3 people")
    expect(page.get_by_role("heading", name="Warm transfers")).to_be_visible()
    people = page.get_by_role("table")
    for name in ("Leo Lead", "Mina Member", "Dara Deep"):
        expect(people).to_contain_text(name)
    assert axe() == []
    screenshot("assignment-detail")

    page.get_by_role("link", name="Change dates").click()
    page.get_by_label("When it is due").select_option("fixed")
    expect(page.get_by_label("Number of days")).to_be_hidden()
    new_due = timezone.localdate() + dt.timedelta(days=21)
    page.get_by_label("Due date").fill(new_due.isoformat())
    assert axe() == []
    screenshot("assignment-dates")
    page.get_by_role("button", name="Save dates").click()
    expect(page.get_by_role("status")).to_contain_text("Dates changed")
    expect(page.get_by_role("table")).to_contain_text(f"{new_due.day} {new_due:%b %Y}")

    due = PersonAssignment.objects.get(person=org.member).due_on
    assert due == new_due
    learner = browser.new_context(base_url=live_server.url, viewport=PHONE).new_page()
    learner.goto("/accounts/login/")
    learner.get_by_label("Email").fill(org.member.email)
    learner.get_by_label("Password").fill(PASSWORD)
    learner.get_by_role("button", name="Sign in").click()
    learner.goto("/learn/mine/")
    assigned = learner.locator("section[aria-labelledby=assigned-h]")
    expect(assigned).to_contain_text("Warm transfers")
    expect(assigned).to_contain_text(f"due {due.day} {due:%b %Y}")
    expect(assigned).to_contain_text("Not started")
    learner.screenshot(
        path=str(screenshot("unused").parent / "my-learning-assigned-phone.png"), full_page=True
    )
    learner.context.close()


def test_admin_rule_reaches_a_newly_imported_hire_and_is_withdrawn(
    org, sign_in, page, screenshot, axe, tmp_path
):
    JobRoleFactory(name="Support Agent")
    ModuleFactory(author=org.lead, title="Your first week")
    sign_in(org.admin)
    page.goto("/learn/assignments/new/")
    page.get_by_label("Module").select_option(label="Your first week")
    page.get_by_label("Assign to").select_option("new_hires")
    page.get_by_label("Job role").select_option(label="Support Agent")
    page.get_by_label("Hired on or after").fill(f"{timezone.localdate() - dt.timedelta(days=7)}")
    page.get_by_label("When it is due").select_option("after_hire")
    page.get_by_label("Number of days").fill("14")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_contain_text("Assigned to 0 people")
    expect(page.get_by_text("Nobody has it yet")).to_be_visible()

    hired = timezone.localdate() - dt.timedelta(days=2)
    csv = tmp_path / "people.csv"
    csv.write_text(
        "email,display_name,job_role,team,hire_date\n"
        f"nia@example.com,Nia New,Support Agent,Contact Centre,{hired}\n"
    )
    page.goto("/admin/people/import/")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("status")).to_contain_text("1 added")

    page.goto("/learn/assignments/")
    expect(page.get_by_role("table")).to_contain_text("New hires who are Support Agent")
    assert axe() == []
    screenshot("assignments-list")
    page.get_by_role("link", name="Your first week").click()
    due = hired + dt.timedelta(days=14)
    row = page.get_by_role("row").filter(has_text="Nia New")
    expect(row).to_contain_text(f"{due.day} {due:%b %Y}")
    expect(row).to_contain_text("Not started")

    page.get_by_label("Reason").fill("Replaced by the onboarding path")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Withdraw assignment").click()
    expect(page.get_by_role("status")).to_contain_text("Withdrawn")
    expect(page.get_by_role("note")).to_contain_text("Replaced by the onboarding path")
    expect(page.get_by_role("button", name="Withdraw assignment")).to_have_count(0)
    assert axe() == []
    screenshot("assignment-withdrawn")
    assert Assignment.objects.get().withdrawn_by == org.admin
    assert PersonAssignment.objects.get().removed_at is not None


def test_a_learner_sees_an_overdue_assignment_highlighted(org, sign_in, page, screenshot, axe):
    module = ModuleFactory(author=org.lead, title="Spotting phishing")
    a = assignments.assignment_create(
        actor=org.manager,
        module=module,
        audience="person",
        person=org.member,
        due_rule=DueRule.AFTER_ASSIGNMENT,
        due_days=3,
    )
    PersonAssignment.objects.filter(assignment=a).update(
        due_on=timezone.localdate() - dt.timedelta(days=1),
        due_at=timezone.now() - dt.timedelta(hours=2),
    )
    sign_in(org.member)
    page.goto("/learn/mine/")
    assigned = page.locator("section[aria-labelledby=assigned-h]")
    expect(assigned.locator(".list-row--overdue")).to_contain_text("Spotting phishing")
    expect(assigned).to_contain_text("Overdue")
    assert axe() == []
    screenshot("my-learning-assigned")

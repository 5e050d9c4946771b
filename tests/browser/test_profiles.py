"""Profiles, follows, shares and notes in Chromium: follow a colleague from their profile,
set who sees one's learning, take and publish notes on a module, share it with a team."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from peerpath.learning import services as learning
from peerpath.social import activity, follows, notes, profiles, shares
from peerpath.social.models import Share, Visibility
from tests.factories import ModuleFactory, SkillFactory
from tests.recognition.factories import (
    CertificationAwardFactory,
    CertificationFactory,
    seed_default_badges,
)

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _badges() -> None:
    seed_default_badges()


@pytest.fixture
def leo_learns(org):
    """Leo completed two modules, holds a certification, and published a note."""
    calls, security = SkillFactory(name="Calls"), SkillFactory(name="Security")
    coaching = SkillFactory(name="Coaching")
    profiles.declared_skills_set(actor=org.lead, person=org.lead, skills=[coaching])
    first = ModuleFactory(author=org.manager, title="De-escalating an angry caller", skills=[calls])
    second = ModuleFactory(author=org.manager, title="Call wrap-up in 60 seconds", skills=[calls])
    for module in (first, second):
        # Completing records the activity the profile shows.
        learning.progress_complete(user=org.lead, module=module)
    certification = CertificationFactory(name="Certified Security Champion")
    certification.skills.add(security)
    CertificationAwardFactory(certification=certification, holder=org.lead)
    notes.note_create(
        author=org.lead,
        module=first,
        body="**Lower your voice** when the caller raises theirs.\n\n- name the feeling\n"
        "- say what you will do next",
        public=True,
    )
    notes.note_create(author=org.lead, module=first, body="My private reminder.")
    follows.follow_person(follower=org.manager, followee=org.lead)
    return first


def test_a_colleague_follows_someone_from_their_profile(
    org, leo_learns, sign_in, page, screenshot, axe
):
    sign_in(org.member)
    page.goto(f"/people/{org.lead.public_id}/")

    expect(page.get_by_role("heading", name="Skills")).to_be_visible()
    expect(page.get_by_role("link", name="Calls")).to_be_visible()
    expect(page.get_by_text("2 modules completed")).to_be_visible()
    expect(
        page.get_by_role("region", name="Recent learning").get_by_role(
            "link", name="Call wrap-up in 60 seconds"
        )
    ).to_be_visible()
    expect(page.get_by_text("Lower your voice")).to_be_visible()
    expect(page.get_by_text("My private reminder.")).to_have_count(0)

    page.get_by_role("button", name="Follow Leo Lead").click()
    expect(page.get_by_role("button", name="Following Leo Lead")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#follow-panel").get_by_role("status")).to_have_text("You follow Leo.")
    page.reload()
    expect(page.get_by_role("link", name="2 followers")).to_be_visible()
    screenshot("profile-followed")
    assert axe() == []

    page.get_by_role("link", name="2 followers").click()
    expect(page.get_by_role("heading", name="Followers")).to_be_visible()
    expect(page.get_by_role("link", name="Maria Manager")).to_be_visible()
    screenshot("profile-followers")
    assert axe() == []


def test_private_learning_stays_off_the_profile_for_others(
    org, leo_learns, sign_in, page, screenshot, axe
):
    activity.activity_visibility_set(person=org.lead, visibility=Visibility.PRIVATE)
    sign_in(org.outsider)
    page.goto(f"/people/{org.lead.public_id}/")

    expect(page.get_by_text("Leo keeps their learning activity private.")).to_be_visible()
    expect(page.get_by_text("Call wrap-up in 60 seconds")).to_have_count(0)
    expect(page.get_by_text("modules completed")).to_have_count(0)
    expect(page.get_by_text("Lower your voice")).to_be_visible()  # a published note
    screenshot("profile-private-activity")
    assert axe() == []


def test_a_person_chooses_who_sees_their_learning_on_the_edit_page(
    org, sign_in, page, screenshot, axe
):
    SkillFactory(name="Coaching")
    SkillFactory(name="Complaints")
    sign_in(org.member)
    page.goto("/profile/edit/")

    panel = page.locator("#social-settings")
    panel.get_by_label("My team only").check()
    panel.get_by_label("Skills I have").select_option(label="Coaching")
    panel.get_by_label("Skills I follow").select_option(label="Complaints")
    panel.get_by_role("button", name="Save skills and privacy").click()

    expect(panel.get_by_role("status")).to_have_text("Your skills and privacy settings were saved.")
    expect(panel.get_by_label("My team only")).to_be_checked()
    assert profiles.visibility_of(org.member) == "team"
    screenshot("profile-settings")
    assert axe() == []


def test_a_learner_takes_edits_and_publishes_notes_on_a_module(
    org, module, sign_in, page, screenshot, axe
):
    notes.note_create(author=org.outsider, module=module, body="Let them finish.", public=True)
    sign_in(org.member)
    page.goto(f"/learn/m/{module.public_id}/{module.slug}/")

    panel = page.locator("#notes")
    expect(panel.get_by_text("Let them finish.")).to_be_visible()
    panel.get_by_role("textbox", name="Note").fill("Say **their name** once.")
    panel.get_by_role("button", name="Save note").click()
    expect(panel.get_by_role("status")).to_have_text("Note saved. Only you can see it.")
    note = panel.locator(".note").filter(has_text="their name")
    expect(note.locator("strong")).to_have_text("their name")
    expect(note.get_by_text("Private")).to_be_visible()

    note.get_by_role("link", name="Edit note").click()
    panel.locator(".note--editing").get_by_label("Note").fill("Say **their name** twice.")
    panel.locator(".note--editing").get_by_role("button", name="Save note").click()
    note = panel.locator(".note").filter(has_text="twice")
    note.get_by_role("button", name="Publish").click()
    expect(panel.locator(".note").filter(has_text="twice").get_by_text("Published")).to_be_visible()
    screenshot("notes-on-module")
    assert axe() == []

    page.goto("/notes/")
    expect(page.get_by_role("heading", name="My notes")).to_be_visible()
    expect(page.get_by_role("link", name=module.title)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export as Markdown").click()
    assert download.value.suggested_filename.endswith(".md")
    screenshot("notes-mine")
    assert axe() == []


def test_a_learner_shares_a_module_with_their_team_and_a_colleague(
    org, module, sign_in, page, screenshot, axe
):
    shares.share_create(sender=org.outsider, module=module, people=[org.lead])
    sign_in(org.member)
    page.goto(f"/learn/m/{module.public_id}/{module.slug}/")
    expect(page.get_by_text("Recommended by 1 colleague")).to_be_visible()
    page.get_by_role("link", name="Share with colleagues").click()

    page.get_by_label("My team: Contact Centre").check()
    page.get_by_label("Find colleagues or teams").fill("Ada")
    page.get_by_label("Ada Admin").check()
    page.get_by_label("Find colleagues or teams").fill("Otto")
    expect(page.get_by_label("Otto Outsider")).to_be_visible()
    expect(page.get_by_label("Ada Admin")).to_be_checked()  # kept across searches
    page.get_by_label("Message (optional)").fill("Ten minutes that make the next call easier.")
    screenshot("share-form")
    assert axe() == []
    page.get_by_role("button", name="Share", exact=True).click()

    expect(page.get_by_text(f"Shared “{module.title}” with 4 colleagues.")).to_be_visible()
    expect(page.get_by_text("Recommended by 2 colleagues")).to_be_visible()
    share = Share.objects.get(sender=org.member)
    assert set(share.recipients.values_list("person", flat=True)) == {
        org.manager.pk,
        org.lead.pk,
        org.deep.pk,
        org.admin.pk,
    }
    page.get_by_text("Recommended by 2 colleagues").click()
    expect(page.get_by_role("link", name="Otto Outsider")).to_be_visible()
    screenshot("module-recommended")


def test_following_a_skill_from_the_catalog_on_a_phone(org, sign_in, page, screenshot, axe):
    skill = SkillFactory(name="Complaints")
    ModuleFactory(author=org.lead, title="Owning a complaint", skills=[skill])
    page.set_viewport_size(PHONE)
    sign_in(org.member)
    page.goto(f"/learn/?skill={skill.slug}")

    page.get_by_role("button", name="Follow Complaints").click()
    expect(page.get_by_role("button", name="Following Complaints")).to_be_visible()
    expect(page.get_by_text("New Curated modules in Complaints reach your feed.")).to_be_visible()
    screenshot("skill-follow-phone")
    assert axe() == []

"""The bell counts new notices live; the list marks them read; preferences and the
one-click unsubscribe page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from peerpath.notifications import emails, services
from peerpath.notifications.models import EmailChoice, Kind
from peerpath.recognition import kudos

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


def test_the_bell_rings_live_and_the_list_marks_read(org, sign_in, page, screenshot, axe):
    services.notify(
        recipients=[org.member],
        kind=Kind.SHARE,
        title="Maria Manager shared “Warm transfers” with you",
        body="Worth ten minutes before your next shift.",
        url=reverse("core:home"),
        dedupe_key="share:demo",
        actor=org.manager,
    )
    sign_in(org.member)
    bell = page.locator("#nav-bell")
    expect(bell).to_contain_text("1 unread")
    expect(bell.locator(".bell__count")).to_have_text("1")

    # Leo thanks Mina while her page is open; the bell catches up without a reload.
    kudos.kudos_give(giver=org.lead, recipient=org.member, message="Thanks for covering my queue!")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(bell.locator(".bell__count")).to_have_text("2")
    screenshot("notifications-bell")

    bell.click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    rows = page.locator(".notice")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Leo Lead gave you kudos")
    expect(rows.first).to_contain_text("Thanks for covering my queue!")
    screenshot("notifications-list")
    assert axe() == []

    rows.first.get_by_role("button", name="Mark read").click()
    expect(rows.first.get_by_role("button", name="Mark read")).to_have_count(0)
    expect(bell.locator(".bell__count")).to_have_text("1")

    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_text("Marked 1 notification read.")).to_be_visible()
    expect(bell.locator(".bell__count")).to_have_count(0)
    expect(bell).to_contain_text("none unread")

    page.set_viewport_size(PHONE)
    screenshot("notifications-list-phone")


def test_a_person_chooses_how_each_kind_reaches_them(org, sign_in, page, screenshot, axe):
    sign_in(org.member)
    page.goto(reverse("notifications:preferences"))
    expect(page.get_by_role("heading", name="Notification preferences")).to_be_visible()
    page.get_by_label("Email for “I received kudos”").select_option(EmailChoice.WEEKLY)
    page.get_by_label("Show “I was mentioned” in the bell").uncheck()
    screenshot("notifications-preferences")
    assert axe() == []
    page.get_by_role("button", name="Save preferences").click()

    expect(page.get_by_text("Notification preferences saved.")).to_be_visible()
    expect(page.get_by_label("Email for “I received kudos”")).to_have_value(EmailChoice.WEEKLY)
    expect(page.get_by_label("Show “I was mentioned” in the bell")).not_to_be_checked()
    chosen = {c.kind: c for c in services.preferences_for(org.member)}
    assert chosen[Kind.KUDOS].email == EmailChoice.WEEKLY
    assert chosen[Kind.MENTION].in_app is False


def test_unsubscribing_from_an_email_link_while_signed_out(org, page, screenshot, axe):
    token = emails.unsubscribe_token(org.member, Kind.SHARE)
    page.goto(reverse("notifications:unsubscribe", args=[token]))
    expect(page.get_by_role("heading", name="Stop these emails?")).to_be_visible()
    screenshot("notifications-unsubscribe")
    assert axe() == []
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    assert {c.kind: c.email for c in services.preferences_for(org.member)}[
        Kind.SHARE
    ] == EmailChoice.NEVER

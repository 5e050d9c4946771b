"""Authors see where their modules stand; reviewers see Curated modules due for review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peerpath.curation import services
from peerpath.curation.models import CurationTerm
from peerpath.people.models import ExpertReviewer
from tests.factories import ModuleFactory, SkillFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_author_nominates_from_the_standing_page(org, sign_in, page, screenshot, axe):
    ModuleFactory(author=org.member, title="Warm transfers")
    ModuleFactory(author=org.member, title="Half written", publish=False)
    sign_in(org.member)
    page.goto("/create/")
    page.get_by_role("link", name="Where they stand").click()
    table = page.get_by_role("table")
    expect(table.get_by_role("row").filter(has_text="Half written")).to_contain_text("Draft")
    row = table.get_by_role("row").filter(has_text="Warm transfers")
    expect(row).to_contain_text("Community")
    assert axe() == []
    row.get_by_role("button", name="Nominate for Curated").click()
    expect(page.get_by_text("Nominated. Expert reviewers")).to_be_visible()
    page.go_back()
    page.reload()
    expect(page.get_by_role("row").filter(has_text="Warm transfers")).to_contain_text(
        "Waiting for review"
    )
    screenshot("standing")


def test_reviewer_confirms_an_overdue_module(org, sign_in, page, screenshot, axe):
    calls = SkillFactory(name="Calls")
    module = ModuleFactory(author=org.member, title="Warm transfers", skills=[calls])
    ExpertReviewer.objects.create(user=org.outsider, skill=calls)
    review = services.module_nominate(user=org.member, module=module)
    services.review_approve(reviewer=org.admin, review=review)
    CurationTerm.objects.filter(module=module).update(
        review_by=timezone.localdate() - dt.timedelta(days=3)
    )
    sign_in(org.outsider)
    page.goto("/review/")
    page.get_by_role("link", name="Due for another look").click()
    expect(page.get_by_role("row").filter(has_text="Warm transfers")).to_contain_text("Overdue")
    assert axe() == []
    screenshot("review-due")
    page.get_by_role("link", name="Warm transfers").click()
    expect(page.get_by_text("Review overdue since")).to_be_visible()
    page.get_by_text("Confirm it is still right").click()
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_text("Confirmed. Next review by")).to_be_visible()
    expect(page.get_by_text("Next expert review by")).to_be_visible()

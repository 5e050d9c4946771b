"""axe-core finds no serious WCAG 2.1 A/AA violations on the main pages, light and dark."""

from __future__ import annotations

import pytest

from peerpath.learning import services
from tests.factories import ModuleFactory, SkillFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_main_pages_have_no_serious_accessibility_violations(
    org, sign_in, page, axe, screenshot, scheme
):
    page.emulate_media(color_scheme=scheme)
    skill = SkillFactory(name="Customer service")
    module = ModuleFactory(
        author=org.lead,
        title="Warm transfers",
        skills=[skill],
        body_markdown="## Steps\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> Tip",
    )
    services.progress_complete(user=org.deep, module=module)
    sign_in(org.lead)
    pages = [
        "/",
        "/learn/",
        f"/learn/m/{module.public_id}/{module.slug}/",
        "/learn/mine/",
        "/team/",
        "/create/",
        "/create/new/",
        f"/create/{module.public_id}/edit/",
        f"/create/{module.public_id}/history/?v=1",
        "/profile/",
        "/profile/edit/",
        "/no-such-page/",
    ]
    problems = {}
    for url in pages:
        page.goto(url)
        if url == "/":
            screenshot(f"home-{scheme}")
        found = axe()
        if found:
            problems[url] = found
    assert problems == {}


def test_sign_in_and_admin_pages_are_accessible(org, sign_in, page, axe):
    page.goto("/accounts/login/")
    assert axe() == []
    sign_in(org.admin)
    problems = {}
    for url in [
        "/admin/",
        "/admin/people/",
        "/admin/people/import/",
        "/admin/job-roles/",
        "/admin/teams/",
        "/review/reports/",
        "/review/",
        "/admin/skills/",
        f"/admin/people/{org.member.public_id}/",
        "/admin/learning-record/",
        "/admin/lrs-keys/",
    ]:
        page.goto(url)
        found = axe()
        if found:
            problems[url] = found
    assert problems == {}

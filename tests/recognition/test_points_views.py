from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peerpath.recognition import badges, points
from peerpath.recognition.models import (
    AwayPeriod,
    BadgeDefinition,
    PointAction,
    PointBalance,
    PointEntry,
)
from tests.factories import UserFactory
from tests.recognition.factories import seed_default_badges

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_badges(db: None) -> None:
    seed_default_badges()


NOW = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)


def earn(person, n: int, action=PointAction.MODULE_COMPLETED) -> PointEntry:
    entry = points.points_award(
        person=person,
        action=action,
        source_key=f"module:{n}",
        description=f"Completed “Module {n}”",
        occurred_at=timezone.now(),
    )
    assert entry is not None
    badges.badges_evaluate(person)
    return entry


def ledger_url(person) -> str:
    return reverse("recognition:person_ledger", args=[person.public_id])


# --- My recognition -------------------------------------------------------------------------


def test_my_recognition_shows_points_level_streak_badges_and_ledger(
    org, client_for, django_assert_max_num_queries
):
    for n in range(12):
        earn(org.member, n)
    client = client_for(org.member)

    with django_assert_max_num_queries(18):
        response = client.get(reverse("recognition:mine"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Newcomer" in html
    assert "Explorer" in html  # the next level
    assert "120</strong> points" in html
    assert "First steps" in html
    assert "Ten modules" in html
    assert "Still to earn" in html
    assert "Completed “Module 11”" in html
    assert 'href="/recognition/"' in html
    assert 'aria-current="page">Recognition' in html


def test_my_recognition_query_count_does_not_grow_with_the_ledger(
    org, client_for, django_assert_max_num_queries
):
    client = client_for(org.member)
    earn(org.member, 0)
    client.get(reverse("recognition:mine"))
    for n in range(1, 40):
        earn(org.member, n, action=PointAction.MODULE_PUBLISHED)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("recognition:mine")).status_code == 200


# --- A person's ledger -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "manager", "admin"])
def test_the_person_their_managers_and_admins_see_a_ledger(org, client_for, who):
    earn(org.member, 1)
    response = client_for(getattr(org, who)).get(ledger_url(org.member))
    assert response.status_code == 200
    assert "Completed “Module 1”" in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "lead"])
def test_colleagues_do_not_see_someone_elses_ledger(org, client_for, who):
    earn(org.member, 1)
    assert client_for(getattr(org, who)).get(ledger_url(org.member)).status_code == 404


def test_only_admins_see_the_reversal_form(org, client_for):
    earn(org.member, 1)
    manager_page = client_for(org.manager).get(ledger_url(org.member)).content.decode()
    admin_page = client_for(org.admin).get(ledger_url(org.member)).content.decode()
    assert "Reverse" not in manager_page
    assert "Reverse 10 points" in admin_page


def test_the_ledger_pages_in_bounded_queries(org, client_for, django_assert_max_num_queries):
    for n in range(45):
        earn(org.member, n, action=PointAction.KUDOS_RECEIVED)
    entry = PointEntry.objects.filter(person=org.member, points__gt=0).first()
    points.points_reverse(actor=org.admin, entry=entry, reason="Duplicate")
    client = client_for(org.admin)
    with django_assert_max_num_queries(11):
        response = client.get(ledger_url(org.member) + "?page=2")
    assert response.status_code == 200


def test_an_admin_reverses_points_with_a_reason(org, client_for):
    entry = earn(org.member, 1)
    response = client_for(org.admin).post(
        reverse("recognition:reverse", args=[entry.pk]), {"reason": "Clicked through"}
    )
    assert response.status_code == 302
    assert PointBalance.objects.get(person=org.member).total == 0
    page = client_for(org.member).get(ledger_url(org.member)).content.decode()
    assert "Clicked through" in page


def test_a_reversal_without_a_reason_changes_nothing(org, client_for):
    entry = earn(org.member, 1)
    client_for(org.admin).post(reverse("recognition:reverse", args=[entry.pk]), {"reason": " "})
    assert not PointEntry.objects.filter(action=PointAction.REVERSAL).exists()
    assert PointBalance.objects.get(person=org.member).total == 10


@pytest.mark.parametrize("who", ["member", "manager"])
def test_only_admins_reverse_or_recompute(org, client_for, who):
    entry = earn(org.member, 1)
    client = client_for(getattr(org, who))
    response = client.post(reverse("recognition:reverse", args=[entry.pk]), {"reason": "x"})
    assert response.status_code == 403
    recompute = reverse("recognition:person_recompute", args=[org.member.public_id])
    assert client.post(recompute).status_code == 403
    assert not PointEntry.objects.filter(action=PointAction.REVERSAL).exists()


def test_an_admin_checks_a_total_against_the_ledger(org, client_for):
    earn(org.member, 1)
    PointBalance.objects.filter(person=org.member).update(total=999)
    client = client_for(org.admin)
    response = client.post(
        reverse("recognition:person_recompute", args=[org.member.public_id]), follow=True
    )
    assert "ledger adds up to 10" in response.content.decode()
    assert PointBalance.objects.get(person=org.member).total == 10


# --- People's points -------------------------------------------------------------------------


def test_managers_list_the_points_of_their_reporting_line(
    org, client_for, django_assert_max_num_queries
):
    earn(org.deep, 1)
    client = client_for(org.manager)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("recognition:people"))
    html = response.content.decode()
    assert "Dara Deep" in html
    assert "Mina Member" in html
    assert "Otto Outsider" not in html


def test_admins_search_everyone(org, client_for):
    html = client_for(org.admin).get(reverse("recognition:people") + "?q=otto").content.decode()
    assert "Otto Outsider" in html
    assert "Mina Member" not in html


def test_people_without_reports_have_no_people_list(org, client_for):
    assert client_for(org.member).get(reverse("recognition:people")).status_code == 403


# --- Time away -------------------------------------------------------------------------------


@time_machine.travel(NOW)
def test_people_record_and_remove_their_time_away(org, client_for):
    client = client_for(org.member)
    response = client.post(
        reverse("recognition:my_away"),
        {"starts_on": "2026-12-21", "ends_on": "2027-01-01", "note": "Holidays"},
    )
    assert response.status_code == 302
    away = AwayPeriod.objects.get(person=org.member)
    assert "Holidays" in client.get(reverse("recognition:my_away")).content.decode()

    client.post(reverse("recognition:away_remove", args=[away.pk]))
    assert not AwayPeriod.objects.exists()


@time_machine.travel(NOW)
def test_bad_time_away_is_refused_with_a_clear_error(org, client_for):
    client = client_for(org.member)
    backwards = client.post(
        reverse("recognition:my_away"), {"starts_on": "2026-12-21", "ends_on": "2026-12-01"}
    )
    too_early = client.post(
        reverse("recognition:my_away"), {"starts_on": "2026-10-01", "ends_on": "2026-10-03"}
    )
    assert backwards.status_code == 400
    assert "on or after the first day" in backwards.content.decode()
    assert too_early.status_code == 400
    assert "ask your manager" in too_early.content.decode()
    assert not AwayPeriod.objects.exists()


@time_machine.travel(NOW)
def test_a_manager_records_time_away_for_a_report(org, client_for):
    url = reverse("recognition:person_away", args=[org.member.public_id])
    response = client_for(org.manager).post(
        url, {"starts_on": "2026-10-01", "ends_on": "2026-10-09", "note": "Sick"}
    )
    assert response.status_code == 302
    assert AwayPeriod.objects.get(person=org.member).created_by == org.manager


@time_machine.travel(NOW)
def test_outsiders_cannot_see_or_record_someones_time_away(org, client_for):
    url = reverse("recognition:person_away", args=[org.member.public_id])
    client = client_for(org.outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"starts_on": "2026-12-01", "ends_on": "2026-12-09"}).status_code == 404
    away = AwayPeriod.objects.create(
        person=org.member, starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 9)
    )
    assert client.post(reverse("recognition:away_remove", args=[away.pk])).status_code == 404
    assert AwayPeriod.objects.count() == 1


# --- Badges ----------------------------------------------------------------------------------


def test_the_gallery_shows_earned_and_open_badges_in_bounded_queries(
    org, client_for, django_assert_max_num_queries
):
    earn(org.member, 1)
    for n in range(5):
        earn(UserFactory(), n)
    client = client_for(org.member)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("recognition:badges"))
    html = response.content.decode()
    assert "First steps" in html
    assert "Held by 6 people" in html
    assert "Five-week streak" in html
    assert "0 of 5 weeks in a row" in html


def test_badge_artwork_is_public_svg():
    response = Client().get(reverse("recognition:badge_image", args=["curated-author"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "<title" in response.content.decode()
    assert Client().get("/badges/no-such-badge.svg").status_code == 404


@pytest.mark.parametrize("who", ["member", "manager"])
def test_badge_administration_is_for_learning_admins(org, client_for, who):
    client = client_for(getattr(org, who))
    assert client.get(reverse("recognition:badge_admin")).status_code == 403
    assert client.post(reverse("recognition:badge_new"), {}).status_code == 403
    retire = reverse("recognition:badge_retire", args=["first-steps"])
    assert client.post(retire, {"active": "0"}).status_code == 403
    assert BadgeDefinition.objects.get(slug="first-steps").is_active


def test_an_admin_defines_edits_and_retires_a_badge(org, client_for):
    client = client_for(org.admin)
    created = client.post(
        reverse("recognition:badge_new"),
        {
            "name": "Reviewer of note",
            "description": "Decided ten expert reviews.",
            "rule": "reviews_done",
            "threshold": "10",
            "colour": "#1f6f8b",
            "glyph": "eye",
        },
    )
    assert created.status_code == 302
    badge = BadgeDefinition.objects.get(slug="reviewer-of-note")
    edit = reverse("recognition:badge_edit", args=[badge.slug])
    assert client.get(edit).status_code == 200
    client.post(
        edit,
        {
            "name": "Seasoned reviewer",
            "description": "Decided ten expert reviews.",
            "rule": "reviews_done",
            "threshold": "10",
            "colour": "#1f6f8b",
            "glyph": "trophy",
        },
    )
    client.post(reverse("recognition:badge_retire", args=[badge.slug]), {"active": "0"})
    badge.refresh_from_db()
    assert (badge.name, badge.glyph, badge.is_active) == ("Seasoned reviewer", "trophy", False)
    listing = client.get(reverse("recognition:badge_admin")).content.decode()
    assert "Retired" in listing


def test_a_bad_badge_definition_is_shown_again_with_errors(org, client_for):
    response = client_for(org.admin).post(
        reverse("recognition:badge_new"),
        {
            "name": "",
            "description": "x",
            "rule": "modules_completed",
            "threshold": "1",
            "colour": "#123456",
            "glyph": "star",
        },
    )
    assert response.status_code == 400
    assert BadgeDefinition.objects.filter(description="x").count() == 0

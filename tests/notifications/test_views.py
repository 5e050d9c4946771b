"""Notification pages: the list and its paging, marking read, the bell, preferences."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from peerpath.notifications import selectors, services
from peerpath.notifications.models import EmailChoice, Kind, Notification, Preference
from peerpath.people.models import ExpertReviewer
from tests.factories import SkillFactory

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
BELL = reverse("notifications:bell")
PREFS = reverse("notifications:preferences")


def test_signed_out_people_are_sent_to_sign_in(db):
    for url in (LIST, PREFS, reverse("notifications:read_all")):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_the_list_shows_my_notices_newest_first_and_nobody_elses(org, client_for, notice):
    notice(org.member, title="First for Mina")
    notice(org.member, title="Second for Mina", actor=org.lead)
    notice(org.lead, title="For Leo only")
    body = client_for(org.member).get(LIST).content.decode()
    assert body.index("Second for Mina") < body.index("First for Mina")
    assert "For Leo only" not in body
    assert "2 unread" in body


def test_the_list_pages_by_keyset_without_gaps_or_repeats(org, client_for, notice):
    for n in range(selectors.PAGE_SIZE + 5):
        notice(org.member, title=f"Notice number {n:02d}")
    client = client_for(org.member)
    first = selectors.notifications_page(org.member)
    assert len(first.notifications) == selectors.PAGE_SIZE
    assert first.more
    response = client.get(LIST, {"after": first.more}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    shown = [n for n in range(selectors.PAGE_SIZE + 5) if f"Notice number {n:02d}" in body]
    assert shown == [0, 1, 2, 3, 4]
    assert "Show older notifications" not in body


def test_a_forged_cursor_starts_from_the_top(org, client_for, notice):
    notice(org.member, title="Only notice")
    response = client_for(org.member).get(LIST, {"after": "forged"})
    assert response.status_code == 200
    assert "Only notice" in response.content.decode()


def test_the_list_costs_the_same_queries_however_many_notices(
    org, client_for, notice, django_assert_max_num_queries
):
    client = client_for(org.member)
    for _ in range(3):
        notice(org.member, actor=org.lead)
    client.get(LIST)  # warm the shell's cached navigation roles
    with django_assert_max_num_queries(12) as small:
        client.get(LIST)
    for _ in range(40):
        notice(org.member, actor=org.outsider)
    with django_assert_max_num_queries(12) as large:
        client.get(LIST)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_kinds_turned_off_in_the_bell_leave_the_list(org, client_for, notice):
    notice(org.member, kind=Kind.KUDOS, title="Kudos from Leo")
    Preference.objects.create(
        person=org.member, kind=Kind.KUDOS, in_app=False, email=EmailChoice.DAILY
    )
    assert "Kudos from Leo" not in client_for(org.member).get(LIST).content.decode()


def test_opening_a_notice_marks_it_read_and_follows_it(org, client_for, notice):
    notice(org.member)
    row = Notification.objects.get(recipient=org.member)
    response = client_for(org.member).get(reverse("notifications:open", args=[row.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/learn/m/x/warm-transfers/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_a_notice_never_leads_off_the_site(org, client_for):
    services.notify(
        recipients=[org.member], kind=Kind.SHARE, title="x", url="//evil.example/", dedupe_key="k"
    )
    row = Notification.objects.get(recipient=org.member)
    response = client_for(org.member).get(reverse("notifications:open", args=[row.pk]))
    assert response["Location"] == LIST


def test_someone_elses_notice_is_not_found_and_stays_unread(org, client_for, notice):
    notice(org.member)
    row = Notification.objects.get(recipient=org.member)
    client = client_for(org.outsider)
    assert client.get(reverse("notifications:open", args=[row.pk])).status_code == 404
    assert client.post(reverse("notifications:read", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_read_in_place_updates_the_row_and_the_bell(org, client_for, notice):
    notice(org.member)
    notice(org.member)
    row = Notification.objects.filter(recipient=org.member).first()
    response = client_for(org.member).post(
        reverse("notifications:read", args=[row.pk]), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert f'id="notice-{row.pk}"' in body
    assert "Mark read" not in body
    assert 'id="nav-bell"' in body
    assert 'hx-swap-oob="true"' in body
    assert "1 unread" in body


def test_mark_read_needs_a_post(org, client_for, notice):
    notice(org.member)
    row = Notification.objects.get(recipient=org.member)
    assert (
        client_for(org.member).get(reverse("notifications:read", args=[row.pk])).status_code == 405
    )
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_all_read(org, client_for, notice):
    for _ in range(3):
        notice(org.member)
    notice(org.lead)
    response = client_for(org.member).post(reverse("notifications:read_all"), follow=True)
    assert "Marked 3 notifications read." in response.content.decode()
    assert not Notification.objects.filter(recipient=org.member, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=org.lead, read_at__isnull=True).count() == 1


# --- The bell ----------------------------------------------------------------------------


def test_the_bell_counts_unread_notices_freshly(org, client_for, notice):
    client = client_for(org.member)
    assert "none unread" in client.get(BELL).content.decode()
    notice(org.member)
    notice(org.member)
    response = client.get(BELL)
    body = response.content.decode()
    assert "2 unread" in body
    assert 'class="count-badge bell__count" aria-hidden="true">2<' in body
    assert response["Cache-Control"] == "no-store"


def test_the_bell_caps_its_count(org, client_for):
    for n in range(selectors.UNREAD_CAP + 3):
        services.notify(
            recipients=[org.member], kind=Kind.SHARE, title="x", url="/", dedupe_key=f"{n}"
        )
    body = client_for(org.member).get(BELL).content.decode()
    assert ">99+<" in body


def test_the_bell_says_nothing_to_someone_signed_out(db):
    assert Client().get(BELL).status_code == 204


def test_every_page_draws_the_bell_without_a_query_of_its_own(
    org, client_for, notice, django_assert_max_num_queries
):
    client = client_for(org.member)
    home = reverse("core:home")
    client.get(home)  # warm the shell's cached navigation roles
    with django_assert_max_num_queries(50) as before:
        client.get(home)
    notice(org.member)
    client.get(BELL)  # the live refresh keeps the count
    with django_assert_max_num_queries(50) as after:
        body = client.get(home).content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)
    assert "1 unread" in body
    assert 'hx-get="/notifications/bell/"' in body


def test_before_the_count_is_known_the_bell_fetches_it_on_load(org, client_for, notice):
    notice(org.member)  # forgets the cached count
    body = client_for(org.member).get(reverse("core:home")).content.decode()
    assert 'hx-trigger="load, every 30s' in body


# --- Preferences -------------------------------------------------------------------------


def test_preferences_show_each_kind_with_its_current_choice(org, client_for):
    body = client_for(org.member).get(PREFS).content.decode()
    assert "I received kudos" in body
    assert 'name="kudos-email"' in body
    assert "A report waits for moderation" not in body  # only for moderators


def test_moderators_may_choose_how_they_hear_of_reports(org, client_for):
    ExpertReviewer.objects.create(user=org.outsider, skill=SkillFactory())
    assert "A report waits for moderation" in client_for(org.admin).get(PREFS).content.decode()
    assert "A report waits for moderation" in client_for(org.outsider).get(PREFS).content.decode()


def _form(**changes):
    data = {}
    for kind in Kind.values:
        if kind == Kind.REPORT:
            continue
        data[f"{kind}-in_app"] = "on"
        data[f"{kind}-email"] = services.DEFAULT_EMAIL[kind]
    data.update(changes)
    return data


def test_saving_preferences(org, client_for):
    data = _form(**{"kudos-email": EmailChoice.WEEKLY})
    del data["mention-in_app"]
    response = client_for(org.member).post(PREFS, data, follow=True)
    assert "Notification preferences saved." in response.content.decode()
    chosen = {c.kind: c for c in services.preferences_for(org.member)}
    assert chosen[Kind.KUDOS].email == EmailChoice.WEEKLY
    assert chosen[Kind.MENTION].in_app is False
    assert Preference.objects.filter(person=org.member).count() == 2


def test_a_bad_preference_is_refused_and_nothing_is_saved(org, client_for):
    data = _form(**{"kudos-email": "hourly", "share-email": EmailChoice.NEVER})
    response = client_for(org.member).post(PREFS, data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Preference.objects.exists()


def test_a_member_cannot_set_report_preferences_by_posting_them(org, client_for):
    data = _form(**{"report-email": EmailChoice.NEVER})
    client_for(org.member).post(PREFS, data)
    assert not Preference.objects.filter(kind=Kind.REPORT).exists()

"""Kudos on profiles: the htmx form, the full list, and hiding by learning admins."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peerpath.people import services as people_services
from peerpath.recognition import kudos
from peerpath.recognition.models import Kudos

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def give_url(person):
    return reverse("recognition:kudos_give", args=[person.public_id])


def profile_url(person):
    return reverse("people:profile", args=[person.public_id])


def test_the_profile_offers_the_kudos_form_to_colleagues_but_not_to_oneself(org, client_for):
    colleague_view = client_for(org.member).get(profile_url(org.lead))
    own_view = client_for(org.lead).get(profile_url(org.lead))

    assert f'hx-post="{give_url(org.lead)}"'.encode() in colleague_view.content
    assert b"Give kudos" in colleague_view.content
    assert give_url(org.lead).encode() not in own_view.content


def test_kudos_sent_with_htmx_answer_with_the_panel_showing_the_thanks(org, client_for):
    response = client_for(org.member).post(
        give_url(org.lead), {"message": "Thanks for covering my shift"}, **HTMX
    )

    assert response.status_code == 200
    assert response.templates[0].name == "recognition/_kudos_panel.html"
    assert b"Thank you! Leo will see your kudos." in response.content
    assert b"Thanks for covering my shift" in response.content
    assert Kudos.objects.get().recipient == org.lead


def test_kudos_without_javascript_go_back_to_the_profile(org, client_for):
    response = client_for(org.member).post(give_url(org.lead), {"message": "Thanks!"})

    assert response.status_code == 302
    assert response["Location"] == profile_url(org.lead)
    assert Kudos.objects.count() == 1


def test_a_too_long_message_is_shown_back_with_its_error(org, client_for):
    response = client_for(org.member).post(give_url(org.lead), {"message": "x" * 281}, **HTMX)

    assert response.status_code == 200
    assert b"Ensure this value has at most 280 characters" in response.content
    assert b'aria-invalid="true"' in response.content
    assert not Kudos.objects.exists()


def test_the_daily_allowance_is_explained_on_the_form(org, client_for, monkeypatch):
    monkeypatch.setattr(kudos, "KUDOS_PER_DAY", 1)
    client = client_for(org.member)
    client.post(give_url(org.lead), {"message": "One"}, **HTMX)

    response = client.post(give_url(org.deep), {"message": "Two"}, **HTMX)

    assert b"You have given 1 kudos in the last 24 hours" in response.content
    assert Kudos.objects.count() == 1


def test_messages_are_shown_as_text_never_as_html(org, client_for):
    kudos.kudos_give(
        giver=org.member, recipient=org.lead, message='<img src=x onerror="alert(1)"> thanks'
    )

    response = client_for(org.outsider).get(profile_url(org.lead))

    assert b"<img src=x" not in response.content
    assert b"&lt;img src=x onerror=&quot;alert(1)&quot;&gt; thanks" in response.content


def test_nobody_gives_kudos_to_themselves_or_to_someone_who_left(org, client_for):
    assert client_for(org.lead).post(give_url(org.lead), {"message": "Me!"}).status_code == 403
    people_services.person_deactivate(person=org.deep, by=org.admin)
    # Deactivated profiles are not shown to colleagues at all.
    assert client_for(org.lead).post(give_url(org.deep), {"message": "Hi"}).status_code == 403
    assert not Kudos.objects.exists()


def test_signed_out_visitors_cannot_give_kudos(org, client):
    response = client.post(give_url(org.lead), {"message": "Hi"})
    assert response.status_code == 302
    assert not Kudos.objects.exists()


def test_the_profile_shows_the_latest_ten_and_links_to_all(
    org, client_for, django_assert_max_num_queries
):
    givers = [org.member, org.deep, org.manager, org.outsider]
    for n in range(12):
        Kudos.objects.create(giver=givers[n % 4], recipient=org.lead, message=f"Thanks #{n:02d}")
    client = client_for(org.member)

    profile = client.get(profile_url(org.lead))
    assert profile.content.count(b"Thanks #") == 10
    assert reverse("recognition:kudos_received", args=[org.lead.public_id]).encode() in (
        profile.content
    )

    with django_assert_max_num_queries(12):
        listing = client.get(reverse("recognition:kudos_received", args=[org.lead.public_id]))
    assert listing.status_code == 200
    assert listing.content.count(b"Thanks #") == 12


def test_learning_admins_hide_a_kudos_with_htmx(org, client_for):
    given = kudos.kudos_give(giver=org.member, recipient=org.lead, message="Thanks")
    url = reverse("recognition:kudos_hide", args=[given.public_id])

    profile = client_for(org.admin).get(profile_url(org.lead))
    assert url.encode() in profile.content
    response = client_for(org.admin).post(url, **HTMX)

    assert response.status_code == 200
    assert b"Kudos hidden." in response.content
    given.refresh_from_db()
    assert given.hidden_by == org.admin
    assert (
        b"Thanks"
        not in client_for(org.member)
        .get(profile_url(org.lead))
        .content.split(b'id="kudos-h"')[1]
        .split(b"</section>")[0]
    )


def test_colleagues_cannot_hide_kudos(org, client_for):
    given = kudos.kudos_give(giver=org.member, recipient=org.lead, message="Thanks")
    url = reverse("recognition:kudos_hide", args=[given.public_id])

    assert url.encode() not in client_for(org.manager).get(profile_url(org.lead)).content
    for person in (org.lead, org.manager, org.member):
        assert client_for(person).post(url).status_code == 403
    given.refresh_from_db()
    assert given.hidden_at is None


def test_hiding_an_unknown_kudos_is_not_found(org, client_for):
    url = reverse("recognition:kudos_hide", args=["00000000-0000-0000-0000-000000000000"])
    assert client_for(org.admin).post(url).status_code == 404


def test_ones_own_profile_links_to_the_leaderboards(org, client_for):
    board = reverse("recognition:leaderboards").encode()
    assert board in client_for(org.member).get(profile_url(org.member)).content
    assert board not in client_for(org.member).get(profile_url(org.lead)).content

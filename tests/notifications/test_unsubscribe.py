"""One-click unsubscribe (RFC 8058): a signed link per kind, or per digest, that works
signed out; GET asks, POST unsubscribes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from peerpath.notifications import emails, services
from peerpath.notifications.models import EmailChoice, Kind, Preference
from peerpath.notifications.services import Choice
from peerpath.people.models import User

pytestmark = pytest.mark.django_db


def url_for(person, scope=Kind.SHARE, cadence=""):
    return reverse(
        "notifications:unsubscribe", args=[emails.unsubscribe_token(person, scope, cadence)]
    )


def email_choice(person, kind):
    return {c.kind: c for c in services.preferences_for(person)}[kind].email


def test_the_link_asks_first_and_changes_nothing_on_get(org):
    response = Client().get(url_for(org.member))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Stop emailing" in body
    assert "Something was shared with me" in body
    assert not Preference.objects.exists()


def test_confirming_unsubscribes_from_that_kind_only(org):
    response = Client().post(url_for(org.member))
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert email_choice(org.member, Kind.SHARE) == EmailChoice.NEVER
    assert email_choice(org.member, Kind.MENTION) == EmailChoice.IMMEDIATELY


def test_a_mail_clients_one_click_post_needs_no_session_or_csrf_token(org):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        url_for(org.member, Kind.KUDOS),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert email_choice(org.member, Kind.KUDOS) == EmailChoice.NEVER


def test_the_digest_link_stops_every_kind_in_that_digest(org):
    services.preferences_set(
        person=org.member, choices=[Choice(Kind.SHARE, in_app=True, email=EmailChoice.DAILY)]
    )
    Client().post(url_for(org.member, "digest", EmailChoice.DAILY))
    chosen = {c.kind: c.email for c in services.preferences_for(org.member)}
    assert chosen[Kind.SHARE] == EmailChoice.NEVER
    assert chosen[Kind.KUDOS] == EmailChoice.NEVER  # daily by default
    assert chosen[Kind.NEW_FOLLOWER] == EmailChoice.WEEKLY
    assert chosen[Kind.MENTION] == EmailChoice.IMMEDIATELY


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_refused_and_changes_nothing(org, method):
    token = emails.unsubscribe_token(org.member, Kind.SHARE)
    rest = token.split(":", 1)[1]
    forged = emails.unsubscribe_token(org.lead, Kind.SHARE).split(":", 1)[0] + ":" + rest
    for bad in (forged, token[:-2] + "xx", "nonsense"):
        response = getattr(Client(), method)(reverse("notifications:unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert not Preference.objects.exists()


def test_a_link_signed_for_something_else_is_refused(org):
    from django.core import signing

    token = signing.dumps({"p": str(org.member.public_id), "s": Kind.SHARE, "c": ""}, salt="other")
    response = Client().post(reverse("notifications:unsubscribe", args=[token]))
    assert response.status_code == 400
    unknown = signing.dumps(
        {"p": str(org.member.public_id), "s": "spam", "c": ""}, salt=emails.UNSUBSCRIBE_SALT
    )
    assert Client().post(reverse("notifications:unsubscribe", args=[unknown])).status_code == 400
    assert not Preference.objects.exists()


def test_a_link_for_someone_who_left_does_nothing(org):
    url = url_for(org.member)
    User.objects.filter(pk=org.member.pk).update(is_active=False)
    assert Client().post(url).status_code == 400
    assert not Preference.objects.exists()


def test_the_link_only_takes_get_and_post(org):
    assert Client().put(url_for(org.member)).status_code == 405

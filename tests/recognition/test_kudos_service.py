"""Giving and hiding kudos: the message rules, the daily allowance, the event."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peerpath.core import events
from peerpath.people import services as people_services
from peerpath.recognition import kudos
from peerpath.recognition.models import Kudos

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    """The KudosGiven events published during the test."""
    seen: list[events.KudosGiven] = []
    events.subscribe(events.KudosGiven, seen.append)
    yield seen
    events._handlers[events.KudosGiven].remove(seen.append)


def test_a_colleague_thanks_someone_and_kudos_given_is_published(org, published):
    given = kudos.kudos_give(
        giver=org.member, recipient=org.lead, message="  Thanks for the help!  "
    )

    assert (given.giver, given.recipient, given.message) == (
        org.member,
        org.lead,
        "Thanks for the help!",
    )
    assert published == [
        events.KudosGiven(
            kudos_id=given.pk,
            giver_id=org.member.pk,
            recipient_id=org.lead.pk,
            message="Thanks for the help!",
            at=given.created_at,
        )
    ]


def test_nobody_thanks_themselves(org, published):
    with pytest.raises(ValidationError, match="yourself"):
        kudos.kudos_give(giver=org.member, recipient=org.member, message="Well done me")
    assert not Kudos.objects.exists()
    assert published == []


def test_nobody_thanks_someone_who_left(org):
    people_services.person_deactivate(person=org.lead, by=org.admin)

    with pytest.raises(ValidationError, match="no longer active"):
        kudos.kudos_give(giver=org.member, recipient=org.lead, message="Thanks")
    assert not Kudos.objects.exists()


def test_an_inactive_person_cannot_give_kudos(org):
    people_services.person_deactivate(person=org.member, by=org.admin)
    org.member.refresh_from_db()

    with pytest.raises(PermissionDenied):
        kudos.kudos_give(giver=org.member, recipient=org.lead, message="Thanks")


@pytest.mark.parametrize("message", ["", "   ", "\n\t", "\u200b\u200b"])
def test_a_kudos_needs_a_message(org, message):
    with pytest.raises(ValidationError) as caught:
        kudos.kudos_give(giver=org.member, recipient=org.lead, message=message)
    assert caught.value.message_dict == {"message": ["Write a short message to say thank you."]}


def test_a_message_is_at_most_280_characters(org):
    kudos.kudos_give(giver=org.member, recipient=org.lead, message="a" * 280)

    with pytest.raises(ValidationError) as caught:
        kudos.kudos_give(giver=org.member, recipient=org.lead, message="b" * 281)
    assert caught.value.message_dict == {
        "message": ["Keep it to 280 characters (this message has 281)."]
    }
    assert Kudos.objects.count() == 1


def test_the_message_is_kept_as_plain_text_without_control_characters(org):
    given = kudos.kudos_give(
        giver=org.member,
        recipient=org.lead,
        message="<b>Great</b>\r\n\r\ncall\x00 handling\u202e & <script>x</script>",
    )

    assert given.message == "<b>Great</b> call handling & <script>x</script>"


def test_a_giver_has_a_daily_allowance_with_a_clear_message(org):
    now = timezone.now()
    with time_machine.travel(now - timedelta(hours=25), tick=False):
        kudos.kudos_give(giver=org.member, recipient=org.deep, message="Yesterday")
    with time_machine.travel(now, tick=False):
        for n in range(kudos.KUDOS_PER_DAY):
            kudos.kudos_give(giver=org.member, recipient=org.lead, message=f"Thanks {n}")

        with pytest.raises(ValidationError) as caught:
            kudos.kudos_give(giver=org.member, recipient=org.lead, message="One more")
        assert caught.value.messages == [
            "You have given 10 kudos in the last 24 hours, the most for a day. "
            "You can thank more colleagues tomorrow."
        ]
        # Others still have their own allowance.
        kudos.kudos_give(giver=org.lead, recipient=org.member, message="Thanks back")
    assert Kudos.objects.filter(giver=org.member).count() == 11


def test_learning_admins_hide_a_kudos_and_it_leaves_the_profile(org):
    from peerpath.recognition import selectors

    given = kudos.kudos_give(giver=org.member, recipient=org.lead, message="Thanks")

    kudos.kudos_hide(actor=org.admin, kudos=given)

    given.refresh_from_db()
    assert given.hidden_by == org.admin
    assert given.hidden_at is not None
    assert list(selectors.kudos_for(org.lead)) == []


def test_others_cannot_hide_a_kudos(org):
    given = kudos.kudos_give(giver=org.member, recipient=org.lead, message="Thanks")

    for actor in (org.lead, org.manager, org.outsider):
        with pytest.raises(PermissionDenied):
            kudos.kudos_hide(actor=actor, kudos=given)
    given.refresh_from_db()
    assert given.hidden_at is None

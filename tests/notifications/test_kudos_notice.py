"""Receiving kudos notifies the recipient, linking to their kudos."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from peerpath.notifications.models import Kind, Notification
from peerpath.recognition import kudos

pytestmark = pytest.mark.django_db


def test_kudos_received_is_a_notice_for_the_recipient_alone(
    org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        given = kudos.kudos_give(
            giver=org.lead, recipient=org.member, message="Thanks for the cover!"
        )
    notice = Notification.objects.get()
    assert notice.recipient == org.member
    assert notice.kind == Kind.KUDOS
    assert notice.actor == org.lead
    assert notice.title == "Leo Lead gave you kudos"
    assert notice.body == "Thanks for the cover!"
    assert notice.url == reverse("recognition:kudos_received", args=[org.member.public_id])
    assert notice.dedupe_key == f"kudos:{given.public_id}"
    assert mail.outbox == []  # kudos are emailed in the daily digest by default


def test_kudos_refused_notify_nobody(org):
    with pytest.raises(Exception, match="yourself"):
        kudos.kudos_give(giver=org.member, recipient=org.member, message="Me!")
    assert not Notification.objects.exists()

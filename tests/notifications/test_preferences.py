"""Per-kind preferences decide whether a notice rings the bell and when it is emailed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from peerpath.notifications import emails, services, tasks
from peerpath.notifications.models import EmailChoice, Kind, Notification, Preference
from peerpath.notifications.services import Choice

pytestmark = pytest.mark.django_db


def choose(person, kind, *, in_app=True, email=EmailChoice.IMMEDIATELY):
    services.preferences_set(person=person, choices=[Choice(kind=kind, in_app=in_app, email=email)])


def test_without_a_choice_each_kind_has_its_default(org):
    chosen = {c.kind: c for c in services.preferences_for(org.member)}
    assert list(chosen) == list(Kind.values)
    assert chosen[Kind.SHARE] == Choice(Kind.SHARE, in_app=True, email=EmailChoice.IMMEDIATELY)
    assert chosen[Kind.KUDOS].email == EmailChoice.DAILY
    assert chosen[Kind.NEW_FOLLOWER].email == EmailChoice.WEEKLY


def test_a_choice_is_kept_and_going_back_to_the_default_keeps_no_row(org):
    choose(org.member, Kind.KUDOS, in_app=False, email=EmailChoice.WEEKLY)
    row = Preference.objects.get(person=org.member, kind=Kind.KUDOS)
    assert (row.in_app, row.email) == (False, EmailChoice.WEEKLY)
    choose(org.member, Kind.KUDOS, in_app=True, email=EmailChoice.DAILY)
    assert not Preference.objects.filter(person=org.member).exists()


def test_a_bad_choice_is_refused_and_nothing_is_saved(org):
    with pytest.raises(ValidationError, match="Choose how to email"):
        services.preferences_set(
            person=org.member,
            choices=[
                Choice(Kind.SHARE, in_app=False, email=EmailChoice.NEVER),
                Choice(Kind.KUDOS, in_app=True, email="hourly"),
            ],
        )
    assert not Preference.objects.exists()


def test_at_once_sends_one_email_after_the_commit_with_a_one_click_unsubscribe(
    org, notice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice(org.member, actor=org.lead)
    assert mail.outbox == []  # nothing leaves before the cause commits
    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [org.member.email]
    assert message.subject == "Sam shared “Warm transfers” with you"
    assert f"{settings.BASE_URL}/learn/m/x/warm-transfers/" in message.body
    link = message.extra_headers["List-Unsubscribe"]
    assert link.startswith("<")
    assert "/notifications/unsubscribe/" in link
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.strip("<>") in message.body
    row = Notification.objects.get(recipient=org.member)
    assert row.emailed_at is not None
    assert row.read_at is None


def test_a_notice_is_emailed_at_once_only_once(org, notice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice(org.member)
    row = Notification.objects.get(recipient=org.member)
    assert (
        emails.send_at_once(kind=row.kind, dedupe_key=row.dedupe_key, recipient_ids=[org.member.pk])
        == 0
    )
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("email", [EmailChoice.DAILY, EmailChoice.WEEKLY, EmailChoice.NEVER])
def test_other_email_choices_send_nothing_at_once(
    org, notice, email, django_capture_on_commit_callbacks
):
    choose(org.member, Kind.SHARE, email=email)
    with django_capture_on_commit_callbacks(execute=True):
        notice(org.member)
    assert mail.outbox == []
    row = Notification.objects.get(recipient=org.member)
    assert row.read_at is None
    assert row.emailed_at is None


def test_a_choice_changed_before_the_email_leaves_is_respected(
    org, notice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice(org.member)
    choose(org.member, Kind.SHARE, email=EmailChoice.NEVER)
    for callback in callbacks:
        callback()
    assert mail.outbox == []


def test_bell_off_keeps_the_notice_read_for_the_email_alone(
    org, notice, django_capture_on_commit_callbacks
):
    choose(org.member, Kind.SHARE, in_app=False, email=EmailChoice.IMMEDIATELY)
    with django_capture_on_commit_callbacks(execute=True):
        notice(org.member)
    row = Notification.objects.get(recipient=org.member)
    assert row.read_at is not None
    assert len(mail.outbox) == 1


def test_bell_off_and_never_email_writes_nothing(org, notice, django_capture_on_commit_callbacks):
    choose(org.member, Kind.SHARE, in_app=False, email=EmailChoice.NEVER)
    with django_capture_on_commit_callbacks(execute=True):
        assert notice(org.member) == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_nobody_without_an_active_account_is_emailed(
    org, notice, django_capture_on_commit_callbacks
):
    from peerpath.people.models import User

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notice(org.member)
    User.objects.filter(pk=org.member.pk).update(is_active=False)
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    assert Notification.objects.get(recipient=org.member).emailed_at is None


def test_each_person_gets_their_own_choice_from_one_notify(org, django_capture_on_commit_callbacks):
    choose(org.lead, Kind.SHARE, email=EmailChoice.NEVER)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipients=[org.member, org.lead, org.deep],
            kind=Kind.SHARE,
            title="Shared with you",
            url="/",
            dedupe_key="share:many",
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([org.member.email, org.deep.email])


def test_unsubscribing_stops_email_of_that_kind_and_keeps_the_bell(org):
    choose(org.member, Kind.MENTION, in_app=False, email=EmailChoice.IMMEDIATELY)
    changed = services.email_unsubscribe(person=org.member, kinds=[Kind.MENTION, Kind.SHARE])
    assert changed == [Kind.SHARE, Kind.MENTION]
    chosen = {c.kind: c for c in services.preferences_for(org.member)}
    assert chosen[Kind.MENTION] == Choice(Kind.MENTION, in_app=False, email=EmailChoice.NEVER)
    assert chosen[Kind.SHARE] == Choice(Kind.SHARE, in_app=True, email=EmailChoice.NEVER)
    assert services.email_unsubscribe(person=org.member, kinds=[Kind.SHARE]) == []


def test_marking_read_is_for_the_recipient_alone(org, notice):
    notice(org.member)
    row = Notification.objects.get(recipient=org.member)
    with pytest.raises(ValidationError, match="not yours"):
        services.notification_mark_read(person=org.lead, notification=row)
    row.refresh_from_db()
    assert row.read_at is None
    services.notification_mark_read(person=org.member, notification=row)
    row.refresh_from_db()
    assert row.read_at is not None


def test_mark_all_read_touches_only_the_persons_notices(org, notice):
    for _ in range(3):
        notice(org.member)
    notice(org.lead)
    assert services.notifications_mark_all_read(person=org.member) == 3
    assert services.notifications_mark_all_read(person=org.member) == 0
    assert Notification.objects.filter(recipient=org.lead, read_at__isnull=True).count() == 1


def test_taking_a_kind_out_of_the_bell_clears_its_unread_notices(org, notice):
    notice(org.member, kind=Kind.KUDOS)
    notice(org.member, kind=Kind.SHARE)
    choose(org.member, Kind.KUDOS, in_app=False, email=EmailChoice.DAILY)
    unread = Notification.objects.filter(recipient=org.member, read_at__isnull=True)
    assert list(unread.values_list("kind", flat=True)) == [Kind.SHARE]


def test_an_at_once_email_that_failed_is_retried_by_the_hourly_task(
    org, notice, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            notice(org.member)  # its task never ran
        notice(org.lead, kind=Kind.KUDOS)  # a daily kind: not for this task
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        assert emails.send_at_once_missed() == 0  # the task may still be on its way
    with time_machine.travel(start + dt.timedelta(minutes=15), tick=False):
        assert tasks.send_missed_emails.enqueue().return_value == 1
        assert tasks.send_missed_emails.enqueue().return_value == 0
    assert [m.to for m in mail.outbox] == [[org.member.email]]

"""Holders are reminded 60, 30 and 7 days before their certification expires, once each;
then it expires. The daily task does both."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from peerpath.core import periodic
from peerpath.recognition import certifications, tasks
from peerpath.recognition.models import AwardStatus, CertificationAward, ExpiryReminder
from tests.recognition.factories import CertificationAwardFactory, CertificationFactory

pytestmark = pytest.mark.django_db

AWARDED = dt.datetime(2026, 1, 10, 8, tzinfo=dt.UTC)


@pytest.fixture
def award(org):
    # Valid 365 days: expires 10 January 2027, 08:00 UTC.
    return CertificationAwardFactory(
        certification=CertificationFactory(name="Forklift safety", validity_days=365),
        holder=org.member,
        awarded_at=AWARDED,
    )


def _on(day: dt.datetime):
    return time_machine.travel(day, tick=False)


def test_reminders_go_out_at_60_30_and_7_days_once_each(award):
    days = {
        dt.datetime(2026, 11, 10, 9, tzinfo=dt.UTC): None,  # 60 days and 23 hours left
        dt.datetime(2026, 11, 11, 9, tzinfo=dt.UTC): 60,
        dt.datetime(2026, 11, 12, 9, tzinfo=dt.UTC): None,
        dt.datetime(2026, 12, 11, 9, tzinfo=dt.UTC): 30,
        dt.datetime(2027, 1, 3, 9, tzinfo=dt.UTC): 7,
        dt.datetime(2027, 1, 4, 9, tzinfo=dt.UTC): None,
    }
    for day, mark in days.items():
        with _on(day):
            sent = certifications.expiry_reminders_send()
        assert sent == (1 if mark else 0), day
    assert sorted(award.reminders.values_list("days_before", flat=True)) == [7, 30, 60]
    assert len(mail.outbox) == 3
    assert mail.outbox[0].subject == "Your “Forklift safety” certification expires in 60 days"
    assert mail.outbox[0].to == [award.holder.email]
    assert f"/certificates/{award.public_id}/" in mail.outbox[0].body
    assert "10 January 2027" in mail.outbox[2].body


def test_a_late_run_sends_only_the_tightest_reminder(award):
    with _on(dt.datetime(2027, 1, 5, 9, tzinfo=dt.UTC)):
        assert certifications.expiry_reminders_send() == 1
    assert list(award.reminders.values_list("days_before", flat=True)) == [7]


def test_holdings_that_never_expire_or_are_not_in_force_get_no_reminder(org, award):
    CertificationAwardFactory(
        certification=CertificationFactory(validity_days=None), holder=org.lead, awarded_at=AWARDED
    )
    award.status = AwardStatus.REVOKED
    award.save()
    with _on(dt.datetime(2027, 1, 5, 9, tzinfo=dt.UTC)):
        assert certifications.expiry_reminders_send() == 0
    assert not ExpiryReminder.objects.exists()


def test_a_holding_past_its_date_expires_and_the_holder_is_told(
    award, django_capture_on_commit_callbacks
):
    with _on(dt.datetime(2027, 1, 10, 7, 59, tzinfo=dt.UTC)):
        assert certifications.awards_expire() == 0
    with (
        _on(dt.datetime(2027, 1, 10, 8, 0, tzinfo=dt.UTC)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert certifications.awards_expire() == 1
        assert certifications.awards_expire() == 0
    award.refresh_from_db()
    assert award.status == AwardStatus.EXPIRED
    [message] = mail.outbox
    assert message.subject == "Your “Forklift safety” certification has expired"


def test_the_daily_task_expires_then_reminds(org, award):
    soon = CertificationAwardFactory(
        certification=CertificationFactory(validity_days=30),
        holder=org.lead,
        awarded_at=dt.datetime(2026, 12, 20, tzinfo=dt.UTC),
    )
    with _on(dt.datetime(2027, 1, 12, 9, tzinfo=dt.UTC)):
        result = tasks.send_expiry_reminders.enqueue()
    assert result.return_value == 1  # the 30-day holding's 7-day reminder
    assert CertificationAward.objects.get(pk=award.pk).status == AwardStatus.EXPIRED
    assert list(soon.reminders.values_list("days_before", flat=True)) == [7]


def test_the_expiry_task_is_scheduled_daily():
    [entry] = [e for e in periodic.SCHEDULE if e.task_path.startswith("peerpath.recognition")]
    assert entry.task_path == "peerpath.recognition.tasks.send_expiry_reminders"
    assert entry.every_seconds == 24 * 60 * 60

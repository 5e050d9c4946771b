"""Daily and weekly digests: each person's notices from before their 07:00, once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from peerpath.notifications import emails, services, tasks
from peerpath.notifications.models import EmailChoice, Kind, Notification
from peerpath.notifications.services import Choice
from peerpath.people.models import User

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)  # a Monday, before the clocks change


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return MONDAY + dt.timedelta(days=day, hours=hour, minutes=minute)


def notice_at(when, person, *, kind=Kind.KUDOS, title="Leo gave you kudos", notice=None):
    with time_machine.travel(when, tick=False):
        return notice(person, kind=kind, title=title)


def send(when, cadence=EmailChoice.DAILY) -> int:
    with time_machine.travel(when, tick=False):
        return emails.digests_send(cadence=cadence)


def test_the_daily_digest_carries_what_came_before_the_morning_once(org, notice):
    notice_at(at(0, 10), org.member, title="Leo gave you kudos", notice=notice)
    notice_at(at(0, 20), org.member, title="Ada gave you kudos", notice=notice)

    assert send(at(1, 6, 59)) == 0  # not 07:00 yet
    assert send(at(1, 7, 30)) == 1
    assert send(at(1, 8, 30)) == 0  # each notice goes out once

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [org.member.email]
    assert message.subject == "Your daily Peerpath digest: 2 notices"
    assert "Leo gave you kudos" in message.body
    assert "Ada gave you kudos" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_a_notice_after_the_morning_waits_for_the_next_day(org, notice):
    notice_at(at(0, 10), org.member, notice=notice)
    assert send(at(1, 7, 5)) == 1
    notice_at(at(1, 7, 45), org.member, title="Late kudos", notice=notice)
    assert send(at(1, 9)) == 0
    assert send(at(1, 23)) == 0
    assert send(at(2, 7, 1)) == 1
    assert "Late kudos" in mail.outbox[1].body
    assert mail.outbox[1].subject == "Your daily Peerpath digest: 1 notice"


def test_the_morning_is_the_persons_own(org, notice):
    User.objects.filter(pk=org.member.pk).update(time_zone="America/New_York")
    notice_at(at(0, 13), org.member, notice=notice)  # 08:00 on Monday in New York
    notice_at(at(0, 13), org.lead, notice=notice)  # 13:00 on Monday in UTC
    assert send(at(1, 7, 30)) == 1  # 07:30 in UTC, 02:30 in New York
    assert mail.outbox[0].to == [org.lead.email]
    assert send(at(1, 12, 30)) == 1  # 07:30 in New York
    assert mail.outbox[1].to == [org.member.email]


def test_the_weekly_digest_goes_out_on_monday_morning(org, notice):
    notice_at(at(2, 9), org.member, kind=Kind.NEW_FOLLOWER, title="Ada follows you", notice=notice)
    assert send(at(3, 8)) == 0  # the daily digest leaves weekly kinds alone
    assert send(at(6, 23), EmailChoice.WEEKLY) == 0  # Sunday night
    assert send(at(7, 7, 5), EmailChoice.WEEKLY) == 1
    assert send(at(7, 9), EmailChoice.WEEKLY) == 0
    assert mail.outbox[0].subject == "Your weekly Peerpath digest: 1 notice"
    assert "Ada follows you" in mail.outbox[0].body


def test_a_digest_holds_only_the_kinds_chosen_for_it(
    org, notice, django_capture_on_commit_callbacks
):
    services.preferences_set(
        person=org.member,
        choices=[
            Choice(Kind.SHARE, in_app=False, email=EmailChoice.DAILY),
            Choice(Kind.MENTION, in_app=True, email=EmailChoice.NEVER),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        notice_at(
            at(0, 9), org.member, kind=Kind.SHARE, title="Shared: Warm transfers", notice=notice
        )
        notice_at(at(0, 9), org.member, kind=Kind.MENTION, title="Mentioned you", notice=notice)
        notice_at(
            at(0, 9), org.member, kind=Kind.ANSWER_ACCEPTED, title="Answer accepted", notice=notice
        )
        notice_at(at(0, 9), org.member, kind=Kind.KUDOS, title="Leo gave you kudos", notice=notice)
    mail.outbox.clear()  # the accepted answer went out at once

    assert send(at(1, 7)) == 1
    body = mail.outbox[0].body
    assert "Shared: Warm transfers" in body  # bell off, digest on: still emailed
    assert "Leo gave you kudos" in body
    assert "Mentioned you" not in body
    assert "Answer accepted" not in body
    # One unsubscribe link per kind in the digest, and one for the digest as a whole.
    assert body.count("/notifications/unsubscribe/") == 3
    assert Notification.objects.get(kind=Kind.MENTION).emailed_at is None


def test_old_notices_are_not_dug_up(org, notice):
    notice_at(at(0, 9), org.member, notice=notice)
    assert send(at(4, 7, 30)) == 0  # more than three days on
    assert mail.outbox == []


def test_nobody_inactive_gets_a_digest(org, notice):
    notice_at(at(0, 9), org.member, notice=notice)
    User.objects.filter(pk=org.member.pk).update(is_active=False)
    assert send(at(1, 8)) == 0


def test_the_periodic_tasks_send_the_digests(org, notice):
    notice_at(at(0, 9), org.member, notice=notice)
    notice_at(at(0, 9), org.lead, kind=Kind.NEW_FOLLOWER, notice=notice)
    with time_machine.travel(at(7, 8), tick=False):
        assert tasks.send_daily_digests.enqueue().return_value == 0  # older than 3 days
    with time_machine.travel(at(1, 8), tick=False):
        assert tasks.send_daily_digests.enqueue().return_value == 1
    with time_machine.travel(at(7, 8), tick=False):
        assert tasks.send_weekly_digests.enqueue().return_value == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([org.member.email, org.lead.email])


@pytest.mark.parametrize(
    ("cadence", "now", "zone", "expected"),
    [
        (EmailChoice.DAILY, at(1, 6), "UTC", at(0, 7)),
        (EmailChoice.DAILY, at(1, 7), "UTC", at(1, 7)),
        (EmailChoice.WEEKLY, at(3, 12), "UTC", at(0, 7)),
        (EmailChoice.WEEKLY, at(0, 6), "UTC", at(-7, 7)),
        # London moves to summer time on 29 March 2026: 07:00 local is 06:00 UTC after it.
        (
            EmailChoice.DAILY,
            dt.datetime(2026, 3, 30, 12, tzinfo=dt.UTC),
            "Europe/London",
            dt.datetime(2026, 3, 30, 6, tzinfo=dt.UTC),
        ),
        (
            EmailChoice.DAILY,
            dt.datetime(2026, 3, 29, 6, 30, tzinfo=dt.UTC),
            "Europe/London",
            dt.datetime(2026, 3, 29, 6, tzinfo=dt.UTC),
        ),
    ],
)
def test_the_digest_moment(cadence, now, zone, expected):
    assert emails.digest_cutoff(cadence, now, zone) == expected


def test_a_run_visits_only_people_with_notices_for_that_digest(
    org, notice, django_assert_max_num_queries
):
    services.preferences_set(
        person=org.lead, choices=[Choice(Kind.KUDOS, in_app=True, email=EmailChoice.NEVER)]
    )
    services.preferences_set(
        person=org.deep, choices=[Choice(Kind.SHARE, in_app=True, email=EmailChoice.DAILY)]
    )
    notice_at(at(0, 9), org.lead, notice=notice)  # kudos, never emailed
    notice_at(at(0, 9), org.manager, kind=Kind.NEW_FOLLOWER, notice=notice)  # weekly
    notice_at(at(0, 9), org.deep, kind=Kind.SHARE, notice=notice)  # daily by choice
    with time_machine.travel(at(1, 8), tick=False):
        waiting = Notification.objects.filter(emailed_at__isnull=True).filter(
            emails._chosen_for(EmailChoice.DAILY)
        )
        assert list(waiting.values_list("recipient_id", flat=True)) == [org.deep.pk]
    assert send(at(1, 8)) == 1
    assert mail.outbox[0].to == [org.deep.email]

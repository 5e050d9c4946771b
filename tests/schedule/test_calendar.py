"""The private calendar feed: a revocable token opens a person's approved learning blocks
as iCalendar, which calendar clients read back."""

from __future__ import annotations

import datetime as dt
import hashlib

import icalendar
import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from peerpath.people.models import User
from peerpath.schedule import calendar, services
from peerpath.schedule.models import CalendarFeed, RequestStatus
from tests.factories import ModuleFactory, UserFactory
from tests.schedule.factories import LearningTimeRequestFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def block(person, start: dt.datetime, minutes: int = 30, **kw):
    return LearningTimeRequestFactory(
        person=person, starts_at=start, ends_at=start + dt.timedelta(minutes=minutes), **kw
    )


def test_a_feed_token_opens_that_persons_feed_and_only_its_hash_is_kept():
    person = UserFactory()
    token = services.create_calendar_feed(person=person)
    assert len(token) >= 40
    feed = CalendarFeed.objects.get(person=person)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in feed.token_hash
    assert calendar.person_for_token(token) == person
    feed.refresh_from_db()
    assert feed.last_used_at == NOW
    assert calendar.person_for_token(token + "x") is None
    assert calendar.person_for_token("") is None


def test_a_new_token_replaces_the_old_one_and_revoking_closes_the_feed():
    person = UserFactory()
    old = services.create_calendar_feed(person=person)
    new = services.create_calendar_feed(person=person)
    assert old != new
    assert calendar.person_for_token(old) is None
    assert calendar.person_for_token(new) == person
    assert services.revoke_calendar_feed(person=person) is True
    assert calendar.person_for_token(new) is None
    assert not CalendarFeed.objects.exists()
    assert services.revoke_calendar_feed(person=person) is False


def test_an_inactive_persons_feed_is_closed():
    person = UserFactory()
    token = services.create_calendar_feed(person=person)
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert calendar.person_for_token(token) is None
    person.is_active = False
    with pytest.raises(PermissionDenied):
        services.create_calendar_feed(person=person)


def test_the_feed_lists_approved_blocks_in_utc_and_reads_back():
    person = UserFactory(time_zone="Europe/London")
    module = ModuleFactory(author=UserFactory(), title="Refunds without tears")
    learning = block(
        person, dt.datetime(2026, 3, 2, 14, tzinfo=UTC), module=module, status="approved"
    )
    summer = block(person, dt.datetime(2026, 4, 7, 13, tzinfo=UTC), note="Quiz", status="approved")
    recent = block(person, NOW - dt.timedelta(days=59), status="approved")
    block(person, NOW - dt.timedelta(days=61), status="approved")  # too long ago
    for status in (RequestStatus.PENDING, RequestStatus.DECLINED, RequestStatus.CANCELLED):
        block(person, dt.datetime(2026, 3, 3, 9, tzinfo=UTC), status=status)
    block(UserFactory(), dt.datetime(2026, 3, 2, 14, tzinfo=UTC), status="approved")

    body = calendar.render_feed(person)
    # Times go out in UTC ("Z"), never as local times a client might misread.
    assert b"DTSTART:20260302T140000Z" in body
    assert b"TZID" not in body
    parsed = icalendar.Calendar.from_ical(body)
    assert str(parsed["prodid"]) == calendar.PRODID
    events = parsed.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [
        f"{recent.public_id}@peerpath",
        f"{learning.public_id}@peerpath",
        f"{summer.public_id}@peerpath",
    ]
    first = events[1]
    assert first.decoded("dtstart") == dt.datetime(2026, 3, 2, 14, tzinfo=UTC)
    assert first.decoded("dtend") == dt.datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    assert first.decoded("dtstart").utcoffset() == dt.timedelta(0)
    assert first.decoded("dtstamp") == learning.decided_at
    assert str(first["summary"]) == "Learning time: Refunds without tears"
    assert "description" not in first
    assert str(events[2]["summary"]) == "Learning time"
    assert str(events[2]["description"]) == "Quiz"
    assert events[2].decoded("dtstart") == dt.datetime(2026, 4, 7, 13, tzinfo=UTC)


def test_an_empty_feed_is_still_a_calendar():
    parsed = icalendar.Calendar.from_ical(calendar.render_feed(UserFactory()))
    assert parsed.walk("VEVENT") == []
    assert str(parsed["version"]) == "2.0"


def test_the_feed_costs_one_query(django_assert_num_queries):
    person = UserFactory()
    module = ModuleFactory(author=person)
    for day in range(2, 12):
        block(person, dt.datetime(2026, 3, day, 9, tzinfo=UTC), module=module, status="approved")
    with django_assert_num_queries(1):
        body = calendar.render_feed(person)
    assert body.count(b"BEGIN:VEVENT") == 10

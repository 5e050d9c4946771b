"""Shift import from CSV and iCalendar: all or nothing, every problem named by line or
event, and the file replaces the team's shifts on the days it covers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerpath.people.models import User
from peerpath.schedule import shifts
from peerpath.schedule.models import Shift, ShiftSource
from tests.factories import TeamFactory, UserFactory
from tests.schedule.conftest import ShiftTeam
from tests.schedule.factories import SHIFT_START, ShiftFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
HEADER = "Line 1: the header must name the columns email, start, end and optionally queue"


def run(team: ShiftTeam, text: str | bytes, filename: str = "shifts.csv", actor=None):
    data = text.encode() if isinstance(text, str) else text
    return shifts.import_shifts(
        actor=actor or team.manager, team=team.team, data=data, filename=filename
    )


def errors_of(team: ShiftTeam, text: str | bytes, filename: str = "shifts.csv") -> list[str]:
    before = set(Shift.objects.values_list("pk", flat=True))
    with pytest.raises(ValidationError) as caught:
        run(team, text, filename)
    assert set(Shift.objects.values_list("pk", flat=True)) == before
    return caught.value.message_dict["file"]


def rows_of(team: ShiftTeam) -> list[tuple[str, dt.datetime, dt.datetime, str]]:
    return list(
        Shift.objects.filter(team=team.team)
        .order_by("starts_at", "person__email")
        .values_list("person__email", "starts_at", "ends_at", "queue")
    )


@pytest.fixture
def emails(shift_team: ShiftTeam) -> list[str]:
    return [agent.email for agent in shift_team.agents]


# --- CSV --------------------------------------------------------------------------------------


def test_a_csv_replaces_the_shifts_on_the_days_it_covers(shift_team, emails):
    shift_team.policy.time_zone = "Europe/London"
    shift_team.policy.save()
    kept = ShiftFactory(
        person=shift_team.agents[0],
        team=shift_team.team,
        starts_at=SHIFT_START - dt.timedelta(days=1),
    )
    result = run(
        shift_team,
        "Email,Start,End,Queue\n"
        f"{emails[0].upper()},2026-03-03 08:00,2026-03-03 16:00,billing\n"
        f"{emails[1]},2026-03-02T12:00:00Z,2026-03-02T20:00:00+00:00,\n"
        "\n"
        f"{emails[1]},2026-03-30 09:00,2026-03-30 17:00,\n",
    )
    assert (result.created, result.replaced) == (3, 4)
    assert result.period == (dt.date(2026, 3, 2), dt.date(2026, 3, 30))
    assert rows_of(shift_team) == [
        (emails[0], kept.starts_at, kept.ends_at, ""),
        (
            emails[1],
            dt.datetime(2026, 3, 2, 12, tzinfo=UTC),
            dt.datetime(2026, 3, 2, 20, tzinfo=UTC),
            "",
        ),
        (
            emails[0],
            dt.datetime(2026, 3, 3, 8, tzinfo=UTC),
            dt.datetime(2026, 3, 3, 16, tzinfo=UTC),
            "billing",
        ),
        # After the clocks change, 09:00 in London is 08:00 UTC.
        (
            emails[1],
            dt.datetime(2026, 3, 30, 8, tzinfo=UTC),
            dt.datetime(2026, 3, 30, 16, tzinfo=UTC),
            "",
        ),
    ]
    assert set(
        Shift.objects.filter(team=shift_team.team)
        .exclude(pk=kept.pk)
        .values_list("source", flat=True)
    ) == {ShiftSource.CSV}


def test_other_teams_shifts_are_left_alone(shift_team, emails):
    other = TeamFactory()
    stranger = UserFactory(team=other)
    theirs = ShiftFactory(person=stranger, team=other, starts_at=SHIFT_START)
    run(shift_team, f"email,start,end\n{emails[0]},2026-03-02 09:00,2026-03-02 17:00\n")
    assert Shift.objects.filter(pk=theirs.pk).exists()


def test_every_problem_is_reported_by_line_and_nothing_is_written(shift_team, emails):
    outsider = UserFactory(team=TeamFactory())
    gone = UserFactory(team=shift_team.team)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    problems = errors_of(
        shift_team,
        "email,start,end,queue\n"
        f"{emails[0]},2026-03-02 09:00,2026-03-02 17:00,\n"
        "not-an-email,2026-03-02 09:00,2026-03-02 17:00,\n"
        f"{emails[1]},tomorrow,2026-03-02 17:00,\n"
        f"{emails[1]},2026-02-30 09:00,2026-03-02 17:00,\n"
        f"{emails[2]},2026-03-02 17:00,2026-03-02 09:00,\n"
        f"{emails[2]},2026-03-02 09:00,2026-03-04 09:00,\n"
        f"{emails[3]},2026-03-02 09:00\n"
        f"nobody@example.com,2026-03-02 09:00,2026-03-02 17:00,\n"
        f"{outsider.email},2026-03-02 09:00,2026-03-02 17:00,\n"
        f"{gone.email},2026-03-02 09:00,2026-03-02 17:00,\n"
        f"{emails[0]},2026-03-02 16:00,2026-03-02 20:00,\n"
        f"{emails[3]},2026-03-02 09:00,2026-03-02 17:00,{'q' * 61}\n",
    )
    assert problems == [
        "Line 3: “not-an-email” is not an email address.",
        "Line 4: start: “tomorrow” is not a date and time like 2026-03-02 09:00.",
        "Line 5: start: “2026-02-30 09:00” is not a real date and time.",
        "Line 6: the shift must end after it starts.",
        "Line 7: a shift cannot be longer than 24 hours.",
        "Line 8: expected 4 cells (email, start, end, queue) but found 2.",
        "Line 13: the queue name is longer than 60 characters.",
    ]
    problems = errors_of(
        shift_team,
        "email,start,end\n"
        f"nobody@example.com,2026-03-02 09:00,2026-03-02 17:00\n"
        f"{outsider.email},2026-03-02 09:00,2026-03-02 17:00\n"
        f"{gone.email},2026-03-02 09:00,2026-03-02 17:00\n"
        f"{emails[0]},2026-03-02 09:00,2026-03-02 17:00\n"
        f"{emails[0]},2026-03-02 16:00,2026-03-02 20:00\n",
    )
    assert problems == [
        "Line 2: nobody active has the email address nobody@example.com.",
        f"Line 3: {outsider.email} is not in the team Call Centre.",
        f"Line 4: nobody active has the email address {gone.email}.",
        f"Line 6: this shift of {emails[0]} overlaps Line 5.",
    ]
    assert Shift.objects.filter(team=shift_team.team).count() == 4


def test_a_local_time_the_clocks_skip_is_refused(shift_team, emails):
    shift_team.policy.time_zone = "Europe/London"
    shift_team.policy.save()
    assert errors_of(
        shift_team, f"email,start,end\n{emails[0]},2026-03-29 01:30,2026-03-29 09:00\n"
    ) == [
        "Line 2: start: 2026-03-29 01:30 does not exist in Europe/London (the clocks change then)."
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        (
            "email,start\n",
            f"{HEADER}; missing: end.",
        ),
        (
            "email,start,end,shift,email\n",
            f"{HEADER}; unknown: shift; twice: email.",
        ),
        ("email,start,end\n\n", "Line 2: the file has a header but no shifts."),
        (
            'email,start,end\n"a@example.com,2026\n',
            "Line 2: expected 3 cells (email, start, end) but found 1.",
        ),
    ],
)
def test_a_badly_shaped_csv_is_refused(shift_team, text, message):
    problems = errors_of(shift_team, text)
    assert problems[0] == message


def test_files_too_large_binary_or_not_utf8_are_refused(shift_team):
    assert errors_of(shift_team, b"email,start,end\n" + b"x" * shifts.MAX_BYTES) == [
        "The file is larger than 2 MB; split it."
    ]
    assert errors_of(shift_team, b"\x89PNG\r\n\x1a\n\x00\x00") == [
        "This is not a CSV or iCalendar text file (it contains binary data)."
    ]
    assert errors_of(shift_team, "email,start,end\nzoë@example.com".encode("latin-1")) == [
        "The file is not UTF-8 text; save it as “CSV UTF-8”."
    ]


def test_a_file_named_ics_must_be_a_calendar(shift_team, emails):
    assert errors_of(
        shift_team, f"email,start,end\n{emails[0]},2026-03-02 09:00,2026-03-02 17:00\n", "week.ics"
    ) == ["The file is named .ics but is not an iCalendar file."]


def test_the_error_list_is_capped(shift_team):
    problems = errors_of(shift_team, "email,start,end\n" + "x,y,z\n" * 30)
    assert len(problems) == 51
    assert problems[-1] == "… and 40 more problems."


def test_only_the_teams_managers_and_admins_import(shift_team, emails, org):
    text = f"email,start,end\n{emails[0]},2026-03-02 09:00,2026-03-02 17:00\n"
    for outsider in (org.outsider, shift_team.agents[0], org.manager):
        with pytest.raises(PermissionDenied):
            run(shift_team, text, actor=outsider)
    assert Shift.objects.filter(team=shift_team.team).count() == 4
    assert run(shift_team, text, actor=org.admin).created == 1


# --- iCalendar --------------------------------------------------------------------------------


def calendar(*events: str) -> str:
    return "\r\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Rota//EN", *events, "END:VCALENDAR", ""]
    )


def event(uid: str, *lines: str) -> str:
    return "\r\n".join(
        ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260201T000000Z", *lines, "END:VEVENT"]
    )


def test_an_icalendar_file_is_read_by_its_content(shift_team, emails):
    text = calendar(
        event(
            "early",
            "SUMMARY:Early shift",
            "DTSTART;TZID=Europe/London:20260302T080000",
            "DTEND;TZID=Europe/London:20260302T160000",
            "RRULE:FREQ=WEEKLY;COUNT=5",
            f"ATTENDEE;CN=Ana:mailto:{emails[0].upper()}",
            "CATEGORIES:billing,French",
        ),
        event(
            "late",
            f"SUMMARY:Late shift {emails[1]}",
            "DTSTART:20260302T120000Z",
            "DURATION:PT8H",
        ),
    )
    result = run(shift_team, text, "export.txt")
    assert (result.created, result.replaced) == (6, 4)
    assert result.period == (dt.date(2026, 3, 2), dt.date(2026, 3, 30))
    rows = rows_of(shift_team)
    assert rows[0] == (
        emails[0],
        dt.datetime(2026, 3, 2, 8, tzinfo=UTC),
        dt.datetime(2026, 3, 2, 16, tzinfo=UTC),
        "billing",
    )
    assert rows[1] == (
        emails[1],
        dt.datetime(2026, 3, 2, 12, tzinfo=UTC),
        dt.datetime(2026, 3, 2, 20, tzinfo=UTC),
        "",
    )
    # The weekly repeat keeps 08:00 in London after the clocks change.
    assert rows[-1] == (
        emails[0],
        dt.datetime(2026, 3, 30, 7, tzinfo=UTC),
        dt.datetime(2026, 3, 30, 15, tzinfo=UTC),
        "billing",
    )
    assert set(Shift.objects.filter(team=shift_team.team).values_list("source", flat=True)) == {
        ShiftSource.ICALENDAR
    }


def test_calendar_problems_are_reported_by_event(shift_team, emails):
    problems = errors_of(
        shift_team,
        calendar(
            event(
                "a",
                f"ATTENDEE:mailto:{emails[0]}",
                "DTSTART:20260302T090000Z",
                "DTEND:20260302T170000Z",
            ),
            event(
                "b",
                "SUMMARY:Whole day",
                f"ATTENDEE:mailto:{emails[1]}",
                "DTSTART;VALUE=DATE:20260302",
            ),
            event("c", "SUMMARY:Nobody", "DTSTART:20260303T090000Z", "DTEND:20260303T170000Z"),
            event(
                "d",
                "SUMMARY:Stranger",
                "ATTENDEE:mailto:nobody@example.com",
                "DTSTART:20260304T090000Z",
                "DTEND:20260304T170000Z",
            ),
        ),
        "rota.ics",
    )
    assert problems == [
        "Event 2: a shift needs a start time, not a whole day.",
        "Event 3 (2026-03-03 09:00): no person: add an ATTENDEE with their email address.",
    ]
    problems = errors_of(
        shift_team,
        calendar(
            event(
                "d",
                "ATTENDEE:mailto:nobody@example.com",
                "DTSTART:20260304T090000Z",
                "DTEND:20260304T170000Z",
            ),
            event(
                "e",
                f"ATTENDEE:mailto:{emails[0]}",
                "DTSTART:20260304T090000Z",
                "DTEND:20260304T170000Z",
                "RRULE:FREQ=HOURLY;COUNT=2",
            ),
        ),
    )
    assert problems == [
        "Event 1 (2026-03-04 09:00): nobody active has the email address nobody@example.com.",
        f"Event 2 (2026-03-04 10:00): this shift of {emails[0]} overlaps "
        "Event 2 (2026-03-04 09:00).",
    ]


def test_an_endless_repeat_or_a_broken_calendar_is_refused(shift_team, emails):
    endless = calendar(
        event(
            "a",
            f"ATTENDEE:mailto:{emails[0]}",
            "DTSTART:20260302T090000Z",
            "DTEND:20260302T091000Z",
            "RRULE:FREQ=HOURLY",
        )
    )
    assert errors_of(shift_team, endless) == [
        "Calendar: the calendar has more than 50,000 shifts; "
        "give repeating shifts an end (UNTIL or COUNT)."
    ]
    broken = errors_of(shift_team, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:notadate\r\n")
    assert broken[0].startswith("Calendar: this iCalendar file cannot be read")
    assert errors_of(shift_team, calendar()) == ["Calendar: the calendar has no events."]


# --- The CSV parser on arbitrary input --------------------------------------------------------

fragments = st.sampled_from(
    [
        "email,start,end,queue\n",
        "a@example.com",
        ",",
        "\n",
        '"',
        "2026-03-02 09:00",
        "2026-03-29T01:30",
        "2026-13-01 00:00",
        "Z",
        "+05:00",
        "\r",
        "\x00",
        "é",
        "BEGIN:VCALENDAR",
        "'",
        "=SUM(A1)",
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.one_of(
        st.text(max_size=300),
        st.lists(st.one_of(fragments, st.text(max_size=5)), max_size=40).map("".join),
    )
)
def test_arbitrary_text_raises_nothing_but_validation_errors(shift_team, text):
    """No fragment is a team member's address, so no text can be a valid file."""
    with transaction.atomic():
        with pytest.raises(ValidationError) as caught:
            run(shift_team, text)
        transaction.set_rollback(True)
    assert caught.value.message_dict["file"]

"""Shift import: a team's schedule from a CSV file or an iCalendar file.

The file is recognised by its content, not its name. Every line or event is checked
first and every problem reported with its line or event number; only a file without a
problem is written, in one transaction, and it replaces the team's shifts starting on the
days it covers (a new schedule for March replaces the old one for March).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from peerpath.core import permissions
from peerpath.core.zones import zone_named
from peerpath.schedule.coverage import MAX_SHIFT
from peerpath.schedule.models import Shift, ShiftSource, TeamPolicy

if TYPE_CHECKING:
    from peerpath.people.models import Team, User

MAX_BYTES: Final = 2 * 1024 * 1024
MAX_SHIFTS: Final = 50_000
MAX_ERRORS: Final = 50
COLUMNS: Final = ("email", "start", "end", "queue")
REQUIRED: Final = ("email", "start", "end")
QUEUE_LENGTH: Final = 60
# A date and a time, with seconds and an offset optional: what spreadsheets and
# scheduling tools write, and nothing fromisoformat would also take ("20260302", weeks).
_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?", re.ASCII
)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")
_EARLIEST: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class ShiftImportResult:
    """What an import wrote: ``period`` is the first and last local day it covers."""

    created: int
    replaced: int
    period: tuple[dt.date, dt.date]


@dataclass(frozen=True)
class _Line:
    """One shift read from the file; ``where`` names its line or event for messages."""

    where: str
    email: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    queue: str


class _Problems:
    """Problems found so far, each prefixed with where it is; capped so a broken file
    cannot produce an unbounded error list."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.count = 0

    def add(self, where: str, message: str) -> None:
        self.count += 1
        if len(self.messages) < MAX_ERRORS:
            self.messages.append(f"{where}: {message}")

    def raise_any(self) -> None:
        if not self.count:
            return
        messages = list(self.messages)
        if self.count > len(messages):
            messages.append(f"… and {self.count - len(messages)} more problems.")
        raise ValidationError({"file": messages})


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


# --- Reading -------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if not data.strip():
        raise _refuse("The file is empty.")
    if len(data) > MAX_BYTES:
        raise _refuse(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it.")
    if b"\x00" in data:
        raise _refuse("This is not a CSV or iCalendar text file (it contains binary data).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse("The file is not UTF-8 text; save it as “CSV UTF-8”.") from None


def _aware(value: dt.datetime, zone: ZoneInfo) -> dt.datetime | None:
    """``value`` in UTC; a time without an offset is in the team's zone. None for a local
    time the clocks skip (it does not exist that day)."""
    if value.tzinfo is not None:
        return value.astimezone(dt.UTC)
    local = value.replace(tzinfo=zone)
    moment = local.astimezone(dt.UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != value:
        return None
    return moment


def _parse_moment(text: str, zone: ZoneInfo) -> dt.datetime | str:
    """The moment, or why it is not one."""
    if not _DATE_TIME.fullmatch(text):
        return f"“{text[:40]}” is not a date and time like 2026-03-02 09:00"
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return f"“{text}” is not a real date and time"
    moment = _aware(value, zone)
    if moment is None:
        return f"{text} does not exist in {zone.key} (the clocks change then)"
    return moment


def _check_span(
    where: str, starts_at: dt.datetime, ends_at: dt.datetime, problems: _Problems
) -> bool:
    if ends_at <= starts_at:
        problems.add(where, "the shift must end after it starts.")
        return False
    if ends_at - starts_at > MAX_SHIFT:
        problems.add(where, "a shift cannot be longer than 24 hours.")
        return False
    return True


def _check_queue(where: str, queue: str, problems: _Problems) -> bool:
    if len(queue) > QUEUE_LENGTH:
        problems.add(where, f"the queue name is longer than {QUEUE_LENGTH} characters.")
        return False
    return True


def _read_csv(text: str, zone: ZoneInfo, problems: _Problems) -> list[_Line]:
    """Shifts from CSV text with a header of email, start, end and optionally queue."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        problems.add("Line 1", "the file needs a header row: email,start,end,queue.")
        return []
    except csv.Error as exc:
        problems.add("Line 1", f"the header cannot be read ({exc}).")
        return []
    names = [name.strip().lower() for name in header]
    while names and not names[-1]:
        names.pop()
    unknown = [name or "(blank)" for name in names if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in names]
    twice = sorted({name for name in names if names.count(name) > 1})
    if unknown or missing or twice:
        problems.add(
            "Line 1",
            "the header must name the columns email, start, end and optionally queue"
            + (f"; unknown: {', '.join(unknown)[:200]}" if unknown else "")
            + (f"; missing: {', '.join(missing)}" if missing else "")
            + (f"; twice: {', '.join(twice)[:200]}" if twice else "")
            + ".",
        )
        return []
    lines: list[_Line] = []
    number = 1
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(lines) >= MAX_SHIFTS:
                problems.add(f"Line {number}", f"the file has more than {MAX_SHIFTS:,} shifts.")
                return []
            line = _csv_line(f"Line {number}", names, cells, zone, problems)
            if line is not None:
                lines.append(line)
    except csv.Error as exc:
        problems.add(f"Line {number + 1}", f"this line cannot be read ({exc}).")
    if not lines and not problems.count:
        problems.add("Line 2", "the file has a header but no shifts.")
    return lines


def _csv_line(
    where: str, names: list[str], cells: list[str], zone: ZoneInfo, problems: _Problems
) -> _Line | None:
    if len(cells) < len(names) or any(cell.strip() for cell in cells[len(names) :]):
        problems.add(
            where, f"expected {len(names)} cells ({', '.join(names)}) but found {len(cells)}."
        )
        return None
    values = {name: cell.strip() for name, cell in zip(names, cells, strict=False)}
    email = values["email"].lower()
    ok = True
    try:
        validate_email(email)
    except ValidationError:
        problems.add(where, f"“{email[:80]}” is not an email address.")
        ok = False
    start = _parse_moment(values["start"], zone)
    end = _parse_moment(values["end"], zone)
    for column, parsed in (("start", start), ("end", end)):
        if isinstance(parsed, str):
            problems.add(where, f"{column}: {parsed}.")
            ok = False
    queue = values.get("queue", "")
    ok = _check_queue(where, queue, problems) and ok
    if not ok or isinstance(start, str) or isinstance(end, str):
        return None
    if not _check_span(where, start, end, problems):
        return None
    return _Line(where, email, start, end, queue)


def _email_of(event: icalendar.Component) -> str:
    attendees = event.get("ATTENDEE")
    if attendees is not None:
        first = attendees[0] if isinstance(attendees, list) else attendees
        address = str(first)
        if address.lower().startswith("mailto:"):
            return address[len("mailto:") :].strip().lower()
    for name in ("SUMMARY", "DESCRIPTION"):
        found = _EMAIL.search(str(event.get(name, "")))
        if found:
            return found.group(0).lower()
    return ""


def _queue_of(event: icalendar.Component) -> str:
    categories = event.get("CATEGORIES")
    if categories is None:
        return ""
    first = categories[0] if isinstance(categories, list) else categories
    names = getattr(first, "cats", [])
    return str(names[0]).strip() if names else ""


def _occurrences(calendar: icalendar.Calendar) -> Iterator[icalendar.Component]:
    return iter(recurring_ical_events.of(calendar).after(_EARLIEST))


def _read_ics(text: str, zone: ZoneInfo, problems: _Problems) -> list[_Line]:
    """Shifts from an iCalendar file: one VEVENT per shift, repeats expanded."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
        numbers: dict[str, int] = {}
        for event in calendar.walk("VEVENT"):
            numbers.setdefault(str(event.get("UID", "")), len(numbers) + 1)
        occurrences = list(itertools.islice(_occurrences(calendar), MAX_SHIFTS + 1))
    except Exception as exc:  # the parser's errors on untrusted input are many and untyped
        problems.add("Calendar", f"this iCalendar file cannot be read ({str(exc)[:200]}).")
        return []
    if len(occurrences) > MAX_SHIFTS:
        problems.add(
            "Calendar",
            f"the calendar has more than {MAX_SHIFTS:,} shifts; "
            "give repeating shifts an end (UNTIL or COUNT).",
        )
        return []
    if not occurrences:
        problems.add("Calendar", "the calendar has no events.")
    lines: list[_Line] = []
    for event in occurrences:
        start, end = event.get("DTSTART"), event.get("DTEND")
        start_value = start.dt if start is not None else None
        where = f"Event {numbers.get(str(event.get('UID', '')), 0)}"
        if not isinstance(start_value, dt.datetime):
            problems.add(where, "a shift needs a start time, not a whole day.")
            continue
        where = f"{where} ({start_value:%Y-%m-%d %H:%M})"
        duration = event.get("DURATION")
        end_value = end.dt if end is not None else start_value + duration.dt if duration else None
        if not isinstance(end_value, dt.datetime):
            problems.add(where, "a shift needs an end time (DTEND or DURATION).")
            continue
        starts_at, ends_at = _aware(start_value, zone), _aware(end_value, zone)
        email = _email_of(event)
        queue = _queue_of(event)
        ok = _check_queue(where, queue, problems)
        if not email:
            problems.add(where, "no person: add an ATTENDEE with their email address.")
            ok = False
        if starts_at is None or ends_at is None:
            problems.add(where, f"the time does not exist in {zone.key} (the clocks change).")
            continue
        if ok and _check_span(where, starts_at, ends_at, problems):
            lines.append(_Line(where, email, starts_at, ends_at, queue))
    return lines


# --- Checking against the team --------------------------------------------------------------


def _people(lines: list[_Line], team: Team, problems: _Problems) -> dict[str, int]:
    """Person ids by email, for the people in the file who are active members of the team."""
    emails = {line.email for line in lines}
    users = get_user_model().objects
    found = dict(users.filter(email__in=emails, is_active=True).values_list("email", "team_id"))
    ids = dict(users.filter(email__in=found, team=team).values_list("email", "pk"))
    for line in lines:
        if line.email not in found:
            problems.add(line.where, f"nobody active has the email address {line.email}.")
        elif line.email not in ids:
            problems.add(line.where, f"{line.email} is not in the team {team.name}.")
    return ids


def _check_overlaps(lines: list[_Line], problems: _Problems) -> None:
    by_person: dict[str, list[_Line]] = defaultdict(list)
    for line in lines:
        by_person[line.email].append(line)
    for email, own in by_person.items():
        own.sort(key=lambda line: line.starts_at)
        for earlier, later in itertools.pairwise(own):
            if later.starts_at < earlier.ends_at:
                problems.add(later.where, f"this shift of {email} overlaps {earlier.where}.")


# --- The service -----------------------------------------------------------------------------


def import_shifts(*, actor: User, team: Team, data: bytes, filename: str) -> ShiftImportResult:
    """Replace the team's shifts on the days the file covers with the shifts in it."""
    if not permissions.can_manage_team_schedule(actor, team):
        raise PermissionDenied("Only the team's managers and learning admins import shifts.")
    text = _decode(data)
    zone_name = TeamPolicy.objects.filter(team=team).values_list("time_zone", flat=True).first()
    zone = zone_named(zone_name)
    problems = _Problems()
    is_calendar = text.lstrip().upper().startswith("BEGIN:VCALENDAR")
    if filename.lower().endswith(".ics") and not is_calendar:
        raise _refuse("The file is named .ics but is not an iCalendar file.")
    lines = _read_ics(text, zone, problems) if is_calendar else _read_csv(text, zone, problems)
    problems.raise_any()
    people = _people(lines, team, problems)
    _check_overlaps(lines, problems)
    problems.raise_any()
    first_day = min(line.starts_at for line in lines).astimezone(zone).date()
    last_day = max(line.starts_at for line in lines).astimezone(zone).date()
    period_start = dt.datetime.combine(first_day, dt.time(), tzinfo=zone)
    period_end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    now = timezone.now()
    source = ShiftSource.ICALENDAR if is_calendar else ShiftSource.CSV
    with transaction.atomic():
        # Two imports for one team at once would each delete, then both insert: doubled.
        list(type(team).objects.select_for_update().filter(pk=team.pk).values_list("pk"))
        replaced, _ = Shift.objects.filter(
            team=team, starts_at__gte=period_start, starts_at__lt=period_end
        ).delete()
        created = Shift.objects.bulk_create(
            [
                Shift(
                    person_id=people[line.email],
                    team=team,
                    starts_at=line.starts_at,
                    ends_at=line.ends_at,
                    queue=line.queue,
                    source=source,
                    imported_at=now,
                )
                for line in lines
            ],
            batch_size=2_000,
        )
    return ShiftImportResult(created=len(created), replaced=replaced, period=(first_day, last_day))

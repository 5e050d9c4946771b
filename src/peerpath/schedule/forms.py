"""Learning-time forms: they parse input (wall-clock times in a named zone); the services
decide what is allowed."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms

from peerpath.core.zones import TIME_ZONE_CHOICES
from peerpath.schedule.models import CoverageInterval

Choices = list[tuple[str, Any]]

SERIES_MAX_OCCURRENCES = 26
NOTE_MAX = 500
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def local_instant(day: dt.date, at: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """The UTC instant of a wall-clock time in ``zone``.

    A time skipped by a daylight-saving change does not exist there; refusing it is clearer
    than silently moving it an hour. A repeated hour means its first occurrence.
    """
    local = dt.datetime.combine(day, at, tzinfo=zone)
    utc = local.astimezone(dt.UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise forms.ValidationError(
            f"{at:%H:%M} does not exist on {day.day} {day:%B} in {zone.key}: "
            "the clocks change then."
        )
    return utc


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


class RequestForm(forms.Form):
    """One block, or the same block every week (or every few weeks) for a number of weeks."""

    repeat = forms.ChoiceField(
        label="How often",
        choices=[("once", "Once"), ("weekly", "Repeating")],
        initial="once",
        widget=forms.RadioSelect,
    )
    day = forms.DateField(label="Date", widget=_date_input())
    start_time = forms.TimeField(label="From", widget=_time_input())
    end_time = forms.TimeField(label="To", widget=_time_input())
    occurrences = forms.IntegerField(
        label="Number of blocks",
        required=False,
        min_value=2,
        max_value=SERIES_MAX_OCCURRENCES,
        initial=6,
        help_text=f"From the date above, up to {SERIES_MAX_OCCURRENCES}.",
    )
    interval_weeks = forms.TypedChoiceField(
        label="Repeat",
        required=False,
        coerce=int,
        choices=[(1, "Every week"), (2, "Every two weeks"), (4, "Every four weeks")],
        initial=1,
    )
    item = forms.ChoiceField(label="What you plan to learn", required=False)
    note = forms.CharField(
        label="Note for your manager",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, zone: zoneinfo.ZoneInfo, modules: Choices, paths: Choices, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["item"].choices = [  # type: ignore[attr-defined]
            ("", "Nothing in particular"),
            ("Modules", [(f"module:{value}", label) for value, label in modules]),
            ("Learning paths", [(f"path:{value}", label) for value, label in paths]),
        ]
        self.fields["item"].help_text = "Optional. The block then shows whether you finished it."
        self.fields["day"].help_text = f"Times are in your time zone, {zone.key}."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The end must be after the start.")
        if data.get("repeat") == "weekly":
            if not data.get("occurrences"):
                self.add_error("occurrences", "Say how many blocks the series has.")
            data["interval_weeks"] = data.get("interval_weeks") or 1
        elif day and start and end and end > start:
            try:
                data["starts_at"] = local_instant(day, start, self.zone)
            except forms.ValidationError as exc:
                self.add_error("start_time", exc)
            try:
                data["ends_at"] = local_instant(day, end, self.zone)
            except forms.ValidationError as exc:
                self.add_error("end_time", exc)
        return data

    def item_reference(self) -> tuple[str, str] | None:
        """``("module" | "path", public id)`` of the chosen item, if any."""
        kind, _, public_id = self.cleaned_data.get("item", "").partition(":")
        return (kind, public_id) if public_id else None


class DecisionForm(forms.Form):
    """Approve or decline from the queue or an emailed link; the reason is optional."""

    reason = forms.CharField(label="Reason (optional)", required=False, max_length=NOTE_MAX)
    accept_shortfall = forms.BooleanField(required=False, widget=forms.HiddenInput)


class BulkApproveForm(forms.Form):
    requests = forms.TypedMultipleChoiceField(label="Requests", coerce=str)

    def __init__(self, *args: Any, choices: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requests"].choices = choices  # type: ignore[attr-defined]
        self.fields["requests"].error_messages["required"] = "Tick the requests to approve."


class DelegationForm(forms.Form):
    delegate = forms.EmailField(
        label="Colleague’s email",
        help_text="They decide your people’s learning-time requests while you are away.",
        widget=forms.EmailInput(attrs={"list": "colleagues", "autocomplete": "off"}),
    )
    starts_on = forms.DateField(label="From", widget=_date_input())
    ends_on = forms.DateField(label="Until (inclusive)", widget=_date_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "The last day must be on or after the first.")
        return data


class PolicyForm(forms.Form):
    auto_approve_minutes_per_week = forms.IntegerField(
        label="Approve automatically up to (minutes a week)",
        required=False,
        min_value=0,
        max_value=60 * 40,
        help_text="Per person. Leave empty to send every request to the manager.",
    )
    monthly_budget_minutes = forms.IntegerField(
        label="Monthly budget (minutes per person)",
        required=False,
        min_value=0,
        max_value=60 * 160,
        help_text="Leave empty for no cap.",
    )
    notice_hours = forms.IntegerField(
        label="Notice needed for automatic approval (hours)",
        min_value=0,
        max_value=24 * 30,
        initial=0,
        help_text="Requests with less notice go to the manager.",
    )
    require_within_shift = forms.BooleanField(
        label="Learning blocks must fall inside the person’s shift", required=False
    )
    coverage_interval_minutes = forms.TypedChoiceField(
        label="Coverage interval",
        coerce=int,
        choices=CoverageInterval.choices,
        initial=CoverageInterval.FIFTEEN,
    )
    time_zone = forms.ChoiceField(
        label="Team time zone",
        choices=TIME_ZONE_CHOICES,
        initial="UTC",
        help_text="Coverage minimums, blackouts and imported shift times without an offset "
        "are in this zone.",
    )


class BlackoutForm(forms.Form):
    """A blackout window, entered in the team's zone (the zone its rules are written in)."""

    starts_on = forms.DateField(label="First day", widget=_date_input())
    start_time = forms.TimeField(
        label="From", widget=_time_input(), initial=dt.time(0, 0), required=False
    )
    ends_on = forms.DateField(label="Last day", widget=_date_input())
    end_time = forms.TimeField(
        label="Until", widget=_time_input(), required=False, help_text="Empty: the end of the day."
    )
    reason = forms.CharField(label="Reason", max_length=200, help_text="e.g. Month-end close.")

    def __init__(self, *args: Any, zone: zoneinfo.ZoneInfo, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "blackout_%s")
        super().__init__(*args, **kwargs)
        self.zone = zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("starts_on"), data.get("ends_on")
        if not (first and last):
            return data
        try:
            data["starts_at"] = local_instant(first, data.get("start_time") or dt.time(), self.zone)
            end_time = data.get("end_time")
            data["ends_at"] = (
                local_instant(last, end_time, self.zone)
                if end_time
                else local_instant(last + dt.timedelta(days=1), dt.time(), self.zone)
            )
        except forms.ValidationError as exc:
            self.add_error(None, exc)
            return data
        if data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_on", "The window must end after it starts.")
        return data


class CoverageForm(forms.Form):
    queue = forms.CharField(
        label="Queue or skill",
        required=False,
        max_length=60,
        help_text="Empty for the whole team.",
    )
    weekday = forms.TypedChoiceField(
        label="Day",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Every day"), *((i, name) for i, name in enumerate(WEEKDAYS))],
    )
    start_time = forms.TimeField(label="From", widget=_time_input())
    end_time = forms.TimeField(label="Until", widget=_time_input())
    minimum_on_duty = forms.IntegerField(label="At least on duty", min_value=1, max_value=10_000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "coverage_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The end must be after the start.")
        return data


class ShiftImportForm(forms.Form):
    file = forms.FileField(
        label="Shift schedule (CSV or iCalendar)",
        help_text="CSV columns email, start, end and optionally queue; or an .ics file with "
        "one event per shift. Shifts in the period the file covers are replaced.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.ics,text/csv,text/calendar"}),
    )

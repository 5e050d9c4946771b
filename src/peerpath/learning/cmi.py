"""The SCORM run-time's data model (CMI), as Peerpath stores it and reads progress from it.

The player commits the run-time's data flattened: ``{"cmi.core.lesson_status": "passed"}``.
These functions are pure so they can be tested on any input a package might send.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

MAX_ELEMENTS = 5_000
MAX_KEY_LENGTH = 255
# SCORM 2004's suspend_data may hold 64,000 characters; nothing else is longer.
MAX_VALUE_LENGTH = 64_000
_PREFIXES = ("cmi.", "adl.")
# Never loaded back into a new attempt: they describe the session that sent them.
_SESSION_ONLY = {
    "cmi.core.session_time",
    "cmi.core.exit",
    "cmi.core.entry",
    "cmi.session_time",
    "cmi.exit",
    "cmi.entry",
}


@dataclass(frozen=True)
class Outcome:
    """What a package's data says about the learner's progress."""

    completed: bool
    success: str  # "", "passed" or "failed"
    score: Decimal | None  # percent, 0–100
    percent: int | None
    location: str


def clean(raw: object) -> dict[str, str]:
    """Keep the flattened data's scalar elements as strings; refuse anything else.

    Empty containers (``"cmi.interactions": {}``) carry nothing and are dropped.
    """
    if not isinstance(raw, Mapping):
        raise ValidationError("The run-time data must be a JSON object.")
    data: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not key.startswith(_PREFIXES):
            raise ValidationError("The run-time data holds an element outside cmi and adl.")
        if len(key) > MAX_KEY_LENGTH:
            raise ValidationError("The run-time data holds an element name that is too long.")
        if isinstance(value, Mapping | list) and not value:
            continue
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        if not isinstance(value, str | int | float):
            raise ValidationError(f"{key} must be a plain value.")
        text = str(value)
        if len(text) > MAX_VALUE_LENGTH:
            raise ValidationError(f"{key} is longer than SCORM allows.")
        data[key] = text
        if len(data) > MAX_ELEMENTS:
            raise ValidationError("The run-time data holds too many elements.")
    return data


def for_resume(saved: Mapping[str, str]) -> dict[str, str]:
    """The saved data to load into the run-time for a new session of the same learner."""
    return {
        key: value
        for key, value in saved.items()
        if key not in _SESSION_ONLY
        and not key.endswith(("._children", "._count", "._version"))
        and value != ""
    }


def entry_for(saved: Mapping[str, str], standard: str) -> str:
    """``ab-initio`` on a first launch, ``resume`` when the last session left a place."""
    if not saved:
        return "ab-initio"
    exit_key = "cmi.core.exit" if standard == "scorm12" else "cmi.exit"
    location_key = "cmi.core.lesson_location" if standard == "scorm12" else "cmi.location"
    if saved.get(exit_key) == "suspend" or saved.get(location_key) or saved.get("cmi.suspend_data"):
        return "resume"
    return ""


def _number(value: str | None) -> Decimal | None:
    if value is None or value.strip() == "":
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _percent(value: Decimal) -> Decimal:
    return min(Decimal(100), max(Decimal(0), value)).quantize(Decimal("0.01"))


def _raw_score(data: Mapping[str, str], prefix: str) -> Decimal | None:
    raw = _number(data.get(f"{prefix}.raw"))
    if raw is None:
        return None
    low = _number(data.get(f"{prefix}.min"))
    high = _number(data.get(f"{prefix}.max"))
    low = Decimal(0) if low is None else low
    high = Decimal(100) if high is None else high
    if high <= low:
        return None
    return _percent((raw - low) / (high - low) * 100)


def outcome(standard: str, data: Mapping[str, str]) -> Outcome:
    """Map SCORM 1.2's lesson_status or SCORM 2004's completion and success onto progress."""
    if standard == "scorm12":
        status = data.get("cmi.core.lesson_status", "")
        score = _raw_score(data, "cmi.core.score")
        return Outcome(
            completed=status in ("passed", "completed"),
            success=status if status in ("passed", "failed") else "",
            score=score,
            percent=100 if status in ("passed", "completed") else None,
            location=data.get("cmi.core.lesson_location", ""),
        )
    completion = data.get("cmi.completion_status", "")
    success = data.get("cmi.success_status", "")
    scaled = _number(data.get("cmi.score.scaled"))
    score = _percent(scaled * 100) if scaled is not None else _raw_score(data, "cmi.score")
    measure = _number(data.get("cmi.progress_measure"))
    percent = int(_percent(measure * 100)) if measure is not None else None
    completed = completion == "completed"
    return Outcome(
        completed=completed,
        success=success if success in ("passed", "failed") else "",
        score=score,
        percent=100 if completed else percent,
        location=data.get("cmi.location", ""),
    )


# SCORM 1.2's CMITimespan: HHHH:MM:SS.SS (hours may be 2 to 4 digits).
_SCORM12_TIME = re.compile(r"^(\d{1,4}):([0-5]?\d):([0-5]?\d)(?:\.\d{1,2})?$")
# SCORM 2004's ISO 8601 duration, without years or months (a package reports a session).
_ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.\d+)?S)?)?$")


def session_seconds(standard: str, data: Mapping[str, str]) -> int | None:
    """How long the package says the current session has lasted, in whole seconds.

    None when it does not say, or says it in a form SCORM does not define.
    """
    if standard == "scorm12":
        found = _SCORM12_TIME.match(data.get("cmi.core.session_time", "").strip())
        if found is None:
            return None
        hours, minutes, seconds = (int(g) for g in found.groups())
        return hours * 3600 + minutes * 60 + seconds
    text = data.get("cmi.session_time", "").strip()
    found = _ISO_DURATION.match(text)
    if found is None or text in ("P", "PT") or text.endswith("T"):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in found.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds

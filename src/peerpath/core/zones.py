"""Time zones: the choices people pick from, and a safe lookup of a stored name."""

from __future__ import annotations

import zoneinfo

TIME_ZONE_CHOICES = [
    ("UTC", "UTC"),
    *sorted((tz, tz.replace("_", " ")) for tz in zoneinfo.available_timezones() if "/" in tz),
]


def zone_named(name: str | None) -> zoneinfo.ZoneInfo:
    """The named zone, or UTC when the name is empty or unknown to this machine."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")

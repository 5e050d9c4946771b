"""``{{ seconds|duration }}``: time spent as people say it ("1 h 5 min", "under a minute")."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def duration(seconds: int | None) -> str:
    if not seconds or seconds < 60:
        return "under a minute" if seconds else "none yet"
    hours, rest = divmod(int(seconds), 3600)
    minutes = rest // 60
    if hours and minutes:
        return f"{hours} h {minutes} min"
    return f"{hours} h" if hours else f"{minutes} min"

"""Short texts people type (kudos, share messages), kept as plain text."""

from __future__ import annotations

import unicodedata

# Control, format, surrogate, private-use and unassigned characters.
_DROPPED = {"Cc", "Cf", "Cs", "Co", "Cn"}


def one_line(raw: str) -> str:
    """The text as plain text on one line: control and formatting characters dropped
    (line breaks become spaces), runs of whitespace collapsed, ends trimmed. It is
    escaped wherever it is shown."""
    kept = []
    for char in unicodedata.normalize("NFC", raw):
        category = unicodedata.category(char)
        if char in "\r\n\t" or category in {"Zl", "Zp"}:
            kept.append(" ")
        elif category not in _DROPPED:
            kept.append(char)
    return " ".join("".join(kept).split())

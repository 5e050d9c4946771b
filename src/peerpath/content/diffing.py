"""A readable line diff of two module texts, for the version history."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Kind = Literal["same", "added", "removed", "gap"]


@dataclass(frozen=True)
class DiffLine:
    kind: Kind
    text: str


def text_diff(old: str, new: str, *, context: int = 2) -> list[DiffLine]:
    """Lines added and removed between two texts, with a little unchanged context around."""
    lines: list[DiffLine] = []
    a, b = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine("same", t) for t in a[i1:i2])
                continue
            if tag in ("replace", "delete"):
                lines.extend(DiffLine("removed", t) for t in a[i1:i2])
            if tag in ("replace", "insert"):
                lines.extend(DiffLine("added", t) for t in b[j1:j2])
    return lines

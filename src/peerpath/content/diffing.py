"""A readable line diff of two module texts, for the version history."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal, Protocol

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


class HasText(Protocol):
    @property
    def body_markdown(self) -> str: ...

    @property
    def quiz_source(self) -> str: ...


def module_text(source: HasText | None) -> str:
    """Everything an author writes in a version, as one text to compare: body, then questions."""
    if source is None:
        return ""
    if not source.quiz_source.strip():
        return source.body_markdown
    return f"{source.body_markdown.rstrip()}\n\n— Questions —\n\n{source.quiz_source}"

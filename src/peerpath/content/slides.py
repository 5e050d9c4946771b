"""Slide decks written as Markdown.

A line holding just ``---`` starts the next slide. Within a slide, a line starting
``Note:`` begins the speaker notes: that line's rest and everything after it up to the
next slide. Both are ignored inside fenced code blocks, so code can show either.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from peerpath.content.rendering import render_markdown

SEPARATOR = "---"
NOTES_MARKER = "Note:"


@dataclass(frozen=True)
class SlideSource:
    """One slide as the author wrote it."""

    body: str
    notes: str = ""


@dataclass(frozen=True)
class Slide:
    """One slide ready to show: sanitised HTML, and the notes' HTML for presenters."""

    number: int
    html: str
    notes_html: str = ""


def _fence_opening(line: str) -> str | None:
    """The fence (``` or ~~~, at least three) a line opens a code block with, if any."""
    stripped = line.lstrip(" ")
    if len(line) - len(stripped) > 3:
        return None
    for char in "`~":
        if stripped.startswith(char * 3):
            return char * (len(stripped) - len(stripped.lstrip(char)))
    return None


def _lines_outside_code(lines: Sequence[str]) -> Iterator[tuple[int, str, bool]]:
    """Each line with its index and whether it lies outside a fenced code block."""
    fence: str | None = None
    for index, line in enumerate(lines):
        opening = _fence_opening(line)
        if fence is None:
            if opening is not None:
                fence = opening
                yield index, line, False
            else:
                yield index, line, True
        else:
            stripped = line.strip(" ")
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = None
            yield index, line, False


def _trim_blank_lines(lines: list[str]) -> str:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(line.rstrip() for line in lines[start:end])


def _split_slide(lines: list[str]) -> SlideSource:
    for index, line, outside in _lines_outside_code(lines):
        if outside and line.startswith(NOTES_MARKER):
            notes = [line[len(NOTES_MARKER) :].lstrip(), *lines[index + 1 :]]
            return SlideSource(_trim_blank_lines(lines[:index]), _trim_blank_lines(notes))
    return SlideSource(_trim_blank_lines(lines))


def parse_deck(source: str) -> list[SlideSource]:
    """Split a deck's Markdown into slides; empty slides are dropped."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    chunks: list[list[str]] = [[]]
    for _, line, outside in _lines_outside_code(lines):
        if outside and line.rstrip() == SEPARATOR:
            chunks.append([])
        else:
            chunks[-1].append(line)
    slides = (_split_slide(chunk) for chunk in chunks)
    return [s for s in slides if s.body or s.notes]


def join_deck(slides: Sequence[SlideSource]) -> str:
    """The Markdown that parses back into ``slides``."""
    parts = []
    for slide in slides:
        text = slide.body
        if slide.notes:
            text = (
                f"{text}\n\n{NOTES_MARKER}\n{slide.notes}"
                if text
                else f"{NOTES_MARKER}\n{slide.notes}"
            )
        parts.append(text)
    return f"\n\n{SEPARATOR}\n\n".join(parts)


def render_deck(source: str, *, with_notes: bool) -> list[Slide]:
    """The deck's slides as safe HTML. Notes are rendered only when asked for."""
    return [
        Slide(
            number=number,
            html=render_markdown(slide.body),
            notes_html=render_markdown(slide.notes) if with_notes and slide.notes else "",
        )
        for number, slide in enumerate(parse_deck(source), start=1)
    ]

"""Decks are Markdown split into slides by --- lines, with notes after a Note: line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from peerpath.content.slides import SlideSource, join_deck, parse_deck, render_deck

DECK = """# Welcome

Why warm transfers matter.

Note: Ask who has been transferred twice this week.

---

## Before you transfer

- Explain why
- Stay on the line

---

```markdown
---
Note: this is code, not a note
```

Note:
Show the code sample slowly.
"""


def test_slides_are_split_at_separator_lines():
    slides = parse_deck(DECK)
    assert [s.body.splitlines()[0] for s in slides] == [
        "# Welcome",
        "## Before you transfer",
        "```markdown",
    ]


def test_notes_start_at_a_note_line_and_run_to_the_end_of_the_slide():
    slides = parse_deck(DECK)
    assert slides[0] == SlideSource(
        body="# Welcome\n\nWhy warm transfers matter.",
        notes="Ask who has been transferred twice this week.",
    )
    assert slides[1].notes == ""


def test_separators_and_notes_inside_code_fences_are_code():
    code = parse_deck(DECK)[2]
    assert code.body == "```markdown\n---\nNote: this is code, not a note\n```"
    assert code.notes == "Show the code sample slowly."


def test_empty_slides_are_dropped_and_windows_line_endings_are_fine():
    assert parse_deck("---\n\n---\r\nOne\r\n---\n---\nTwo\n---") == [
        SlideSource("One"),
        SlideSource("Two"),
    ]
    assert parse_deck("") == []


def test_render_gives_numbered_sanitised_slides_and_notes_only_when_asked():
    slides = render_deck(DECK + "\n---\n<script>alert(1)</script>Hi", with_notes=True)
    assert [s.number for s in slides] == [1, 2, 3, 4]
    assert slides[0].html.startswith("<h1>Welcome</h1>")
    assert slides[0].notes_html == "<p>Ask who has been transferred twice this week.</p>\n"
    assert "<script" not in slides[3].html
    assert all(s.notes_html == "" for s in render_deck(DECK, with_notes=False))


# A slide's lines: anything except a line that would end the slide or start its notes.
line = st.text(
    st.characters(
        exclude_categories=["Cs"], exclude_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
    ),
    max_size=30,
).filter(
    lambda s: (
        s.rstrip() != "---" and not s.startswith("Note:") and "```" not in s and "~~~" not in s
    )
)
block = st.lists(line, max_size=6).map(lambda lines: "\n".join(lines))


def _normal(text: str) -> str:
    """What parsing keeps of a block: trailing spaces and outer blank lines go."""
    lines = [ln.rstrip() for ln in text.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


slide = st.builds(SlideSource, body=block.map(_normal), notes=block.map(_normal)).filter(
    lambda s: s.body or s.notes
)


@given(st.lists(slide, max_size=8))
def test_joining_slides_and_parsing_them_back_round_trips(slides):
    assert parse_deck(join_deck(slides)) == slides


@given(st.text(max_size=400))
def test_parsing_any_text_is_stable_under_join(source):
    slides = parse_deck(source)
    assert parse_deck(join_deck(slides)) == slides

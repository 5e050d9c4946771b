"""Discussion posts from Markdown to safe HTML, with @mentions.

Mentions are written ``@[Name]`` (or ``@[Name|<id>]`` when two colleagues share a name;
the autocomplete writes it), resolved to active colleagues and turned into links to
their profiles. Mentions inside code stay literal text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from peerpath.content.rendering import render_markdown
from peerpath.people import selectors as people

if TYPE_CHECKING:
    from peerpath.people.models import User

MENTIONS_MAX = 20


_MENTION = re.compile(r"@\[([^\[\]\n|]{1,120})(?:\|([0-9a-fA-F-]{36}))?\](?!\()")
# Fenced code blocks and inline code spans: mentions inside them stay literal text.
_CODE = re.compile(r"(```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]+`)", re.DOTALL)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


@dataclass(frozen=True)
class Rendered:
    html: str
    mentioned: list[User]


def _resolve_mentions(text: str) -> dict[str, User]:
    """Map each mention token in ``text`` to an active colleague, or explain why not."""
    tokens = {m.group(0): (m.group(1).strip(), m.group(2)) for m in _MENTION.finditer(text)}
    if not tokens:
        return {}
    if len(tokens) > MENTIONS_MAX:
        raise ValidationError({"body": f"Mention at most {MENTIONS_MAX} colleagues in a post."})
    names = {name.casefold() for name, _ in tokens.values()}
    ids = {pid.lower() for _, pid in tokens.values() if pid}
    query = Q(public_id__in=ids)
    for name in {name for name, _ in tokens.values()}:
        query |= Q(display_name__iexact=name)
    candidates = list(people.people_active().filter(query).only("public_id", "display_name"))
    by_id = {str(p.public_id): p for p in candidates}
    by_name: dict[str, list[User]] = {}
    for person in candidates:
        if person.display_name.casefold() in names:
            by_name.setdefault(person.display_name.casefold(), []).append(person)
    resolved: dict[str, User] = {}
    for token, (name, pid) in tokens.items():
        if pid:
            chosen = by_id.get(pid.lower())
            if chosen is None:
                raise ValidationError({"body": f"No active colleague matches “{name}”."})
            person = chosen
        else:
            matches = by_name.get(name.casefold(), [])
            if not matches:
                raise ValidationError(
                    {"body": f"No active colleague is called “{name}”: pick from the suggestions."}
                )
            if len(matches) > 1:
                raise ValidationError(
                    {
                        "body": f"Several colleagues are called “{name}”: "
                        "pick the one you mean from the suggestions."
                    }
                )
            person = matches[0]
        resolved[token] = person
    return resolved


def render_comment(source: str) -> Rendered:
    """Markdown to safe HTML, with each mention turned into a link to the person."""
    resolved = _resolve_mentions(_CODE.sub("", source))

    def link(match: re.Match[str]) -> str:
        person = resolved.get(match.group(0))
        if person is None:
            return match.group(0)
        name = _MARKDOWN_SPECIAL.sub(r"\\\1", person.display_name)
        href = reverse("people:profile", args=[person.public_id])
        return f"[@{name}]({href})"

    parts = _CODE.split(source)
    # Odd parts are code (the split keeps the captured delimiters): leave them alone.
    marked = "".join(part if i % 2 else _MENTION.sub(link, part) for i, part in enumerate(parts))
    mentioned = list({p.pk: p for p in resolved.values()}.values())
    return Rendered(html=render_markdown(marked), mentioned=mentioned)

"""Markdown to safe HTML: markdown-it renders, nh3 sanitises.

Raw HTML inside Markdown is allowed through markdown-it but every tag,
attribute and URL scheme is then filtered by nh3, so nothing a user writes can
run script, load a frame or restyle the page.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": True}).enable(
    ["table", "strikethrough"]
)

# Callouts, written as in GitHub: a quote whose first line is "[!NOTE]", "[!TIP]",
# "[!IMPORTANT]", "[!WARNING]" or "[!CAUTION]".
CALLOUTS = ("note", "tip", "important", "warning", "caution")
_CALLOUT_MARK = re.compile(r"^\[!(" + "|".join(CALLOUTS) + r")\]\s*", re.IGNORECASE)


def _callouts(state: StateCore) -> None:
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "blockquote_open" or i + 2 >= len(tokens):
            continue
        inline = tokens[i + 2]
        if tokens[i + 1].type != "paragraph_open" or inline.type != "inline":
            continue
        match = _CALLOUT_MARK.match(inline.content)
        if match is None:
            continue
        kind = match.group(1).lower()
        token.attrSet("class", f"callout callout--{kind}")
        inline.content = inline.content[match.end() :]
        if inline.children:
            first = inline.children[0]
            first.content = _CALLOUT_MARK.sub("", first.content, count=1)
            # "[!NOTE]" on a line of its own leaves a line break at the start.
            while inline.children and (
                inline.children[0].type in ("softbreak", "hardbreak")
                or (inline.children[0].type == "text" and not inline.children[0].content)
            ):
                inline.children.pop(0)


_md.core.ruler.push("peerpath_callouts", _callouts)

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "source",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "audio",
    "video",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "blockquote": {"class"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "code": {"class"},
    "video": {"src", "controls", "preload", "width", "height", "title"},
    "audio": {"src", "controls", "preload", "title"},
    "source": {"src", "type"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# Video and audio play only files uploaded to Peerpath: /media/assets/<uuid>/<file name>.
_ASSET_URL = re.compile(r"/media/assets/[0-9a-f-]{36}/[A-Za-z0-9._-]{1,200}")
_MEDIA_TAGS = {"video", "audio", "source"}


_ALLOWED_CLASSES = {
    "blockquote": {"callout", *(f"callout--{kind}" for kind in CALLOUTS)},
}


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Narrow what the allowed attributes may say.

    Media play only Peerpath's own uploads, and only classes Peerpath styles (callouts,
    code languages) survive.
    """
    if tag in _MEDIA_TAGS and attribute == "src":
        return value if _ASSET_URL.fullmatch(value) else None
    if tag in {"video", "audio"} and attribute == "preload":
        return value if value in {"none", "metadata"} else None
    if attribute == "class":
        if tag == "code":
            return value if re.fullmatch(r"language-[\w+#-]{1,30}", value) else None
        kept = [c for c in value.split() if c in _ALLOWED_CLASSES.get(tag, set())]
        return " ".join(kept) or None
    return value


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    """Render user Markdown to HTML that is safe to show to anyone."""
    return sanitise_html(_md.render(source))

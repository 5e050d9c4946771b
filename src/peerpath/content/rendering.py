"""Markdown to safe HTML: markdown-it renders, nh3 sanitises.

Raw HTML inside Markdown is allowed through markdown-it but every tag,
attribute and URL scheme is then filtered by nh3, so nothing a user writes can
run script, load a frame or restyle the page.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": True}).enable(
    ["table", "strikethrough"]
)

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


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag in _MEDIA_TAGS and attribute == "src":
        return value if _ASSET_URL.fullmatch(value) else None
    if tag in {"video", "audio"} and attribute == "preload":
        return value if value in {"none", "metadata"} else None
    return value


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    """Render user Markdown to HTML that is safe to show to anyone."""
    return sanitise_html(_md.render(source))

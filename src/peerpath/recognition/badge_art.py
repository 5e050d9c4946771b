"""Badge artwork, generated as SVG from the badge's rule, colour and symbol.

The shape tells the family of the rule at a glance (learning: a circle; contributing: a
shield; streaks: a hexagon; helping colleagues: a rounded square; certifications and
points: a star-edged seal), the colour and symbol tell badges apart. The image carries
its own ``<title>`` and ``<desc>`` so it reads well wherever it is shown on its own (an
Open Badges wallet); on Peerpath's pages it sits next to the badge's name.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from django.utils.html import escape

from peerpath.recognition.models import BadgeRule

if TYPE_CHECKING:
    from peerpath.recognition.models import BadgeDefinition

SIZE = 120
CENTRE = SIZE / 2

# Symbols drawn in white on a 48×48 grid centred in the badge.
GLYPH_PATHS: dict[str, str] = {
    "star": "M24 4l5.9 12.6 13.6 1.6-10 9.4 2.6 13.5L24 34.4 11.9 41.1l2.6-13.5-10-9.4 13.6-1.6z",
    "share": (
        "M36 30a6 6 0 0 0-4.7 2.3l-13-6.5a6 6 0 0 0 0-3.6l13-6.5A6 6 0 1 0 30 12l-13 6.5a6 6 0 1 0 "
        "0 11l13 6.5A6 6 0 1 0 36 30z"
    ),
    "check": "M19 35.2L8.4 24.6l-3.6 3.6L19 42.4 43.2 18.2l-3.6-3.6z",
    "flame": ("M24 3c2 9 13 13 13 27a13 13 0 0 1-26 0c0-7 4-12 7-16 0 5 2 8 5 10-1-8-1-14 1-21z"),
    "heart": ("M24 42S6 31 6 18a10 10 0 0 1 18-6 10 10 0 0 1 18 6c0 13-18 24-18 24z"),
    "book": ("M6 9c6-2 12-1 17 3v29c-5-4-11-5-17-3zm36 0c-6-2-12-1-17 3v29c5-4 11-5 17-3z"),
    "eye": (
        "M24 12C13 12 5 24 5 24s8 12 19 12 19-12 19-12-8-12-19-12zm0 19a7 7 0 1 1 0-14 "
        "7 7 0 0 1 0 14zm0-10a3 3 0 1 0 0 6 3 3 0 0 0 0-6z"
    ),
    "ribbon": (
        "M24 4a13 13 0 1 0 0 26 13 13 0 0 0 0-26zM15 30l-5 14 7-3 4 6 3-12zm18 0l5 14-7-3-4 6-3-12z"
    ),
    "trophy": (
        "M14 6h20v4h7v5c0 5-4 9-9 9h-1a10 10 0 0 1-5 4v6h7v6H15v-6h7v-6a10 10 0 0 1-5-4h-1c-5 "
        "0-9-4-9-9v-5h7zm-3 8v1c0 3 2 5 4 5v-6zm26 0h-4v6c2 0 4-2 4-5z"
    ),
    "bolt": "M28 2L8 28h13l-3 18 22-28H27z",
}

SHAPE_OF_RULE: dict[str, str] = {
    BadgeRule.MODULES_COMPLETED: "circle",
    BadgeRule.MODULES_PUBLISHED: "shield",
    BadgeRule.MODULES_CURATED: "shield",
    BadgeRule.REVIEWS_DONE: "shield",
    BadgeRule.STREAK_WEEKS: "hexagon",
    BadgeRule.COLLEAGUES_HELPED: "square",
    BadgeRule.CERTIFICATIONS: "seal",
    BadgeRule.POINTS: "seal",
}


def _polygon(points: int, radius: float, *, rotate: float = 0.0, inner: float = 0.0) -> str:
    """A regular polygon (or, with ``inner``, a star-edged seal) around the centre."""
    coords = []
    steps = points * 2 if inner else points
    for i in range(steps):
        r = radius if not inner or i % 2 == 0 else inner
        angle = rotate + 2 * math.pi * i / steps
        coords.append(f"{CENTRE + r * math.sin(angle):.1f},{CENTRE - r * math.cos(angle):.1f}")
    return " ".join(coords)


def _shape(kind: str, radius: float, attrs: str) -> str:
    if kind == "circle":
        return f'<circle cx="{CENTRE}" cy="{CENTRE}" r="{radius}" {attrs}/>'
    if kind == "hexagon":
        return f'<polygon points="{_polygon(6, radius + 2)}" {attrs}/>'
    if kind == "seal":
        return f'<polygon points="{_polygon(16, radius + 3, inner=radius - 3)}" {attrs}/>'
    if kind == "square":
        side = radius * 1.8
        corner = CENTRE - side / 2
        return (
            f'<rect x="{corner:.1f}" y="{corner:.1f}" width="{side:.1f}" height="{side:.1f}" '
            f'rx="{side / 5:.1f}" {attrs}/>'
        )
    # A shield: flat top, curving to a point.
    top, width = CENTRE - radius, radius * 0.92
    return (
        f'<path d="M{CENTRE - width:.1f} {top:.1f}h{2 * width:.1f}v{radius * 0.9:.1f}'
        f"c0 {radius * 0.7:.1f}-{width * 0.55:.1f} {radius * 0.95:.1f}-{width:.1f} "
        f"{radius * 1.1:.1f}c-{width * 0.45:.1f}-{radius * 0.15:.1f}-{width:.1f}"
        f'-{radius * 0.4:.1f}-{width:.1f}-{radius * 1.1:.1f}z" {attrs}/>'
    )


def badge_svg(badge: BadgeDefinition) -> str:
    """The badge's artwork as a standalone SVG document."""
    colour = badge.colour if len(badge.colour) == 7 and badge.colour.startswith("#") else "#2f6fde"
    kind = SHAPE_OF_RULE.get(badge.rule, "circle")
    glyph = GLYPH_PATHS.get(badge.glyph, GLYPH_PATHS["star"])
    ident = f"badge-{escape(badge.slug)}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" '
        f'height="{SIZE}" role="img" aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(badge.name)}</title>'
        f'<desc id="{ident}-desc">{escape(badge.description)}</desc>'
        f'<defs><linearGradient id="{ident}-shine" x1="0" y1="0" x2="0" y2="1">'
        '<stop offset="0" stop-color="#fff" stop-opacity=".35"/>'
        '<stop offset="1" stop-color="#000" stop-opacity=".18"/></linearGradient></defs>'
        + _shape(kind, 54, f'fill="{escape(colour)}"')
        + _shape(kind, 54, f'fill="url(#{ident}-shine)"')
        + _shape(kind, 44, 'fill="none" stroke="#fff" stroke-opacity=".55" stroke-width="2.5"')
        + f'<g transform="translate({CENTRE - 24} {CENTRE - 24})" fill="#fff">'
        f'<path d="{glyph}"/></g></svg>'
    )

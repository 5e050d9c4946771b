"""Forms of the points, streak and badge pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from peerpath.recognition import badges, points, streaks
from peerpath.recognition.models import BadgeRule


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class ReversalForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=points.REASON_MAX,
        help_text="The person sees this next to the reversed points.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class AwayForm(forms.Form):
    starts_on = forms.DateField(label="First day away", widget=_date_input())
    ends_on = forms.DateField(label="Last day away", widget=_date_input())
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=streaks.NOTE_MAX,
        help_text="Optional, e.g. “Annual leave” or “Rota week off”.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "The last day must be on or after the first day.")
        return data


GLYPH_LABELS = {
    "star": "Star",
    "share": "Share",
    "check": "Tick",
    "flame": "Flame",
    "heart": "Heart",
    "book": "Book",
    "eye": "Eye",
    "ribbon": "Ribbon",
    "trophy": "Trophy",
    "bolt": "Lightning",
}


class BadgeForm(forms.Form):
    name = forms.CharField(label="Name", max_length=80)
    description = forms.CharField(
        label="What earns it",
        max_length=300,
        help_text="Shown with the badge, e.g. “Completed ten modules.”",
    )
    rule = forms.ChoiceField(label="Rule", choices=BadgeRule.choices)
    threshold = forms.IntegerField(
        label="Reached at",
        min_value=1,
        max_value=badges.THRESHOLD_MAX,
        help_text="How many of the rule’s count earn the badge.",
    )
    colour = forms.RegexField(
        label="Colour",
        regex=badges.COLOUR,
        initial="#3a4fd6",
        error_messages={"invalid": "Give the colour as #rrggbb."},
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    glyph = forms.ChoiceField(
        label="Symbol", choices=[(g, GLYPH_LABELS.get(g, g)) for g in badges.GLYPHS]
    )

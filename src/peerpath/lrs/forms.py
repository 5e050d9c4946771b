"""Forms for the learning record admin pages: they parse input; services and selectors act."""

from __future__ import annotations

from typing import Any

from django import forms

from peerpath.lrs import validation
from peerpath.lrs.recording import VERBS

VERB_CHOICES = [("", "Any verb")] + [(iri, name) for name, iri in sorted(VERBS.items())]


class ExportFilterForm(forms.Form):
    email = forms.EmailField(
        label="Person (email)",
        required=False,
        help_text="Their statements from Peerpath and from content that names them by email.",
    )
    verb = forms.CharField(
        label="Verb",
        required=False,
        max_length=1000,
        help_text="A verb IRI; start typing to pick one Peerpath records.",
        widget=forms.TextInput(attrs={"list": "verbs", "autocomplete": "off"}),
    )
    activity = forms.CharField(
        label="Activity id",
        required=False,
        max_length=1000,
        help_text="The IRI of a module, path or external activity.",
    )
    since = forms.DateField(
        label="Stored from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Stored to (inclusive)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def _iri(self, name: str) -> str:
        value: str = self.cleaned_data[name].strip()
        if value:
            try:
                validation.check_iri(value, name)
            except validation.StatementInvalid as exc:
                raise forms.ValidationError("Enter an absolute IRI, such as https://…") from exc
        return value

    def clean_verb(self) -> str:
        return self._iri("verb")

    def clean_activity(self) -> str:
        return self._iri("activity")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "Choose a date on or after the start.")
        return data


ACCESS_CHOICES = [
    ("read_write", "Read and write"),
    ("read", "Read only"),
    ("write", "Write only"),
]


class KeyCreateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=120,
        help_text="Who or what uses it, e.g. “Course player” or “Analytics dashboard”.",
    )
    access = forms.ChoiceField(label="Access", choices=ACCESS_CHOICES, initial="read_write")
    own_only = forms.BooleanField(
        label="Read only the statements this key writes",
        required=False,
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the key a name.")
        return name

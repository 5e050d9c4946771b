"""The preferences form: for each kind, the bell on or off and how to email it."""

from __future__ import annotations

from typing import Any

from django import forms

from peerpath.notifications.models import EmailChoice
from peerpath.notifications.services import Choice


class PreferencesForm(forms.Form):
    """Two fields per kind, ``<kind>-in_app`` and ``<kind>-email``, built from the
    person's current choices (so it shows only the kinds they may receive)."""

    def __init__(self, *args: Any, current: list[Choice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        for choice in current:
            self.fields[f"{choice.kind}-in_app"] = forms.BooleanField(
                required=False, initial=choice.in_app, label=f"Show “{choice.label}” in the bell"
            )
            self.fields[f"{choice.kind}-email"] = forms.ChoiceField(
                choices=EmailChoice.choices,
                initial=choice.email,
                label=f"Email for “{choice.label}”",
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "choice": choice,
                "in_app": self[f"{choice.kind}-in_app"],
                "email": self[f"{choice.kind}-email"],
            }
            for choice in self.current
        ]

    def chosen(self) -> list[Choice]:
        data = self.cleaned_data
        return [
            Choice(
                kind=c.kind, in_app=bool(data[f"{c.kind}-in_app"]), email=data[f"{c.kind}-email"]
            )
            for c in self.current
        ]

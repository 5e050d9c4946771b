"""Certification forms: they parse input; the certification services decide what holds."""

from __future__ import annotations

from django import forms

from peerpath.recognition.certifications import RECERTIFY_DAYS_MAX, VALIDITY_DAYS_MAX
from peerpath.recognition.models import SignOff

Choices = list[tuple[str, str]]


def _multi(label: str, help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )


class CertificationForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    description = forms.CharField(
        label="Description",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What a holder can do, in a sentence or two. Shown on the catalog.",
    )
    skills = _multi("Skills", "The skills it certifies; expert reviewers of them sign off.")
    required_modules = _multi("Required modules", "Each completed (passed, for assessments).")
    required_paths = _multi("Required learning paths", "Each completed to its last step.")
    min_score = forms.DecimalField(
        label="Minimum assessment score (%)",
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text="The best score on every required assessment must reach it. Empty: a pass.",
    )
    sign_off = forms.ChoiceField(
        label="Practical sign-off", choices=SignOff.choices, initial=SignOff.NONE
    )
    validity_days = forms.IntegerField(
        label="Valid for (days)",
        required=False,
        min_value=1,
        max_value=VALIDITY_DAYS_MAX,
        help_text="Empty: it never expires. Holders are reminded 60, 30 and 7 days before.",
    )
    recertify_within_days = forms.IntegerField(
        label="Recertification opens (days before expiry)",
        min_value=1,
        max_value=RECERTIFY_DAYS_MAX,
        initial=60,
    )
    recert_modules = _multi(
        "Recertification modules",
        "The shorter path to renew. Empty: the required modules and paths, done again.",
    )
    recert_paths = _multi("Recertification paths")

    def __init__(
        self,
        *args: object,
        skills: Choices,
        modules: Choices,
        paths: Choices,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["skills"].choices = skills  # type: ignore[attr-defined]
        for name in ("required_modules", "recert_modules"):
            self.fields[name].choices = modules  # type: ignore[attr-defined]
        for name in ("required_paths", "recert_paths"):
            self.fields[name].choices = paths  # type: ignore[attr-defined]


class AwardForm(forms.Form):
    person = forms.EmailField(label="Person’s email")
    evidence = forms.CharField(
        label="Evidence",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the award rests on: an external exam, an observed session, a document.",
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the record and sent to the holder.",
    )


class SignOffAskForm(forms.Form):
    note = forms.CharField(
        label="Note for whoever signs off (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(forms.Form):
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

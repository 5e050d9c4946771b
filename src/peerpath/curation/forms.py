from __future__ import annotations

from django import forms

from peerpath.curation.models import FlagReason

STAR_CHOICES = [(n, f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1)]


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        choices=STAR_CHOICES, coerce=int, widget=forms.RadioSelect, label="Your rating"
    )
    comment = forms.CharField(
        required=False,
        max_length=1000,
        label="Note to the author (optional, only they see it)",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}),
    )


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=FlagReason.choices, label="What is the problem?")
    details = forms.CharField(
        min_length=10,
        max_length=2000,
        label="Details",
        help_text="Which part, and what should it say instead?",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )


class CloseFlagForm(forms.Form):
    note = forms.CharField(required=False, max_length=500, label="Note (optional)")


class ReviewCommentForm(forms.Form):
    quote = forms.CharField(
        required=False,
        max_length=500,
        label="Passage (optional)",
        help_text="Select words in the text to fill this in, or paste them exactly as they appear.",
    )
    body = forms.CharField(
        max_length=4000, label="Comment", widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewDecisionForm(forms.Form):
    body = forms.CharField(
        required=False,
        max_length=4000,
        label="Note to the author",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    review_by = forms.DateField(
        required=False,
        label="Review again by",
        help_text="If you approve: when experts should check it is still right. "
        "Leave empty for the usual period.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ConfirmCurationForm(forms.Form):
    review_by = forms.DateField(
        required=False,
        label="Next review by",
        help_text="Leave empty for the usual period.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class NominateForm(forms.Form):
    reason = forms.CharField(
        required=False, max_length=1000, label="Why should experts curate it? (optional)"
    )

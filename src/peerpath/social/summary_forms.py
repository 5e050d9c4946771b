"""Forms for summaries and endorsements; the rules live in ``social.summaries``."""

from __future__ import annotations

from django import forms

from peerpath.social.models import Audience, SummaryKind
from peerpath.social.summaries import BODY_MAX, REASON_MAX


def _body_field(label: str) -> forms.CharField:
    field = forms.CharField(
        label=label,
        strip=False,
        # A little slack: the service counts after normalising line ends and says by how
        # much a text is too long; the browser stops typing at the limit itself.
        max_length=BODY_MAX + 100,
        help_text=f"Plain text, at most {BODY_MAX} characters.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    field.widget.attrs["maxlength"] = str(BODY_MAX)
    return field


class SummaryWriteForm(forms.Form):
    kind = forms.ChoiceField(
        choices=SummaryKind.choices, widget=forms.RadioSelect, label="What are you writing?"
    )
    body = _body_field("Your words")

    def __init__(self, *args: object, kinds: list[str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if kinds is not None:
            field = self.fields["kind"]
            if isinstance(field, forms.ChoiceField):
                field.choices = [(k, label) for k, label in SummaryKind.choices if k in kinds]
            if len(kinds) == 1:
                self.initial.setdefault("kind", kinds[0])
            elif kinds:
                self.initial.setdefault("kind", SummaryKind.SUMMARY)


class SummaryEditForm(forms.Form):
    body = _body_field("Your words")


class SummaryReportForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with it?",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REASON_MAX}),
    )


class SummaryAudienceForm(forms.Form):
    audience = forms.ChoiceField(choices=Audience.choices, label="Reaches")

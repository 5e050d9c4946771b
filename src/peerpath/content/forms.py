from __future__ import annotations

from typing import Any

from django import forms

from peerpath.content.models import Module
from peerpath.people import selectors as people
from peerpath.skills import selectors as skills


class ModuleForm(forms.ModelForm[Module]):
    skills = forms.ModelMultipleChoiceField(
        queryset=skills.skills_all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Hold Ctrl (⌘ on a Mac) to choose several.",
    )

    class Meta:
        model = Module
        fields = ["title", "summary", "estimated_minutes", "skills", "body_markdown"]
        labels = {
            "body_markdown": "Content",
            "estimated_minutes": "Estimated minutes",
        }
        help_texts = {
            "summary": "One or two sentences shown in the catalog.",
            "body_markdown": "Markdown: ## headings, **bold**, lists, tables, > tips.",
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
            "body_markdown": forms.Textarea(attrs={"rows": 20, "class": "mono"}),
            "estimated_minutes": forms.NumberInput(attrs={"min": 1, "max": 600}),
        }

    co_authors = forms.CharField(
        required=False,
        max_length=2000,
        label="Co-authors",
        help_text="Colleagues' email addresses, separated by commas. "
        "They can edit and publish this module with you.",
    )

    def __init__(self, *args: Any, can_choose_co_authors: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body_markdown"].required = True
        if not can_choose_co_authors:
            del self.fields["co_authors"]
        elif self.instance.pk:
            self.initial["co_authors"] = ", ".join(p.email for p in self.instance.co_authors.all())

    def clean_co_authors(self) -> list[Any]:
        raw = self.cleaned_data.get("co_authors", "")
        emails = [e for e in raw.replace(";", ",").replace("\n", ",").split(",") if e.strip()]
        people_found, missing = people.people_by_emails(emails)
        if missing:
            raise forms.ValidationError(
                "Nobody active in Peerpath has the address %(emails)s.",
                params={"emails": ", ".join(missing)},
            )
        return people_found

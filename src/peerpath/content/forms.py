from __future__ import annotations

from typing import Any

from django import forms

from peerpath.people import selectors as people
from peerpath.skills import selectors as skills


class ModuleForm(forms.Form):
    """The module editor. Fields mirror the module's text; services decide where it goes."""

    title = forms.CharField(max_length=160)
    summary = forms.CharField(
        max_length=300,
        help_text="One or two sentences shown in the catalog.",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
    )
    estimated_minutes = forms.IntegerField(
        label="Estimated minutes",
        min_value=1,
        max_value=600,
        widget=forms.NumberInput(attrs={"min": 1, "max": 600}),
    )
    skills = forms.ModelMultipleChoiceField(
        queryset=skills.skills_all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Hold Ctrl (⌘ on a Mac) to choose several.",
    )
    body_markdown = forms.CharField(
        label="Content",
        max_length=200_000,
        help_text="Markdown: ## headings, **bold**, lists, tables, > tips.",
        widget=forms.Textarea(attrs={"rows": 20, "class": "mono"}),
    )
    co_authors = forms.CharField(
        required=False,
        max_length=2000,
        label="Co-authors",
        help_text="Colleagues' email addresses, separated by commas. "
        "They can edit and publish this module with you.",
    )

    def __init__(self, *args: Any, can_choose_co_authors: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_choose_co_authors:
            del self.fields["co_authors"]

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

    def content(self) -> dict[str, Any]:
        """The cleaned text fields, as the content services take them."""
        return {
            f: self.cleaned_data[f]
            for f in ("title", "summary", "body_markdown", "estimated_minutes", "skills")
        }

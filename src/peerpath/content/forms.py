from __future__ import annotations

from typing import Any

from django import forms

from peerpath.content.models import Module
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body_markdown"].required = True

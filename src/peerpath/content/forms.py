from __future__ import annotations

from typing import Any

from django import forms

from peerpath.content.models import ModuleKind
from peerpath.content.services import QuizSettings
from peerpath.people import selectors as people
from peerpath.skills import selectors as skills


class ModuleForm(forms.Form):
    """The module editor. Fields mirror the module's text; services decide where it goes."""

    kind = forms.ChoiceField(
        label="Kind of module",
        choices=ModuleKind.choices,
        initial=ModuleKind.ARTICLE,
        required=False,
        widget=forms.RadioSelect,
    )
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
        required=False,
        max_length=200_000,
        help_text="Markdown: ## headings, **bold**, lists, tables, ```code```; "
        "a quote starting “[!TIP]”, “[!NOTE]” or “[!WARNING]” makes a callout.",
        widget=forms.Textarea(attrs={"rows": 20, "class": "mono"}),
    )
    quiz_source = forms.CharField(
        label="Quiz questions",
        required=False,
        max_length=50_000,
        help_text="Start each question with “?”. Options: “(x)” right, “( )” wrong; "
        "“[x]”/“[ ]” when several are right; “= true”, “= false” or “= answer | other”; "
        "“>” for feedback (indent it under an option for that option's feedback).",
        widget=forms.Textarea(attrs={"rows": 10, "class": "mono"}),
    )
    pass_mark = forms.IntegerField(
        label="Pass mark (%)",
        required=False,
        min_value=0,
        max_value=100,
        initial=80,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100}),
    )
    shuffle = forms.BooleanField(
        label="Shuffle questions and options for each attempt", required=False
    )
    max_attempts = forms.IntegerField(
        label="Attempts allowed",
        required=False,
        min_value=1,
        max_value=100,
        help_text="Leave empty for unlimited attempts.",
        widget=forms.NumberInput(attrs={"min": 1, "max": 100}),
    )
    co_authors = forms.CharField(
        required=False,
        max_length=2000,
        label="Co-authors",
        help_text="Colleagues' email addresses, separated by commas. "
        "They can edit and publish this module with you.",
    )

    def __init__(
        self,
        *args: Any,
        kind: str = ModuleKind.ARTICLE,
        can_choose_co_authors: bool = True,
        can_choose_kind: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not can_choose_co_authors:
            del self.fields["co_authors"]
        if can_choose_kind:
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["kind"].initial = kind
        else:
            del self.fields["kind"]
        body = self.fields["body_markdown"]
        if kind == ModuleKind.DECK:
            body.label = "Slides"
            body.help_text = (
                "Markdown, one slide after another. A line with just --- starts the next "
                "slide. A line starting “Note:” begins the speaker notes for that slide: "
                "only authors see them, when presenting. Use *** for a rule inside a slide."
            )
        elif kind == ModuleKind.FILE:
            body.label = "Description"
            body.help_text = "Optional Markdown shown above the document."
        elif kind != ModuleKind.ARTICLE:
            body.label = "Introduction"
            body.help_text = "Optional. Markdown shown above the " + (
                "questions." if kind == ModuleKind.QUIZ else "module."
            )
            body.widget.attrs["rows"] = 6
        quiz = self.fields["quiz_source"]
        if kind == ModuleKind.QUIZ:
            quiz.label = "Questions"
        else:
            quiz.label = "Questions at the end (optional)"
        if kind in (ModuleKind.PACKAGE, ModuleKind.FILE):
            for name in ("quiz_source", "pass_mark", "shuffle", "max_attempts"):
                del self.fields[name]

    def about_fields(self) -> list[forms.BoundField]:
        names = ("kind", "title", "summary", "estimated_minutes", "skills", "co_authors")
        return [self[n] for n in names if n in self.fields]

    def quiz_fields(self) -> list[forms.BoundField]:
        names = ("pass_mark", "max_attempts", "shuffle")
        return [self[n] for n in names if n in self.fields]

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or ModuleKind.ARTICLE

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
        data = self.cleaned_data
        fields = ("title", "summary", "body_markdown", "estimated_minutes", "skills")
        text = {f: data[f] for f in fields}
        if "quiz_source" in self.fields:
            text["quiz_source"] = data["quiz_source"]
            text["quiz_settings"] = QuizSettings(
                pass_mark=80 if data["pass_mark"] is None else data["pass_mark"],
                shuffle=data["shuffle"],
                max_attempts=data["max_attempts"],
            )
        return text


class PreviewForm(forms.Form):
    """What the editor's live preview renders: the text as it stands, never saved."""

    body_markdown = forms.CharField(required=False, max_length=200_000)
    quiz_source = forms.CharField(required=False, max_length=50_000)


class PackageUploadForm(forms.Form):
    """Upload a SCORM zip; the content services check and unpack it."""

    package = forms.FileField(
        label="SCORM package (.zip)",
        help_text="A SCORM 1.2 or SCORM 2004 zip, as your authoring tool exports it.",
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )


class PathForm(forms.Form):
    """A learning path's title, catalog summary and Markdown description."""

    title = forms.CharField(max_length=160)
    summary = forms.CharField(
        max_length=300,
        help_text="One or two sentences shown on the path's card.",
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
    )
    description_markdown = forms.CharField(
        label="Description",
        required=False,
        max_length=20_000,
        help_text="Markdown. Who the path is for and what they will be able to do.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class PathEditorsForm(forms.Form):
    editors = forms.CharField(
        required=False,
        max_length=2000,
        label="Editors",
        help_text="Colleagues' email addresses, separated by commas. "
        "They can arrange and publish this path with you.",
    )

    def clean_editors(self) -> list[Any]:
        raw = self.cleaned_data.get("editors", "")
        emails = [e for e in raw.replace(";", ",").replace("\n", ",").split(",") if e.strip()]
        found, missing = people.people_by_emails(emails)
        if missing:
            raise forms.ValidationError(
                "Nobody active in Peerpath has the address %(emails)s.",
                params={"emails": ", ".join(missing)},
            )
        return found

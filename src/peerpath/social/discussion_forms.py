"""Forms of discussions and reports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy

from peerpath.social import discussions, moderation


class PostForm(forms.Form):
    # Ids of their own: the module page also holds the notes and summaries forms.
    default_auto_id = "post_%s"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", self.default_auto_id)
        super().__init__(*args, **kwargs)

    body = forms.CharField(
        label="Your post",
        max_length=discussions.BODY_MAX,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "data-mentions": reverse_lazy("social:mention_people")}
        ),
        help_text="Markdown works. Type @ and a name to mention a colleague.",
        error_messages={"required": "Write something before posting."},
    )


class ThreadForm(PostForm):
    default_auto_id = "thread_%s"
    is_question = forms.BooleanField(
        label="Ask it as a question (an answer can be accepted)", required=False
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with it?",
        max_length=moderation.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say briefly what is wrong with it."},
    )

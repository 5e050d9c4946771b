"""The assignment form: it parses input; the assignment services decide what is allowed."""

from __future__ import annotations

from django import forms

from peerpath.learning.models import (
    DUE_DAYS_MAX,
    REMINDER_DAYS_MAX,
    AssignmentAudience,
    DueRule,
)

Choices = list[tuple[str, str]]


class AssignmentDueForm(forms.Form):
    """When an assignment is due and when to remind: set when assigning, changed later."""

    due_rule = forms.ChoiceField(label="When it is due", choices=DueRule.choices)
    due_on = forms.DateField(
        label="Due date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    due_days = forms.IntegerField(
        label="Number of days", required=False, min_value=1, max_value=DUE_DAYS_MAX, initial=14
    )
    reminder_days = forms.IntegerField(
        label="Email a reminder this many days before it is due",
        required=False,
        min_value=1,
        max_value=REMINDER_DAYS_MAX,
        initial=3,
        help_text="Leave empty for no reminder. An overdue notice is always sent once.",
    )


class AssignmentForm(AssignmentDueForm):
    module = forms.ChoiceField(label="Module", required=False)
    path = forms.ChoiceField(label="or a learning path", required=False)
    audience = forms.ChoiceField(label="Assign to", choices=AssignmentAudience.choices)
    person = forms.EmailField(
        label="Person’s email", required=False, help_text="Someone in your reporting line."
    )
    team = forms.ChoiceField(label="Team", required=False)
    job_role = forms.ChoiceField(label="Job role", required=False)
    new_hires_since = forms.DateField(
        label="Hired on or after",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="People with the role hired from this date on count as new hires, "
        "including everyone hired later.",
    )

    def __init__(
        self,
        *args: object,
        modules: Choices,
        paths: Choices,
        teams: Choices,
        job_roles: Choices,
        is_manager: bool,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        none = [("", "—")]
        self.fields["module"].choices = none + modules  # type: ignore[attr-defined]
        self.fields["path"].choices = none + paths  # type: ignore[attr-defined]
        self.fields["team"].choices = none + teams  # type: ignore[attr-defined]
        self.fields["job_role"].choices = none + job_roles  # type: ignore[attr-defined]
        if is_manager:
            self.fields["audience"].help_text = (
                "A team, job role or new-hire rule covers only the people in your "
                "reporting line, including those who join it later."
            )
        else:
            self.fields["person"].help_text = ""

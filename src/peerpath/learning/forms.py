"""Forms for learners' own goals: they parse input; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from peerpath.learning.models import GOAL_TARGET_MAX, GoalKind


class PaceGoalForm(forms.Form):
    """A pace: so many modules each week or month."""

    kind = forms.ChoiceField(
        label="Every",
        choices=[(GoalKind.MODULES_PER_WEEK, "week"), (GoalKind.MODULES_PER_MONTH, "month")],
    )
    target = forms.IntegerField(label="Modules", min_value=1, max_value=GOAL_TARGET_MAX, initial=2)


class PathGoalForm(forms.Form):
    """A path finished by a date."""

    path = forms.ChoiceField(label="Path")
    due_on = forms.DateField(label="Finish by", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, paths: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["path"].choices = paths  # type: ignore[attr-defined]

from __future__ import annotations

from django import forms

from peerpath.skills import selectors


class SkillForm(forms.Form):
    name = forms.CharField(max_length=80)
    parent = forms.ModelChoiceField(
        queryset=selectors.skills_all(), required=False, empty_label="— Top level —"
    )
    description = forms.CharField(max_length=300, required=False)


class SkillEditForm(forms.Form):
    name = forms.CharField(max_length=80)
    description = forms.CharField(max_length=300, required=False)

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from peerpath.people.models import User
from peerpath.skills import selectors as skills


class ProfileForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["display_name", "job_title", "location", "time_zone", "about", "avatar"]
        labels = {"display_name": "Name", "about": "About me"}
        widgets = {"about": forms.Textarea(attrs={"rows": 4, "maxlength": 2000})}

    def clean_avatar(self) -> Any:
        avatar = self.cleaned_data.get("avatar")
        if not avatar or not hasattr(avatar, "content_type"):
            return avatar
        if avatar.size > settings.PEERPATH_MAX_AVATAR_BYTES:
            raise ValidationError("The photo is larger than 2 MB; choose a smaller one.")
        try:
            # Trust the bytes, not the file name: Pillow must recognise a real image.
            with Image.open(avatar) as image:
                image.verify()
                if image.format not in {"PNG", "JPEG", "GIF", "WEBP"}:
                    raise ValidationError("Use a PNG, JPEG, GIF or WebP image.")
        except (UnidentifiedImageError, OSError) as exc:
            raise ValidationError("That file is not an image we can read.") from exc
        avatar.seek(0)
        return avatar


class PersonAdminForm(forms.ModelForm[User]):
    """What a learning admin may set on anyone: place in the organisation and roles."""

    reviewer_skills = forms.ModelMultipleChoiceField(
        queryset=skills.skills_all(),
        required=False,
        label="Expert reviewer for",
        help_text="Skill areas this person reviews (sub-skills included).",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = User
        fields = [
            "display_name",
            "job_title",
            "job_role",
            "team",
            "manager",
            "location",
            "time_zone",
            "hire_date",
            "is_learning_admin",
        ]
        labels = {"is_learning_admin": "Learning admin", "display_name": "Name"}
        widgets = {"hire_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager_field = self.fields["manager"]
        if self.instance.pk:
            self.initial["reviewer_skills"] = list(
                self.instance.reviewer_areas.values_list("skill_id", flat=True)
            )
        if isinstance(manager_field, forms.ModelChoiceField):
            manager_field.queryset = User.objects.filter(is_active=True).exclude(
                pk=self.instance.pk
            )


class OrgImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: email, display_name, job_title, job_role, team, department, "
        "manager_email, location, time_zone, hire_date, status, learning_admin.",
    )


class NameForm(forms.Form):
    name = forms.CharField(max_length=80)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=120)
    department = forms.CharField(
        max_length=120,
        help_text="An existing department, or a new one to create.",
        widget=forms.TextInput(attrs={"list": "departments", "autocomplete": "off"}),
    )
    works_shifts = forms.BooleanField(
        required=False, label="Works scheduled shifts (e.g. a contact centre)"
    )

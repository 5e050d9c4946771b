"""Showing a service's validation errors on the form that fed it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach each error to its field when the form has that field, else to the whole form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    errors: dict[str, Any] = exc.message_dict
    for field, messages in errors.items():
        form.add_error(field if field in form.fields else None, messages)

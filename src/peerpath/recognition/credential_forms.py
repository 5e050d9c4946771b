"""Forms of the credential pages: they parse input; the services and verifier act."""

from __future__ import annotations

from typing import Any

from django import forms

from peerpath.recognition.credentials import REASON_MAX
from peerpath.recognition.verification import MAX_TOKEN_BYTES


class VerifyForm(forms.Form):
    """A credential to check: pasted, or the downloaded .jwt file."""

    credential = forms.CharField(
        label="Paste the credential",
        required=False,
        max_length=MAX_TOKEN_BYTES,
        strip=True,
        help_text="The text of the .jwt file: three parts separated by dots.",
        widget=forms.Textarea(
            attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off", "class": "mono"}
        ),
    )
    file = forms.FileField(
        label="Or upload the credential file",
        required=False,
        help_text="The .jwt (or .jws) file you were given.",
        widget=forms.ClearableFileInput(attrs={"accept": ".jwt,.jws,.txt,text/plain"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pasted = data.get("credential") or ""
        upload = data.get("file")
        if pasted and upload:
            raise forms.ValidationError("Paste the credential or upload its file, not both.")
        if not pasted and not upload:
            raise forms.ValidationError("Paste a credential or choose its file.")
        if upload is not None:
            if upload.size > MAX_TOKEN_BYTES:
                raise forms.ValidationError(
                    {"file": "That file is larger than any credential Peerpath issues."}
                )
            data["token"] = upload.read(MAX_TOKEN_BYTES + 1)
        else:
            data["token"] = pasted
        return data


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_MAX,
        help_text="Verifiers are shown this reason.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CredentialSearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=120)
    state = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), ("active", "Active"), ("revoked", "Revoked")],
    )

"""Kudos pages: thank a colleague from their profile (an htmx form in the profile's
kudos panel), everyone's thanks to a person, and hiding a kudos (learning admins)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest
from peerpath.core.pagination import paginate
from peerpath.people import selectors as people
from peerpath.recognition import kudos as kudos_service
from peerpath.recognition import selectors

if TYPE_CHECKING:
    from peerpath.people.models import User

KUDOS_PER_PAGE = 20


class KudosForm(forms.Form):
    message = forms.CharField(
        label="Your message",
        max_length=kudos_service.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": kudos_service.MAX_LENGTH}),
        help_text=f"Plain text, up to {kudos_service.MAX_LENGTH} characters.",
        error_messages={"required": "Write a short message to say thank you."},
    )


def _person_for_user(user: User, public_id: str) -> User:
    """A colleague whose profile the user may see: 404 when absent, 403 when not allowed."""
    person = people.person_by_public_id(public_id)
    if person is None:
        raise Http404
    permissions.require(permissions.can_view_profile(user, person))
    return person


def _panel(
    request: AuthedRequest, person: User, form: KudosForm | None, *, thanked: bool = False
) -> HttpResponse:
    return render(
        request,
        "recognition/_kudos_panel.html",
        {
            "person": person,
            "recognition": selectors.profile_recognition(request.user, person),
            "kudos_form": form,
            "thanked": thanked,
        },
    )


@require_POST
def give(request: AuthedRequest, public_id: str) -> HttpResponse:
    person = _person_for_user(request.user, public_id)
    permissions.require(permissions.can_give_kudos(request.user, person))
    form = KudosForm(request.POST)
    if form.is_valid():
        try:
            kudos_service.kudos_give(
                giver=request.user, recipient=person, message=form.cleaned_data["message"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
    if request.htmx:
        if form.errors:
            return _panel(request, person, form)
        return _panel(request, person, KudosForm(), thanked=True)
    if form.errors:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        messages.success(request, f"Thank you! {person.display_name} will see your kudos.")
    return redirect("people:profile", public_id=person.public_id)


@require_GET
def received(request: AuthedRequest, public_id: str) -> HttpResponse:
    person = _person_for_user(request.user, public_id)
    page = paginate(request, selectors.kudos_for(person), per_page=KUDOS_PER_PAGE)
    return render(
        request,
        "recognition/kudos_list.html",
        {
            "person": person,
            "page": page,
            "can_hide": permissions.can_hide_kudos(request.user),
            "can_give": permissions.can_give_kudos(request.user, person),
        },
    )


@require_POST
def hide(request: AuthedRequest, public_id: str) -> HttpResponse:
    permissions.require(permissions.can_hide_kudos(request.user))
    found = kudos_service.kudos_by_public_id(public_id)
    if found is None:
        raise Http404
    kudos_service.kudos_hide(actor=request.user, kudos=found)
    if request.htmx:
        return render(request, "recognition/_kudos_hidden.html", {"kudos": found})
    messages.success(request, "The kudos is hidden.")
    return redirect("recognition:kudos_received", public_id=found.recipient.public_id)

"""Sharing a module or path with colleagues and teams, and who recommended it.

The share form works without JavaScript (a "Find" button re-renders it with matches);
with htmx the matches appear as one types. Chosen people and teams travel as checked
boxes, so a new search keeps them.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest
from peerpath.people import selectors as people_selectors
from peerpath.social import shares

if TYPE_CHECKING:
    from peerpath.content.models import LearningPath, Module
    from peerpath.people.models import Team, User


class ShareForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        queryset=people_selectors.people_active(),
        to_field_name="public_id",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=people_selectors.teams_all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    message = forms.CharField(
        label="Message (optional)",
        required=False,
        max_length=shares.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": shares.MESSAGE_MAX}),
        help_text=f"Why it is worth their time, in up to {shares.MESSAGE_MAX} characters.",
    )


def _chosen(request: AuthedRequest) -> tuple[list[User], list[Team]]:
    """The people and teams ticked so far (unknown ids are ignored)."""
    ids = list(request.POST.getlist("people") or request.GET.getlist("people"))[
        : shares.MAX_PEOPLE + 1
    ]
    slugs = list(request.POST.getlist("teams") or request.GET.getlist("teams"))[
        : shares.MAX_TEAMS + 1
    ]
    valid = []
    for value in ids:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue
    chosen_people = (
        list(
            people_selectors.people_active()
            .filter(public_id__in=valid)
            .exclude(pk=request.user.pk)
            .select_related("team")
            .order_by("display_name", "pk")
        )
        if valid
        else []
    )
    chosen_teams = list(people_selectors.teams_all().filter(slug__in=slugs)) if slugs else []
    return chosen_people, chosen_teams


def _options(
    request: AuthedRequest, chosen_people: list[User], chosen_teams: list[Team], query: str
) -> dict[str, Any]:
    """Checkboxes for the share form: what is chosen, my team, and matches for the query."""
    found = shares.share_candidates(sender=request.user, query=query)
    seen_people = {p.pk for p in chosen_people}
    seen_teams = {t.pk for t in chosen_teams}
    team = request.user.team
    return {
        "query": query,
        "chosen_people": chosen_people,
        "chosen_teams": chosen_teams,
        "my_team": team if team is not None and team.pk not in seen_teams else None,
        "found_people": [p for p in found.people if p.pk not in seen_people],
        "found_teams": [t for t in found.teams if t.pk not in seen_teams],
        "searched": len(query.strip()) >= 2,
    }


def _share_page(
    request: AuthedRequest, *, module: Module | None = None, path: LearningPath | None = None
) -> HttpResponse:
    subject: Any = module if module is not None else path
    kind = "module" if module is not None else "path"
    back = (
        reverse("learning:module", kwargs={"public_id": subject.public_id, "slug": subject.slug})
        if module is not None
        else reverse("learning:path", kwargs={"public_id": subject.public_id, "slug": subject.slug})
    )
    query = (request.POST.get("q") or request.GET.get("q") or "")[:100]
    chosen_people, chosen_teams = _chosen(request)
    form = ShareForm()
    if request.method == "POST" and "find" not in request.POST:
        form = ShareForm(request.POST)
        if form.is_valid():
            try:
                share = shares.share_create(
                    sender=request.user,
                    module=module,
                    path=path,
                    people=form.cleaned_data["people"],
                    teams=form.cleaned_data["teams"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                reached = share.recipients.count()
                plural = "s" if reached != 1 else ""
                messages.success(
                    request, f"Shared “{subject.title}” with {reached} colleague{plural}."
                )
                return redirect(back)
    elif request.method == "POST":
        form = ShareForm(initial={"message": request.POST.get("message", "")})
    context = {
        "form": form,
        "subject": subject,
        "kind": kind,
        "back": back,
        "action": request.path,
        "limits": {"people": shares.MAX_PEOPLE, "teams": shares.MAX_TEAMS},
        **_options(request, chosen_people, chosen_teams, query),
    }
    return render(request, "social/shares_form.html", context, status=400 if form.errors else 200)


def share_module(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = content.get_module_for_user(request.user, public_id)
    permissions.require(
        permissions.can_share_module(request.user, module),
        "Only published modules can be shared.",
    )
    return _share_page(request, module=module)


def share_path(request: AuthedRequest, public_id: str) -> HttpResponse:
    path = content.get_path_for_user(request.user, public_id)
    permissions.require(
        permissions.can_share_path(request.user, path), "Only published paths can be shared."
    )
    return _share_page(request, path=path)


def share_options(request: AuthedRequest) -> HttpResponse:
    """The share form's checkboxes for a search (htmx), keeping what is already chosen."""
    query = request.GET.get("q", "")[:100]
    chosen_people, chosen_teams = _chosen(request)
    return render(
        request,
        "social/_shares_options.html",
        {"form": ShareForm(), **_options(request, chosen_people, chosen_teams, query)},
    )


# --- Recommended by ---------------------------------------------------------------------


def module_recommended(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = content.get_module_for_user(request.user, public_id)
    return render(
        request,
        "social/_shares_recommended.html",
        {
            "recommendation": shares.recommenders(module=module),
            "share_url": reverse("social:share_module", kwargs={"public_id": module.public_id})
            if permissions.can_share_module(request.user, module)
            else "",
            "kind": "module",
        },
    )


def path_recommended(request: AuthedRequest, public_id: str) -> HttpResponse:
    path = content.get_path_for_user(request.user, public_id)
    return render(
        request,
        "social/_shares_recommended.html",
        {
            "recommendation": shares.recommenders(path=path),
            "share_url": reverse("social:share_path", kwargs={"public_id": path.public_id})
            if permissions.can_share_path(request.user, path)
            else "",
            "kind": "path",
        },
    )

"""Admin page for the skill framework."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest
from peerpath.skills import selectors, services
from peerpath.skills.forms import SkillEditForm, SkillForm


def admin_skills(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_manage_skills(request.user))
    form = SkillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            skill = services.skill_create(**form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Added the skill “{skill}”.")
            return redirect("skills:admin")
    return render(
        request,
        "skills/admin_skills.html",
        {"form": form, "skills": selectors.skills_with_module_counts()},
    )


def admin_skill_edit(request: AuthedRequest, slug: str) -> HttpResponse:
    permissions.require(permissions.can_manage_skills(request.user))
    skill = selectors.skill_by_slug(slug)
    if skill is None:
        raise Http404("No such skill.")
    form = SkillEditForm(
        request.POST or None, initial={"name": skill.name, "description": skill.description}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.skill_update(skill=skill, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved “{skill.path}”.")
            return redirect("skills:admin")
    return render(request, "skills/admin_skill_edit.html", {"form": form, "skill": skill})

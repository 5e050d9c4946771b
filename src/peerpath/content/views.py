"""Authoring pages: an author's modules, the editor, publish and unpublish."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from peerpath.content import selectors, services
from peerpath.content.forms import ModuleForm
from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest
from peerpath.core.pagination import paginate


def my_modules(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_create_module(request.user))
    page = paginate(request, selectors.modules_by_author(request.user), per_page=20)
    return render(request, "content/my_modules.html", {"page": page})


def module_new(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_create_module(request.user))
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            module = services.module_create(
                author=request.user,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                body_markdown=form.cleaned_data["body_markdown"],
                estimated_minutes=form.cleaned_data["estimated_minutes"],
                skills=form.cleaned_data["skills"],
                publish="publish" in request.POST,
            )
            services.module_set_co_authors(
                actor=request.user, module=module, people=form.cleaned_data["co_authors"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            verb = "published" if module.is_published else "saved as a draft"
            messages.success(request, f"“{module.title}” was {verb}.")
            return redirect("learning:module", public_id=module.public_id, slug=module.slug)
    return render(request, "content/module_form.html", {"form": form, "module": None})


def module_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = selectors.get_module_for_user(request.user, public_id, write=True)
    can_choose = permissions.can_manage_co_authors(request.user, module)
    form = ModuleForm(request.POST or None, instance=module, can_choose_co_authors=can_choose)
    if request.method == "POST" and form.is_valid():
        try:
            services.module_update(
                actor=request.user,
                module=module,
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
                body_markdown=form.cleaned_data["body_markdown"],
                estimated_minutes=form.cleaned_data["estimated_minutes"],
                skills=form.cleaned_data["skills"],
            )
            if can_choose:
                services.module_set_co_authors(
                    actor=request.user, module=module, people=form.cleaned_data["co_authors"]
                )
            if "publish" in request.POST:
                services.module_publish(actor=request.user, module=module)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{module.title}” was saved.")
            return redirect("learning:module", public_id=module.public_id, slug=module.slug)
    return render(request, "content/module_form.html", {"form": form, "module": module})


@require_POST
def module_publish(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = selectors.get_module_for_user(request.user, public_id, write=True)
    try:
        services.module_publish(actor=request.user, module=module)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{module.title}” is published in the catalog.")
    return redirect("learning:module", public_id=module.public_id, slug=module.slug)


@require_POST
def module_unpublish(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = selectors.get_module_for_user(request.user, public_id, write=True)
    services.module_unpublish(actor=request.user, module=module)
    messages.success(request, f"“{module.title}” is back in draft; learners no longer see it.")
    return redirect("content:mine")

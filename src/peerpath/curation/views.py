"""The quality panel on a module (rate, report) and the moderation queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest
from peerpath.core.pagination import paginate
from peerpath.curation import selectors, services
from peerpath.curation.forms import CloseFlagForm, FlagForm, RatingForm
from peerpath.curation.models import FlagStatus

if TYPE_CHECKING:
    from peerpath.content.models import Module


def _panel(
    request: AuthedRequest,
    module: Module,
    *,
    rating_form: RatingForm | None = None,
    flag_form: FlagForm | None = None,
    notice: str = "",
) -> HttpResponse:
    user = request.user
    mine = selectors.rating_by(user, module)
    context: dict[str, Any] = {
        "module": module,
        "summary": selectors.rating_summaries([module.pk]).get(module.pk),
        "my_rating": mine,
        "can_rate": permissions.can_rate_module(user, module),
        "can_flag": permissions.can_flag_module(user, module),
        "rating_form": rating_form
        or RatingForm(initial={"stars": mine.stars, "comment": mine.comment} if mine else None),
        "flag_form": flag_form or FlagForm(),
        "notes": selectors.rating_notes(module)
        if permissions.can_read_rating_notes(user, module)
        else None,
        "open_flags": selectors.open_flag_count(module)
        if permissions.can_moderate_module(user, module)
        else None,
        "notice": notice,
    }
    template = "curation/_panel.html" if request.htmx else "curation/panel_page.html"
    return render(request, template, context)


def panel(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = content.get_module_for_user(request.user, public_id)
    if not module.is_published:
        raise Http404("Drafts have no ratings yet.")
    return _panel(request, module)


@require_POST
def rate(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = content.get_module_for_user(request.user, public_id)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.module_rate(user=request.user, module=module, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _panel(request, module, notice="Thanks — your rating was saved.")
    return _panel(request, module, rating_form=form)


@require_POST
def flag(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = content.get_module_for_user(request.user, public_id)
    form = FlagForm(request.POST)
    if form.is_valid():
        try:
            services.module_flag(user=request.user, module=module, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _panel(request, module, notice="Thanks — moderators will look at your report.")
    return _panel(request, module, flag_form=form)


def queue(request: AuthedRequest) -> HttpResponse:
    permissions.require(
        permissions.can_see_moderation_queue(request.user),
        "The moderation queue is for learning admins and expert reviewers.",
    )
    status = request.GET.get("status", FlagStatus.OPEN)
    if status not in FlagStatus.values:
        status = FlagStatus.OPEN
    page = paginate(
        request, selectors.flags_for_moderator(request.user, status=status), per_page=20
    )
    return render(
        request,
        "curation/queue.html",
        {"page": page, "status": status, "statuses": FlagStatus.choices, "form": CloseFlagForm()},
    )


@require_POST
def close_flag(request: AuthedRequest, public_id: str) -> HttpResponse:
    flag = selectors.flag_by_public_id(public_id)
    if flag is None:
        raise Http404("No such report.")
    form = CloseFlagForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.flag_close(
            actor=request.user,
            flag=flag,
            resolved=request.POST.get("outcome") == "resolved",
            note=note,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The report on “{flag.module.title}” was closed.")
    return redirect("curation:queue")

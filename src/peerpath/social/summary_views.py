"""Summaries and endorsements on a module page (loaded with htmx), and the curators' list
of promoted summaries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest, choice_param
from peerpath.core.pagination import paginate
from peerpath.learning import selectors as learning
from peerpath.social import summaries
from peerpath.social.models import Audience, Summary, SummaryKind
from peerpath.social.summary_forms import (
    SummaryAudienceForm,
    SummaryEditForm,
    SummaryReportForm,
    SummaryWriteForm,
)

if TYPE_CHECKING:
    from django.core.paginator import Page

    from peerpath.content.models import Module

PER_PAGE = 10
# Tells the top-of-page summary to reload after a vote or an edit may have changed it.
CHANGED = "summaries-changed"
# Element ids for the forms, distinct on a page that shows several.
WRITE_IDS = "summary-write-%s"
AUDIENCE_TABS = [
    (Audience.TEAM, "Team feeds"),
    (Audience.DEPARTMENT, "Department feeds"),
    (Audience.ORGANISATION, "Organisation-wide"),
]
VOTES = {"helpful": True, "unhelpful": False, "withdraw": None}


def _edit_ids(summary: Summary) -> str:
    return f"summary-edit-{summary.public_id}-%s"


def _items_page(request: AuthedRequest, module: Module) -> Page[Any]:
    return paginate(request, summaries.summaries_ranked(module), per_page=PER_PAGE)


def _item_context(request: AuthedRequest, summary: Summary, vote: bool | None) -> dict[str, Any]:
    user = request.user
    module = summary.module
    return {
        "s": summary,
        "module": module,
        "my_vote": vote,
        "can_vote": permissions.can_vote_summary(user, summary, module),
        "can_edit": permissions.can_edit_summary(user, summary),
        "can_curate": permissions.can_curate_summaries(user, module),
    }


def _items_context(request: AuthedRequest, module: Module, page: Page[Any]) -> dict[str, Any]:
    """Context for a page of ranked items: the viewer's votes in one query, and the
    permissions worked out once for the module."""
    user = request.user
    rows = list(page.object_list)
    votes = summaries.votes_by(user, [s.pk for s in rows])
    can_view = permissions.can_view_module(user, module)
    can_curate = permissions.can_curate_summaries(user, module)
    items = []
    for s in rows:
        s.module = module
        items.append(
            {
                "s": s,
                "module": module,
                "my_vote": votes.get(s.pk),
                "can_vote": can_view and s.author_id != user.pk,
                "can_edit": s.author_id == user.pk,
                "can_curate": can_curate,
            }
        )
    return {"module": module, "page": page, "items": items}


def _panel(
    request: AuthedRequest,
    module: Module,
    *,
    form: SummaryWriteForm | None = None,
    notice: str = "",
) -> HttpResponse:
    user = request.user
    mine = summaries.summaries_by(user, module)
    open_kinds = [k for k in SummaryKind.values if k not in mine]
    can_write = permissions.can_write_summary(user, module)
    completed = can_write and bool(learning.completed_modules([user.pk], [module.pk]))
    context: dict[str, Any] = {
        **_items_context(request, module, _items_page(request, module)),
        "can_write": can_write,
        "completed": completed,
        "open_kinds": open_kinds,
        "form": form or SummaryWriteForm(kinds=open_kinds, auto_id=WRITE_IDS),
        "notice": notice,
        "module_url": summaries.summary_url(module),
    }
    template = "social/summaries_panel.html" if request.htmx else "social/summaries_page.html"
    return render(request, template, context)


def _published_module(request: AuthedRequest, public_id: str) -> Module:
    module = content.get_module_for_user(request.user, public_id)
    if not module.is_published:
        raise Http404("Drafts have no summaries.")
    return module


def module_summaries(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The ranked summaries and endorsements of a module, with the form to write one."""
    return _panel(request, _published_module(request, public_id))


def module_summaries_more(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The next page of ranked items, appended in place."""
    module = _published_module(request, public_id)
    return render(
        request,
        "social/summaries_items.html",
        _items_context(request, module, _items_page(request, module)),
    )


def module_summary_top(request: AuthedRequest, public_id: str) -> HttpResponse:
    """The best summary, for the top of the module page."""
    module = _published_module(request, public_id)
    if not request.htmx:
        return redirect(summaries.summary_url(module))
    return render(
        request,
        "social/summaries_top.html",
        {"module": module, "top": summaries.top_summary(module)},
    )


@require_POST
def summary_write(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = _published_module(request, public_id)
    open_kinds = [
        k for k in SummaryKind.values if k not in summaries.summaries_by(request.user, module)
    ]
    form = SummaryWriteForm(
        request.POST, kinds=open_kinds or list(SummaryKind.values), auto_id=WRITE_IDS
    )
    if form.is_valid():
        try:
            written = summaries.summary_write(
                author=request.user, module=module, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            notice = f"Thanks — your {written.get_kind_display().lower()} is on the module page."
            if not request.htmx:
                messages.success(request, notice)
                return redirect(summaries.summary_url(module))
            response = _panel(request, module, notice=notice)
            response["HX-Trigger"] = CHANGED
            return response
    if not request.htmx:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(summaries.summary_url(module))
    return _panel(request, module, form=form)


def _item(
    request: AuthedRequest, summary: Summary, *, changed: bool = False, **extra: Any
) -> HttpResponse:
    vote = summaries.votes_by(request.user, [summary.pk]).get(summary.pk)
    context = {**_item_context(request, summary, vote), **extra}
    response = render(request, "social/summaries_item.html", context)
    if changed:
        response["HX-Trigger"] = CHANGED
    return response


@require_POST
def summary_vote(request: AuthedRequest, public_id: str) -> HttpResponse:
    summary = summaries.get_summary_for_user(request.user, public_id)
    choice = request.POST.get("vote", "")
    error = ""
    if choice not in VOTES:
        error = "Choose helpful, not helpful, or withdraw your vote."
    else:
        try:
            result = summaries.summary_vote(
                voter=request.user, summary=summary, helpful=VOTES[choice]
            )
            summary = result.summary
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(summaries.summary_url(summary.module, summary))
    return _item(request, summary, changed=not error, error=error)


@require_http_methods(["GET", "POST"])
def summary_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    summary = summaries.get_summary_for_user(request.user, public_id)
    permissions.require(
        permissions.can_edit_summary(request.user, summary), "Only its author edits a summary."
    )
    if request.method == "POST":
        if "cancel" in request.POST:
            if request.htmx:
                return _item(request, summary)
            return redirect(summaries.summary_url(summary.module, summary))
        form = SummaryEditForm(request.POST, auto_id=_edit_ids(summary))
        if form.is_valid():
            try:
                summary = summaries.summary_edit(
                    actor=request.user, summary=summary, body=form.cleaned_data["body"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if not request.htmx:
                    messages.success(request, "Your changes are saved.")
                    return redirect(summaries.summary_url(summary.module, summary))
                return _item(request, summary, changed=True)
    else:
        form = SummaryEditForm(initial={"body": summary.body}, auto_id=_edit_ids(summary))
    template = "social/summaries_edit_form.html" if request.htmx else "social/summaries_edit.html"
    return render(request, template, {"s": summary, "module": summary.module, "form": form})


@require_POST
def summary_report(request: AuthedRequest, public_id: str) -> HttpResponse:
    summary = summaries.get_summary_for_user(request.user, public_id)
    form = SummaryReportForm(request.POST)
    error = notice = ""
    if form.is_valid():
        try:
            summaries.summary_report(
                reporter=request.user, summary=summary, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            notice = "Thanks — moderators will look at your report."
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or notice)
        return redirect(summaries.summary_url(summary.module, summary))
    return _item(request, summary, error=error, notice=notice)


@require_POST
def summary_audience(request: AuthedRequest, public_id: str) -> HttpResponse:
    """A curator promotes, demotes, or hands the audience back to the score."""
    summary = summaries.get_summary_for_user(request.user, public_id)
    permissions.require(
        permissions.can_curate_summaries(request.user, summary.module),
        "Summaries are promoted by the module's expert reviewers and learning admins.",
    )
    error = notice = ""
    try:
        if request.POST.get("release"):
            summary = summaries.summary_audience_release(actor=request.user, summary=summary)
            notice = "Its votes decide its audience again."
        else:
            form = SummaryAudienceForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Choose the team, the department or everyone.")
            summary = summaries.summary_audience_set(
                actor=request.user, summary=summary, audience=form.cleaned_data["audience"]
            )
            notice = f"It now reaches {summary.get_audience_display().lower()}."
    except ValidationError as exc:
        error = " ".join(exc.messages)
    back = request.POST.get("next", "")
    if not request.htmx:
        (messages.error if error else messages.success)(request, error or notice)
        if back.startswith("/summaries/promoted/"):
            return redirect(back)
        return redirect(summaries.summary_url(summary.module, summary))
    return _item(request, summary, changed=not error, error=error, notice=notice)


def promoted(request: AuthedRequest) -> HttpResponse:
    """Promoted summaries per audience, for curators to review and adjust."""
    permissions.require(
        permissions.can_see_promoted_summaries(request.user),
        "This list is for learning admins and expert reviewers.",
    )
    audience = choice_param(request, "audience", Audience.values, Audience.ORGANISATION)
    page = paginate(request, summaries.summaries_promoted(audience), per_page=25)
    rows = [(s, permissions.can_curate_summaries(request.user, s.module)) for s in page.object_list]
    return render(
        request,
        "social/summaries_promoted.html",
        {
            "audience": audience,
            "audiences": AUDIENCE_TABS,
            "page": page,
            "rows": rows,
            "audience_choices": Audience.choices,
        },
    )

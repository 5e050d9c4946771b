"""The quality panel on a module (rate, report) and the moderation queue."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerpath.content import selectors as content
from peerpath.content.diffing import module_text, text_diff
from peerpath.content.rendering import render_markdown
from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest, choice_param
from peerpath.core.pagination import paginate
from peerpath.curation import selectors, services
from peerpath.curation.forms import (
    CloseFlagForm,
    ConfirmCurationForm,
    FlagForm,
    NominateForm,
    RatingForm,
    ReviewCommentForm,
    ReviewDecisionForm,
)
from peerpath.curation.models import FlagStatus, Review, ReviewStatus

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
        "review": selectors.open_review(module),
        "term": selectors.curation_term(module),
        "today": timezone.localdate(),
        "can_confirm": module.is_curated and permissions.can_moderate_module(user, module),
        "confirm_form": ConfirmCurationForm(),
        "can_nominate": permissions.can_nominate_module(user, module),
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
    status = choice_param(request, "status", FlagStatus.values, FlagStatus.OPEN)
    page = paginate(
        request, selectors.flags_for_moderator(request.user, status=status), per_page=20
    )
    return render(
        request,
        "curation/queue.html",
        {"page": page, "status": status, "statuses": FlagStatus.choices},
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


# --- Reviews towards Curated -------------------------------------------------------------


@require_POST
def nominate(request: AuthedRequest, public_id: str) -> HttpResponse:
    module = content.get_module_for_user(request.user, public_id)
    form = NominateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        review = services.module_nominate(user=request.user, module=module, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("learning:module", public_id=module.public_id, slug=module.slug)
    messages.success(request, "Nominated. Expert reviewers for its skills will take a look.")
    return redirect("curation:review", public_id=review.public_id)


def get_review_for_user(request: AuthedRequest, public_id: str) -> Review:
    review = selectors.review_by_public_id(public_id)
    if review is None:
        raise Http404("No such review.")
    permissions.require(
        permissions.can_discuss_review(request.user, review.module),
        "Reviews are open to the module's authors and its expert reviewers.",
    )
    return review


def review_detail(
    request: AuthedRequest,
    public_id: str,
    *,
    comment_form: ReviewCommentForm | None = None,
    decision_form: ReviewDecisionForm | None = None,
) -> HttpResponse:
    review = get_review_for_user(request, public_id)
    module = review.module
    base = module.curated_version if module.curated_version_id else None
    return render(
        request,
        "curation/review.html",
        {
            "review": review,
            "module": module,
            "body_html": render_markdown(review.version.body_markdown),
            "quotes_json": json.dumps(sorted({c.quote for c in review.comments.all() if c.quote})),
            "diff": text_diff(module_text(base), module_text(review.version)) if base else [],
            "base": base,
            "can_decide": review.is_open and permissions.can_moderate_module(request.user, module),
            "can_edit": permissions.can_edit_module(request.user, module),
            "comment_form": comment_form or ReviewCommentForm(prefix="comment"),
            "decision_form": decision_form or ReviewDecisionForm(prefix="decision"),
        },
    )


@require_POST
def review_comment(request: AuthedRequest, public_id: str) -> HttpResponse:
    review = get_review_for_user(request, public_id)
    form = ReviewCommentForm(request.POST, prefix="comment")
    if form.is_valid():
        try:
            services.review_comment(user=request.user, review=review, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("curation:review", public_id=review.public_id)
    return review_detail(request, public_id, comment_form=form)


@require_POST
def review_decide(request: AuthedRequest, public_id: str) -> HttpResponse:
    review = get_review_for_user(request, public_id)
    form = ReviewDecisionForm(request.POST, prefix="decision")
    if form.is_valid():
        body = form.cleaned_data["body"]
        try:
            if request.POST.get("decision") == "approve":
                services.review_approve(
                    reviewer=request.user,
                    review=review,
                    body=body,
                    review_by=form.cleaned_data["review_by"],
                )
                messages.success(request, f"“{review.module.title}” is now Curated.")
            else:
                services.review_request_changes(reviewer=request.user, review=review, body=body)
                messages.success(request, "Changes requested; the authors have been told.")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("curation:review", public_id=review.public_id)
    return review_detail(request, public_id, decision_form=form)


DUE = "due"


def review_queue(request: AuthedRequest) -> HttpResponse:
    permissions.require(
        permissions.can_see_moderation_queue(request.user),
        "The review queue is for learning admins and expert reviewers.",
    )
    status = choice_param(request, "status", [*ReviewStatus.values, DUE], ReviewStatus.PENDING)
    today = timezone.localdate()
    items = (
        selectors.curated_due_for_review(request.user, today=today)
        if status == DUE
        else selectors.reviews_for_reviewer(request.user, status=status)
    )
    return render(
        request,
        "curation/review_queue.html",
        {
            "page": paginate(request, items, per_page=20),
            "status": status,
            "statuses": [*ReviewStatus.choices, (DUE, "Due for another look")],
            "today": today,
        },
    )


@require_POST
def confirm(request: AuthedRequest, public_id: str) -> HttpResponse:
    """An expert confirms a Curated module is still right, setting its next review date."""
    module = content.get_module_for_user(request.user, public_id)
    form = ConfirmCurationForm(request.POST)
    review_by = form.cleaned_data["review_by"] if form.is_valid() else None
    if not form.is_valid():
        messages.error(request, "Enter the date as year-month-day, or leave it empty.")
    else:
        try:
            term = services.curation_confirm(actor=request.user, module=module, review_by=review_by)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Confirmed. Next review by {term.review_by:%-d %B %Y}.")
    return redirect("learning:module", public_id=module.public_id, slug=module.slug)


def my_standing(request: AuthedRequest) -> HttpResponse:
    """Where each of the author's modules stands: Community, in review, or Curated."""
    permissions.require(permissions.can_create_module(request.user))
    page = paginate(request, content.modules_by_author(request.user), per_page=20)
    page.object_list = selectors.standings(list(page.object_list), today=timezone.localdate())
    return render(request, "curation/my_standing.html", {"page": page})

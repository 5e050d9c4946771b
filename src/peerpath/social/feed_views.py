"""The home feed's partial pages and in-place actions (htmx; each works without it too)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.core.context_processors import approvals_waiting, forget_approvals_waiting
from peerpath.core.http import AuthedRequest
from peerpath.learning import selectors as learning
from peerpath.learning import services as learning_services
from peerpath.schedule import selectors as schedule
from peerpath.schedule import services as schedule_services
from peerpath.social import activity as activity_services
from peerpath.social import feed_selectors as selectors


@require_GET
def feed_more(request: AuthedRequest) -> HttpResponse:
    """The next page of the feed after ``?after=`` (infinite scroll)."""
    after = request.GET.get("after", "")
    if not request.htmx:
        return redirect(f"{reverse('core:home')}?after={after}")
    page = selectors.home_feed(request.user, after=after)
    return render(request, "social/feed_items.html", {"feed": page})


@require_POST
def like(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    item = selectors.get_activity_for_user(request.user, public_id)
    liked, count = activity_services.activity_like_toggle(person=request.user, activity=item)
    if not request.htmx:
        return redirect("core:home")
    return render(
        request, "social/_feed_like.html", {"activity": item, "liked": liked, "count": count}
    )


@require_http_methods(["GET", "POST"])
def comments(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    item = selectors.get_activity_for_user(request.user, public_id)
    error = ""
    if request.method == "POST":
        try:
            activity_services.activity_comment_add(
                author=request.user, activity=item, body=request.POST.get("body", "")
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            item.refresh_from_db(fields=["comment_count"])
        if not request.htmx:
            if error:
                messages.error(request, error)
            return redirect("core:home")
    return render(
        request,
        "social/_feed_comments.html",
        {
            "activity": item,
            "comments": list(selectors.activity_comments(item)[:50]),
            "error": error,
            "body": request.POST.get("body", "") if error else "",
        },
    )


@require_POST
def save(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    """Save a module for later from the feed, or take it off the saved list."""
    module = content.get_module_for_user(request.user, public_id)
    if learning.is_saved(request.user, module.pk):
        learning_services.saved_module_remove(user=request.user, module=module)
        saved = False
    else:
        permissions.require(permissions.can_save_module(request.user, module))
        learning_services.saved_module_add(user=request.user, module=module)
        saved = True
    if not request.htmx:
        return redirect("core:home")
    return render(request, "social/_feed_save.html", {"module": module, "saved": saved})


def _decision(request: AuthedRequest, public_id: uuid.UUID, *, approve: bool) -> HttpResponse:
    r = schedule.get_request_for_user(request.user, public_id, decide=True)
    reason = request.POST.get("reason", "")
    error = ""
    try:
        if approve:
            r = schedule_services.approve_request(
                actor=request.user,
                request=r,
                reason=reason,
                accept_shortfall=request.POST.get("accept_shortfall") == "on",
            )
        else:
            r = schedule_services.decline_request(actor=request.user, request=r, reason=reason)
    except ValidationError as exc:
        r.refresh_from_db()
        error = " ".join(exc.messages)
    forget_approvals_waiting(request.user.pk)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("core:home")
    return render(
        request,
        "social/_feed_approval.html",
        {
            "r": r,
            "decided": not error,
            "error": error,
            "needs_accept": bool(error) and approve,
            "waiting": approvals_waiting(request.user),
        },
    )


@require_POST
def approve(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    return _decision(request, public_id, approve=True)


@require_POST
def decline(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    return _decision(request, public_id, approve=False)

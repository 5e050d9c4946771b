"""Notification pages: the list, the bell, preferences and one-click unsubscribe."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest
from peerpath.notifications import emails, selectors, services
from peerpath.notifications.forms import PreferencesForm
from peerpath.notifications.models import Kind, Notification

if TYPE_CHECKING:
    from peerpath.people.models import User


def _require_reader(request: AuthedRequest) -> None:
    permissions.require(permissions.can_read_notifications(request.user))


def get_notification_for_user(user: User, notification_id: int) -> Notification:
    """One of the signed-in person's own notices, or 404 (another's is never revealed)."""
    found = selectors.notification_for(user, notification_id)
    if found is None:
        raise Http404("No such notification.")
    return found


def _kinds_for(request: AuthedRequest) -> list[str]:
    return [
        kind
        for kind in Kind.values
        if kind != Kind.REPORT or permissions.can_receive_report_notices(request.user)
    ]


# --- The list and the bell ---------------------------------------------------------------


@require_GET
def notification_list(request: AuthedRequest) -> HttpResponse:
    _require_reader(request)
    page = selectors.notifications_page(request.user, after=request.GET.get("after", ""))
    context = {"page": page, "unread": selectors.unread_count(request.user)}
    if request.htmx and request.GET.get("after"):
        return render(request, "notifications/_rows.html", context)
    return render(request, "notifications/list.html", context)


@login_not_required
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The bell's live refresh: a fresh count. Signed out (say, the session ended in
    another tab), nothing is swapped in."""
    if not permissions.can_read_notifications(request.user):
        return HttpResponse(status=204)
    count = selectors.unread_count(request.user)  # type: ignore[arg-type]
    response = render(request, "notifications/_bell.html", {"count": count})
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def notification_open(request: AuthedRequest, notification_id: int) -> HttpResponse:
    """Follow a notice: it is read once opened, then on to what it is about."""
    _require_reader(request)
    notice = get_notification_for_user(request.user, notification_id)
    services.notification_mark_read(person=request.user, notification=notice)
    if notice.url.startswith("/") and url_has_allowed_host_and_scheme(
        notice.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notice.url)
    return redirect("notifications:list")


@require_POST
def notification_read(request: AuthedRequest, notification_id: int) -> HttpResponse:
    _require_reader(request)
    notice = get_notification_for_user(request.user, notification_id)
    services.notification_mark_read(person=request.user, notification=notice)
    if request.htmx:
        return render(
            request,
            "notifications/_read_row.html",
            {"n": notice, "count": selectors.unread_count(request.user)},
        )
    return redirect("notifications:list")


@require_POST
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    _require_reader(request)
    changed = services.notifications_mark_all_read(person=request.user)
    if changed:
        messages.success(request, f"Marked {changed} notification{'s' * (changed != 1)} read.")
    return redirect("notifications:list")


# --- Preferences -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def preferences(request: AuthedRequest) -> HttpResponse:
    _require_reader(request)
    current = services.preferences_for(request.user, _kinds_for(request))
    form = PreferencesForm(request.POST if request.method == "POST" else None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_set(person=request.user, choices=form.chosen())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Notification preferences saved.")
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


# --- One-click unsubscribe ---------------------------------------------------------------


@login_not_required
@csrf_exempt  # the signed token is the credential; mail clients POST without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; POST (the button, or a mail client's RFC 8058 one-click
    request) stops the emails the link names. Works signed out."""
    found = emails.read_unsubscribe_token(token)
    person = None
    if found is not None:
        person = (
            get_user_model()
            .objects.filter(public_id=found.person_public_id, is_active=True)
            .first()
        )
    if found is None or person is None:
        return render(
            request,
            "notifications/unsubscribe.html",
            {
                "refused": "This unsubscribe link is not valid. Sign in to choose your email "
                "preferences instead."
            },
            status=400,
        )
    done = False
    if request.method == "POST":
        if found.scope == emails.DIGEST_SCOPE:
            kinds = [c.kind for c in services.preferences_for(person) if c.email == found.cadence]
        else:
            kinds = [found.scope]
        services.email_unsubscribe(person=person, kinds=kinds)
        done = True
    return render(
        request,
        "notifications/unsubscribe.html",
        {"what": found.label, "done": done, "email": _masked(person.email)},
    )


def _masked(address: str) -> str:
    """Enough of the address to recognise it on a page anyone holding the link can see."""
    name, _, domain = address.partition("@")
    return f"{name[:1]}…@{domain}" if domain else "your address"

"""Learning-time pages: ask for time and follow it, decide it (queue, emailed link,
delegation), and run a team's schedule (rules, shifts, the week view) — plus the feed."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.core.context_processors import approvals_waiting, forget_approvals_waiting
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest
from peerpath.core.pagination import paginate
from peerpath.core.zones import zone_named
from peerpath.learning import selectors as learning
from peerpath.people import selectors as people
from peerpath.schedule import calendar, links, selectors, services
from peerpath.schedule.coverage import IntervalCover
from peerpath.schedule.forms import (
    BulkApproveForm,
    DecisionForm,
    DelegationForm,
    RequestForm,
)
from peerpath.schedule.models import (
    LearningTimeRequest,
    RequestStatus,
)

if TYPE_CHECKING:
    from peerpath.people.models import User

CHOICES_LIMIT = 500
UPCOMING_LIMIT = 100
COLLEAGUE_SUGGESTIONS = 50
# Where the request form shows what the services say of a request's times and item.
REQUEST_FIELDS = {
    "starts_at": "start_time",
    "ends_at": "end_time",
    "first_date": "day",
    "module": "item",
    "path": "item",
}


def _add_errors(form: forms.BaseForm, exc: ValidationError, renames: dict[str, str]) -> None:
    if hasattr(exc, "error_dict"):
        exc = ValidationError({renames.get(k, k): v for k, v in exc.error_dict.items()})
    add_service_errors(form, exc)


# --- Access ----------------------------------------------------------------------------


def _require_requester(request: AuthedRequest) -> None:
    permissions.require(permissions.can_request_learning_time(request.user))


# --- Slots kept on a request -------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime
    ends_at: dt.datetime


def _slots(items: list[dict[str, Any]]) -> list[Slot]:
    return [
        Slot(dt.datetime.fromisoformat(i["starts_at"]), dt.datetime.fromisoformat(i["ends_at"]))
        for i in items
    ]


def _shortfall(items: list[dict[str, Any]]) -> list[IntervalCover]:
    """The stored short intervals, adjacent ones that fall short the same way as one run."""
    runs: list[IntervalCover] = []
    for i in sorted(items, key=lambda i: (i.get("queue", ""), i["starts_at"])):
        cover = IntervalCover(
            starts_at=dt.datetime.fromisoformat(i["starts_at"]),
            ends_at=dt.datetime.fromisoformat(i["ends_at"]),
            queue=i.get("queue", ""),
            on_duty=int(i["on_duty"]),
            minimum=int(i["minimum"]),
        )
        last = runs[-1] if runs else None
        if (
            last is not None
            and last.ends_at == cover.starts_at
            and (last.queue, last.on_duty, last.minimum)
            == (cover.queue, cover.on_duty, cover.minimum)
        ):
            runs[-1] = replace(last, ends_at=cover.ends_at)
        else:
            runs.append(cover)
    return sorted(runs, key=lambda c: (c.starts_at, c.queue))


def _with_slots(rows: list[LearningTimeRequest]) -> list[LearningTimeRequest]:
    """Give each request its stored shortfall and alternatives as times for the templates."""
    for r in rows:
        r.shortfall_intervals = _shortfall(r.coverage_shortfall)  # type: ignore[attr-defined]
        r.alternative_slots = _slots(r.alternatives)  # type: ignore[attr-defined]
    return rows


# --- A person's own learning time -----------------------------------------------------


def _rules_context(user: User) -> dict[str, Any]:
    today = timezone.localdate()
    used = selectors.usage(month=today, person=user).people[0]
    team = user.team
    policy = selectors.policy_for(team)
    return {
        "policy": policy,
        "used": used,
        "used_month": today,
        "blackouts": list(selectors.blackouts_ahead(team)[:5]) if team else [],
        "coverage_rules": bool(policy and team and selectors.coverage_minimums(team).exists()),
    }


def _render_mine(request: AuthedRequest, *, feed_url: str = "") -> HttpResponse:
    user = request.user
    now = timezone.now()
    mine = selectors.my_requests(user)
    upcoming = list(mine.filter(ends_at__gt=now).order_by("starts_at", "pk")[:UPCOMING_LIMIT])
    past = paginate(request, mine.filter(ends_at__lte=now), per_page=20)
    shown = [*upcoming, *past.object_list]
    progress = learning.progress_by_module(user, {r.module_id for r in shown if r.module_id})
    response = render(
        request,
        "schedule/mine.html",
        {
            **_rules_context(user),
            "time_tab": "mine",
            "upcoming": upcoming,
            "past": past if past.object_list else None,
            "cancellable": {r.pk for r in upcoming if _cancellable(r, now)},
            "done_modules": {m for m, p in progress.items() if p.status == "completed"},
            "feed": selectors.calendar_feed_of(user),
            "feed_url": feed_url,
        },
    )
    if feed_url:
        # The page carries the feed's secret address: never keep it in a cache or history.
        response["Cache-Control"] = "no-store"
    return response


def _cancellable(r: LearningTimeRequest, now: dt.datetime) -> bool:
    return r.status in (RequestStatus.PENDING, RequestStatus.APPROVED) and r.starts_at > now


@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    _require_requester(request)
    return _render_mine(request)


def _request_form(request: AuthedRequest) -> RequestForm:
    return RequestForm(
        request.POST or None,
        initial={"day": timezone.localdate() + dt.timedelta(days=1)},
        zone=zone_named(request.user.time_zone),
        modules=[
            (str(m.public_id), m.title)
            for m in content.modules_for_catalog().order_by("title")[:CHOICES_LIMIT]
        ],
        paths=[(str(p.public_id), p.title) for p in content.paths_published()[:CHOICES_LIMIT]],
    )


@require_http_methods(["GET", "POST"])
def request_new(request: AuthedRequest) -> HttpResponse:
    _require_requester(request)
    form = _request_form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = form.item_reference()
        module = content.module_by_public_id(item[1]) if item and item[0] == "module" else None
        path = content.path_by_public_id(item[1]) if item and item[0] == "path" else None
        if item and module is None and path is None:
            form.add_error("item", "That module or path is no longer available.")
        else:
            try:
                if data["repeat"] == "weekly":
                    series = services.request_learning_series(
                        person=request.user,
                        first_date=data["day"],
                        start_time=data["start_time"],
                        end_time=data["end_time"],
                        occurrences=data["occurrences"],
                        interval_weeks=data["interval_weeks"],
                        module=module,
                        path=path,
                        note=data["note"],
                    )
                    return redirect("schedule:series_detail", public_id=series.public_id)
                made = services.request_learning_time(
                    person=request.user,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    module=module,
                    path=path,
                    note=data["note"],
                )
                return redirect(
                    reverse("schedule:request_detail", args=[made.public_id]) + "?new=1"
                )
            except ValidationError as exc:
                _add_errors(form, exc, REQUEST_FIELDS)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "schedule/request_new.html",
        {**_rules_context(request.user), "form": form, "time_tab": "request"},
        status=status,
    )


@require_GET
def request_detail(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    r = _with_slots([selectors.get_request_for_user(request.user, public_id)])[0]
    is_own = r.person_id == request.user.pk
    return render(
        request,
        "schedule/request_detail.html",
        {
            "r": r,
            "is_own": is_own,
            "fresh": request.GET.get("new") == "1",
            "shortfall": r.shortfall_intervals,  # type: ignore[attr-defined]
            "alternatives": r.alternative_slots  # type: ignore[attr-defined]
            if r.status == RequestStatus.PENDING
            else [],
            "can_cancel": is_own and _cancellable(r, timezone.now()),
            "can_decide": not is_own
            and r.status == RequestStatus.PENDING
            and permissions.can_decide_learning_time(request.user, r.person),
            "has_feed": is_own and selectors.calendar_feed_of(request.user) is not None,
        },
    )


@require_POST
def request_cancel(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    r = selectors.get_request_for_user(request.user, public_id)
    try:
        services.cancel_request(actor=request.user, request=r)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Cancelled.")
    return redirect("schedule:mine")


@require_POST
def request_move(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    """Take one of the alternative slots offered for a pending request, in one click."""
    r = selectors.get_request_for_user(request.user, public_id)
    permissions.require(r.person_id == request.user.pk, "Only the person moves their request.")
    chosen = request.POST.get("starts_at", "")
    offered = _slots(r.alternatives) if r.status == RequestStatus.PENDING else []
    slot = next((s for s in offered if s.starts_at.isoformat() == chosen), None)
    if slot is None:
        messages.error(request, "That slot is no longer offered; pick another.")
        return redirect("schedule:request_detail", public_id=r.public_id)
    try:
        # Cancelling and asking again are one step: a refused new slot keeps the old request.
        moved = services.move_request(
            actor=request.user, request=r, starts_at=slot.starts_at, ends_at=slot.ends_at
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("schedule:request_detail", public_id=r.public_id)
    return redirect(reverse("schedule:request_detail", args=[moved.public_id]) + "?new=1")


@require_GET
def series_detail(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    series = selectors.get_series_for_user(request.user, public_id)
    blocks = list(
        series.requests.select_related("module", "path", "series").order_by("starts_at", "pk")
    )
    now = timezone.now()
    statuses = [b.status for b in blocks]
    progress = learning.progress_by_module(
        request.user, {b.module_id for b in blocks if b.module_id}
    )
    cancellable = {b.pk for b in blocks if _cancellable(b, now)}
    return render(
        request,
        "schedule/series_detail.html",
        {
            "series": series,
            "blocks": blocks,
            "cancellable": cancellable,
            "can_cancel": bool(cancellable),
            "done_modules": {m for m, p in progress.items() if p.status == "completed"},
            "counts": {
                "approved": statuses.count(RequestStatus.APPROVED),
                "pending": statuses.count(RequestStatus.PENDING),
                "other": len(statuses)
                - statuses.count(RequestStatus.APPROVED)
                - statuses.count(RequestStatus.PENDING),
            },
        },
    )


@require_POST
def series_cancel(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    series = selectors.get_series_for_user(request.user, public_id)
    try:
        services.cancel_series(actor=request.user, series=series)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Every block of the series that had not started is cancelled.")
    return redirect("schedule:mine")


# --- Calendar feed ---------------------------------------------------------------------


@require_POST
def calendar_create(request: AuthedRequest) -> HttpResponse:
    _require_requester(request)
    token = services.create_calendar_feed(person=request.user)
    url = request.build_absolute_uri(reverse("schedule:calendar_feed", args=[token]))
    return _render_mine(request, feed_url=url)


@require_POST
def calendar_revoke(request: AuthedRequest) -> HttpResponse:
    _require_requester(request)
    services.revoke_calendar_feed(person=request.user)
    messages.success(request, "Calendar feed turned off: its address no longer works.")
    return redirect("schedule:mine")


@login_not_required
@require_GET
def calendar_feed(request: AuthedRequest, token: str) -> HttpResponse:
    """A calendar app reads this without signing in: the unguessable token is the key."""
    person = calendar.person_for_token(token)
    if person is None:
        raise Http404("No such calendar.")
    response = HttpResponse(calendar.render_feed(person), content_type="text/calendar")
    response["Content-Disposition"] = 'inline; filename="learning-time.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Deciding --------------------------------------------------------------------------


@require_GET
def approvals(request: AuthedRequest) -> HttpResponse:
    delegators = selectors.managers_delegating_to(request.user)
    permissions.require(
        permissions.is_manager(request.user)
        or permissions.is_learning_admin(request.user)
        or bool(delegators),
        "The approvals queue is for managers, their delegates and learning admins.",
    )
    page = paginate(request, selectors.approvals_queue(request.user), per_page=25)
    return render(
        request,
        "schedule/approvals.html",
        {
            "page": page,
            "rows": _with_slots(list(page.object_list)),
            "delegators": delegators,
            "time_tab": "approvals",
        },
    )


def _decided(
    request: AuthedRequest, r: LearningTimeRequest, refused: ValidationError | None = None
) -> HttpResponse:
    """In the queue, the row in place (htmx); elsewhere, back to the queue with a message."""
    forget_approvals_waiting(request.user.pk)
    error = " ".join(refused.messages) if refused else ""
    if request.htmx:
        return render(
            request,
            "schedule/_approval_row.html",
            {
                "r": _with_slots([r])[0],
                "decided": refused is None,
                "error": error,
                "needs_accept": _needs_accept(refused),
                "waiting": approvals_waiting(request.user),
            },
        )
    if error:
        messages.error(request, error)
    else:
        verb = "Approved" if r.status == RequestStatus.APPROVED else "Declined"
        messages.success(request, f"{verb}: {r.person.display_name}, {_when(r)}.")
    return redirect("schedule:approvals")


def _when(r: LearningTimeRequest) -> str:
    zone = timezone.get_current_timezone()
    start, end = r.starts_at.astimezone(zone), r.ends_at.astimezone(zone)
    return f"{start:%a} {start.day} {start:%b} {start:%H:%M}–{end:%H:%M}"


@require_POST
def approve(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    r = selectors.get_request_for_user(request.user, public_id, decide=True)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        r = services.approve_request(
            actor=request.user,
            request=r,
            reason=form.cleaned_data.get("reason", ""),
            accept_shortfall=bool(form.cleaned_data.get("accept_shortfall")),
        )
    except ValidationError as exc:
        r.refresh_from_db()
        return _decided(request, r, exc)
    return _decided(request, r)


def _needs_accept(refused: ValidationError | None) -> bool:
    """The approval was refused only for a coverage shortfall the approver may accept."""
    return refused is not None and "accept_shortfall" in getattr(refused, "error_dict", {})


@require_POST
def decline(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    r = selectors.get_request_for_user(request.user, public_id, decide=True)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _decided(
            request, r, ValidationError([str(e) for e in form.errors.get("reason", [])])
        )
    try:
        r = services.decline_request(
            actor=request.user, request=r, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        r.refresh_from_db()
        return _decided(request, r, exc)
    return _decided(request, r)


@require_POST
def approve_bulk(request: AuthedRequest) -> HttpResponse:
    queue = selectors.approvals_queue(request.user)
    form = BulkApproveForm(
        request.POST,
        choices=[(str(pid), str(pid)) for pid in queue.values_list("public_id", flat=True)],
    )
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for e in form.errors.get("requests", ["Nothing to approve."]))
        )
        return redirect("schedule:approvals")
    chosen = list(queue.filter(public_id__in=form.cleaned_data["requests"]))
    result = services.approve_requests(actor=request.user, requests=chosen)
    forget_approvals_waiting(request.user.pk)
    if result.approved:
        n = len(result.approved)
        messages.success(request, f"Approved {n} request{'s' if n != 1 else ''}.")
    for skipped, why in result.skipped:
        messages.warning(
            request, f"Not approved: {skipped.person.display_name}, {_when(skipped)} — {why}"
        )
    return redirect("schedule:approvals")


@require_http_methods(["GET", "POST"])
def decide_link(request: AuthedRequest, token: str) -> HttpResponse:
    """The page behind an emailed approve/decline link: GET shows the request and one
    button; only the POST decides, as the signed-in approver the link was sent to."""
    try:
        decision = links.read_decision_token(token)
    except links.LinkRefused as exc:
        return _link_refused(request, " ".join(exc.messages))
    if decision.approver_public_id != str(request.user.public_id):
        return _link_refused(
            request,
            "This link was sent to someone else. Sign in as the person it was sent to, "
            "or decide from your own approvals queue.",
            status=403,
        )
    found = (
        LearningTimeRequest.objects.select_related("person", "team", "module", "path")
        .filter(public_id=decision.request_public_id)
        .first()
    )
    if found is None or not permissions.can_decide_learning_time(request.user, found.person):
        return _link_refused(request, "You can no longer decide this request.", status=403)
    r = _with_slots([found])[0]
    form = DecisionForm(request.POST if request.method == "POST" else None)
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            decided = services.decide_by_link(
                actor=request.user,
                token=token,
                reason=form.cleaned_data["reason"],
                accept_shortfall=bool(form.cleaned_data["accept_shortfall"]),
            )
        except ValidationError as exc:
            refused = exc
            _add_errors(form, exc, {"accept_shortfall": NON_FIELD_ERRORS})
        else:
            forget_approvals_waiting(request.user.pk)
            verb = "Approved" if decided.status == RequestStatus.APPROVED else "Declined"
            messages.success(request, f"{verb}. {decided.person.display_name} has been told.")
            return redirect("schedule:request_detail", public_id=decided.public_id)
    return render(
        request,
        "schedule/decide_link.html",
        {
            "r": r,
            "action": decision.action,
            "form": form,
            "shortfall": r.shortfall_intervals,  # type: ignore[attr-defined]
            "offer_anyway": bool(r.shortfall_intervals) or _needs_accept(refused),  # type: ignore[attr-defined]
        },
        status=400 if form.errors else 200,
    )


def _link_refused(request: AuthedRequest, message: str, *, status: int = 410) -> HttpResponse:
    return render(request, "schedule/decide_link.html", {"refused": message}, status=status)


# --- Delegation ------------------------------------------------------------------------


def _require_manager(request: AuthedRequest) -> None:
    permissions.require(
        permissions.is_manager(request.user), "Delegation is for managers with reports."
    )


@require_http_methods(["GET", "POST"])
def delegation(request: AuthedRequest) -> HttpResponse:
    _require_manager(request)
    form = DelegationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        delegate = people.person_by_email(data["delegate"])
        if delegate is None or not delegate.is_active:
            form.add_error("delegate", f"Nobody active has the address {data['delegate']}.")
        else:
            try:
                services.delegate_approvals(
                    manager=request.user,
                    delegate=delegate,
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{delegate.display_name} decides for you then.")
                return redirect("schedule:delegation")
    given = list(selectors.delegations_given(request.user))
    today = timezone.localdate()  # the manager's own calendar day
    active = {d.pk for d in given if d.starts_on <= today <= d.ends_on}
    # Suggestions for the email field: the manager's peers and their own manager.
    user = request.user
    nearby = people.people_active().exclude(pk=user.pk).order_by("display_name")
    colleagues = list(
        nearby.filter(manager_id=user.manager_id) if user.manager_id else nearby.none()
    )[:COLLEAGUE_SUGGESTIONS]
    if user.manager is not None and user.manager.is_active:
        colleagues.insert(0, user.manager)
    return render(
        request,
        "schedule/delegation.html",
        {
            "form": form,
            "delegations": given,
            "active_ids": active,
            "colleagues": colleagues,
            "time_tab": "delegation",
        },
        status=400 if form.errors else 200,
    )


@require_POST
def delegation_end(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    found = selectors.delegations_given(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such delegation.")
    services.end_delegation(manager=request.user, delegation=found)
    messages.success(request, "Delegation ended: you decide your people’s requests again.")
    return redirect("schedule:delegation")

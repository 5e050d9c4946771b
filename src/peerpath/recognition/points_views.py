"""Pages of points, levels, streaks and badges: my recognition, a person's ledger (with
reversal for admins), time away, the badges gallery and badge administration."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest
from peerpath.core.pagination import paginate
from peerpath.people import selectors as people
from peerpath.recognition import badge_art, badges, points, selectors, streaks
from peerpath.recognition.models import AwayPeriod, BadgeDefinition, PointBalance, PointEntry
from peerpath.recognition.points_forms import AwayForm, BadgeForm, ReversalForm

if TYPE_CHECKING:
    from peerpath.people.models import User

RECENT_ENTRIES = 12
LEDGER_PAGE = 30
PEOPLE_PAGE = 30


# --- Access ------------------------------------------------------------------------------


def _person_for(user: User, public_id: uuid.UUID) -> User:
    """A person whose points the user may see, or 404 (403 would confirm they exist)."""
    person = people.person_by_public_id(public_id)
    if person is None or not permissions.can_view_points_of(user, person):
        raise Http404("No such person.")
    return person


def _badge_for_admin(user: User, slug: str) -> BadgeDefinition:
    permissions.require(
        permissions.can_manage_badges(user), "Badge administration is for learning admins."
    )
    badge = badges.badge_by_slug(slug)
    if badge is None:
        raise Http404("No such badge.")
    return badge


def _can_list_people(user: User) -> bool:
    return permissions.is_learning_admin(user) or permissions.is_manager(user)


def _nav(request: AuthedRequest, tab: str) -> dict[str, Any]:
    user = request.user
    return {
        "points_tab": tab,
        "can_list_people": _can_list_people(user),
        "can_manage_badges": permissions.can_manage_badges(user),
    }


# --- My recognition ----------------------------------------------------------------------


@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    user = request.user
    balance = selectors.balance_of(user)
    earned, to_earn = badges.badge_standings(user)
    today = streaks.today_for(user)
    return render(
        request,
        "recognition/mine.html",
        {
            **_nav(request, "mine"),
            "balance": balance,
            "progress": points.level_progress(balance.total),
            "streak": streaks.streak_now(user, today=today),
            "earned": earned,
            "to_earn": to_earn,
            "badge_total": len(earned) + len(to_earn),
            "recent": list(points.ledger_of(user)[:RECENT_ENTRIES]),
            "away_ahead": list(
                streaks.away_periods_of(user).filter(ends_on__gte=today).order_by("starts_on")[:3]
            ),
            "rules": points.earning_rules(),
            "levels": points.LEVELS,
            "person": user,
        },
    )


# --- A person's ledger ---------------------------------------------------------------------


@require_GET
def person_ledger(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    person = _person_for(request.user, public_id)
    balance = selectors.balance_of(person)
    page = paginate(request, points.ledger_of(person), per_page=LEDGER_PAGE)
    return render(
        request,
        "recognition/ledger.html",
        {
            **_nav(request, "mine" if person.pk == request.user.pk else "people"),
            "person": person,
            "balance": balance,
            "progress": points.level_progress(balance.total),
            "streak": streaks.streak_now(person),
            "page": page,
            "can_reverse": permissions.can_reverse_points(request.user),
            "can_record_away": permissions.can_record_away(request.user, person),
            "reversal_form": ReversalForm(),
        },
    )


@require_POST
def entry_reverse(request: AuthedRequest, pk: int) -> HttpResponse:
    permissions.require(
        permissions.can_reverse_points(request.user), "Only learning admins reverse points."
    )
    entry = PointEntry.objects.select_related("person").filter(pk=pk).first()
    if entry is None:
        raise Http404("No such entry.")
    form = ReversalForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the points are reversed (up to 500 characters).")
    else:
        try:
            points.points_reverse(
                actor=request.user, entry=entry, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"Reversed {entry.points} points of {entry.person.display_name}."
            )
    return redirect("recognition:person_ledger", public_id=entry.person.public_id)


@require_POST
def person_recompute(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    permissions.require(
        permissions.can_reverse_points(request.user), "Only learning admins recompute totals."
    )
    person = _person_for(request.user, public_id)
    result = points.points_recompute(person)
    if result.changed:
        messages.warning(
            request,
            f"The total was {result.previous_total}; the ledger adds up to "
            f"{result.balance.total}, which it now shows.",
        )
    else:
        messages.success(request, f"The ledger adds up to {result.balance.total}, as shown.")
    return redirect("recognition:person_ledger", public_id=person.public_id)


@require_GET
def people_list(request: AuthedRequest) -> HttpResponse:
    """Managers see the people in their reporting line; learning admins everyone."""
    user = request.user
    permissions.require(_can_list_people(user), "This list is for managers and learning admins.")
    query = request.GET.get("q", "").strip()[:100]
    if permissions.is_learning_admin(user):
        found = people.people_for_admin(query=query)
    else:
        found = people.reports_subtree(user).select_related("team").order_by("display_name")
        if query:
            found = found.filter(Q(display_name__icontains=query) | Q(email__icontains=query))
    page = paginate(request, found, per_page=PEOPLE_PAGE)
    shown = list(page.object_list)
    totals = {
        b.person_id: b for b in PointBalance.objects.filter(person_id__in=[p.pk for p in shown])
    }
    rows = [(p, totals.get(p.pk)) for p in shown]
    return render(
        request,
        "recognition/people.html",
        {**_nav(request, "people"), "page": page, "rows": rows, "query": query},
    )


# --- Time away ---------------------------------------------------------------------------


def _away_page(request: AuthedRequest, person: User) -> HttpResponse:
    permissions.require(
        permissions.can_record_away(request.user, person),
        "Only the person, their managers and learning admins record time away.",
    )
    form = AwayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            streaks.away_add(
                actor=request.user,
                person=person,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Time away recorded: those weeks pause the streak.")
            return redirect(request.path)
    is_self = person.pk == request.user.pk
    return render(
        request,
        "recognition/away.html",
        {
            **_nav(request, "away" if is_self else "people"),
            "person": person,
            "is_self": is_self,
            "form": form,
            "periods": list(streaks.away_periods_of(person)[:100]),
            "today": streaks.today_for(person),
            "pause_days": streaks.AWAY_DAYS_TO_PAUSE,
            "own_backdate": streaks.OWN_BACKDATE_DAYS,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def my_away(request: AuthedRequest) -> HttpResponse:
    return _away_page(request, request.user)


@require_http_methods(["GET", "POST"])
def person_away(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    person = people.person_by_public_id(public_id)
    if person is None or not permissions.can_record_away(request.user, person):
        raise Http404("No such person.")
    return _away_page(request, person)


@require_POST
def away_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    away = AwayPeriod.objects.select_related("person").filter(pk=pk).first()
    if away is None or not permissions.can_record_away(request.user, away.person):
        raise Http404("No such time away.")
    try:
        streaks.away_remove(actor=request.user, away=away)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Time away removed.")
    if away.person_id == request.user.pk:
        return redirect("recognition:my_away")
    return redirect("recognition:person_away", public_id=away.person.public_id)


# --- Badges ----------------------------------------------------------------------------------


@require_GET
def gallery(request: AuthedRequest) -> HttpResponse:
    earned, to_earn = badges.badge_standings(request.user)
    holders = badges.holder_counts()
    for standing in (*earned, *to_earn):
        standing.badge.holders = holders.get(standing.badge.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "recognition/badges.html",
        {**_nav(request, "badges"), "earned": earned, "to_earn": to_earn},
    )


@login_not_required
@require_GET
def badge_image(request: AuthedRequest, slug: str) -> HttpResponse:
    """Badge artwork is public, like the achievement it illustrates in a credential."""
    badge = badges.badge_by_slug(slug)
    if badge is None:
        raise Http404("No such badge.")
    response = HttpResponse(badge_art.badge_svg(badge), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, the image can run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_GET
def badge_admin(request: AuthedRequest) -> HttpResponse:
    permissions.require(
        permissions.can_manage_badges(request.user), "Badge administration is for learning admins."
    )
    return render(
        request,
        "recognition/badge_admin.html",
        {**_nav(request, "manage"), "badges": list(badges.badges_for_admin())},
    )


def _badge_fields(form: BadgeForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {k: data[k] for k in ("name", "description", "rule", "threshold", "colour", "glyph")}


@require_http_methods(["GET", "POST"])
def badge_new(request: AuthedRequest) -> HttpResponse:
    permissions.require(
        permissions.can_manage_badges(request.user), "Badge administration is for learning admins."
    )
    form = BadgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            badge = badges.badge_create(actor=request.user, **_badge_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{badge.name}” is defined.")
            return redirect("recognition:badge_admin")
    return render(
        request,
        "recognition/badge_form.html",
        {**_nav(request, "manage"), "form": form, "badge": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def badge_edit(request: AuthedRequest, slug: str) -> HttpResponse:
    badge = _badge_for_admin(request.user, slug)
    initial = {
        "name": badge.name,
        "description": badge.description,
        "rule": badge.rule,
        "threshold": badge.threshold,
        "colour": badge.colour,
        "glyph": badge.glyph,
    }
    form = BadgeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            badge = badges.badge_update(actor=request.user, badge=badge, **_badge_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{badge.name}” is saved.")
            return redirect("recognition:badge_admin")
    return render(
        request,
        "recognition/badge_form.html",
        {
            **_nav(request, "manage"),
            "form": form,
            "badge": badge,
            "held": badge.awards.exists(),
        },
        status=400 if form.errors else 200,
    )


@require_POST
def badge_retire(request: AuthedRequest, slug: str) -> HttpResponse:
    badge = _badge_for_admin(request.user, slug)
    active = request.POST.get("active") == "1"
    badges.badge_set_active(actor=request.user, badge=badge, active=active)
    if active:
        messages.success(request, f"“{badge.name}” is awarded again.")
    else:
        messages.success(
            request, f"“{badge.name}” is retired: nobody new earns it; holders keep it."
        )
    return redirect("recognition:badge_admin")

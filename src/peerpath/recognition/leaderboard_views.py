"""Leaderboard pages: the boards (team, department, organisation × week, month, all
time), a person's opt-out, and the managers' switch for their teams."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from peerpath.core import permissions
from peerpath.core.http import AuthedRequest, choice_param
from peerpath.core.pagination import paginate
from peerpath.people import selectors as people
from peerpath.recognition import leaderboards
from peerpath.recognition.models import TallyPeriod

TEAMS_PER_PAGE = 50


def _default_scope(request: AuthedRequest) -> str:
    return leaderboards.Scope.TEAM if request.user.team_id else leaderboards.Scope.ORGANISATION


@require_GET
def board(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_view_leaderboards(request.user))
    scope = choice_param(request, "scope", leaderboards.Scope.values, _default_scope(request))
    period = choice_param(request, "period", TallyPeriod.values, TallyPeriod.WEEK)
    result = leaderboards.leaderboard(scope=scope, period=period, viewer=request.user)
    _link_profiles(result)
    # The navigation's cached roles spare everyone else the check's query.
    roles = permissions.navigation(request.user)
    can_switch = (
        result.team is not None
        and (roles["manager"] or roles["admin"])
        and permissions.can_switch_team_leaderboard(request.user, result.team)
    )
    return render(
        request,
        "recognition/leaderboards.html",
        {
            "board": result,
            "scopes": leaderboards.Scope.choices,
            "periods": TallyPeriod.choices,
            "can_switch_team": can_switch,
        },
    )


def _link_profiles(board: leaderboards.Board) -> None:
    """Give each ranked person their profile address: one URL reversal for the board
    rather than one per row (reversing is a noticeable share of rendering a board)."""
    placeholder = "00000000-0000-0000-0000-000000000000"
    pattern = reverse("people:profile", args=[placeholder])
    standings = [*board.standings, *([board.viewer] if board.viewer else [])]
    for standing in standings:
        standing.person.profile_url = pattern.replace(  # type: ignore[attr-defined]
            placeholder, str(standing.person.public_id)
        )


@require_POST
def preference(request: AuthedRequest) -> HttpResponse:
    """Opt out of leaderboards, or back in."""
    hidden = request.POST.get("hidden") == "1"
    leaderboards.leaderboard_preference_set(person=request.user, hidden=hidden)
    messages.success(
        request,
        "You are hidden from leaderboards. You still earn points and badges."
        if hidden
        else "You are shown on leaderboards again.",
    )
    return redirect(_back_to_board(request))


def _back_to_board(request: AuthedRequest) -> str:
    """Back to the board the form was sent from (only our own query values survive)."""
    url = reverse("recognition:leaderboards")
    scope = request.POST.get("scope", "")
    period = request.POST.get("period", "")
    if scope in leaderboards.Scope.values and period in TallyPeriod.values:
        url += f"?scope={scope}&period={period}"
    return url


@require_GET
def teams(request: AuthedRequest) -> HttpResponse:
    """The teams whose leaderboards the manager (or learning admin) may switch."""
    permissions.require(
        permissions.is_learning_admin(request.user) or permissions.is_manager(request.user)
    )
    page = paginate(request, leaderboards.switchable_teams(request.user), per_page=TEAMS_PER_PAGE)
    return render(request, "recognition/leaderboard_teams.html", {"page": page})


@require_POST
def team_switch(request: AuthedRequest, slug: str) -> HttpResponse:
    team = people.teams_all().filter(slug=slug).first()
    if team is None:
        raise Http404
    permissions.require(permissions.can_switch_team_leaderboard(request.user, team))
    enabled = request.POST.get("enabled") == "1"
    leaderboards.team_leaderboard_switch(actor=request.user, team=team, enabled=enabled)
    messages.success(
        request,
        f"Leaderboards are on for {team.name}."
        if enabled
        else f"Leaderboards are off for {team.name}: its members are not ranked.",
    )
    if request.POST.get("next") == "teams":
        return redirect("recognition:leaderboard_teams")
    return redirect(f"{reverse('recognition:leaderboards')}?scope=team")

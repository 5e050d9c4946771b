"""A team's learning-time schedule, for its managers and learning admins: the list of
teams, the week of shifts, blocks and coverage, and the rules, blackouts, coverage minimums
and shift import."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest
from peerpath.core.pagination import paginate
from peerpath.core.zones import zone_named
from peerpath.people import selectors as people
from peerpath.schedule import selectors, services, shifts
from peerpath.schedule.coverage import IntervalCover
from peerpath.schedule.forms import (
    WEEKDAYS,
    BlackoutForm,
    CoverageForm,
    PolicyForm,
    ShiftImportForm,
)
from peerpath.schedule.models import (
    LearningTimeRequest,
    Shift,
)

if TYPE_CHECKING:
    from peerpath.people.models import Team, User


def _team_for_manager(request: AuthedRequest, slug: str) -> Team:
    team = people.teams_all().filter(slug=slug).first()
    if team is None:
        raise Http404("No such team.")
    permissions.require(
        permissions.can_manage_team_schedule(request.user, team),
        "A team’s schedule is for its managers and learning admins.",
    )
    return team


@require_GET
def teams(request: AuthedRequest) -> HttpResponse:
    permissions.require(
        permissions.is_manager(request.user) or permissions.is_learning_admin(request.user),
        "Team schedules are for managers and learning admins.",
    )
    page = paginate(request, selectors.teams_user_manages(request.user), per_page=30)
    return render(request, "schedule/teams.html", {"page": page, "time_tab": "teams"})


@dataclass(frozen=True)
class DayCell:
    day: dt.date
    shifts: list[Shift]
    blocks: list[LearningTimeRequest]


@dataclass(frozen=True)
class PersonRow:
    person: User
    days: list[DayCell]


@dataclass(frozen=True)
class HeatCell:
    starts_at: dt.datetime
    ends_at: dt.datetime
    on_duty: int
    minimum: int
    level: str  # "ok", "tight" (at the minimum) or "short"


@dataclass(frozen=True)
class ShortSpan:
    starts_at: dt.datetime
    ends_at: dt.datetime
    lowest: int
    minimum: int


@dataclass(frozen=True)
class CoverageDay:
    cells: list[HeatCell]
    short: list[ShortSpan]
    lowest: int
    minimum: int


@dataclass(frozen=True)
class CoverageRow:
    queue: str
    days: list[CoverageDay]


def _level(i: IntervalCover) -> str:
    if i.on_duty < i.minimum:
        return "short"
    return "tight" if i.on_duty == i.minimum else "ok"


def _coverage_day(intervals: list[IntervalCover]) -> CoverageDay:
    spans: list[ShortSpan] = []
    for i in intervals:
        if not i.short:
            continue
        last = spans[-1] if spans else None
        if last is not None and last.ends_at == i.starts_at:
            worst = min((last.lowest, last.minimum), (i.on_duty, i.minimum))
            spans[-1] = ShortSpan(last.starts_at, i.ends_at, worst[0], worst[1])
        else:
            spans.append(ShortSpan(i.starts_at, i.ends_at, i.on_duty, i.minimum))
    tightest = min(intervals, key=lambda i: i.on_duty - i.minimum, default=None)
    return CoverageDay(
        cells=[
            HeatCell(i.starts_at, i.ends_at, i.on_duty, i.minimum, _level(i)) for i in intervals
        ],
        short=spans,
        lowest=tightest.on_duty if tightest else 0,
        minimum=tightest.minimum if tightest else 0,
    )


def _week_grid(week: selectors.TeamWeek) -> tuple[list[PersonRow], list[CoverageRow]]:
    """Lay the week out by local day: each person's shifts and blocks, and per queue the
    coverage intervals (a shift that began the Sunday before shows on Monday)."""
    first = week.days[0]

    def day_of(at: dt.datetime) -> dt.date:
        return max(first, at.astimezone(week.zone).date())

    rows = []
    for pw in week.rows:
        shifts_by_day: dict[dt.date, list[Shift]] = defaultdict(list)
        blocks_by_day: dict[dt.date, list[LearningTimeRequest]] = defaultdict(list)
        for s in pw.shifts:
            shifts_by_day[day_of(s.starts_at)].append(s)
        for b in pw.blocks:
            blocks_by_day[day_of(b.starts_at)].append(b)
        rows.append(
            PersonRow(
                pw.person, [DayCell(d, shifts_by_day[d], blocks_by_day[d]) for d in week.days]
            )
        )
    by_queue: dict[str, dict[dt.date, list[IntervalCover]]] = defaultdict(lambda: defaultdict(list))
    for i in sorted(week.coverage, key=lambda i: (i.queue, i.starts_at)):
        by_queue[i.queue][day_of(i.starts_at)].append(i)
    coverage = [
        CoverageRow(queue, [_coverage_day(days[d]) for d in week.days])
        for queue, days in sorted(by_queue.items())
    ]
    return rows, coverage


def _linked(used: selectors.PersonUsage) -> tuple[selectors.PersonUsage, int, int]:
    """A person's month, with how many blocks named a module and how many of those are done."""
    linked = [b.module_completed for b in used.blocks if b.module_completed is not None]
    return used, len(linked), sum(linked)


@require_GET
def team_week(request: AuthedRequest, slug: str) -> HttpResponse:
    team = _team_for_manager(request, slug)
    today = timezone.localdate()
    try:
        asked = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        asked = today
    week = selectors.team_week(request.user, team, asked)
    rows, coverage = _week_grid(week)
    used = selectors.usage(month=week.days[0], team=team)
    return render(
        request,
        "schedule/team_week.html",
        {
            "week": week,
            "rows": rows,
            "coverage_rows": coverage,
            "today": today,
            "is_this_week": week.days[0] <= today < week.next_week,
            "used": used,
            "used_people": [_linked(p) for p in used.people if p.approved_minutes],
            "time_tab": "teams",
        },
    )


def _render_settings(
    request: AuthedRequest,
    team: Team,
    *,
    policy_form: PolicyForm | None = None,
    blackout_form: BlackoutForm | None = None,
    coverage_form: CoverageForm | None = None,
    shift_form: ShiftImportForm | None = None,
    import_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    policy = selectors.policy_for(team)
    zone = zone_named(policy.time_zone if policy else "UTC")
    if policy_form is None:
        policy_form = PolicyForm(
            initial={
                "auto_approve_minutes_per_week": policy.auto_approve_minutes_per_week,
                "monthly_budget_minutes": policy.monthly_budget_minutes,
                "notice_hours": policy.notice_hours,
                "require_within_shift": policy.require_within_shift,
                "coverage_interval_minutes": policy.coverage_interval_minutes,
                "time_zone": policy.time_zone,
            }
            if policy
            else {"require_within_shift": team.works_shifts}
        )
    blackouts = list(selectors.blackouts_ahead(team))
    for b in blackouts:
        b.local_start = b.starts_at.astimezone(zone)  # type: ignore[attr-defined]
        b.local_end = b.ends_at.astimezone(zone)  # type: ignore[attr-defined]
    requirements = list(selectors.coverage_minimums(team))
    for c in requirements:
        c.weekday_label = WEEKDAYS[c.weekday] if c.weekday is not None else "Every day"  # type: ignore[attr-defined]
    interval = policy.coverage_interval_minutes if policy else 15
    return render(
        request,
        "schedule/team_settings.html",
        {
            "team": team,
            "policy": policy,
            "team_zone": zone.key,
            "interval_label": "hour" if interval == 60 else f"{interval} minutes",
            "policy_form": policy_form,
            "blackouts": blackouts,
            "blackout_form": blackout_form or BlackoutForm(zone=zone),
            "requirements": requirements,
            "coverage_form": coverage_form or CoverageForm(),
            "shift_form": shift_form or ShiftImportForm(),
            "import_errors": import_errors,
            **Shift.objects.filter(team=team, ends_at__gt=timezone.now()).aggregate(
                shift_count=Count("pk"), last_shift_end=Max("ends_at")
            ),
            "time_tab": "teams",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def team_settings(request: AuthedRequest, slug: str) -> HttpResponse:
    team = _team_for_manager(request, slug)
    if request.method != "POST":
        return _render_settings(request, team)
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            services.set_team_policy(actor=request.user, team=team, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Rules saved. They apply to requests from now on.")
            return redirect("schedule:team_settings", slug=team.slug)
    return _render_settings(request, team, policy_form=form, status=400)


@require_POST
def blackout_add(request: AuthedRequest, slug: str) -> HttpResponse:
    team = _team_for_manager(request, slug)
    policy = selectors.policy_for(team)
    form = BlackoutForm(request.POST, zone=zone_named(policy.time_zone if policy else "UTC"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_blackout(
                actor=request.user,
                team=team,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Blackout added: {data['reason']}.")
            return redirect("schedule:team_settings", slug=team.slug)
    return _render_settings(request, team, blackout_form=form, status=400)


@require_POST
def blackout_remove(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    team = _team_for_manager(request, slug)
    found = selectors.blackouts_ahead(team).filter(pk=pk).first()
    if found is None:
        raise Http404("No such blackout.")
    services.remove_blackout(actor=request.user, blackout=found)
    messages.success(request, f"Blackout removed: {found.reason}.")
    return redirect("schedule:team_settings", slug=team.slug)


@require_POST
def coverage_add(request: AuthedRequest, slug: str) -> HttpResponse:
    team = _team_for_manager(request, slug)
    form = CoverageForm(request.POST)
    if form.is_valid():
        try:
            services.add_coverage_requirement(actor=request.user, team=team, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Coverage minimum added.")
            return redirect("schedule:team_settings", slug=team.slug)
    return _render_settings(request, team, coverage_form=form, status=400)


@require_POST
def coverage_remove(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    team = _team_for_manager(request, slug)
    found = selectors.coverage_minimums(team).filter(pk=pk).first()
    if found is None:
        raise Http404("No such coverage minimum.")
    services.remove_coverage_requirement(actor=request.user, requirement=found)
    messages.success(request, "Coverage minimum removed.")
    return redirect("schedule:team_settings", slug=team.slug)


@require_POST
def shift_import(request: AuthedRequest, slug: str) -> HttpResponse:
    team = _team_for_manager(request, slug)
    form = ShiftImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_settings(request, team, shift_form=form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > shifts.MAX_BYTES:
        form.add_error("file", f"The file is larger than {shifts.MAX_BYTES // 2**20} MB; split it.")
        return _render_settings(request, team, shift_form=form, status=400)
    try:
        result = shifts.import_shifts(
            actor=request.user, team=team, data=upload.read(), filename=upload.name
        )
    except ValidationError as exc:
        return _render_settings(request, team, import_errors=exc.messages, status=400)
    first, last = result.period
    messages.success(
        request,
        f"Imported {result.created} shift{'s' if result.created != 1 else ''} "
        f"for {first.day} {first:%b} – {last.day} {last:%b %Y}"
        + (f", replacing {result.replaced}." if result.replaced else "."),
    )
    return redirect("schedule:team_settings", slug=team.slug)

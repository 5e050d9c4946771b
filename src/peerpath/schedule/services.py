"""Writes to learning time: requests and weekly series, decisions, team policies,
delegation and calendar feeds.

A request is refused outright when it cannot be granted at all (it has passed, overlaps
the person's own blocks or a blackout, lies outside their shifts where the team requires
it, or goes beyond the monthly budget). Otherwise it is approved at once when the team's
policy allows it and coverage holds, or waits for a manager with every reason spelled out.
Every decision that counts approved minutes or coverage runs under the team's lock.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from peerpath.core import permissions
from peerpath.core.zones import TIME_ZONE_CHOICES, zone_named
from peerpath.schedule import calendar, coverage, links, tasks
from peerpath.schedule import selectors as schedule
from peerpath.schedule.models import (
    ApprovalDelegation,
    BlackoutWindow,
    CalendarFeed,
    CoverageInterval,
    CoverageRequirement,
    LearningTimeRequest,
    LearningTimeSeries,
    RequestStatus,
    TeamPolicy,
)

if TYPE_CHECKING:
    import zoneinfo

    from peerpath.content.models import LearningPath, Module
    from peerpath.people.models import Team, User
    from peerpath.schedule.coverage import CoverageCheck, IntervalCover

MAX_BLOCK = timedelta(hours=4)
NOTE_MAX = 500
REASON_MAX = 500
SERIES_MAX = 52
INTERVAL_WEEKS_MAX = 4
WEEKLY_ALLOWANCE_MAX = 40 * 60
MONTHLY_BUDGET_MAX = 160 * 60
NOTICE_HOURS_MAX = 30 * 24
BLACKOUT_MAX = timedelta(days=92)
DELEGATION_MAX_DAYS = 366
MINIMUM_ON_DUTY_MAX = 10_000
QUEUE_MAX = 60
# How far around a refused slot to look for the person's other blocks and blackouts when
# suggesting alternatives (suggestions stay within 7 days of the request).
SUGGEST_SPAN = timedelta(days=8)
ZONES = {name for name, _ in TIME_ZONE_CHOICES}


# --- Wording ---------------------------------------------------------------------------


def _at(moment: datetime, zone: zoneinfo.ZoneInfo) -> str:
    return date_format(moment.astimezone(zone), "D j M H:i")


def _span(starts_at: datetime, ends_at: datetime, zone: zoneinfo.ZoneInfo) -> str:
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    if start.date() == end.date():
        return f"{_at(start, zone)}–{end:%H:%M}"
    return f"{_at(start, zone)} – {_at(end, zone)}"


def shortfall_reasons(shortfall: Iterable[IntervalCover], zone: zoneinfo.ZoneInfo) -> list[str]:
    """ "Coverage would drop to 3 of 4 on duty 14:15–14:30 (billing)", one line per run of
    adjacent intervals that fall short the same way."""
    runs: list[list[Any]] = []
    for cover in sorted(shortfall, key=lambda c: (c.queue, c.starts_at)):
        last = runs[-1] if runs else None
        if (
            last is not None
            and (last[2], last[3], last[4]) == (cover.queue, cover.on_duty, cover.minimum)
            and last[1] == cover.starts_at
        ):
            last[1] = cover.ends_at
        else:
            runs.append([cover.starts_at, cover.ends_at, cover.queue, cover.on_duty, cover.minimum])
    lines = []
    for starts_at, ends_at, queue, on_duty, minimum in sorted(runs, key=lambda r: (r[0], r[2])):
        start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
        where = f" ({queue})" if queue else ""
        lines.append(
            f"Coverage would drop to {max(on_duty, 0)} of {minimum} on duty "
            f"{start:%H:%M}–{end:%H:%M}{where}"
        )
    return lines


def _shortfall_json(shortfall: Iterable[IntervalCover]) -> list[dict[str, Any]]:
    return [
        {
            "starts_at": c.starts_at.astimezone(UTC).isoformat(),
            "ends_at": c.ends_at.astimezone(UTC).isoformat(),
            "queue": c.queue,
            "on_duty": c.on_duty,
            "minimum": c.minimum,
        }
        for c in shortfall
    ]


def _clean_text(value: str, *, field: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise ValidationError({field: f"Keep it under {limit} characters."})
    return value


# --- Locks -----------------------------------------------------------------------------


def _lock_team(team: Team) -> TeamPolicy:
    """Take the team's learning-time lock and return its policy (created with the
    defaults, which approve nothing automatically, when the team has none yet).

    Call inside ``transaction.atomic``. Two decisions about the same team's people each
    read coverage and approved minutes before writing; without this lock two requests
    (or two managers approving at once) would each see the other's slot still free and
    both pass, leaving the team below its minimum or a person beyond their allowance.
    """
    TeamPolicy.objects.get_or_create(team=team)
    return TeamPolicy.objects.select_for_update().get(team=team)


def _lock_request(request: LearningTimeRequest) -> LearningTimeRequest:
    # Locking the row makes a decision racing a cancellation (or a second decision)
    # see the first one's outcome instead of overwriting it.
    return (
        LearningTimeRequest.objects.select_for_update(of=("self",))
        .select_related("person", "team")
        .get(pk=request.pk)
    )


# --- Checking a block ------------------------------------------------------------------


def _time_errors(starts_at: datetime, ends_at: datetime, now: datetime) -> dict[str, list[str]]:
    """The block's own shape: aware, in order, not too long, not passed."""
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("Learning-time services take aware datetimes.")
    errors: dict[str, list[str]] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = ["The end must be after the start."]
    elif ends_at - starts_at > MAX_BLOCK:
        errors["ends_at"] = [
            "A learning block is at most 4 hours; split longer learning into several blocks."
        ]
    if starts_at <= now:
        errors["starts_at"] = ["That time has passed; choose a start from now on."]
    return errors


def _coverage_check(
    team: Team | None, person: User, starts_at: datetime, ends_at: datetime
) -> CoverageCheck | None:
    if team is None:
        return None
    return coverage.check_block(
        team_id=team.pk, person_id=person.pk, starts_at=starts_at, ends_at=ends_at
    )


def _holding(person: User) -> QuerySet[LearningTimeRequest]:
    """The person's requests that hold their time (pending or approved)."""
    return LearningTimeRequest.objects.filter(person=person, status__in=schedule.HOLDING)


def _rule_errors(
    *,
    person: User,
    team: Team | None,
    policy: TeamPolicy | None,
    starts_at: datetime,
    ends_at: datetime,
    check: CoverageCheck | None,
    exclude_pk: int | None = None,
) -> dict[str, list[str]]:
    """What refuses a well-formed block outright: the person's own blocks, a blackout,
    the shift rule and the monthly budget (which pending requests count against too)."""
    zone = zone_named(person.time_zone)
    errors: dict[str, list[str]] = {}
    own = _holding(person)
    if exclude_pk is not None:
        own = own.exclude(pk=exclude_pk)
    clash = own.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).first()
    if clash is not None:
        state = "approved" if clash.status == RequestStatus.APPROVED else "requested"
        errors.setdefault("starts_at", []).append(
            f"This overlaps learning time you already {state}: "
            f"{_span(clash.starts_at, clash.ends_at, zone)}."
        )
    if team is not None:
        blackout = BlackoutWindow.objects.filter(
            team=team, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).first()
        if blackout is not None:
            errors.setdefault("starts_at", []).append(
                f"{team.name} takes no learning time during “{blackout.reason}” "
                f"({_span(blackout.starts_at, blackout.ends_at, zone)})."
            )
    if policy is not None and policy.require_within_shift and not (check and check.within_shift):
        errors.setdefault("starts_at", []).append(
            "Your team takes learning time inside shifts: choose a time within one of your shifts."
        )
    budget = policy.monthly_budget_minutes if policy is not None else None
    if budget is not None:
        month = starts_at.astimezone(zone).date()
        month_start, month_end = schedule.month_bounds(zone, month)
        spent = sum(
            int((end - start).total_seconds() // 60)
            for start, end in own.filter(
                starts_at__gte=month_start, starts_at__lt=month_end
            ).values_list("starts_at", "ends_at")
        )
        left = max(0, budget - spent)
        minutes = int((ends_at - starts_at).total_seconds() // 60)
        if minutes > left:
            errors.setdefault("ends_at", []).append(
                f"Beyond your monthly budget: only {left} of {budget} min left in "
                f"{date_format(month, 'F')} (this block is {minutes} min)."
            )
    return errors


@dataclass(frozen=True)
class _Decision:
    approved: bool
    reason: str
    shortfall: list[dict[str, Any]]
    alternatives: list[dict[str, str]]


def _busy_around(
    person: User, team: Team, starts_at: datetime, ends_at: datetime
) -> list[tuple[datetime, datetime]]:
    """The person's other blocks and the team's blackouts near a slot: no alternative may
    land on them."""
    low, high = starts_at - SUGGEST_SPAN, ends_at + SUGGEST_SPAN
    window = {"starts_at__lt": high, "ends_at__gt": low}
    busy = list(_holding(person).filter(**window).values_list("starts_at", "ends_at"))
    busy += BlackoutWindow.objects.filter(team=team, **window).values_list("starts_at", "ends_at")
    return busy


def _decide(
    *,
    person: User,
    team: Team | None,
    policy: TeamPolicy | None,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    check: CoverageCheck | None,
) -> _Decision:
    """Approve at once within the weekly allowance, with notice and coverage holding;
    otherwise say every reason it needs a manager (and offer slots that keep coverage)."""
    zone = zone_named(person.time_zone)
    reasons: list[str] = []
    allowance = policy.auto_approve_minutes_per_week if policy is not None else None
    if team is None:
        reasons.append("No automatic approval: you are not in a team")
    elif allowance is None:
        reasons.append("No automatic approval for this team")
    else:
        week_start, week_end = schedule.week_bounds(zone, starts_at.astimezone(zone).date())
        approved = _holding(person).filter(
            status=RequestStatus.APPROVED, starts_at__gte=week_start, starts_at__lt=week_end
        )
        used = sum(
            int((end - start).total_seconds() // 60)
            for start, end in approved.values_list("starts_at", "ends_at")
        )
        if used + int((ends_at - starts_at).total_seconds() // 60) > allowance:
            reasons.append(
                f"Over the {allowance} min/week allowance ({used} min already approved that week)"
            )
    if policy is not None and starts_at - now < timedelta(hours=policy.notice_hours):
        reasons.append(f"Less than {policy.notice_hours} h notice")
    shortfall = check.shortfall if check is not None else ()
    reasons += shortfall_reasons(shortfall, zone)
    if not reasons:
        reason = f"Auto-approved: within {allowance} min/week"
        if check is not None and check.intervals:
            reason += "; coverage holds"
        return _Decision(approved=True, reason=reason, shortfall=[], alternatives=[])
    alternatives: list[dict[str, str]] = []
    if shortfall and team is not None and policy is not None:
        slots = coverage.suggest_slots(
            team_id=team.pk,
            person_id=person.pk,
            starts_at=starts_at,
            ends_at=ends_at,
            not_before=now + timedelta(hours=policy.notice_hours),
            busy=_busy_around(person, team, starts_at, ends_at),
        )
        alternatives = [
            {"starts_at": s.astimezone(UTC).isoformat(), "ends_at": e.astimezone(UTC).isoformat()}
            for s, e in slots
        ]
    return _Decision(
        approved=False,
        reason="; ".join(reasons)[:REASON_MAX],
        shortfall=_shortfall_json(shortfall),
        alternatives=alternatives,
    )


def _item_errors(
    person: User, module: Module | None, path: LearningPath | None
) -> dict[str, list[str]]:
    if module is not None and path is not None:
        return {"module": ["Link the block to a module or a learning path, not both."]}
    if module is not None and not (
        module.is_published and permissions.can_view_module(person, module)
    ):
        return {"module": ["Choose a published module."]}
    if path is not None and not (
        path.status == "published" and permissions.can_view_path(person, path)
    ):
        return {"path": ["Choose a published learning path."]}
    return {}


def _place_block(
    *,
    person: User,
    team: Team | None,
    policy: TeamPolicy | None,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    module: Module | None,
    path: LearningPath | None,
    note: str,
    series: LearningTimeSeries | None = None,
) -> LearningTimeRequest:
    """Check, decide and save one block; the caller holds the team's lock."""
    errors = _time_errors(starts_at, ends_at, now)
    if errors:
        raise ValidationError(errors)
    check = _coverage_check(team, person, starts_at, ends_at)
    errors = _rule_errors(
        person=person,
        team=team,
        policy=policy,
        starts_at=starts_at,
        ends_at=ends_at,
        check=check,
    )
    if errors:
        raise ValidationError(errors)
    decision = _decide(
        person=person,
        team=team,
        policy=policy,
        starts_at=starts_at,
        ends_at=ends_at,
        now=now,
        check=check,
    )
    request = LearningTimeRequest(
        person=person,
        team=team,
        series=series,
        starts_at=starts_at,
        ends_at=ends_at,
        module=module,
        path=path,
        note=note,
        status=RequestStatus.APPROVED if decision.approved else RequestStatus.PENDING,
        auto_approved=decision.approved,
        decision_reason=decision.reason,
        coverage_shortfall=decision.shortfall,
        alternatives=decision.alternatives,
        decided_at=now if decision.approved else None,
        created_at=now,
    )
    request.save()
    return request


def _notify_pending(requests: Sequence[LearningTimeRequest]) -> None:
    ids = [r.pk for r in requests if r.status == RequestStatus.PENDING]
    if ids:
        transaction.on_commit(lambda: tasks.send_pending_notice.enqueue(ids), robust=True)


# --- Asking ----------------------------------------------------------------------------


def request_learning_time(
    *,
    person: User,
    starts_at: datetime,
    ends_at: datetime,
    module: Module | None = None,
    path: LearningPath | None = None,
    note: str = "",
) -> LearningTimeRequest:
    """Ask for one learning block: refused, approved at once, or sent to the deciders."""
    permissions.require(permissions.can_request_learning_time(person))
    note = _clean_text(note, field="note", limit=NOTE_MAX)
    errors = _item_errors(person, module, path)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        team = person.team
        policy = _lock_team(team) if team is not None else None
        request = _place_block(
            person=person,
            team=team,
            policy=policy,
            starts_at=starts_at,
            ends_at=ends_at,
            now=timezone.now(),
            module=module,
            path=path,
            note=note,
        )
        _notify_pending([request])
    return request


def series_starts(
    *,
    zone: zoneinfo.ZoneInfo,
    first_date: date,
    start_time: time,
    end_time: time,
    occurrences: int,
    interval_weeks: int = 1,
) -> list[tuple[date, datetime, datetime]]:
    """Each occurrence's date and instants: the same wall-clock time in ``zone`` every
    time, so a series across a daylight-saving change keeps 14:00 at 14:00."""
    found = []
    for n in range(occurrences):
        day = first_date + timedelta(weeks=n * interval_weeks)
        found.append(
            (
                day,
                datetime.combine(day, start_time, tzinfo=zone),
                datetime.combine(day, end_time, tzinfo=zone),
            )
        )
    return found


def _exists(moment: datetime, zone: zoneinfo.ZoneInfo) -> bool:
    """False for a wall-clock time skipped when the clocks go forward."""
    round_trip = moment.astimezone(UTC).astimezone(zone)
    return round_trip.replace(tzinfo=None) == moment.replace(tzinfo=None)


def request_learning_series(
    *,
    person: User,
    first_date: date,
    start_time: time,
    end_time: time,
    occurrences: int,
    interval_weeks: int = 1,
    module: Module | None = None,
    path: LearningPath | None = None,
    note: str = "",
) -> LearningTimeSeries:
    """Ask for a weekly series ("Tuesdays 14:00–14:30 for six weeks") in one go.

    All or nothing: one occurrence that would be refused refuses the whole series, naming
    its date. Each occurrence is then decided on its own, like a single request.
    """
    permissions.require(permissions.can_request_learning_time(person))
    note = _clean_text(note, field="note", limit=NOTE_MAX)
    errors = _item_errors(person, module, path)
    if not 1 <= occurrences <= SERIES_MAX:
        errors["occurrences"] = [f"Repeat from 1 to {SERIES_MAX} times."]
    if not 1 <= interval_weeks <= INTERVAL_WEEKS_MAX:
        errors["interval_weeks"] = [f"Repeat every 1 to {INTERVAL_WEEKS_MAX} weeks."]
    if end_time <= start_time:
        errors["end_time"] = ["The end must be after the start."]
    elif datetime.combine(first_date, end_time) - datetime.combine(first_date, start_time) > (
        MAX_BLOCK
    ):
        errors["end_time"] = [
            "A learning block is at most 4 hours; split longer learning into several blocks."
        ]
    if errors:
        raise ValidationError(errors)
    zone = zone_named(person.time_zone)
    now = timezone.now()
    occurrences_at = series_starts(
        zone=zone,
        first_date=first_date,
        start_time=start_time,
        end_time=end_time,
        occurrences=occurrences,
        interval_weeks=interval_weeks,
    )
    if occurrences_at[0][1] <= now:
        raise ValidationError({"first_date": "That time has passed; start the series later."})
    with transaction.atomic():
        team = person.team
        policy = _lock_team(team) if team is not None else None
        series = LearningTimeSeries.objects.create(
            person=person,
            first_date=first_date,
            start_time=start_time,
            end_time=end_time,
            interval_weeks=interval_weeks,
            occurrences=occurrences,
            time_zone=zone.key,
            created_at=now,
        )
        placed = []
        for day, starts_at, ends_at in occurrences_at:
            named = date_format(day, "l j F Y")
            if not (_exists(starts_at, zone) and _exists(ends_at, zone)):
                raise ValidationError(
                    {
                        NON_FIELD_ERRORS: f"{named}: {start_time:%H:%M}–{end_time:%H:%M} does "
                        "not exist that day (the clocks change); choose other times."
                    }
                )
            try:
                placed.append(
                    _place_block(
                        person=person,
                        team=team,
                        policy=policy,
                        starts_at=starts_at,
                        ends_at=ends_at,
                        now=now,
                        module=module,
                        path=path,
                        note=note,
                        series=series,
                    )
                )
            except ValidationError as exc:
                # Raising inside the transaction takes back the occurrences placed so far.
                raise ValidationError(
                    {NON_FIELD_ERRORS: [f"{named}: {m}" for m in exc.messages]}
                ) from exc
        _notify_pending(placed)
    return series


def cancel_request(*, actor: User, request: LearningTimeRequest) -> LearningTimeRequest:
    """The person takes back a pending or approved block before it starts."""
    permissions.require(
        actor.pk == request.person_id and permissions.can_request_learning_time(actor),
        "Only the person who asked can cancel their learning time.",
    )
    with transaction.atomic():
        locked = _lock_request(request)
        if locked.status not in schedule.HOLDING:
            raise ValidationError(
                f"This request was already {locked.get_status_display().lower()}."
            )
        if locked.starts_at <= timezone.now():
            raise ValidationError("This block has started; it can no longer be cancelled.")
        locked.status = RequestStatus.CANCELLED
        locked.save(update_fields=["status"])
    return locked


def move_request(
    *, actor: User, request: LearningTimeRequest, starts_at: datetime, ends_at: datetime
) -> LearningTimeRequest:
    """Move a block to another slot (say, an alternative offered with it): the old request
    is cancelled and the new one decided afresh, both or neither."""
    permissions.require(
        actor.pk == request.person_id and permissions.can_request_learning_time(actor),
        "Only the person who asked can move their learning time.",
    )
    with transaction.atomic():
        # The team's lock before the request's, the order every decision takes them in.
        team = actor.team
        policy = _lock_team(team) if team is not None else None
        old = cancel_request(actor=actor, request=request)
        moved = _place_block(
            person=actor,
            team=team,
            policy=policy,
            starts_at=starts_at,
            ends_at=ends_at,
            now=timezone.now(),
            module=old.module,
            path=old.path,
            note=old.note,
            series=old.series,
        )
        _notify_pending([moved])
    return moved


def cancel_series(*, actor: User, series: LearningTimeSeries) -> int:
    """Cancel every occurrence of a series that has not started; returns how many."""
    permissions.require(
        actor.pk == series.person_id and permissions.can_request_learning_time(actor),
        "Only the person who asked can cancel their learning time.",
    )
    with transaction.atomic():
        return LearningTimeRequest.objects.filter(
            series=series, status__in=schedule.HOLDING, starts_at__gt=timezone.now()
        ).update(status=RequestStatus.CANCELLED)


# --- Deciding --------------------------------------------------------------------------


def _require_decider(actor: User, request: LearningTimeRequest) -> None:
    permissions.require(
        permissions.can_decide_learning_time(actor, request.person),
        "Only the person's managers, their delegates and learning admins decide their "
        "learning time.",
    )


def _lock_pending(request: LearningTimeRequest) -> tuple[TeamPolicy | None, LearningTimeRequest]:
    """Take the team's lock (team before request, always in that order), then the request,
    and make sure it still waits for a decision."""
    policy = _lock_team(request.team) if request.team is not None else None
    locked = _lock_request(request)
    if locked.status != RequestStatus.PENDING:
        raise ValidationError(f"This request was already {locked.get_status_display().lower()}.")
    if locked.starts_at <= timezone.now():
        raise ValidationError("This request's time has passed; it can no longer be decided.")
    return policy, locked


def approve_request(
    *,
    actor: User,
    request: LearningTimeRequest,
    reason: str = "",
    accept_shortfall: bool = False,
) -> LearningTimeRequest:
    """Approve a pending request after checking coverage and policy again, under the lock.

    A coverage shortfall refuses unless ``accept_shortfall`` says the manager saw it.
    """
    _require_decider(actor, request)
    reason = _clean_text(reason, field="reason", limit=REASON_MAX)
    with transaction.atomic():
        policy, locked = _lock_pending(request)
        person, team = locked.person, locked.team
        check = _coverage_check(team, person, locked.starts_at, locked.ends_at)
        errors = _rule_errors(
            person=person,
            team=team,
            policy=policy,
            starts_at=locked.starts_at,
            ends_at=locked.ends_at,
            check=check,
            exclude_pk=locked.pk,
        )
        if errors:
            raise ValidationError(errors)
        shortfall = check.shortfall if check is not None else ()
        lines = shortfall_reasons(shortfall, zone_named(actor.time_zone))
        if shortfall and not accept_shortfall:
            raise ValidationError(
                {
                    "accept_shortfall": "; ".join(lines)
                    + ". Approve anyway only if the team can take the shortfall."
                }
            )
        now = timezone.now()
        told = reason or f"Approved by {actor.display_name}"
        if shortfall:
            told += " (coverage shortfall accepted: " + "; ".join(lines) + ")"
        locked.status = RequestStatus.APPROVED
        locked.auto_approved = False
        locked.decided_by = actor
        locked.decided_at = now
        locked.decision_reason = told[:REASON_MAX]
        locked.coverage_shortfall = _shortfall_json(shortfall)
        locked.save(
            update_fields=[
                "status",
                "auto_approved",
                "decided_by",
                "decided_at",
                "decision_reason",
                "coverage_shortfall",
            ]
        )
        request_id = locked.pk
        transaction.on_commit(lambda: tasks.send_decision_notice.enqueue(request_id), robust=True)
    return locked


def decline_request(
    *, actor: User, request: LearningTimeRequest, reason: str = ""
) -> LearningTimeRequest:
    """Decline a pending request, with an optional reason the person reads."""
    _require_decider(actor, request)
    reason = _clean_text(reason, field="reason", limit=REASON_MAX)
    with transaction.atomic():
        _, locked = _lock_pending(request)
        locked.status = RequestStatus.DECLINED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason or f"Declined by {actor.display_name}"
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        request_id = locked.pk
        transaction.on_commit(lambda: tasks.send_decision_notice.enqueue(request_id), robust=True)
    return locked


def lapse_undecided_requests(*, now: datetime | None = None) -> int:
    """Close requests still waiting when their time came, so they leave every queue and
    the person's list says nobody decided in time; returns how many."""
    now = now or timezone.now()
    return LearningTimeRequest.objects.filter(
        status=RequestStatus.PENDING, starts_at__lte=now
    ).update(
        status=RequestStatus.LAPSED,
        decided_at=now,
        decision_reason="Nobody decided before it started.",
    )


@dataclass(frozen=True)
class BulkApproval:
    approved: list[LearningTimeRequest]
    skipped: list[tuple[LearningTimeRequest, str]]


def approve_requests(*, actor: User, requests: Iterable[LearningTimeRequest]) -> BulkApproval:
    """Approve several requests, each on its own: one that cannot pass (a shortfall, a
    request decided meanwhile, one the actor may not decide) is skipped with the reason."""
    approved: list[LearningTimeRequest] = []
    skipped: list[tuple[LearningTimeRequest, str]] = []
    for request in sorted(requests, key=lambda r: (r.starts_at, r.pk)):
        try:
            approved.append(approve_request(actor=actor, request=request))
        except (ValidationError, PermissionDenied) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            skipped.append((request, message))
    return BulkApproval(approved=approved, skipped=skipped)


def decide_by_link(
    *, actor: User, token: str, reason: str = "", accept_shortfall: bool = False
) -> LearningTimeRequest:
    """Carry out the decision of an emailed link for the signed-in approver it was sent to.

    The link is spent in the decision's transaction: a refused approval (say, a coverage
    shortfall) leaves it usable for "approve anyway".
    """
    decision = links.read_decision_token(token)
    permissions.require(
        str(actor.public_id) == decision.approver_public_id,
        "This link was sent to someone else; sign in as the person it was sent to.",
    )
    request = (
        LearningTimeRequest.objects.select_related("person", "team")
        .filter(public_id=decision.request_public_id)
        .first()
    )
    if request is None:
        raise links.LinkRefused("The request this link was for no longer exists.")
    with transaction.atomic():
        links.mark_used(decision)
        if decision.action == "approve":
            return approve_request(
                actor=actor, request=request, reason=reason, accept_shortfall=accept_shortfall
            )
        return decline_request(actor=actor, request=request, reason=reason)


# --- Team settings ---------------------------------------------------------------------


def _require_team_manager(actor: User, team: Team) -> None:
    permissions.require(
        permissions.can_manage_team_schedule(actor, team),
        "Only the team's managers and learning admins change its learning-time settings.",
    )


def set_team_policy(
    *,
    actor: User,
    team: Team,
    auto_approve_minutes_per_week: int | None,
    monthly_budget_minutes: int | None,
    notice_hours: int,
    require_within_shift: bool,
    coverage_interval_minutes: int,
    time_zone: str,
) -> TeamPolicy:
    """Set how the team's requests are decided; empty limits mean no such rule."""
    _require_team_manager(actor, team)
    errors: dict[str, str] = {}
    if auto_approve_minutes_per_week is not None and not (
        0 <= auto_approve_minutes_per_week <= WEEKLY_ALLOWANCE_MAX
    ):
        errors["auto_approve_minutes_per_week"] = (
            f"Give 0 to {WEEKLY_ALLOWANCE_MAX} minutes a week, or leave it empty to approve "
            "nothing automatically."
        )
    if monthly_budget_minutes is not None and not (
        0 <= monthly_budget_minutes <= MONTHLY_BUDGET_MAX
    ):
        errors["monthly_budget_minutes"] = (
            f"Give 0 to {MONTHLY_BUDGET_MAX} minutes a month, or leave it empty for no budget."
        )
    if not 0 <= notice_hours <= NOTICE_HOURS_MAX:
        errors["notice_hours"] = f"Give 0 to {NOTICE_HOURS_MAX} hours of notice."
    if coverage_interval_minutes not in CoverageInterval.values:
        errors["coverage_interval_minutes"] = "Choose 15, 30 or 60 minutes."
    if time_zone not in ZONES:
        errors["time_zone"] = "Choose a time zone from the list."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy = _lock_team(team)
        policy.auto_approve_minutes_per_week = auto_approve_minutes_per_week
        policy.monthly_budget_minutes = monthly_budget_minutes
        policy.notice_hours = notice_hours
        policy.require_within_shift = require_within_shift
        policy.coverage_interval_minutes = coverage_interval_minutes
        policy.time_zone = time_zone
        policy.updated_by = actor
        policy.save()
    return policy


def add_blackout(
    *, actor: User, team: Team, starts_at: datetime, ends_at: datetime, reason: str
) -> BlackoutWindow:
    """Close a period to learning time (e.g. month-end close); the reason is shown to people."""
    _require_team_manager(actor, team)
    reason = _clean_text(reason, field="reason", limit=200)
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "Say why, e.g. “Month-end close”; people see it."
    if ends_at <= starts_at:
        errors["ends_at"] = "The end must be after the start."
    elif ends_at - starts_at > BLACKOUT_MAX:
        errors["ends_at"] = "A blackout lasts at most 92 days."
    elif ends_at <= timezone.now():
        errors["ends_at"] = "That period is over already."
    if errors:
        raise ValidationError(errors)
    return BlackoutWindow.objects.create(
        team=team, starts_at=starts_at, ends_at=ends_at, reason=reason, created_by=actor
    )


def remove_blackout(*, actor: User, blackout: BlackoutWindow) -> None:
    _require_team_manager(actor, blackout.team)
    blackout.delete()


def add_coverage_requirement(
    *,
    actor: User,
    team: Team,
    start_time: time,
    end_time: time,
    minimum_on_duty: int,
    queue: str = "",
    weekday: int | None = None,
) -> CoverageRequirement:
    """At least ``minimum_on_duty`` people on duty (in ``queue``) between two local times."""
    _require_team_manager(actor, team)
    queue = _clean_text(queue, field="queue", limit=QUEUE_MAX)
    errors: dict[str, str] = {}
    if end_time <= start_time:
        errors["end_time"] = "The end must be after the start (on the same day)."
    if weekday is not None and not 0 <= weekday <= 6:
        errors["weekday"] = "Choose a day from Monday to Sunday, or every day."
    if not 1 <= minimum_on_duty <= MINIMUM_ON_DUTY_MAX:
        errors["minimum_on_duty"] = f"Give 1 to {MINIMUM_ON_DUTY_MAX} people."
    if errors:
        raise ValidationError(errors)
    return CoverageRequirement.objects.create(
        team=team,
        queue=queue,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        minimum_on_duty=minimum_on_duty,
    )


def remove_coverage_requirement(*, actor: User, requirement: CoverageRequirement) -> None:
    _require_team_manager(actor, requirement.team)
    requirement.delete()


# --- Delegation ------------------------------------------------------------------------


def delegate_approvals(
    *, manager: User, delegate: User, starts_on: date, ends_on: date
) -> ApprovalDelegation:
    """Let a colleague decide a manager's reports' requests while the manager is away."""
    permissions.require(
        permissions.can_delegate_approvals(manager),
        "Only managers delegate their approvals.",
    )
    today = timezone.now().astimezone(zone_named(manager.time_zone)).date()
    errors: dict[str, str] = {}
    if delegate.pk == manager.pk:
        errors["delegate"] = "Choose a colleague; you already decide your own reports' requests."
    elif not delegate.is_active:
        errors["delegate"] = f"{delegate.display_name} is no longer active."
    if ends_on < starts_on:
        errors["ends_on"] = "The last day must be on or after the first."
    elif ends_on < today:
        errors["ends_on"] = "That period is over already."
    elif (ends_on - starts_on).days >= DELEGATION_MAX_DAYS:
        errors["ends_on"] = "Delegate for at most a year at a time."
    if not errors:
        overlapping = ApprovalDelegation.objects.filter(
            manager=manager, delegate=delegate, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).first()
        if overlapping is not None:
            errors["delegate"] = (
                f"{delegate.display_name} already decides for you from "
                f"{date_format(overlapping.starts_on, 'j M')} to "
                f"{date_format(overlapping.ends_on, 'j M Y')}."
            )
    if errors:
        raise ValidationError(errors)
    return ApprovalDelegation.objects.create(
        manager=manager,
        delegate=delegate,
        starts_on=starts_on,
        ends_on=ends_on,
        created_at=timezone.now(),
    )


def end_delegation(*, manager: User, delegation: ApprovalDelegation) -> None:
    """Take a delegation back (at once, whether or not it has started)."""
    permissions.require(
        delegation.manager_id == manager.pk, "Only the manager who delegated can end it."
    )
    delegation.delete()


# --- Calendar feeds --------------------------------------------------------------------


def create_calendar_feed(*, person: User) -> str:
    """A new private feed address token, shown once; any older address stops working."""
    permissions.require(permissions.can_request_learning_time(person))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(person=person).delete()
        CalendarFeed.objects.create(
            person=person, token_hash=calendar.token_hash(token), created_at=timezone.now()
        )
    return token


def revoke_calendar_feed(*, person: User) -> bool:
    """Stop the person's feed address working; False when there was none."""
    deleted, _ = CalendarFeed.objects.filter(person=person).delete()
    return bool(deleted)

"""Writes to assignments: learning that admins and managers ask people to complete.

An assignment is kept once, with its audience; each person it applies to gets a row
(``PersonAssignment``) with their own due date and progress. The rows are materialised
from the audience by ``assignment_sync``, which is idempotent: it adds people who match,
gives the assignment back to people who match again, and takes unfinished work away from
people who no longer match. Completed rows are never taken away.

People's moves arrive as events from the people context (joined, role, team, hire date,
reporting line, deactivation); learners' progress arrives as learning record events.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from peerpath.content import selectors as content
from peerpath.core import events, permissions
from peerpath.core.zones import zone_named
from peerpath.learning.models import (
    DUE_DAYS_MAX,
    REMINDER_DAYS_MAX,
    Assignment,
    AssignmentAudience,
    DueRule,
    ModuleProgress,
    PersonAssignment,
    ProgressStatus,
)
from peerpath.people import selectors as people

if TYPE_CHECKING:
    from peerpath.content.models import LearningPath, Module
    from peerpath.people.models import JobRole, Team, User

# Rows written (and person ids matched) per statement, well under SQLite's variable limit.
BATCH = 1000
# Reminders and notices sent per transaction.
SEND_BATCH = 200
REMIND_AT = time(8, 0)  # reminders go out from 8 a.m. where the learner is


def _chunks(items: Sequence[int], size: int = BATCH) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Due:
    """When one person's assignment is due, in their own calendar."""

    on: date
    at: datetime  # midnight after ``on`` where the person is: from then on it is overdue
    remind_at: datetime | None


def due_for(
    assignment: Assignment, *, assigned_at: datetime, time_zone: str, hire_date: date | None
) -> Due:
    """Work out one person's due date from the assignment's rule.

    "Days after being assigned" counts from the person's local date when they got it;
    "days after the hire date" from their hire date. A reminder that would fall before
    the person got the assignment is not sent.
    """
    zone = zone_named(time_zone)
    days = timedelta(days=assignment.due_days or 0)
    if assignment.due_rule == DueRule.FIXED and assignment.due_on is not None:
        on = assignment.due_on
    elif assignment.due_rule == DueRule.AFTER_HIRE and hire_date is not None:
        on = hire_date + days
    else:
        on = assigned_at.astimezone(zone).date() + days
    at = datetime.combine(on + timedelta(days=1), time.min, tzinfo=zone)
    remind_at = None
    if assignment.reminder_days:
        moment = datetime.combine(
            on - timedelta(days=assignment.reminder_days), REMIND_AT, tzinfo=zone
        )
        remind_at = moment if moment >= assigned_at else None
    return Due(on=on, at=at, remind_at=remind_at)


# --- Creating and withdrawing ----------------------------------------------------------


def check_assignment_create(
    *,
    actor: User,
    module: Module | None = None,
    path: LearningPath | None = None,
    audience: str,
    person: User | None = None,
    team: Team | None = None,
    job_role: JobRole | None = None,
    new_hires_since: date | None = None,
    due_rule: str,
    due_on: date | None = None,
    due_days: int | None = None,
    reminder_days: int | None = None,
) -> Assignment:
    """Authorise and validate an assignment; return it unsaved.

    Learning admins assign to anyone. Managers assign to people in their reporting line:
    a person below them, or a team, job role or new-hire rule that then covers only the
    people below them (now and later), never the rest of the organisation.
    """
    permissions.require(
        permissions.can_assign_learning(actor),
        "Only learning admins and managers can assign learning.",
    )
    errors: dict[str, str] = {}
    if (module is None) == (path is None):
        errors["item"] = "Choose one module or one learning path to assign."
    elif module is not None and not module.is_published:
        errors["module"] = "Only a published module can be assigned."
    elif path is not None and path.status != "published":
        errors["path"] = "Only a published learning path can be assigned."
    scope = None if permissions.is_learning_admin(actor) else actor
    assignment = Assignment(
        module=module,
        path=path,
        audience=audience,
        scope_manager=scope,
        created_by=actor,
        created_at=timezone.now(),
    )
    if audience == AssignmentAudience.PERSON:
        if person is None:
            errors["person"] = "Choose the person to assign to."
        elif not person.is_active:
            errors["person"] = f"{person.display_name} is no longer active."
        elif not permissions.can_assign_to_person(actor, person):
            errors["person"] = (
                f"{person.display_name} is not in your reporting line; "
                "you can assign only to people who report to you."
            )
        assignment.person = person
    elif audience == AssignmentAudience.TEAM:
        if team is None:
            errors["team"] = "Choose the team to assign to."
        assignment.team = team
    elif audience in (AssignmentAudience.JOB_ROLE, AssignmentAudience.NEW_HIRES):
        if job_role is None:
            errors["job_role"] = "Choose the job role to assign to."
        assignment.job_role = job_role
        if audience == AssignmentAudience.NEW_HIRES:
            if new_hires_since is None:
                errors["new_hires_since"] = "Give the date from which people count as new hires."
            assignment.new_hires_since = new_hires_since
    else:
        errors["audience"] = "Choose who the assignment is for."
    errors.update(
        _apply_due_rule(
            assignment,
            actor=actor,
            due_rule=due_rule,
            due_on=due_on,
            due_days=due_days,
            reminder_days=reminder_days,
        )
    )
    if errors:
        raise ValidationError(errors)
    duplicate = Assignment.objects.filter(
        withdrawn_at__isnull=True,
        module=module,
        path=path,
        audience=audience,
        person=assignment.person,
        team=assignment.team,
        job_role=assignment.job_role,
        scope_manager=scope,
    ).first()
    if duplicate is not None:
        raise ValidationError(
            "This is already assigned to that audience (since "
            f"{date_format(duplicate.created_at, 'j M Y')}); withdraw that one first "
            "to change it."
        )
    return assignment


def _apply_due_rule(
    assignment: Assignment,
    *,
    actor: User,
    due_rule: str,
    due_on: date | None,
    due_days: int | None,
    reminder_days: int | None,
) -> dict[str, str]:
    """Set the due rule and reminder on ``assignment``; return errors by field."""
    errors: dict[str, str] = {}
    today = timezone.now().astimezone(zone_named(actor.time_zone)).date()
    assignment.due_rule = due_rule
    assignment.due_on = assignment.due_days = None
    if due_rule == DueRule.FIXED:
        if due_on is None:
            errors["due_on"] = "Choose the due date."
        elif due_on < today:
            errors["due_on"] = "The due date has passed; choose today or a later date."
        assignment.due_on = due_on
    elif due_rule in (DueRule.AFTER_ASSIGNMENT, DueRule.AFTER_HIRE):
        if due_days is None or not 1 <= due_days <= DUE_DAYS_MAX:
            errors["due_days"] = f"Give a number of days from 1 to {DUE_DAYS_MAX}."
        if due_rule == DueRule.AFTER_HIRE and assignment.audience != AssignmentAudience.NEW_HIRES:
            errors["due_rule"] = (
                "“Days after the hire date” is for new-hire rules; choose a date or "
                "days after being assigned."
            )
        assignment.due_days = due_days
    else:
        errors["due_rule"] = "Choose when the assignment is due."
    if reminder_days is not None and not 1 <= reminder_days <= REMINDER_DAYS_MAX:
        errors["reminder_days"] = (
            f"Remind from 1 to {REMINDER_DAYS_MAX} days before the due date, "
            "or leave it empty for no reminder."
        )
    assignment.reminder_days = reminder_days
    return errors


@transaction.atomic
def assignment_create(
    *,
    actor: User,
    module: Module | None = None,
    path: LearningPath | None = None,
    audience: str,
    person: User | None = None,
    team: Team | None = None,
    job_role: JobRole | None = None,
    new_hires_since: date | None = None,
    due_rule: str,
    due_on: date | None = None,
    due_days: int | None = None,
    reminder_days: int | None = None,
) -> Assignment:
    """Assign a module or path and give it to everyone in the audience straight away."""
    assignment = check_assignment_create(
        actor=actor,
        module=module,
        path=path,
        audience=audience,
        person=person,
        team=team,
        job_role=job_role,
        new_hires_since=new_hires_since,
        due_rule=due_rule,
        due_on=due_on,
        due_days=due_days,
        reminder_days=reminder_days,
    )
    assignment.full_clean()
    assignment.save()
    assignment_sync(assignment=assignment)
    return assignment


@transaction.atomic
def assignment_withdraw(*, actor: User, assignment: Assignment, reason: str) -> Assignment:
    """Withdraw an assignment: unfinished work leaves everyone's list; completions stay."""
    permissions.require(permissions.can_manage_assignment(actor, assignment))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why it is withdrawn; the record keeps the reason."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    # Lock the row: a withdrawal racing another keeps the first one's time and reason.
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.withdrawn_at is not None:
        raise ValidationError("This assignment was already withdrawn.")
    now = timezone.now()
    locked.withdrawn_at = now
    locked.withdrawn_by = actor
    locked.withdrawn_reason = reason
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    PersonAssignment.objects.filter(
        assignment=locked, completed_at__isnull=True, removed_at__isnull=True
    ).update(removed_at=now)
    return locked


@transaction.atomic
def assignment_change_due(
    *,
    actor: User,
    assignment: Assignment,
    due_rule: str,
    due_on: date | None = None,
    due_days: int | None = None,
    reminder_days: int | None = None,
) -> Assignment:
    """Change when an assignment is due and when to remind, for everyone still working on it.

    Each open row gets its due date again from the new rule (kept from when the person got
    it). A reminder or overdue notice already sent goes out again if the new dates put it
    back in the future; completed and removed rows keep their record.
    """
    permissions.require(permissions.can_manage_assignment(actor, assignment))
    # Lock the row: a change racing a withdrawal or another change applies after it.
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.withdrawn_at is not None:
        raise ValidationError("This assignment was withdrawn; its dates no longer change.")
    errors = _apply_due_rule(
        locked,
        actor=actor,
        due_rule=due_rule,
        due_on=due_on,
        due_days=due_days,
        reminder_days=reminder_days,
    )
    if errors:
        raise ValidationError(errors)
    locked.save(update_fields=["due_rule", "due_on", "due_days", "reminder_days"])
    now = timezone.now()
    open_rows = PersonAssignment.objects.filter(
        assignment=locked, completed_at__isnull=True, removed_at__isnull=True
    ).order_by("pk")
    last = 0
    while True:
        batch = list(
            open_rows.filter(pk__gt=last)
            .select_related("person")
            .only(
                "assigned_at",
                "due_on",
                "due_at",
                "remind_at",
                "reminder_sent_at",
                "overdue_notice_sent_at",
                "person__time_zone",
                "person__hire_date",
            )[:BATCH]
        )
        if not batch:
            break
        for row in batch:
            due = due_for(
                locked,
                assigned_at=row.assigned_at,
                time_zone=row.person.time_zone,
                hire_date=row.person.hire_date,
            )
            row.due_on, row.due_at, row.remind_at = due.on, due.at, due.remind_at
            if due.remind_at is not None and due.remind_at > now:
                row.reminder_sent_at = None
            if due.at > now:
                row.overdue_notice_sent_at = None
        PersonAssignment.objects.bulk_update(
            batch,
            ["due_on", "due_at", "remind_at", "reminder_sent_at", "overdue_notice_sent_at"],
        )
        last = batch[-1].pk
    return locked


# --- Materialising ---------------------------------------------------------------------


def _audience(assignment: Assignment) -> QuerySet[User]:
    """The active people an assignment applies to now."""
    qs: QuerySet[User] = get_user_model().objects.filter(is_active=True)
    if assignment.audience == AssignmentAudience.PERSON:
        qs = qs.filter(pk__in=[assignment.person_id])
    elif assignment.audience == AssignmentAudience.TEAM:
        qs = qs.filter(team_id__in=[assignment.team_id])
    else:
        qs = qs.filter(job_role_id=assignment.job_role_id)
        if assignment.audience == AssignmentAudience.NEW_HIRES:
            qs = qs.filter(hire_date__gte=assignment.new_hires_since)
    if assignment.scope_manager_id is not None and assignment.audience != "person":
        scope = get_user_model().objects.only("line_path").get(pk=assignment.scope_manager_id)
        if not scope.line_path:
            return qs.none()
        qs = qs.filter(people.line_path_prefix(scope.line_path)).exclude(pk=scope.pk)
    return qs


def _item_module_ids(assignment: Assignment) -> set[int]:
    if assignment.module_id is not None:
        return {assignment.module_id}
    if assignment.path_id is None:
        return set()
    return content.path_module_ids([assignment.path_id])[assignment.path_id]


def _progress_for(
    person_ids: Iterable[int], module_ids: set[int]
) -> dict[int, tuple[datetime | None, datetime | None]]:
    """(started, completed) of the item for each person who has opened any of it.

    The item is completed when every one of its modules is (for a path, the last
    completion is when the path was finished).
    """
    found: dict[int, dict[str, Any]] = {}
    if not module_ids:
        return {}
    rows = ModuleProgress.objects.filter(
        user_id__in=list(person_ids), module_id__in=module_ids
    ).values_list("user_id", "module_id", "status", "started_at", "completed_at")
    for user_id, module_id, status, started_at, completed_at in rows:
        entry = found.setdefault(user_id, {"started": started_at, "done": {}})
        entry["started"] = min(entry["started"], started_at)
        if status == ProgressStatus.COMPLETED:
            entry["done"][module_id] = completed_at
    result: dict[int, tuple[datetime | None, datetime | None]] = {}
    for user_id, entry in found.items():
        done: dict[int, datetime] = entry["done"]
        completed = max(done.values()) if set(done) >= module_ids else None
        result[user_id] = (entry["started"], completed)
    return result


def assignment_sync(*, assignment: Assignment, person_ids: Sequence[int] | None = None) -> int:
    """Bring the assignment's rows in line with its audience; safe to run any number of times.

    ``person_ids`` limits the work to those people (after they joined or moved). Returns
    how many people were given the assignment (or given it back).
    """
    if assignment.withdrawn_at is not None:
        return 0
    if person_ids is not None and len(person_ids) > BATCH:
        return sum(
            assignment_sync(assignment=assignment, person_ids=chunk)
            for chunk in _chunks(person_ids)
        )
    now = timezone.now()
    audience = _audience(assignment)
    existing_rows = PersonAssignment.objects.filter(assignment=assignment)
    if person_ids is not None:
        audience = audience.filter(pk__in=person_ids)
        existing_rows = existing_rows.filter(person_id__in=person_ids)
    matching = {
        pk: (time_zone, hire_date)
        for pk, time_zone, hire_date in audience.values_list("pk", "time_zone", "hire_date")
    }
    existing = {
        pk: (removed_at, completed_at)
        for pk, removed_at, completed_at in existing_rows.values_list(
            "person_id", "removed_at", "completed_at"
        )
    }
    leaving = [
        pk
        for pk, (removed, completed) in existing.items()
        if pk not in matching and removed is None and completed is None
    ]
    for chunk in _chunks(leaving):
        PersonAssignment.objects.filter(
            assignment=assignment, person_id__in=chunk, completed_at__isnull=True
        ).update(removed_at=now)
    new = [pk for pk in matching if pk not in existing]
    returning = [
        pk for pk in matching if pk in existing and existing[pk][0] and existing[pk][1] is None
    ]
    module_ids = _item_module_ids(assignment)
    for chunk in _chunks(new + returning):
        progress = _progress_for(chunk, module_ids)
        rows = []
        for pk in chunk:
            time_zone, hire_date = matching[pk]
            due = due_for(assignment, assigned_at=now, time_zone=time_zone, hire_date=hire_date)
            started, completed = progress.get(pk, (None, None))
            rows.append(
                PersonAssignment(
                    assignment=assignment,
                    person_id=pk,
                    assigned_at=now,
                    due_on=due.on,
                    due_at=due.at,
                    remind_at=due.remind_at,
                    started_at=started,
                    completed_at=completed,
                )
            )
        fresh = [r for r in rows if r.person_id not in existing]
        # Ignoring conflicts makes two syncs racing for the same person harmless.
        PersonAssignment.objects.bulk_create(fresh, batch_size=BATCH, ignore_conflicts=True)
        back = {r.person_id: r for r in rows if r.person_id in existing}
        for row in PersonAssignment.objects.filter(
            assignment=assignment, person_id__in=list(back), completed_at__isnull=True
        ):
            wanted = back[row.person_id]
            for name in ("assigned_at", "due_on", "due_at", "remind_at", "started_at"):
                setattr(row, name, getattr(wanted, name))
            row.completed_at = wanted.completed_at
            row.removed_at = row.reminder_sent_at = row.overdue_notice_sent_at = None
            row.assigned_notice_sent_at = None
            row.save()
    if assignment.due_rule == DueRule.AFTER_HIRE:
        staying = [pk for pk in matching if pk in existing and pk not in returning]
        _follow_hire_dates(assignment, staying, matching)
    if new or returning:
        transaction.on_commit(_queue_notices)
    return len(new) + len(returning)


def _queue_notices() -> None:
    from peerpath.learning.tasks import send_assignment_notices

    send_assignment_notices.enqueue()


def _follow_hire_dates(
    assignment: Assignment, person_ids: list[int], placed: dict[int, tuple[str, date | None]]
) -> None:
    """A corrected hire date moves the due date of unfinished work that counts from it."""
    for chunk in _chunks(person_ids):
        for row in PersonAssignment.objects.filter(
            assignment=assignment,
            person_id__in=chunk,
            completed_at__isnull=True,
            removed_at__isnull=True,
        ):
            time_zone, hire_date = placed[row.person_id]
            due = due_for(
                assignment, assigned_at=row.assigned_at, time_zone=time_zone, hire_date=hire_date
            )
            if due.on == row.due_on:
                continue
            row.due_on, row.due_at, row.remind_at = due.on, due.at, due.remind_at
            # A later date earns its reminder and notice again when they fall due.
            row.reminder_sent_at = row.overdue_notice_sent_at = None
            row.save(
                update_fields=[
                    "due_on",
                    "due_at",
                    "remind_at",
                    "reminder_sent_at",
                    "overdue_notice_sent_at",
                ]
            )


def _assignments_touching(person_ids: Sequence[int]) -> QuerySet[Assignment]:
    """Live assignments these people may join or leave: by their team, role or own rows."""
    placed = get_user_model().objects.filter(pk__in=person_ids)
    teams = set(placed.exclude(team=None).values_list("team_id", flat=True))
    roles = set(placed.exclude(job_role=None).values_list("job_role_id", flat=True))
    held = PersonAssignment.objects.filter(
        person_id__in=person_ids, completed_at__isnull=True
    ).values("assignment_id")
    return Assignment.objects.filter(withdrawn_at__isnull=True).filter(
        Q(audience=AssignmentAudience.PERSON, person_id__in=person_ids)
        | Q(audience=AssignmentAudience.TEAM, team_id__in=teams)
        | Q(
            audience__in=[AssignmentAudience.JOB_ROLE, AssignmentAudience.NEW_HIRES],
            job_role_id__in=roles,
        )
        | Q(pk__in=held)
    )


def on_people_moved(event: events.PeopleJoined | events.PeopleChanged) -> None:
    """People joined or moved: give them the assignments of their new audiences, and
    take unfinished ones of audiences they left away (completed ones stay on record)."""
    ids = sorted(set(event.person_ids))
    for chunk in _chunks(ids):
        for assignment in _assignments_touching(chunk).order_by("pk"):
            assignment_sync(assignment=assignment, person_ids=chunk)


def on_learning_recorded(event: events.LearningRecorded) -> None:
    """Carry a learner's start and completion of a module onto their assignments."""
    if event.verb not in ("launched", "completed"):
        return
    found = (
        ModuleProgress.objects.filter(
            user__public_id=event.learner_public_id, module__public_id=event.module_public_id
        )
        .values_list("user_id", "module_id")
        .first()
    )
    if found is None:
        return
    user_id, module_id = found
    rows = list(
        PersonAssignment.objects.filter(
            person_id=user_id, completed_at__isnull=True, removed_at__isnull=True
        ).select_related("assignment")
    )
    if not rows:
        return
    path_modules = content.path_module_ids(
        [r.assignment.path_id for r in rows if r.assignment.path_id is not None]
    )
    for row in rows:
        a = row.assignment
        module_ids = {a.module_id} if a.module_id else path_modules.get(a.path_id or 0, set())
        if module_id not in module_ids:
            continue
        started, completed = _progress_for([user_id], module_ids).get(user_id, (None, None))
        row.started_at = row.started_at or started or event.at
        row.completed_at = completed
        row.save(update_fields=["started_at", "completed_at"])


# --- Reminders and overdue notices -----------------------------------------------------


def _item_url(assignment: Assignment) -> str:
    if assignment.module is not None:
        m = assignment.module
        return settings.BASE_URL + reverse("learning:module", args=[m.public_id, m.slug])
    p = assignment.path
    if p is None:
        raise ValueError("An assignment without a module has a path.")
    return settings.BASE_URL + reverse("learning:path", args=[p.public_id, p.slug])


def _message(row: PersonAssignment, kind: str) -> EmailMessage:
    a = row.assignment
    item = a.module or a.path
    title = getattr(item, "title", "")
    person = row.person
    cc = []
    if kind == "overdue" and person.manager is not None and person.manager.is_active:
        cc = [person.manager.email]
    subjects = {
        "assigned": f"Assigned to you: “{title}”",
        "reminder": f"Due {date_format(row.due_on, 'j M')}: “{title}”",
        "overdue": f"Overdue: “{title}”",
    }
    body = render_to_string(
        f"learning/email/assignment_{kind}.txt",
        {"person": person, "row": row, "title": title, "url": _item_url(a)},
    )
    return EmailMessage(subject=subjects[kind], body=body, to=[person.email], cc=cc)


def _send(kind: str, now: datetime) -> int:
    """Send one kind of message to every row due for it, in batches, each exactly once.

    Each batch is claimed under row locks that other workers skip (PostgreSQL), or inside
    SQLite's immediate transaction; the sent time is recorded in the same transaction, so
    a second run (or a concurrent worker) never sends the same message again.
    """
    waiting = Q(completed_at__isnull=True, removed_at__isnull=True)
    if kind == "assigned":
        waiting &= Q(assigned_notice_sent_at__isnull=True, assigned_at__lte=now)
        stamp = "assigned_notice_sent_at"
    elif kind == "reminder":
        waiting &= Q(reminder_sent_at__isnull=True, remind_at__lte=now, due_at__gt=now)
        stamp = "reminder_sent_at"
    else:
        waiting &= Q(overdue_notice_sent_at__isnull=True, due_at__lte=now)
        stamp = "overdue_notice_sent_at"
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                PersonAssignment.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(waiting)
                .select_related(
                    "assignment__module", "assignment__path", "person", "person__manager"
                )
                .order_by("pk")[:SEND_BATCH]
            )
            if not batch:
                return sent
            messages = [_message(r, kind) for r in batch if r.person.is_active and r.person.email]
            get_connection().send_messages(messages)
            PersonAssignment.objects.filter(pk__in=[r.pk for r in batch]).update(**{stamp: now})
            sent += len(messages)
        if len(batch) < SEND_BATCH:
            return sent


def assignment_notices_send(*, now: datetime | None = None) -> int:
    """Tell each person once that something was assigned to them (not if already done)."""
    return _send("assigned", now or timezone.now())


def assignment_reminders_send(*, now: datetime | None = None) -> int:
    """Email each learner whose assignment falls due soon, once; returns how many."""
    return _send("reminder", now or timezone.now())


def assignment_overdue_notices_send(*, now: datetime | None = None) -> int:
    """Email each learner (copying their manager) once when an assignment becomes overdue."""
    return _send("overdue", now or timezone.now())

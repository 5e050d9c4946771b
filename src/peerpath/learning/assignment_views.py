"""Pages for assigning learning: the list, the form, one assignment and its withdrawal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest, choice_param
from peerpath.core.pagination import paginate
from peerpath.learning import assignment_selectors as selectors
from peerpath.learning import assignments as services
from peerpath.learning.assignment_forms import AssignmentDueForm, AssignmentForm
from peerpath.learning.models import DueRule
from peerpath.people import selectors as people

CHOICES_LIMIT = 500


def _require_assigner(request: AuthedRequest) -> None:
    permissions.require(
        permissions.can_assign_learning(request.user),
        "Assignments are for learning admins and managers.",
    )


def assignments(request: AuthedRequest) -> HttpResponse:
    _require_assigner(request)
    state = choice_param(request, "state", ("active", "withdrawn"), "active")
    page = paginate(
        request,
        selectors.assignments_for_user(request.user, withdrawn=state == "withdrawn"),
        per_page=20,
    )
    counts = selectors.assignment_counts(a.pk for a in page.object_list)
    rows = [(a, counts[a.pk]) for a in page.object_list]
    return render(
        request,
        "learning/assignments/list.html",
        {
            "page": page,
            "rows": rows,
            "state": state,
            "is_admin": permissions.is_learning_admin(request.user),
        },
    )


def _form(request: AuthedRequest) -> AssignmentForm:
    return AssignmentForm(
        request.POST or None,
        initial={"new_hires_since": timezone.localdate(), "due_rule": "after_assignment"},
        modules=[
            (str(m.public_id), m.title)
            for m in content.modules_for_catalog().order_by("title")[:CHOICES_LIMIT]
        ],
        paths=[(str(p.public_id), p.title) for p in content.paths_published()[:CHOICES_LIMIT]],
        teams=[(str(t.pk), t.name) for t in people.teams_all()],
        job_roles=[(str(r.pk), r.name) for r in people.job_roles_all()],
        is_manager=not permissions.is_learning_admin(request.user),
    )


def assignment_new(request: AuthedRequest) -> HttpResponse:
    _require_assigner(request)
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = None
        if data["person"]:
            found, missing = people.people_by_emails([data["person"]])
            if missing:
                form.add_error("person", f"Nobody active has the address {data['person']}.")
            person = found[0] if found else None
        if not form.errors:
            try:
                assignment = services.assignment_create(
                    actor=request.user,
                    module=content.module_by_public_id(data["module"]) if data["module"] else None,
                    path=content.path_by_public_id(data["path"]) if data["path"] else None,
                    audience=data["audience"],
                    person=person,
                    team=people.teams_all().filter(pk=data["team"]).first()
                    if data["team"]
                    else None,
                    job_role=people.job_roles_all().filter(pk=data["job_role"]).first()
                    if data["job_role"]
                    else None,
                    new_hires_since=data["new_hires_since"],
                    due_rule=data["due_rule"],
                    due_on=data["due_on"],
                    due_days=data["due_days"],
                    reminder_days=data["reminder_days"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                held = selectors.holder_count(assignment)
                messages.success(
                    request, f"Assigned to {held} {'person' if held == 1 else 'people'}."
                )
                return redirect("learning:assignment", public_id=assignment.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/assignments/new.html", {"form": form}, status=status)


def assignment_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, public_id)
    status = choice_param(request, "status", selectors.STATUS_FILTERS, "")
    now = timezone.now()
    counts = selectors.assignment_counts([assignment.pk], now)[assignment.pk]
    page = paginate(
        request, selectors.assignment_people(assignment, status=status, now=now), per_page=50
    )
    return render(
        request,
        "learning/assignments/detail.html",
        {
            "assignment": assignment,
            "page": page,
            "rows": [(r, r.status_at(now)) for r in page.object_list],
            "counts": counts,
            "status": status,
            "stat_rows": _stat_rows(counts),
        },
    )


def _stat_rows(counts: selectors.Counts) -> list[tuple[str, str, int]]:
    return [
        ("completed", "Completed", counts.completed),
        ("in_progress", "In progress", counts.in_progress),
        ("not_started", "Not started", counts.not_started),
        ("overdue", "Overdue", counts.overdue),
    ]


def assignment_change_due(request: AuthedRequest, public_id: str) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, public_id)
    permissions.require(permissions.can_manage_assignment(request.user, assignment))
    form = AssignmentDueForm(
        request.POST or None,
        initial={
            "due_rule": assignment.due_rule,
            "due_on": assignment.due_on,
            "due_days": assignment.due_days,
            "reminder_days": assignment.reminder_days,
        },
    )
    if assignment.audience != "new_hires":
        form.fields["due_rule"].choices = [  # type: ignore[attr-defined]
            c for c in DueRule.choices if c[0] != DueRule.AFTER_HIRE
        ]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_change_due(
                actor=request.user,
                assignment=assignment,
                due_rule=data["due_rule"],
                due_on=data["due_on"],
                due_days=data["due_days"],
                reminder_days=data["reminder_days"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Dates changed for everyone still working on it.")
            return redirect("learning:assignment", public_id=assignment.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "learning/assignments/due.html",
        {"form": form, "assignment": assignment},
        status=status,
    )


@require_POST
def assignment_withdraw(request: AuthedRequest, public_id: str) -> HttpResponse:
    assignment = selectors.get_assignment_for_user(request.user, public_id)
    try:
        services.assignment_withdraw(
            actor=request.user, assignment=assignment, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, "Withdrawn: unfinished work left everyone’s list; completions stay."
        )
    return redirect("learning:assignment", public_id=assignment.public_id)

"""Profiles, and the admin pages for people, job roles and the org import."""

from __future__ import annotations

import io
import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest, choice_param
from peerpath.core.pagination import paginate
from peerpath.learning import selectors as learning
from peerpath.people import org_csv, selectors, services
from peerpath.people.forms import NameForm, OrgImportForm, PersonAdminForm, ProfileForm, TeamForm
from peerpath.people.models import User
from peerpath.recognition import selectors as recognition
from peerpath.social import selectors as social


def get_person_for_user(user: User, public_id: str) -> User:
    """A colleague whose profile the user may see: 404 when absent, 403 when not allowed."""
    person = selectors.person_by_public_id(public_id)
    if person is None:
        raise Http404("No such person.")
    permissions.require(permissions.can_view_profile(user, person))
    return person


def my_profile(request: AuthedRequest) -> HttpResponse:
    return redirect("people:profile", public_id=request.user.public_id)


def profile(request: AuthedRequest, public_id: str) -> HttpResponse:
    person = get_person_for_user(request.user, public_id)
    social_part = social.profile_social(request.user, person)
    can_see_learning = permissions.can_view_learning_of(request.user, person)
    return render(
        request,
        "people/profile.html",
        {
            "person": person,
            "is_me": person.pk == request.user.pk,
            "can_edit": permissions.can_edit_profile(request.user, person),
            "can_see_learning": can_see_learning,
            # Counts are learning activity: shown under the person's visibility setting.
            "counts": learning.learning_counts(person)
            if social_part.activity_visible or can_see_learning
            else None,
            "social": social_part,
            "authored": content.modules_by_owner(person)
            .filter(status="published")
            .select_related("owner")[:6],
            "reports": selectors.people_active().filter(manager=person).select_related("team")[:12],
            "recognition": recognition.profile_recognition(request.user, person),
        },
    )


def profile_edit(request: AuthedRequest) -> HttpResponse:
    person = request.user
    permissions.require(permissions.can_edit_profile(request.user, person))
    form = ProfileForm(request.POST or None, request.FILES or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update_profile(
                person=person, **{f: form.cleaned_data[f] for f in form.changed_data}
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your profile was saved.")
            return redirect("people:me")
    return render(request, "people/profile_edit.html", {"form": form})


# --- Admin: people -----------------------------------------------------------------------


def admin_home(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_access_admin(request.user))
    return render(
        request,
        "people/admin_home.html",
        {
            "people_count": selectors.people_active().count(),
            "teams_count": selectors.teams_all().count(),
            "roles_count": selectors.job_roles_all().count(),
            "can_use_django_admin": permissions.can_use_django_admin(request.user),
        },
    )


def admin_people(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_manage_people(request.user))
    query = request.GET.get("q", "").strip()[:100]
    status = choice_param(request, "status", ("active", "inactive", "all"), "active")
    people = selectors.people_for_admin(query=query, status=status)
    return render(
        request,
        "people/admin_people.html",
        {"page": paginate(request, people, per_page=50), "query": query, "status": status},
    )


def admin_person_edit(request: AuthedRequest, public_id: str) -> HttpResponse:
    permissions.require(permissions.can_manage_people(request.user))
    person = selectors.person_by_public_id(public_id)
    if person is None:
        raise Http404("No such person.")
    form = PersonAdminForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_admin_update(person=person, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{person} was saved.")
            return redirect("people:admin_people")
    return render(request, "people/admin_person_edit.html", {"form": form, "person": person})


@require_POST
def admin_person_active(request: AuthedRequest, public_id: str) -> HttpResponse:
    permissions.require(permissions.can_manage_people(request.user))
    person = selectors.person_by_public_id(public_id)
    if person is None:
        raise Http404("No such person.")
    try:
        if request.POST.get("active") == "1":
            services.person_reactivate(person=person)
            messages.success(request, f"{person} can sign in again.")
        else:
            services.person_deactivate(person=person, by=request.user)
            messages.success(request, f"{person} was deactivated; their history is kept.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("people:admin_people")


def admin_import(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_manage_people(request.user))
    form = OrgImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = org_csv.import_org_csv(file=form.cleaned_data["file"], actor_id=request.user.pk)
        if result.ok:
            messages.success(
                request,
                f"Import complete: {result.created} added, {result.updated} updated, "
                f"{result.deactivated} deactivated.",
            )
            return redirect("people:admin_people")
    return render(request, "people/admin_import.html", {"form": form, "result": result})


def admin_export(request: AuthedRequest) -> FileResponse:
    permissions.require(permissions.can_manage_people(request.user))
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    # Spool to a temporary file so a 100,000-person export never sits in memory.
    buffer = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    text = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    org_csv.export_org_csv(out=text)
    text.flush()
    text.detach()
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename=f"peerpath-org-{stamp}.csv", content_type="text/csv"
    )


def admin_job_roles(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_manage_people(request.user))
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role = services.job_role_create(name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Added the job role “{role}”.")
            return redirect("people:admin_job_roles")
    return render(
        request,
        "people/admin_job_roles.html",
        {"form": form, "roles": selectors.job_roles_with_counts()},
    )


def admin_teams(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_manage_people(request.user))
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                name=form.cleaned_data["name"],
                department_name=form.cleaned_data["department"],
                works_shifts=form.cleaned_data["works_shifts"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Added the team “{team}” in {team.department}.")
            return redirect("people:admin_teams")
    return render(
        request,
        "people/admin_teams.html",
        {
            "form": form,
            "teams": selectors.teams_with_counts(),
            "departments": selectors.departments_all(),
        },
    )

"""The moderation queue of reported posts, summaries and notes, and the report forms for
summaries and notes (discussion posts are reported from the discussion itself)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest, choice_param
from peerpath.core.pagination import paginate
from peerpath.social import moderation
from peerpath.social.discussion_forms import ReportForm
from peerpath.social.models import Note, ReportStatus, Summary

REPORTS_PER_PAGE = 20


def queue(request: AuthedRequest) -> HttpResponse:
    permissions.require(
        permissions.can_see_content_reports(request.user),
        "The moderation queue is for learning admins and expert reviewers.",
    )
    status = choice_param(request, "status", ReportStatus.values, ReportStatus.OPEN)
    page = paginate(
        request,
        moderation.reports_for_moderator(request.user, status=status),
        per_page=REPORTS_PER_PAGE,
    )
    reports = list(page.object_list)
    others = moderation.other_reports(reports)
    rows = [(r, moderation.found_for_report(r), others[r.pk]) for r in reports]
    return render(
        request,
        "social/moderation_queue.html",
        {"page": page, "rows": rows, "status": status, "statuses": ReportStatus.choices},
    )


@require_POST
def decide(request: AuthedRequest, public_id: str) -> HttpResponse:
    report = moderation.report_by_public_id(public_id)
    if report is None:
        raise Http404("No such report.")
    found = moderation.found_for_report(report)
    permissions.require(
        moderation.can_moderate(request.user, found),
        "Only moderators of its subject act on this report.",
    )
    outcome = request.POST.get("outcome")
    if outcome == "hide":
        moderation.content_hide(actor=request.user, found=found)
        messages.success(request, f"The {found.label} is hidden; its author was told.")
    elif outcome == "unhide":
        moderation.content_unhide(actor=request.user, found=found)
        messages.success(request, f"The {found.label} shows again; its author was told.")
    elif outcome == "dismiss":
        moderation.report_dismiss(actor=request.user, report=report)
        messages.success(request, "Report dismissed.")
    else:
        messages.error(request, "Choose to hide it or dismiss the report.")
    status = request.POST.get("status", "")
    status = status if status in ReportStatus.values else ReportStatus.OPEN
    return redirect(f"{reverse('social:moderation')}?status={status}")


def _report_page(
    request: AuthedRequest, *, summary: Summary | None = None, note: Note | None = None
) -> HttpResponse:
    found = moderation.reported_item(summary=summary, note=note)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.report_create(
                reporter=request.user,
                summary=summary,
                note=note,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Thanks: moderators will look at your report.")
            return redirect(found.subject_url)
    elif request.method != "POST":
        permissions.require(moderation.can_see(request.user, found))
    return render(request, "social/moderation_report.html", {"found": found, "form": form})


def report_summary(request: AuthedRequest, public_id: str) -> HttpResponse:
    summary = moderation.summary_by_public_id(public_id)
    if summary is None:
        raise Http404("No such summary.")
    return _report_page(request, summary=summary)


def report_note(request: AuthedRequest, public_id: str) -> HttpResponse:
    note = moderation.note_by_public_id(public_id)
    if note is None:
        raise Http404("No such note.")
    return _report_page(request, note=note)

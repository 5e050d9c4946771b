"""Moderation of what people write: reports of discussion posts, summaries and notes,
hiding and unhiding them, and the queue moderators work from.

A report names one post, summary or note. Moderators of its module or path (learning
admins and expert reviewers of its skills) hide it or dismiss the report; either closes
every open report on the same item. The author is told when their text is hidden or
shown again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from peerpath.core import permissions
from peerpath.notifications.services import notify
from peerpath.people import selectors as people
from peerpath.social import discussion_selectors as selectors
from peerpath.social.models import (
    Comment,
    ContentReport,
    Note,
    ReportStatus,
    Summary,
)

if TYPE_CHECKING:
    from peerpath.content.models import Module
    from peerpath.people.models import User

REASON_MAX = 500
REPORTS_PER_DAY = 20
KIND_MODERATION = "moderation"
KIND_REPORT = "report"

Reported = Comment | Summary | Note


@dataclass(frozen=True)
class ReportedItem:
    """What a report is about, in the terms every kind of item shares."""

    item: Reported
    kind: str  # "comment", "summary" or "note"
    author: User
    subject_title: str
    subject_url: str
    skill_ids: set[int]
    module: Module | None

    @property
    def label(self) -> str:
        return {"comment": "discussion post", "summary": "summary", "note": "note"}[self.kind]

    @property
    def hidden(self) -> bool:
        return self.item.hidden_at is not None


def reported_item(
    *,
    comment: Comment | None = None,
    summary: Summary | None = None,
    note: Note | None = None,
) -> ReportedItem:
    if comment is not None:
        subject = selectors.subject_of(comment)
        return ReportedItem(
            comment,
            "comment",
            comment.author,
            subject.title,
            selectors.thread_url(comment),
            subject.skill_ids,
            comment.module,
        )
    item: Summary | Note | None = summary if summary is not None else note
    if item is None:
        raise ValueError("A report is about a post, a summary or a note.")
    module = item.module
    url = reverse("learning:module", args=[module.public_id, module.slug])
    return ReportedItem(
        item,
        "summary" if summary is not None else "note",
        item.author,
        module.title,
        url,
        permissions.discussion_skill_ids(module=module),
        module,
    )


def can_see(user: User, found: ReportedItem) -> bool:
    item = found.item
    if isinstance(item, Comment):
        return selectors.subject_of(item).visible_to(user)
    if isinstance(item, Note) and not item.is_public:
        return item.author_id == user.pk
    return found.module is not None and permissions.can_view_module(user, found.module)


def can_moderate(user: User, found: ReportedItem) -> bool:
    return permissions.can_moderate_discussion(user, found.skill_ids)


def _moderators(found: ReportedItem) -> list[User]:
    """Learning admins and the experts of the item's module (to tell of a new report)."""
    chosen = list(people.people_active().filter(is_learning_admin=True).order_by("pk")[:50])
    if found.module is not None:
        paths = [skill.path for skill in found.module.skills.all()]
        chosen += list(people.reviewers_for_skill_paths(paths).order_by("pk")[:50])
    return [p for p in {p.pk: p for p in chosen}.values() if can_see(p, found)]


@transaction.atomic
def report_create(
    *,
    reporter: User,
    reason: str,
    comment: Comment | None = None,
    summary: Summary | None = None,
    note: Note | None = None,
) -> ContentReport:
    """Report a post, summary or note to its moderators."""
    found = reported_item(comment=comment, summary=summary, note=note)
    if not can_see(reporter, found):
        raise PermissionDenied("You cannot see this.")
    if not permissions.can_report_content(reporter, found.author.pk):
        raise ValidationError("You cannot report what you wrote yourself.")
    text = " ".join(reason.split())
    if not text:
        raise ValidationError({"reason": "Say briefly what is wrong with it."})
    if len(text) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason to {REASON_MAX} characters."})
    # Lock the reporter's row so reports sent at once cannot slip past the allowance.
    get_user_model()._default_manager.select_for_update().filter(pk=reporter.pk).first()
    since = timezone.now() - timedelta(hours=24)
    if ContentReport.objects.filter(reporter=reporter, created_at__gt=since).count() >= (
        REPORTS_PER_DAY
    ):
        raise ValidationError(
            f"You have sent {REPORTS_PER_DAY} reports today, the most for a day. "
            "Moderators will get to them; you can report more tomorrow."
        )
    target = {found.kind: found.item}
    if ContentReport.objects.filter(reporter=reporter, status=ReportStatus.OPEN, **target).exists():
        raise ValidationError("You have already reported this; moderators will look at it.")
    report = ContentReport(reporter=reporter, reason=text, **target)
    report.full_clean()
    report.save()
    notify(
        recipients=[p for p in _moderators(found) if p.pk != found.author.pk],
        kind=KIND_REPORT,
        title=f"A {found.label} on “{found.subject_title}” was reported",
        url=reverse("social:moderation"),
        dedupe_key=f"report:{found.kind}:{found.item.public_id}:{report.public_id}",
        actor=reporter,
        body=text[:300],
    )
    return report


def _set_hidden(found: ReportedItem, actor: User, *, hidden: bool) -> bool:
    """Hide or show the item; returns whether anything changed."""
    item = found.item
    model = type(item)
    if hidden:
        values: dict[str, Any] = {"hidden_at": timezone.now()}
        if isinstance(item, Comment):
            values["hidden_by"] = actor
        changed = model._default_manager.filter(pk=item.pk, hidden_at=None).update(**values)
    else:
        values = {"hidden_at": None}
        if isinstance(item, Comment):
            values["hidden_by"] = None
        changed = model._default_manager.filter(pk=item.pk).exclude(hidden_at=None).update(**values)
    if changed:
        item.refresh_from_db(fields=["hidden_at"])
        verb = "hid" if hidden else "restored"
        notify(
            recipients=[found.author],
            kind=KIND_MODERATION,
            title=f"A moderator {verb} your {found.label} on “{found.subject_title}”",
            url=found.subject_url if can_see(found.author, found) else reverse("core:home"),
            dedupe_key=f"{verb}:{found.kind}:{item.public_id}:{timezone.now().isoformat()}",
            actor=actor,
        )
    return bool(changed)


def _close_reports(found: ReportedItem, actor: User, status: str) -> int:
    still_open = ContentReport.objects.filter(status=ReportStatus.OPEN, **{found.kind: found.item})
    return still_open.update(status=status, handled_by=actor, handled_at=timezone.now())


@transaction.atomic
def content_hide(*, actor: User, found: ReportedItem) -> None:
    """Hide a post, summary or note from everyone but its author and moderators;
    closes the open reports on it and tells the author."""
    if not can_moderate(actor, found):
        raise PermissionDenied("Only its moderators can hide this.")
    _set_hidden(found, actor, hidden=True)
    _close_reports(found, actor, ReportStatus.HIDDEN)


@transaction.atomic
def content_unhide(*, actor: User, found: ReportedItem) -> None:
    """Show a hidden item again and tell its author."""
    if not can_moderate(actor, found):
        raise PermissionDenied("Only its moderators can show this again.")
    _set_hidden(found, actor, hidden=False)


@transaction.atomic
def report_dismiss(*, actor: User, report: ContentReport) -> None:
    """Nothing wrong: close every open report on the item, leaving it as it is."""
    found = found_for_report(report)
    if not can_moderate(actor, found):
        raise PermissionDenied("Only its moderators can dismiss this report.")
    _close_reports(found, actor, ReportStatus.DISMISSED)


def comment_hide(*, actor: User, comment: Comment) -> None:
    content_hide(actor=actor, found=reported_item(comment=comment))


def comment_unhide(*, actor: User, comment: Comment) -> None:
    content_unhide(actor=actor, found=reported_item(comment=comment))


# --- Reading -------------------------------------------------------------------------------


def found_for_report(report: ContentReport) -> ReportedItem:
    return reported_item(comment=report.comment, summary=report.summary, note=report.note)


def report_by_public_id(public_id: uuid.UUID | str) -> ContentReport | None:
    try:
        return _reports().get(public_id=public_id)
    except (ContentReport.DoesNotExist, ValueError, ValidationError):
        return None


def _reports() -> QuerySet[ContentReport]:
    return ContentReport.objects.select_related(
        "reporter",
        "handled_by",
        "comment",
        "comment__author",
        "comment__root",
        "comment__module",
        "comment__path",
        "summary",
        "summary__author",
        "summary__module",
        "note",
        "note__author",
        "note__module",
    ).prefetch_related(
        "comment__module__skills",
        "comment__module__co_authors",
        "comment__path__editors",
        "summary__module__skills",
        "note__module__skills",
    )


def _same_item(status: str) -> QuerySet[ContentReport]:
    """Reports with ``status`` on the same item as the outer report."""
    return ContentReport.objects.filter(status=status).filter(
        Q(comment_id=OuterRef("comment_id"), comment__isnull=False)
        | Q(summary_id=OuterRef("summary_id"), summary__isnull=False)
        | Q(note_id=OuterRef("note_id"), note__isnull=False)
    )


def reports_for_moderator(
    user: User, *, status: str = ReportStatus.OPEN
) -> QuerySet[ContentReport]:
    """The queue: one row per reported item (its first report with ``status``), every
    item for learning admins and their skill areas' for reviewers.

    Each row carries how many other reports with that status the item has
    (``also_reported``); ``other_reports`` reads them for a page of rows.
    """
    reports = _reports().filter(status=status)
    if not permissions.is_learning_admin(user):
        skill_ids = people.reviewer_skill_ids(user)
        in_area = ContentReport.objects.filter(
            Q(comment__module__skills__in=skill_ids)
            | Q(comment__path__steps__module__skills__in=skill_ids)
            | Q(summary__module__skills__in=skill_ids)
            | Q(note__module__skills__in=skill_ids)
        ).values("pk")
        reports = reports.filter(pk__in=in_area)
    earlier = _same_item(status).filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    )
    others = (
        _same_item(status)
        .exclude(pk=OuterRef("pk"))
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values("n")
    )
    reports = reports.exclude(Exists(earlier)).annotate(
        also_reported=Coalesce(Subquery(others), Value(0))
    )
    return reports.order_by("created_at" if status == ReportStatus.OPEN else "-handled_at", "pk")


def other_reports(rows: list[ContentReport]) -> dict[int, list[ContentReport]]:
    """The other reports (same status) on each row's item, oldest first, in one query."""
    found: dict[int, list[ContentReport]] = {row.pk: [] for row in rows}
    wanted = [row for row in rows if getattr(row, "also_reported", 0)]
    if not wanted:
        return found
    query = Q()
    for row in wanted:
        query |= Q(comment_id=row.comment_id, summary_id=row.summary_id, note_id=row.note_id)
    key_of = {(r.comment_id, r.summary_id, r.note_id, r.status): r.pk for r in wanted}
    others = (
        ContentReport.objects.filter(query, status__in={r.status for r in wanted})
        .exclude(pk__in=[r.pk for r in wanted])
        .select_related("reporter")
        .order_by("created_at", "pk")
    )
    for other in others:
        row_pk = key_of.get((other.comment_id, other.summary_id, other.note_id, other.status))
        if row_pk is not None:
            found[row_pk].append(other)
    return found


def open_report_count(user: User) -> int:
    return reports_for_moderator(user).count()


def summary_by_public_id(public_id: uuid.UUID | str) -> Summary | None:
    try:
        return (
            Summary.objects.select_related("author", "module")
            .prefetch_related("module__skills", "module__co_authors")
            .get(public_id=public_id)
        )
    except (Summary.DoesNotExist, ValueError, ValidationError):
        return None


def note_by_public_id(public_id: uuid.UUID | str) -> Note | None:
    try:
        return (
            Note.objects.select_related("author", "module")
            .prefetch_related("module__skills", "module__co_authors")
            .get(public_id=public_id)
        )
    except (Note.DoesNotExist, ValueError, ValidationError):
        return None

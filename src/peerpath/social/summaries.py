"""Summaries and endorsements: writing, voting, ranking and promotion to wider audiences.

A learner who completed a module writes a short summary of it, or an endorsement ("why
this helped me"), in plain text of at most 500 characters (shown escaped, line breaks
kept: short text read in feeds needs no Markdown). Colleagues vote helpful or not
helpful. Ranking uses the lower bound of the Wilson score interval (95%) of the share of
helpful votes, so two helpful votes out of two do not outrank forty out of fifty.

Every summary reaches the author's team feed when written. It rises to the department's
and then the organisation's feed when its score and number of votes pass the thresholds in
``PROMOTION_STEPS``. Scores only ever promote: a summary is not pulled back by the next
unhelpful vote, which would make it flicker in and out of feeds at a threshold. Curators
(expert reviewers of the module's skills, and learning admins) promote or demote by hand;
their choice pins the audience so scores no longer move it.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from peerpath.core import events, permissions
from peerpath.learning import selectors as learning
from peerpath.notifications import services as notifications
from peerpath.social.models import (
    Audience,
    ContentReport,
    ReportStatus,
    Summary,
    SummaryKind,
    SummaryVote,
)

if TYPE_CHECKING:
    from peerpath.content.models import Module
    from peerpath.people.models import User

BODY_MAX = 500
REASON_MAX = 500
# The notification kind (notifications' ``Kind.SUMMARY_PROMOTED``; ``notify`` checks it).
PROMOTED_NOTICE = "summary_promoted"
# z for a two-sided 95% interval.
WILSON_Z = 1.959963984540054


# --- Scoring and promotion -------------------------------------------------------------------


def wilson_lower_bound(helpful: int, total: int, *, z: float = WILSON_Z) -> float:
    """The lower bound of the Wilson score interval for ``helpful`` successes out of
    ``total`` votes: a pessimistic estimate of the share of readers who find it helpful,
    which rises as votes accumulate. 0 when nobody voted."""
    if total <= 0:
        return 0.0
    if not 0 <= helpful <= total:
        raise ValueError("Helpful votes must be between 0 and the total.")
    p = helpful / total
    z2 = z * z
    centre = p + z2 / (2 * total)
    margin = z * math.sqrt((p * (1 - p) + z2 / (4 * total)) / total)
    bound = (centre - margin) / (1 + z2 / total)
    # Rounding can stray a hair outside [0, 1] at the extremes.
    return min(1.0, max(0.0, bound))


@dataclass(frozen=True)
class PromotionStep:
    """A summary reaches ``audience`` once it has at least ``min_votes`` votes and a score
    of at least ``min_score``."""

    audience: str
    min_votes: int
    min_score: float


# Every promotion threshold, in one place, narrowest audience first. Every summary starts
# with the author's team. With these numbers five helpful votes out of five (score 0.57)
# reach the department, and fifteen out of fifteen (0.80), or 24 out of 25 (0.80), the
# organisation; 11 helpful out of 15 (0.48) stays with the team.
PROMOTION_STEPS: tuple[PromotionStep, ...] = (
    PromotionStep(Audience.DEPARTMENT, min_votes=5, min_score=0.5),
    PromotionStep(Audience.ORGANISATION, min_votes=15, min_score=0.7),
)

# Audiences from narrowest to widest.
AUDIENCE_ORDER: tuple[str, ...] = (Audience.TEAM, Audience.DEPARTMENT, Audience.ORGANISATION)


def audience_rank(audience: str) -> int:
    return AUDIENCE_ORDER.index(audience)


def audience_earned(*, helpful: int, unhelpful: int) -> str:
    """The widest audience these votes earn under ``PROMOTION_STEPS``."""
    total = helpful + unhelpful
    score = wilson_lower_bound(helpful, total)
    reached: str = Audience.TEAM
    for step in PROMOTION_STEPS:
        if total >= step.min_votes and score >= step.min_score:
            reached = step.audience
    return reached


def summary_url(module: Module, summary: Summary | None = None) -> str:
    url = reverse("learning:module", kwargs={"public_id": module.public_id, "slug": module.slug})
    return f"{url}#summary-{summary.public_id}" if summary is not None else url


def _notify_promoted(summary: Summary, *, actor: User | None) -> None:
    """Tell the author their summary reached a wider audience (once per audience)."""
    module = summary.module
    author = summary.author
    if not permissions.can_view_module(author, module):
        return
    reach = {
        Audience.DEPARTMENT.value: "your department",
        Audience.ORGANISATION.value: "the whole organisation",
    }.get(summary.audience, "your team")
    what = summary.get_kind_display().lower()
    notifications.notify(
        recipients=[author],
        kind=PROMOTED_NOTICE,
        title=f"Your {what} of “{module.title}” now reaches {reach}",
        body=summary.body[:200],
        url=summary_url(module, summary),
        dedupe_key=f"summary-promoted:{summary.public_id}:{summary.audience}",
        actor=actor,
    )


def _promote_by_score(summary: Summary) -> bool:
    """Widen the audience if the votes earn it and no curator pinned it. Call with the
    summary locked. Returns whether it was promoted."""
    if summary.audience_set_by_id is not None or summary.hidden_at is not None:
        return False
    earned = audience_earned(helpful=summary.helpful_count, unhelpful=summary.unhelpful_count)
    if audience_rank(earned) <= audience_rank(summary.audience):
        return False
    summary.audience = earned
    summary.promoted_at = timezone.now()
    return True


# --- Reading ----------------------------------------------------------------------------------


def summary_by_public_id(public_id: uuid.UUID | str) -> Summary | None:
    try:
        return (
            Summary.objects.select_related("author", "module", "module__owner")
            .filter(public_id=public_id)
            .first()
        )
    except (ValueError, ValidationError):
        return None


def get_summary_for_user(user: User, public_id: uuid.UUID | str) -> Summary:
    """A summary of a module the user can see: 404 when absent (or its module is hidden
    from them), so a summary never reveals a module."""
    summary = summary_by_public_id(public_id)
    if summary is None or not permissions.can_view_module(user, summary.module):
        raise Http404("No such summary.")
    return summary


def summaries_ranked(module: Module) -> QuerySet[Summary]:
    """The module's visible summaries and endorsements, best first: by score, then by the
    number of helpful votes, then the oldest (it had longer to gather votes)."""
    return (
        Summary.objects.filter(module=module, hidden_at__isnull=True)
        .select_related("author")
        .order_by("-score", "-helpful_count", "created_at", "id")
    )


def top_summary(module: Module) -> Summary | None:
    """The summary shown at the top of the module page: the best-ranked summary (not an
    endorsement) that at least one colleague found helpful."""
    return summaries_ranked(module).filter(kind=SummaryKind.SUMMARY, helpful_count__gt=0).first()


def votes_by(user: User, summary_ids: list[int]) -> dict[int, bool]:
    """The user's votes on these summaries (summary id → helpful), in one query."""
    if not summary_ids:
        return {}
    return dict(
        SummaryVote.objects.filter(voter=user, summary_id__in=summary_ids).values_list(
            "summary_id", "helpful"
        )
    )


def summaries_by(user: User, module: Module) -> dict[str, Summary]:
    """What the user wrote on the module, by kind (hidden ones too: they may edit them)."""
    return {s.kind: s for s in Summary.objects.filter(author=user, module=module)}


def summaries_promoted(audience: str) -> QuerySet[Summary]:
    """Visible summaries whose audience is ``audience``, most recently promoted first."""
    return (
        Summary.objects.filter(audience=audience, hidden_at__isnull=True)
        .select_related("author", "module", "audience_set_by", "team", "department")
        .prefetch_related("module__skills")
        .order_by("-promoted_at", "-id")
    )


def open_report_by(user: User, summary: Summary) -> bool:
    return ContentReport.objects.filter(
        reporter=user, summary=summary, status=ReportStatus.OPEN
    ).exists()


# --- Writing ----------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError({"body": "Write a few words first."})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": f"Keep it to {BODY_MAX} characters (this is {len(body)})."})
    return body


def check_summary_write(*, author: User, module: Module, kind: str) -> None:
    """Raise unless ``author`` may write a ``kind`` on ``module`` now."""
    permissions.require(
        permissions.can_write_summary(author, module),
        "Summaries are written by learners of published modules, not by their authors.",
    )
    if kind not in SummaryKind.values:
        raise ValidationError({"kind": "Choose a summary or an endorsement."})
    if not learning.completed_modules([author.pk], [module.pk]):
        raise ValidationError("Complete the module first: summaries come from those who did.")
    if Summary.objects.filter(author=author, module=module, kind=kind).exists():
        label = "an endorsement" if kind == SummaryKind.ENDORSEMENT else "a summary"
        raise ValidationError(f"You already wrote {label} of this module: edit it instead.")


@transaction.atomic
def summary_write(*, author: User, module: Module, kind: str, body: str) -> Summary:
    """Write a summary or endorsement. It reaches the author's team at once."""
    check_summary_write(author=author, module=module, kind=kind)
    body = _clean_body(body)
    team = author.team
    now = timezone.now()
    try:
        # A savepoint, so a double submit racing this one fails cleanly.
        with transaction.atomic():
            return Summary.objects.create(
                author=author,
                module=module,
                kind=kind,
                body=body,
                created_at=now,
                audience=Audience.TEAM,
                promoted_at=now,
                team=team,
                department_id=team.department_id if team is not None else None,
            )
    except IntegrityError as exc:
        raise ValidationError("You already wrote this: edit it instead.") from exc


@transaction.atomic
def summary_edit(*, actor: User, summary: Summary, body: str) -> Summary:
    """Change a summary's words; its votes stay (they were cast on what it says, and
    edits are marked)."""
    permissions.require(
        permissions.can_edit_summary(actor, summary), "Only its author edits a summary."
    )
    if summary.hidden_at is not None:
        raise ValidationError("A moderator hid this; it can no longer be edited.")
    body = _clean_body(body)
    if body == summary.body:
        return summary
    summary.body = body
    summary.edited_at = timezone.now()
    summary.save(update_fields=["body", "edited_at"])
    return summary


@dataclass(frozen=True)
class VoteResult:
    summary: Summary
    vote: bool | None  # the voter's vote now: helpful, not helpful, or none
    promoted: bool


def _lock(summary: Summary) -> Summary:
    """Lock the summary row until the transaction ends. Two votes at once would otherwise
    each read the same counts and one increment would be lost, leaving the score wrong."""
    locked = Summary.objects.select_for_update().get(pk=summary.pk)
    # Keep the related objects already loaded on the caller's copy.
    locked.author = summary.author
    locked.module = summary.module
    return locked


@transaction.atomic
def summary_vote(*, voter: User, summary: Summary, helpful: bool | None) -> VoteResult:
    """Vote helpful (True) or not helpful (False), change one's vote, or withdraw it
    (None). Counts, score and audience change together under the summary's row lock.

    Publishes ``SummaryVoted`` when an upvote appears (helpful=True) or goes away by
    withdrawal or a change of mind (helpful=False); not-helpful votes alone publish
    nothing.
    """
    permissions.require(
        permissions.can_vote_summary(voter, summary, summary.module),
        "You cannot vote on your own summary.",
    )
    if summary.hidden_at is not None:
        raise ValidationError("A moderator hid this summary; it takes no votes.")
    summary = _lock(summary)
    vote = SummaryVote.objects.filter(summary=summary, voter=voter).first()
    before = vote.helpful if vote is not None else None
    if before == helpful:
        return VoteResult(summary, helpful, False)
    if before is True:
        summary.helpful_count -= 1
    elif before is False:
        summary.unhelpful_count -= 1
    if helpful is True:
        summary.helpful_count += 1
    elif helpful is False:
        summary.unhelpful_count += 1
    if helpful is None:
        if vote is not None:
            vote.delete()
    elif vote is None:
        SummaryVote.objects.create(summary=summary, voter=voter, helpful=helpful)
    else:
        vote.helpful = helpful
        vote.created_at = timezone.now()
        vote.save(update_fields=["helpful", "created_at"])
    summary.score = wilson_lower_bound(
        summary.helpful_count, summary.helpful_count + summary.unhelpful_count
    )
    promoted = _promote_by_score(summary)
    summary.save(
        update_fields=["helpful_count", "unhelpful_count", "score", "audience", "promoted_at"]
    )
    if promoted:
        _notify_promoted(summary, actor=None)
    if before is True or helpful is True:
        events.publish(
            events.SummaryVoted(
                summary_id=summary.pk,
                kind=summary.kind,
                author_id=summary.author_id,
                voter_id=voter.pk,
                module_title=summary.module.title,
                helpful=helpful is True,
                at=timezone.now(),
            )
        )
    return VoteResult(summary, helpful, promoted)


@transaction.atomic
def summary_audience_set(*, actor: User, summary: Summary, audience: str) -> Summary:
    """A curator promotes or demotes a summary by hand. Their choice pins the audience:
    scores no longer move it. A wider audience notifies the author."""
    permissions.require(
        permissions.can_curate_summaries(actor, summary.module),
        "Summaries are promoted by the module's expert reviewers and learning admins.",
    )
    if audience not in AUDIENCE_ORDER:
        raise ValidationError({"audience": "Choose the team, the department or everyone."})
    summary = _lock(summary)
    if summary.hidden_at is not None:
        raise ValidationError("A moderator hid this summary; unhide it first.")
    wider = audience_rank(audience) > audience_rank(summary.audience)
    summary.audience = audience
    summary.audience_set_by = actor
    if wider:
        summary.promoted_at = timezone.now()
    summary.save(update_fields=["audience", "audience_set_by", "promoted_at"])
    if wider:
        _notify_promoted(summary, actor=actor)
    return summary


@transaction.atomic
def summary_audience_release(*, actor: User, summary: Summary) -> Summary:
    """A curator hands a pinned summary back to its score: it keeps its audience and
    rises from there when votes earn it."""
    permissions.require(
        permissions.can_curate_summaries(actor, summary.module),
        "Summaries are promoted by the module's expert reviewers and learning admins.",
    )
    summary = _lock(summary)
    summary.audience_set_by = None
    promoted = _promote_by_score(summary)
    summary.save(update_fields=["audience", "audience_set_by", "promoted_at"])
    if promoted:
        _notify_promoted(summary, actor=None)
    return summary


@transaction.atomic
def summary_report(*, reporter: User, summary: Summary, reason: str) -> ContentReport:
    """Report a summary to moderators (the moderation queue reads ``ContentReport``)."""
    permissions.require(
        permissions.can_report_summary(reporter, summary, summary.module),
        "You cannot report your own summary.",
    )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say what is wrong with it."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX} characters."})
    if open_report_by(reporter, summary):
        raise ValidationError("You already reported this; moderators will look at it.")
    try:
        with transaction.atomic():
            return ContentReport.objects.create(reporter=reporter, summary=summary, reason=reason)
    except IntegrityError as exc:
        raise ValidationError("You already reported this; moderators will look at it.") from exc


@transaction.atomic
def summary_hidden_set(*, summary: Summary, hidden: bool) -> Summary:
    """Hide a summary from the module page, feeds and rankings, or show it again. The
    moderation queue calls this once it has decided on a report (it checks who may)."""
    summary = _lock(summary)
    summary.hidden_at = timezone.now() if hidden else None
    summary.save(update_fields=["hidden_at"])
    return summary

"""Reads of certifications: the catalog with each person's standing, criterion by
criterion, the sign-off queue, holders and awards, in a bounded number of queries.

A standing says what the person still has to do. Before a first award every piece of
evidence counts. While an award is held, nothing is asked until its recertification
window opens; then only the recertification modules and paths are asked, done again
within the window. After an award expired or was revoked, the full criteria are asked
again, with work done since (the window of the expired award, or the revocation).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.learning import selectors as learning
from peerpath.people import selectors as people
from peerpath.recognition.models import (
    AwardStatus,
    Certification,
    CertificationAward,
    SignOff,
    SignOffRequest,
    SignOffStatus,
)

if TYPE_CHECKING:
    from peerpath.content.models import LearningPath, Module
    from peerpath.learning.selectors import ModuleStanding
    from peerpath.people.models import User

_T = TypeVar("_T")

# What a standing is about: earning the certification, renewing it, or nothing to do.
EARN = "earn"
RECERTIFY = "recertify"
HELD = "held"
RETIRED = "retired"


def is_assessment(module: Module) -> bool:
    """A module whose result is a score: a quiz, or a SCORM package with a mastery score."""
    if module.quiz.get("questions"):
        return True
    package = module.package
    return module.kind == "package" and package is not None and package.mastery_score is not None


def recertify_opens_at(award: CertificationAward, certification: Certification) -> datetime | None:
    """When the holder may recertify: the window before expiry (never, if it never expires)."""
    if award.expires_at is None:
        return None
    return award.expires_at - timedelta(days=certification.recertify_within_days)


@dataclass(frozen=True)
class Criterion:
    """One thing a certification asks, and where the person stands with it."""

    kind: str  # "module", "path", "score" or "sign_off"
    label: str
    met: bool
    detail: str
    url: str = ""
    done: int = 0
    total: int = 0
    # Begun, if not met: a module opened, a path partly done, a sign-off asked.
    started: bool = False

    @property
    def percent(self) -> int:
        if self.total:
            return round(100 * self.done / self.total)
        return 100 if self.met else 0


@dataclass
class Standing:
    """A person's standing with one certification."""

    certification: Certification
    mode: str
    criteria: list[Criterion]
    # The holding in force (active), and the latest holding of any status.
    award: CertificationAward | None = None
    latest: CertificationAward | None = None
    # Evidence counts from this moment (None: all of it).
    since: datetime | None = None
    recertify_from: datetime | None = None
    sign_off: SignOffRequest | None = None

    @property
    def met(self) -> bool:
        return bool(self.criteria) and all(c.met for c in self.criteria)

    @property
    def done(self) -> int:
        return sum(1 for c in self.criteria if c.met)

    @property
    def total(self) -> int:
        return len(self.criteria)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def manual_only(self) -> bool:
        return not self.criteria

    @property
    def needs_sign_off(self) -> bool:
        """The sign-off is the one thing asked that the person can ask for now."""
        return any(c.kind == "sign_off" and not c.met for c in self.criteria) and (
            self.sign_off is None or self.sign_off.status != SignOffStatus.PENDING
        )

    @property
    def status_label(self) -> str:
        if self.mode == HELD:
            return "Certified"
        if self.mode == RECERTIFY:
            return "Recertify now"
        if self.mode == RETIRED:
            return "Retired"
        if self.latest is not None and self.latest.status == AwardStatus.EXPIRED:
            return "Expired"
        if self.latest is not None and self.latest.status == AwardStatus.REVOKED:
            return "Revoked"
        if self.manual_only:
            return "Awarded on evidence"
        if any(c.met or c.started for c in self.criteria):
            return "In progress"
        return "Not started"


# --- Certifications --------------------------------------------------------------------


def _with_criteria(qs: QuerySet[Certification]) -> QuerySet[Certification]:
    return qs.prefetch_related(
        "skills",
        "required_modules__package",
        "recert_modules__package",
        "required_paths",
        "recert_paths",
    )


def certifications_for_catalog(*, include_retired: bool = False) -> QuerySet[Certification]:
    qs = (
        Certification.objects.all()
        if include_retired
        else Certification.objects.filter(is_active=True)
    )
    active = CertificationAward.objects.filter(
        certification=OuterRef("pk"), status=AwardStatus.ACTIVE
    )
    return _with_criteria(qs).annotate(
        holder_count=Count("awards", filter=Q(awards__status=AwardStatus.ACTIVE)),
        has_holders=Exists(active),
    )


def certification_by_slug(slug: str) -> Certification | None:
    return _with_criteria(Certification.objects.filter(slug=slug)).first()


def get_certification_for_user(user: User, slug: str, *, write: bool = False) -> Certification:
    """A certification the user may see (anyone signed in), or manage (learning admins);
    a retired one only to those who manage certifications."""
    certification = certification_by_slug(slug)
    if certification is None:
        raise Http404("No such certification.")
    if write:
        permissions.require(permissions.can_manage_certifications(user))
    elif not certification.is_active and not permissions.can_manage_certifications(user):
        raise Http404("No such certification.")
    return certification


def certifications_for(
    module_public_id: str | None = None, path_public_ids: Iterable[str] = ()
) -> QuerySet[Certification]:
    """Active certifications that ask for the module or any of the paths (by public id, as
    events name them)."""
    paths = list(path_public_ids)
    wanted = Q()
    if module_public_id is not None:
        wanted |= Q(required_modules__public_id=module_public_id) | Q(
            recert_modules__public_id=module_public_id
        )
    if paths:
        wanted |= Q(required_paths__public_id__in=paths) | Q(recert_paths__public_id__in=paths)
    if not wanted:
        return Certification.objects.none()
    ids = Certification.objects.filter(wanted, is_active=True).values("pk")
    return _with_criteria(Certification.objects.filter(pk__in=ids))


def module_ids_asked(certifications: Iterable[Certification]) -> set[int]:
    """Every module the certifications ask for, directly or as a step of a path."""
    certs = list(certifications)
    direct = {m.pk for c in certs for m in c.required_modules.all()}
    paths = content.path_module_ids(sorted({p.pk for c in certs for p in c.required_paths.all()}))
    return direct.union(*paths.values())


# --- Standings ---------------------------------------------------------------------------


def _fresh(standing: ModuleStanding | None, module: Module, since: datetime | None) -> bool:
    """Done (and not failed), and done again since ``since`` when that is asked.

    A completion keeps its first date, so coming back counts: a new pass for a quiz,
    opening the module again for anything else.
    """
    if standing is None or not standing.completed or standing.failed:
        return False
    if since is None:
        return True
    if standing.completed_at is not None and standing.completed_at >= since:
        return True
    last = standing.last_passed_at if module.quiz.get("questions") else standing.last_opened_at
    return last is not None and last >= since


def _module_detail(standing: ModuleStanding | None, module: Module, fresh: bool) -> str:
    if fresh:
        return "Passed" if standing is not None and standing.success_status else "Completed"
    if standing is None:
        return "Not started"
    if standing.failed:
        return "Not passed yet"
    if standing.completed:
        return "Done before: do it again to count now"
    return "In progress"


def _module_url(module: Module) -> str:
    return reverse("learning:module", args=[module.public_id, module.slug])


def _path_url(path: LearningPath) -> str:
    return reverse("learning:path", args=[path.public_id, path.slug])


@dataclass
class _Facts:
    """Everything the standings of one person need, read once for many certifications."""

    modules: dict[int, Module]
    path_modules: dict[int, set[int]]
    standings: dict[int, ModuleStanding]
    finished_paths: dict[int, datetime]
    awards: dict[int, list[CertificationAward]]
    sign_offs: dict[int, SignOffRequest]


def _facts(person: User, certifications: Sequence[Certification]) -> _Facts:
    path_ids = {
        p.pk
        for c in certifications
        for p in [*c.required_paths.all(), *c.recert_paths.all()]  # prefetched
    }
    path_modules = content.path_module_ids(sorted(path_ids))
    direct = {
        m.pk: m
        for c in certifications
        for m in [*c.required_modules.all(), *c.recert_modules.all()]
    }
    step_ids = set().union(*path_modules.values()) if path_modules else set()
    modules = {**content.modules_by_ids(step_ids - direct.keys()), **direct}
    cert_ids = [c.pk for c in certifications]
    awards: dict[int, list[CertificationAward]] = {}
    for award in (
        CertificationAward.objects.filter(holder=person, certification_id__in=cert_ids)
        .select_related("credential")
        .order_by("-awarded_at", "-pk")
    ):
        awards.setdefault(award.certification_id, []).append(award)
    sign_offs: dict[int, SignOffRequest] = {}
    for request in SignOffRequest.objects.filter(
        candidate=person, certification_id__in=cert_ids
    ).order_by("requested_at", "pk"):
        sign_offs[request.certification_id] = request  # the latest wins
    return _Facts(
        modules=modules,
        path_modules=path_modules,
        standings=learning.module_standings(person, modules.keys()),
        finished_paths=learning.path_completions(person, path_ids),
        awards=awards,
        sign_offs=sign_offs,
    )


def _module_criteria(
    modules: Iterable[Module], facts: _Facts, since: datetime | None
) -> list[Criterion]:
    found = []
    for module in modules:
        standing = facts.standings.get(module.pk)
        fresh = _fresh(standing, module, since)
        found.append(
            Criterion(
                kind="module",
                label=module.title,
                met=fresh,
                detail=_module_detail(standing, module, fresh),
                url=_module_url(module),
                started=standing is not None,
            )
        )
    return found


def _path_criteria(
    paths: Iterable[LearningPath], facts: _Facts, since: datetime | None
) -> list[Criterion]:
    found = []
    for path in paths:
        steps = facts.path_modules.get(path.pk, set())
        done = sum(
            1
            for m in steps
            if m in facts.modules and _fresh(facts.standings.get(m), facts.modules[m], since)
        )
        finished = facts.finished_paths.get(path.pk)
        met = bool(steps) and done >= len(steps)
        if since is None and finished is not None:
            met = True
            done = len(steps)
        detail = "Completed" if met else f"{done} of {len(steps)} module{'s' * (len(steps) != 1)}"
        found.append(
            Criterion(
                kind="path",
                label=path.title,
                met=met,
                detail=detail,
                url=_path_url(path),
                done=done,
                total=len(steps),
                started=done > 0,
            )
        )
    return found


def _assessments(certification: Certification, facts: _Facts) -> list[Module]:
    """The assessments among the required modules and the steps of the required paths."""
    seen: dict[int, Module] = {}
    for module in certification.required_modules.all():
        if is_assessment(module):
            seen.setdefault(module.pk, module)
    for path in certification.required_paths.all():
        for module_id in sorted(facts.path_modules.get(path.pk, set())):
            step = facts.modules.get(module_id)
            if step is not None and is_assessment(step):
                seen.setdefault(step.pk, step)
    return sorted(seen.values(), key=lambda m: m.title)


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"


def _score_criteria(certification: Certification, facts: _Facts) -> list[Criterion]:
    minimum = certification.min_score
    if minimum is None:
        return []
    found = []
    for module in _assessments(certification, facts):
        standing = facts.standings.get(module.pk)
        score = standing.score if standing is not None else None
        found.append(
            Criterion(
                kind="score",
                label=f"{module.title}: {_percent(minimum)}% or more",
                met=score is not None and score >= minimum,
                detail="Not taken yet" if score is None else f"Best score {_percent(score)}%",
                url=_module_url(module),
                started=score is not None,
            )
        )
    return found


SIGN_OFF_LABELS = {
    SignOff.MANAGER: "Sign-off by your manager",
    SignOff.EXPERT: "Observed assessment by an expert",
}


def _sign_off_criterion(
    certification: Certification, request: SignOffRequest | None, since: datetime | None
) -> list[Criterion]:
    if certification.sign_off == SignOff.NONE:
        return []
    approved = (
        request is not None
        and request.status == SignOffStatus.APPROVED
        and (since is None or (request.decided_at is not None and request.decided_at >= since))
    )
    if approved:
        detail = "Signed off"
    elif request is not None and request.status == SignOffStatus.PENDING:
        detail = "Asked, waiting for a decision"
    elif request is not None and request.status == SignOffStatus.DECLINED:
        detail = "Not yet: ask again when ready"
    else:
        detail = "Not asked yet"
    return [
        Criterion(
            kind="sign_off",
            label=SIGN_OFF_LABELS[SignOff(certification.sign_off)],
            met=approved,
            detail=detail,
            started=request is not None,
        )
    ]


def _by_title(items: Iterable[_T]) -> list[_T]:
    return sorted(items, key=lambda item: str(item))


def _standing(certification: Certification, facts: _Facts, now: datetime) -> Standing:
    holdings = facts.awards.get(certification.pk, [])
    latest = holdings[0] if holdings else None
    award = next((a for a in holdings if a.status == AwardStatus.ACTIVE), None)
    sign_off = facts.sign_offs.get(certification.pk)
    base = {"certification": certification, "award": award, "latest": latest, "sign_off": sign_off}
    if award is not None:
        opens = recertify_opens_at(award, certification)
        if opens is None or now < opens:
            return Standing(mode=HELD, criteria=[], recertify_from=opens, **base)  # type: ignore[arg-type]
        modules = _by_title(certification.recert_modules.all())
        paths = _by_title(certification.recert_paths.all())
        if not modules and not paths:
            modules = _by_title(certification.required_modules.all())
            paths = _by_title(certification.required_paths.all())
        criteria = _module_criteria(modules, facts, opens) + _path_criteria(paths, facts, opens)
        return Standing(
            mode=RECERTIFY,
            criteria=criteria,
            since=opens,
            recertify_from=opens,
            **base,  # type: ignore[arg-type]
        )
    since: datetime | None = None
    if latest is not None and latest.status == AwardStatus.REVOKED:
        since = latest.revoked_at
    elif latest is not None and latest.status == AwardStatus.EXPIRED:
        since = recertify_opens_at(latest, certification)
    mode = EARN if certification.is_active else RETIRED
    criteria = (
        _module_criteria(_by_title(certification.required_modules.all()), facts, since)
        + _path_criteria(_by_title(certification.required_paths.all()), facts, since)
        + _score_criteria(certification, facts)
        + _sign_off_criterion(certification, sign_off, since)
    )
    return Standing(mode=mode, criteria=criteria, since=since, **base)  # type: ignore[arg-type]


def standings_for(
    person: User, certifications: Iterable[Certification], *, now: datetime | None = None
) -> list[Standing]:
    """The person's standing with each certification (prefetched with ``_with_criteria``),
    in a fixed number of queries however many certifications there are."""
    certs = list(certifications)
    if not certs:
        return []
    facts = _facts(person, certs)
    now = now or timezone.now()
    return [_standing(c, facts, now) for c in certs]


def standing_of(person: User, certification: Certification) -> Standing:
    return standings_for(person, [certification])[0]


# --- Awards ------------------------------------------------------------------------------


def award_by_public_id(public_id: uuid.UUID | str) -> CertificationAward | None:
    try:
        return (
            CertificationAward.objects.select_related(
                "certification", "holder", "awarded_by", "revoked_by", "renews", "credential"
            )
            .filter(public_id=public_id)
            .first()
        )
    except (ValueError, ValidationError):
        return None


def get_award_for_user(user: User, public_id: uuid.UUID | str) -> CertificationAward:
    """The full certificate: 404 when absent, 403 unless the holder, a manager above them
    or a learning admin."""
    award = award_by_public_id(public_id)
    if award is None:
        raise Http404("No such certificate.")
    permissions.require(permissions.can_view_award(user, award))
    return award


def awards_of(person: User) -> QuerySet[CertificationAward]:
    """Every holding of the person, newest first: the history."""
    return (
        CertificationAward.objects.filter(holder=person)
        .select_related("certification", "credential")
        .order_by("-awarded_at", "-pk")
    )


def award_history(award: CertificationAward) -> list[CertificationAward]:
    """The holder's holdings of the same certification, newest first (one query)."""
    return list(
        CertificationAward.objects.filter(
            holder_id=award.holder_id, certification_id=award.certification_id
        )
        .select_related("awarded_by")
        .order_by("-awarded_at", "-pk")
    )


def holders_of(
    certification: Certification, *, status: str = "active"
) -> QuerySet[CertificationAward]:
    qs = CertificationAward.objects.filter(certification=certification)
    if status in AwardStatus.values:
        qs = qs.filter(status=status)
    return qs.select_related("holder", "holder__team", "awarded_by").order_by("-awarded_at", "-pk")


# --- Sign-offs -----------------------------------------------------------------------------


def sign_off_by_public_id(public_id: uuid.UUID | str) -> SignOffRequest | None:
    try:
        return (
            SignOffRequest.objects.select_related("certification", "candidate", "decided_by")
            .filter(public_id=public_id)
            .first()
        )
    except (ValueError, ValidationError):
        return None


def get_sign_off_for_user(user: User, public_id: uuid.UUID | str) -> SignOffRequest:
    """A sign-off request the user may decide: 404 when absent, 403 when not theirs to."""
    request = sign_off_by_public_id(public_id)
    if request is None:
        raise Http404("No such sign-off request.")
    permissions.require(
        permissions.can_sign_off_certification(user, request.candidate, request.certification)
    )
    return request


def sign_off_queue(user: User) -> QuerySet[SignOffRequest]:
    """Pending sign-offs the user may decide: their reports' (manager sign-offs), those of
    certifications in skills they review (observed assessments), or all for admins."""
    pending = SignOffRequest.objects.filter(status=SignOffStatus.PENDING).exclude(candidate=user)
    if not permissions.is_learning_admin(user):
        mine = Q(
            certification__sign_off=SignOff.MANAGER,
            candidate__in=people.reports_subtree(user).values("pk"),
        )
        skill_ids = people.reviewer_skill_ids(user)
        if skill_ids:
            mine |= Q(certification__sign_off=SignOff.EXPERT, certification__skills__in=skill_ids)
        pending = pending.filter(pk__in=SignOffRequest.objects.filter(mine).values("pk"))
    return pending.select_related("certification", "candidate", "candidate__team").order_by(
        "requested_at", "pk"
    )


def sign_off_decided_by(user: User, *, limit: int = 10) -> list[SignOffRequest]:
    return list(
        SignOffRequest.objects.filter(decided_by=user)
        .select_related("certification", "candidate")
        .order_by("-decided_at", "-pk")[:limit]
    )

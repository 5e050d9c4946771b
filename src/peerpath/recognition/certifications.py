"""Certifications: learning admins define them; Peerpath awards them when the criteria
are met (or an admin awards one by hand, with evidence); recertification renews them;
they expire after their validity, with reminders first.

Every award and renewal announces ``CertificationEarned`` (the learning record, the
credential and points follow from it); a revocation announces ``CertificationRevoked``.
Awarding is idempotent: the database keeps one active holding per person and
certification, and every path to an award re-checks under that constraint.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify

from peerpath.content import selectors as content
from peerpath.core import events, permissions
from peerpath.learning import selectors as learning
from peerpath.people import selectors as people
from peerpath.recognition import certification_selectors as selectors
from peerpath.recognition.models import (
    AwardMethod,
    AwardStatus,
    Certification,
    CertificationAward,
    ExpiryReminder,
    SignOff,
    SignOffRequest,
    SignOffStatus,
)

if TYPE_CHECKING:
    from peerpath.content.models import LearningPath, Module
    from peerpath.people.models import User
    from peerpath.skills.models import Skill


# Days before expiry at which the holder is reminded, once each.
REMINDER_DAYS = (60, 30, 7)
VALIDITY_DAYS_MAX = 3650
RECERTIFY_DAYS_MAX = 365
# Slugs that name pages under /certifications/ rather than a certification.
RESERVED_SLUGS = frozenset({"new", "mine", "sign-offs", "id"})
EVIDENCE_MIN = 10


# --- Definitions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificationSpec:
    """What an admin sets on a certification (the form's cleaned data, typed)."""

    name: str
    description: str
    skills: Sequence[Skill] = ()
    required_modules: Sequence[Module] = ()
    required_paths: Sequence[LearningPath] = ()
    min_score: Decimal | None = None
    sign_off: str = SignOff.NONE
    validity_days: int | None = None
    recertify_within_days: int = 60
    recert_modules: Sequence[Module] = ()
    recert_paths: Sequence[LearningPath] = ()


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:120] or "certification"
    if base in RESERVED_SLUGS:
        base = f"{base}-certification"
    others = Certification.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    taken = set(others.values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


def check_certification_spec(spec: CertificationSpec, *, exclude_pk: int | None = None) -> None:
    """Raise a ValidationError naming each field that is wrong."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    name = spec.name.strip()
    if not name:
        add("name", "Give the certification a name.")
    elif len(name) > 120:
        add("name", "Keep the name to 120 characters.")
    elif _name_taken(name, exclude_pk=exclude_pk):
        add("name", "An active certification already has this name.")
    if not spec.description.strip():
        add("description", "Say what the certification shows a person can do.")
    elif len(spec.description) > 4000:
        add("description", "Keep the description to 4,000 characters.")
    for module in [*spec.required_modules, *spec.recert_modules]:
        if not module.is_published:
            add(
                "required_modules" if module in spec.required_modules else "recert_modules",
                f"“{module.title}” is not published.",
            )
    for path in [*spec.required_paths, *spec.recert_paths]:
        if path.status != "published":
            add(
                "required_paths" if path in spec.required_paths else "recert_paths",
                f"“{path.title}” is not published.",
            )
    if spec.min_score is not None:
        if not Decimal(0) <= spec.min_score <= Decimal(100):
            add("min_score", "A minimum score is a percentage from 0 to 100.")
        elif not _has_assessment(spec):
            add(
                "min_score",
                "A minimum score needs an assessment (a quiz or a scored package) among the "
                "required modules or paths.",
            )
    if spec.sign_off not in SignOff.values:
        add("sign_off", "Choose how the practical part is signed off.")
    elif spec.sign_off == SignOff.EXPERT and not spec.skills:
        add("skills", "An observed assessment is done by expert reviewers of its skills: add one.")
    if spec.validity_days is not None and not 1 <= spec.validity_days <= VALIDITY_DAYS_MAX:
        add("validity_days", f"Validity is from 1 to {VALIDITY_DAYS_MAX} days.")
    if not 1 <= spec.recertify_within_days <= RECERTIFY_DAYS_MAX:
        add("recertify_within_days", f"Choose from 1 to {RECERTIFY_DAYS_MAX} days.")
    elif spec.validity_days is not None and spec.recertify_within_days >= spec.validity_days:
        add(
            "recertify_within_days",
            "Recertification must open after the award, so fewer days than the validity.",
        )
    if spec.validity_days is None and (spec.recert_modules or spec.recert_paths):
        add("validity_days", "A certification with a recertification path needs a validity.")
    if errors:
        raise ValidationError(errors)


def _name_taken(name: str, *, exclude_pk: int | None = None) -> bool:
    """Another active certification has this name (in any case)."""
    same = Certification.objects.filter(name__iexact=name, is_active=True)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    return same.exists()


def _has_assessment(spec: CertificationSpec) -> bool:
    if any(selectors.is_assessment(m) for m in spec.required_modules):
        return True
    steps = content.path_module_ids([p.pk for p in spec.required_paths])
    wanted = set().union(*steps.values()) if steps else set()
    return any(selectors.is_assessment(m) for m in content.modules_by_ids(wanted).values())


def _apply(certification: Certification, spec: CertificationSpec) -> None:
    certification.name = spec.name.strip()
    certification.description = spec.description.strip()
    certification.min_score = spec.min_score
    certification.sign_off = spec.sign_off
    certification.validity_days = spec.validity_days
    certification.recertify_within_days = spec.recertify_within_days


def _set_relations(certification: Certification, spec: CertificationSpec) -> None:
    certification.skills.set(spec.skills)
    certification.required_modules.set(spec.required_modules)
    certification.required_paths.set(spec.required_paths)
    certification.recert_modules.set(spec.recert_modules)
    certification.recert_paths.set(spec.recert_paths)


@transaction.atomic
def certification_define(*, actor: User, spec: CertificationSpec) -> Certification:
    """Define a certification. People who already meet its criteria are certified by a
    background check once it is saved."""
    permissions.require(permissions.can_manage_certifications(actor))
    check_certification_spec(spec)
    certification = Certification(slug=_unique_slug(spec.name), created_by=actor)
    _apply(certification, spec)
    certification.full_clean(exclude=["skills", "required_modules", "required_paths"])
    certification.save()
    _set_relations(certification, spec)
    transaction.on_commit(partial(_enqueue_evaluation, certification.pk))
    return certification


@transaction.atomic
def certification_update(
    *, actor: User, certification: Certification, spec: CertificationSpec
) -> Certification:
    """Change a definition. Awards already made stand; new criteria apply from now on."""
    permissions.require(permissions.can_manage_certifications(actor))
    # Two admins saving at once: the later save wins whole, never a mix of both.
    locked = Certification.objects.select_for_update().get(pk=certification.pk)
    check_certification_spec(spec, exclude_pk=locked.pk)
    _apply(locked, spec)
    locked.full_clean(exclude=["skills", "required_modules", "required_paths"])
    locked.save()
    _set_relations(locked, spec)
    transaction.on_commit(partial(_enqueue_evaluation, locked.pk))
    return locked


@transaction.atomic
def certification_retire(*, actor: User, certification: Certification) -> Certification:
    """Stop awarding a certification. Holdings stay valid until they expire."""
    permissions.require(permissions.can_manage_certifications(actor))
    if not certification.is_active:
        raise ValidationError("This certification is already retired.")
    certification.is_active = False
    certification.save(update_fields=["is_active", "updated_at"])
    # Nobody can be signed off for what is no longer awarded.
    SignOffRequest.objects.filter(certification=certification, status=SignOffStatus.PENDING).update(
        status=SignOffStatus.DECLINED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note="The certification was retired.",
    )
    return certification


@transaction.atomic
def certification_restore(*, actor: User, certification: Certification) -> Certification:
    permissions.require(permissions.can_manage_certifications(actor))
    if certification.is_active:
        raise ValidationError("This certification is already awarded.")
    if _name_taken(certification.name, exclude_pk=certification.pk):
        raise ValidationError("An active certification has the same name: rename one first.")
    certification.is_active = True
    certification.save(update_fields=["is_active", "updated_at"])
    transaction.on_commit(partial(_enqueue_evaluation, certification.pk))
    return certification


# --- Awarding ------------------------------------------------------------------------------


def _expiry(certification: Certification, starts: datetime) -> datetime | None:
    if certification.validity_days is None:
        return None
    return starts + timedelta(days=certification.validity_days)


def _announce(award: CertificationAward) -> None:
    events.publish(
        events.CertificationEarned(
            award_id=award.pk,
            award_public_id=str(award.public_id),
            certification_public_id=str(award.certification.public_id),
            certification_name=award.certification.name,
            holder_id=award.holder_id,
            holder_public_id=str(award.holder.public_id),
            holder_name=award.holder.display_name,
            at=award.awarded_at,
            expires_at=award.expires_at,
            renewal=award.renews_id is not None,
        )
    )
    award_id = award.pk

    def notify() -> None:
        from peerpath.recognition import tasks

        tasks.send_award_notice.enqueue(award_id)

    transaction.on_commit(notify)


def _do_award(
    *,
    certification: Certification,
    holder: User,
    method: str,
    awarded_by: User | None = None,
    evidence: str = "",
    now: datetime | None = None,
) -> CertificationAward | None:
    """Make a first holding; None when one is already active (another request made it).

    Precondition: inside a transaction. The savepoint lets the unique constraint on
    active holdings decide a race without spoiling the caller's transaction.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            award = CertificationAward.objects.create(
                certification=certification,
                holder=holder,
                method=method,
                awarded_at=now,
                expires_at=_expiry(certification, now),
                awarded_by=awarded_by,
                evidence=evidence,
            )
    except IntegrityError:
        return None
    _announce(award)
    return award


def _do_renew(
    *,
    current: CertificationAward,
    method: str,
    awarded_by: User | None = None,
    evidence: str = "",
    now: datetime | None = None,
) -> CertificationAward | None:
    """Renew an active holding: the old one is kept as ``renewed``, a new one starts.

    The new validity runs from the old expiry, so recertifying early loses nothing.
    Precondition: inside a transaction; returns None when the holding is no longer active.
    """
    now = now or timezone.now()
    # Two events renewing at once (a pass and the path completion it causes, in two
    # requests): the lock and the status re-check let only one of them renew.
    locked = (
        CertificationAward.objects.select_for_update()
        .select_related("certification", "holder")
        .filter(pk=current.pk, status=AwardStatus.ACTIVE)
        .first()
    )
    if locked is None:
        return None
    locked.status = AwardStatus.RENEWED
    locked.save(update_fields=["status"])
    starts = max(now, locked.expires_at) if locked.expires_at else now
    award = CertificationAward.objects.create(
        certification=locked.certification,
        holder=locked.holder,
        method=method,
        awarded_at=now,
        expires_at=_expiry(locked.certification, starts),
        awarded_by=awarded_by,
        evidence=evidence,
        renews=locked,
    )
    _announce(award)
    return award


@transaction.atomic
def evaluate_for(
    person: User,
    *,
    certifications: Iterable[Certification] | None = None,
    now: datetime | None = None,
) -> list[CertificationAward]:
    """Award (or renew) every certification whose criteria the person now meets.

    Idempotent: a certification already held (outside its recertification window) is
    left alone, and repeating the call awards nothing new. ``certifications`` narrows the
    check to those a change concerns (prefetched with their criteria); by default every
    active certification is checked.
    """
    if not person.is_active:
        return []
    certs = [
        c
        for c in (
            selectors.certifications_for_catalog() if certifications is None else certifications
        )
        if c.is_active
    ]
    made = []
    for standing in selectors.standings_for(person, certs, now=now):
        if not standing.met:
            continue
        if standing.mode == selectors.RECERTIFY and standing.award is not None:
            award = _do_renew(current=standing.award, method=AwardMethod.RECERTIFIED, now=now)
        elif standing.mode == selectors.EARN:
            award = _do_award(
                certification=standing.certification,
                holder=person,
                method=AwardMethod.AUTOMATIC,
                now=now,
            )
        else:
            continue
        if award is not None:
            made.append(award)
    return made


def evaluate_all(*, certification: Certification | None = None) -> int:
    """Check the people who may meet the certifications' criteria now (after defining one,
    or from the command line); returns how many were awarded or renewed.

    Only people who completed one of the modules asked for (directly or through a path)
    can meet the criteria, so only they are checked, in batches.
    """
    certs = (
        [selectors.certification_by_slug(certification.slug)]
        if certification is not None
        else list(selectors.certifications_for_catalog())
    )
    found = [c for c in certs if c is not None and c.is_active]
    module_ids = selectors.module_ids_asked(found)
    if not module_ids:
        return 0
    candidates = (
        people.people_active()
        .filter(pk__in=learning.learners_who_completed(module_ids))
        .order_by("pk")
    )
    count = 0
    for person in candidates.iterator(chunk_size=500):
        count += len(evaluate_for(person, certifications=found))
    return count


def evaluate_certification(certification_id: int) -> int:
    """``evaluate_all`` for one certification, by id (as background work names it)."""
    found = Certification.objects.filter(pk=certification_id, is_active=True).first()
    return evaluate_all(certification=found) if found is not None else 0


def _enqueue_evaluation(certification_id: int) -> None:
    from peerpath.recognition import tasks

    tasks.evaluate_certification.enqueue(certification_id)


def _clean_evidence(evidence: str) -> str:
    text = re.sub(r"[ \t]+", " ", evidence.replace("\r\n", "\n")).strip()
    if len(text) < EVIDENCE_MIN:
        raise ValidationError(
            {"evidence": "Say what the award rests on: an assessment, a document, a date."}
        )
    if len(text) > 2000:
        raise ValidationError({"evidence": "Keep the evidence to 2,000 characters."})
    return text


@transaction.atomic
def award_manually(
    *, actor: User, certification: Certification, holder: User, evidence: str
) -> CertificationAward:
    """An admin awards a certification with the evidence it rests on. A holder within
    the recertification window is renewed; one who holds it otherwise is told so."""
    permissions.require(permissions.can_manage_certifications(actor))
    text = _clean_evidence(evidence)
    if not certification.is_active:
        raise ValidationError("This certification is retired and awards no more.")
    if not holder.is_active:
        raise ValidationError({"person": f"{holder.display_name} is no longer active."})
    current = (
        CertificationAward.objects.select_related("certification", "holder")
        .filter(certification=certification, holder=holder, status=AwardStatus.ACTIVE)
        .first()
    )
    now = timezone.now()
    if current is not None:
        opens = selectors.recertify_opens_at(current, certification)
        if opens is None or now < opens:
            until = (
                f" until {date_format(current.expires_at, 'j M Y')}" if current.expires_at else ""
            )
            raise ValidationError(
                {"person": f"{holder.display_name} already holds this certification{until}."}
            )
        award = _do_renew(
            current=current, method=AwardMethod.MANUAL, awarded_by=actor, evidence=text, now=now
        )
    else:
        award = _do_award(
            certification=certification,
            holder=holder,
            method=AwardMethod.MANUAL,
            awarded_by=actor,
            evidence=text,
            now=now,
        )
    if award is None:
        raise ValidationError(
            {"person": f"{holder.display_name} was certified a moment ago; reload to see it."}
        )
    return award


@transaction.atomic
def award_revoke(*, actor: User, award: CertificationAward, reason: str) -> CertificationAward:
    """Revoke a holding in force, with the reason (kept, and told to the holder)."""
    permissions.require(permissions.can_manage_certifications(actor))
    text = " ".join(reason.split())
    if not text:
        raise ValidationError({"reason": "Give the reason for revoking it."})
    if len(text) > 500:
        raise ValidationError({"reason": "Keep the reason to 500 characters."})
    # A renewal or another admin's revocation at the same moment: decide on the locked row.
    locked = (
        CertificationAward.objects.select_for_update()
        .select_related("certification", "holder")
        .filter(pk=award.pk)
        .first()
    )
    if locked is None or locked.status != AwardStatus.ACTIVE:
        raise ValidationError("Only a certification in force can be revoked.")
    locked.status = AwardStatus.REVOKED
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.revoked_reason = text
    locked.save(update_fields=["status", "revoked_at", "revoked_by", "revoked_reason"])
    events.publish(
        events.CertificationRevoked(award_id=locked.pk, holder_id=locked.holder_id, reason=text)
    )
    award_id = locked.pk

    def notify() -> None:
        from peerpath.recognition import tasks

        tasks.send_revocation_notice.enqueue(award_id)

    transaction.on_commit(notify)
    return locked


# --- Sign-offs -----------------------------------------------------------------------------


@transaction.atomic
def sign_off_request(
    *, candidate: User, certification: Certification, note: str = ""
) -> SignOffRequest:
    """The candidate asks for the practical part to be signed off."""
    if not (candidate.is_authenticated and candidate.is_active):
        raise ValidationError("Sign in to ask for a sign-off.")
    if not certification.is_active:
        raise ValidationError("This certification is retired.")
    if certification.sign_off == SignOff.NONE:
        raise ValidationError("This certification needs no sign-off.")
    text = note.strip()
    if len(text) > 1000:
        raise ValidationError({"note": "Keep the note to 1,000 characters."})
    standing = selectors.standing_of(candidate, certification)
    if standing.mode != selectors.EARN:
        raise ValidationError("You hold this certification already.")
    criterion = next(c for c in standing.criteria if c.kind == "sign_off")
    if criterion.met:
        raise ValidationError("You are signed off already.")
    if certification.sign_off == SignOff.MANAGER and candidate.manager_id is None:
        raise ValidationError(
            "You have no manager in Peerpath to sign this off: ask a learning admin."
        )
    try:
        with transaction.atomic():
            request = SignOffRequest.objects.create(
                certification=certification, candidate=candidate, note=text
            )
    except IntegrityError as exc:
        raise ValidationError("You have asked already; the request is waiting.") from exc
    request_id = request.pk

    def notify() -> None:
        from peerpath.recognition import tasks

        tasks.send_sign_off_requested.enqueue(request_id)

    transaction.on_commit(notify)
    return request


def _decide(*, actor: User, request: SignOffRequest, status: str, note: str) -> SignOffRequest:
    permissions.require(
        permissions.can_sign_off_certification(actor, request.candidate, request.certification)
    )
    text = note.strip()
    if len(text) > 1000:
        raise ValidationError({"note": "Keep the note to 1,000 characters."})
    # Two signers deciding the same request at once: the first decision stands.
    locked = (
        SignOffRequest.objects.select_for_update()
        .select_related("certification", "candidate")
        .filter(pk=request.pk)
        .first()
    )
    if locked is None or locked.status != SignOffStatus.PENDING:
        raise ValidationError("This request was decided already.")
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = text
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    request_id = locked.pk

    def notify() -> None:
        from peerpath.recognition import tasks

        tasks.send_sign_off_decided.enqueue(request_id)

    transaction.on_commit(notify)
    return locked


@transaction.atomic
def sign_off_approve(
    *, actor: User, request: SignOffRequest, note: str = ""
) -> tuple[SignOffRequest, CertificationAward | None]:
    """Sign off; the candidate is certified at once when the rest is already done."""
    decided = _decide(actor=actor, request=request, status=SignOffStatus.APPROVED, note=note)
    found = selectors.certification_by_slug(decided.certification.slug)
    made = evaluate_for(decided.candidate, certifications=[found] if found else [])
    return decided, (made[0] if made else None)


@transaction.atomic
def sign_off_decline(*, actor: User, request: SignOffRequest, note: str) -> SignOffRequest:
    """Not yet: the note tells the candidate what to work on; they may ask again."""
    if not note.strip():
        raise ValidationError({"note": "Tell them what to work on before asking again."})
    return _decide(actor=actor, request=request, status=SignOffStatus.DECLINED, note=note)


# --- Expiry --------------------------------------------------------------------------------


def awards_expire(*, now: datetime | None = None) -> int:
    """Mark holdings past their expiry as expired; returns how many."""
    now = now or timezone.now()
    due = list(
        CertificationAward.objects.filter(
            status=AwardStatus.ACTIVE, expires_at__lte=now
        ).values_list("pk", flat=True)[:5000]
    )
    expired = 0
    for award_id in due:
        with transaction.atomic():
            # A renewal at the same moment wins: only a row still active expires.
            changed = CertificationAward.objects.filter(
                pk=award_id, status=AwardStatus.ACTIVE, expires_at__lte=now
            ).update(status=AwardStatus.EXPIRED)
            if changed:
                expired += 1
                transaction.on_commit(partial(_enqueue_expired_notice, award_id))
    return expired


def _reminder_mark(days_left: int) -> int | None:
    """The tightest reminder mark reached: 45 days left is the 60-day reminder."""
    reached = [mark for mark in REMINDER_DAYS if days_left <= mark]
    return min(reached) if reached else None


def expiry_reminders_send(*, now: datetime | None = None) -> int:
    """Remind holders whose certification expires within 60, 30 or 7 days, once per mark;
    a holding that skipped a mark (awarded late, or the worker was down) gets only the
    tightest one. Returns how many reminders went out."""
    now = now or timezone.now()
    horizon = now + timedelta(days=max(REMINDER_DAYS))
    due = list(
        CertificationAward.objects.filter(
            status=AwardStatus.ACTIVE, expires_at__gt=now, expires_at__lte=horizon
        )
        .order_by("expires_at", "pk")
        .values_list("pk", "expires_at")[:5000]
    )
    sent = 0
    for award_id, expires_at in due:
        if expires_at is None:
            continue
        days_left = math.ceil((expires_at - now) / timedelta(days=1))
        mark = _reminder_mark(days_left)
        if mark is None:
            continue
        try:
            with transaction.atomic():
                # The unique (award, mark) row is the "sent once" guard between workers.
                ExpiryReminder.objects.create(award_id=award_id, days_before=mark, sent_at=now)
                award = (
                    CertificationAward.objects.select_related("certification", "holder")
                    .filter(pk=award_id)
                    .get()
                )
                _send_expiry_reminder(award, days_left)
        except IntegrityError:
            continue
        sent += 1
    return sent


# --- Email ---------------------------------------------------------------------------------


def _url(name: str, *args: object) -> str:
    return settings.BASE_URL + reverse(name, args=args or None)


def _send(person: User, subject: str, template: str, context: dict[str, object]) -> int:
    if not (person.is_active and person.email):
        return 0
    body = render_to_string(template, {"person": person, "org_name": settings.ORG_NAME, **context})
    message = EmailMessage(subject=subject, body=body, to=[person.email])
    return get_connection().send_messages([message]) or 0


def _send_expiry_reminder(award: CertificationAward, days_left: int) -> int:
    certification = award.certification
    return _send(
        award.holder,
        f"Your “{certification.name}” certification expires in {days_left} days",
        "recognition/email/certification_expiring.txt",
        {
            "award": award,
            "certification": certification,
            "days_left": days_left,
            "certificate_url": _url("recognition:certificate", award.public_id),
            "certification_url": _url("recognition:certification", certification.slug),
        },
    )


def _enqueue_expired_notice(award_id: int) -> None:
    from peerpath.recognition import tasks

    tasks.send_expired_notice.enqueue(award_id)


def _award_for_notice(award_id: int) -> CertificationAward | None:
    return (
        CertificationAward.objects.select_related("certification", "holder", "awarded_by")
        .filter(pk=award_id)
        .first()
    )


def send_award_notice(award_id: int) -> int:
    """Congratulate the holder, with the link to the certificate."""
    award = _award_for_notice(award_id)
    if award is None or award.status != AwardStatus.ACTIVE:
        return 0
    verb = "renewed" if award.renews_id else "earned"
    return _send(
        award.holder,
        f"You {verb} the “{award.certification.name}” certification",
        "recognition/email/certification_earned.txt",
        {
            "award": award,
            "verb": verb,
            "certificate_url": _url("recognition:certificate", award.public_id),
        },
    )


def send_revocation_notice(award_id: int) -> int:
    award = _award_for_notice(award_id)
    if award is None or award.status != AwardStatus.REVOKED:
        return 0
    return _send(
        award.holder,
        f"Your “{award.certification.name}” certification was revoked",
        "recognition/email/certification_revoked.txt",
        {
            "award": award,
            "certification_url": _url("recognition:certification", award.certification.slug),
        },
    )


def send_expired_notice(award_id: int) -> int:
    award = _award_for_notice(award_id)
    if award is None or award.status != AwardStatus.EXPIRED:
        return 0
    return _send(
        award.holder,
        f"Your “{award.certification.name}” certification has expired",
        "recognition/email/certification_expired.txt",
        {
            "award": award,
            "certification_url": _url("recognition:certification", award.certification.slug),
        },
    )


def sign_off_signers(request: SignOffRequest, *, limit: int = 20) -> list[User]:
    """Who is asked to sign off: the candidate's active manager (or the next one up), or
    the expert reviewers of the certification's skills; learning admins when nobody is."""
    certification = request.certification
    candidate = request.candidate
    found: list[User] = []
    if certification.sign_off == SignOff.MANAGER:
        manager = candidate.manager
        while manager is not None and not manager.is_active:
            manager = manager.manager
        if manager is not None:
            found = [manager]
    else:
        skill_paths = list(certification.skills.values_list("path", flat=True))
        found = list(people.reviewers_for_skill_paths(skill_paths).order_by("pk")[:limit])
    if not found:
        found = list(people.people_active().filter(is_learning_admin=True).order_by("pk")[:limit])
    return [u for u in found if u.pk != candidate.pk and u.is_active and u.email]


def send_sign_off_requested(request_id: int) -> int:
    request = (
        SignOffRequest.objects.select_related("certification", "candidate", "candidate__manager")
        .filter(pk=request_id, status=SignOffStatus.PENDING)
        .first()
    )
    if request is None:
        return 0
    sent = 0
    for signer in sign_off_signers(request):
        sent += _send(
            signer,
            f"Sign-off asked: {request.candidate.display_name}, {request.certification.name}",
            "recognition/email/sign_off_requested.txt",
            {"request": request, "queue_url": _url("recognition:sign_offs")},
        )
    return sent


def send_sign_off_decided(request_id: int) -> int:
    request = (
        SignOffRequest.objects.select_related("certification", "candidate", "decided_by")
        .filter(pk=request_id)
        .exclude(status=SignOffStatus.PENDING)
        .first()
    )
    if request is None:
        return 0
    approved = request.status == SignOffStatus.APPROVED
    return _send(
        request.candidate,
        f"{'Signed off' if approved else 'Not yet'}: {request.certification.name}",
        "recognition/email/sign_off_decided.txt",
        {
            "request": request,
            "approved": approved,
            "certification_url": _url("recognition:certification", request.certification.slug),
        },
    )


# --- Event reactions -----------------------------------------------------------------------


def on_learning_recorded(event: events.LearningRecorded) -> None:
    """A completion or a pass may meet a certification's criteria: check the ones that
    ask for this module or a path holding it."""
    if event.verb not in ("completed", "passed"):
        return
    certifications = list(
        selectors.certifications_for(event.module_public_id, (p.public_id for p in event.paths))
    )
    if not certifications:
        return
    person = people.person_by_public_id(event.learner_public_id)
    if person is not None:
        evaluate_for(person, certifications=certifications)


def on_path_completed(event: events.PathCompleted) -> None:
    certifications = list(selectors.certifications_for(None, [event.path_public_id]))
    if not certifications:
        return
    person = people.person_by_public_id(event.learner_public_id)
    if person is not None:
        evaluate_for(person, certifications=certifications)

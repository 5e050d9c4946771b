"""Certification pages: the catalog with each person's progress, a certification's page,
its definition by admins, awarding and revoking, sign-offs, and the certificate (page,
PDF and the public verification page)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerpath.content import selectors as content
from peerpath.core import permissions
from peerpath.core.forms import add_service_errors
from peerpath.core.http import AuthedRequest, choice_param
from peerpath.core.pagination import paginate
from peerpath.people import selectors as people
from peerpath.recognition import certificates, certifications
from peerpath.recognition import certification_selectors as selectors
from peerpath.recognition.certification_forms import (
    AwardForm,
    CertificationForm,
    DecisionForm,
    RevokeForm,
    SignOffAskForm,
)
from peerpath.recognition.models import AwardStatus, Certification, SignOff
from peerpath.skills import selectors as skills

if TYPE_CHECKING:
    from peerpath.content.models import LearningPath, Module

CHOICES_LIMIT = 500


def _may_sign_off_anything(request: AuthedRequest) -> bool:
    """Whether to show the sign-off queue link: managers, expert reviewers, admins."""
    user = request.user
    nav = permissions.navigation(user)
    return bool(nav["manager"] or nav["moderator"])


# --- Catalog and a certification's page -------------------------------------------------


@require_GET
def catalog(request: AuthedRequest) -> HttpResponse:
    can_manage = permissions.can_manage_certifications(request.user)
    certs = list(selectors.certifications_for_catalog(include_retired=can_manage))
    active = [c for c in certs if c.is_active]
    standings = selectors.standings_for(request.user, active)
    show_queue = _may_sign_off_anything(request)
    return render(
        request,
        "recognition/certifications/catalog.html",
        {
            "held": [s for s in standings if s.award is not None],
            "working": [s for s in standings if s.award is None],
            "retired": [c for c in certs if not c.is_active],
            "can_manage": can_manage,
            "show_queue": show_queue,
            "queue_count": selectors.sign_off_queue(request.user).count() if show_queue else 0,
        },
    )


@require_GET
def detail(request: AuthedRequest, slug: str) -> HttpResponse:
    certification = selectors.get_certification_for_user(request.user, slug)
    standing = selectors.standing_of(request.user, certification)
    history = list(selectors.awards_of(request.user).filter(certification=certification))
    return render(
        request,
        "recognition/certifications/detail.html",
        {
            "certification": certification,
            "standing": standing,
            "history": history,
            "ask_form": SignOffAskForm(),
            "can_manage": permissions.can_manage_certifications(request.user),
            "required_modules": sorted(certification.required_modules.all(), key=str),
            "required_paths": sorted(certification.required_paths.all(), key=str),
            "recert_modules": sorted(certification.recert_modules.all(), key=str),
            "recert_paths": sorted(certification.recert_paths.all(), key=str),
        },
    )


@require_GET
def by_id(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    """A certification's permanent address (the learning record names it so)."""
    found = Certification.objects.filter(public_id=public_id).values_list("slug", flat=True)
    slug = found.first()
    if slug is None:
        raise Http404("No such certification.")
    return redirect("recognition:certification", slug=slug)


@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    """Everything the person holds or held, with the certificates, and sign-offs asked."""
    awards = list(selectors.awards_of(request.user)[:200])
    return render(
        request,
        "recognition/certifications/mine.html",
        {
            "active": [a for a in awards if a.status == AwardStatus.ACTIVE],
            "past": [a for a in awards if a.status != AwardStatus.ACTIVE],
            "certifications_url": reverse("recognition:certifications"),
        },
    )


# --- Definitions (learning admins) -------------------------------------------------------


def _definition_form(
    request: AuthedRequest, certification: Certification | None = None
) -> CertificationForm:
    modules = list(content.modules_for_catalog().order_by("title")[:CHOICES_LIMIT])
    paths = list(content.paths_published()[:CHOICES_LIMIT])
    initial: dict[str, Any] = {}
    if certification is not None:
        # Keep what the certification asks for selectable even when it fell out of the
        # first page of the catalog.
        known = {m.pk for m in modules}
        extra = [
            m
            for m in [*certification.required_modules.all(), *certification.recert_modules.all()]
            if m.pk not in known and m.is_published
        ]
        modules = sorted({m.pk: m for m in [*modules, *extra]}.values(), key=str)
        initial = {
            "name": certification.name,
            "description": certification.description,
            "skills": [str(s.pk) for s in certification.skills.all()],
            "required_modules": [str(m.public_id) for m in certification.required_modules.all()],
            "required_paths": [str(p.public_id) for p in certification.required_paths.all()],
            "min_score": certification.min_score,
            "sign_off": certification.sign_off,
            "validity_days": certification.validity_days,
            "recertify_within_days": certification.recertify_within_days,
            "recert_modules": [str(m.public_id) for m in certification.recert_modules.all()],
            "recert_paths": [str(p.public_id) for p in certification.recert_paths.all()],
        }
    return CertificationForm(
        request.POST or None,
        initial=initial,
        skills=[
            (str(s.pk), s.path.replace("/", " › ")) for s in skills.skills_all()[:CHOICES_LIMIT]
        ],
        modules=[(str(m.public_id), m.title) for m in modules],
        paths=[(str(p.public_id), p.title) for p in paths],
    )


def _spec(form: CertificationForm) -> certifications.CertificationSpec:
    data = form.cleaned_data

    def modules(name: str) -> list[Module]:
        found = [content.module_by_public_id(v) for v in data[name]]
        return [m for m in found if m is not None]

    def paths(name: str) -> list[LearningPath]:
        found = [content.path_by_public_id(v) for v in data[name]]
        return [p for p in found if p is not None]

    chosen_skills = set(data["skills"])
    return certifications.CertificationSpec(
        name=data["name"],
        description=data["description"],
        skills=[s for s in skills.skills_all() if str(s.pk) in chosen_skills],
        required_modules=modules("required_modules"),
        required_paths=paths("required_paths"),
        min_score=data["min_score"],
        sign_off=data["sign_off"],
        validity_days=data["validity_days"],
        recertify_within_days=data["recertify_within_days"],
        recert_modules=modules("recert_modules"),
        recert_paths=paths("recert_paths"),
    )


@require_http_methods(["GET", "POST"])
def define(request: AuthedRequest) -> HttpResponse:
    permissions.require(permissions.can_manage_certifications(request.user))
    form = _definition_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            certification = certifications.certification_define(
                actor=request.user, spec=_spec(form)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{certification.name}” is in the catalog.")
            return redirect("recognition:certification", slug=certification.slug)
    return render(
        request, "recognition/certifications/form.html", {"form": form, "certification": None}
    )


@require_http_methods(["GET", "POST"])
def edit(request: AuthedRequest, slug: str) -> HttpResponse:
    certification = selectors.get_certification_for_user(request.user, slug, write=True)
    form = _definition_form(request, certification)
    if request.method == "POST" and form.is_valid():
        try:
            certifications.certification_update(
                actor=request.user, certification=certification, spec=_spec(form)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Saved. Awards already made stand as they are.")
            return redirect("recognition:certification", slug=certification.slug)
    return render(
        request,
        "recognition/certifications/form.html",
        {"form": form, "certification": certification},
    )


@require_POST
def retire(request: AuthedRequest, slug: str) -> HttpResponse:
    certification = selectors.get_certification_for_user(request.user, slug, write=True)
    try:
        if request.POST.get("restore"):
            certifications.certification_restore(actor=request.user, certification=certification)
            messages.success(request, f"“{certification.name}” is awarded again.")
        else:
            certifications.certification_retire(actor=request.user, certification=certification)
            messages.success(
                request, f"“{certification.name}” is retired; holdings stay valid until expiry."
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("recognition:certification", slug=certification.slug)


@require_GET
def holders(request: AuthedRequest, slug: str) -> HttpResponse:
    certification = selectors.get_certification_for_user(request.user, slug, write=True)
    status = choice_param(request, "status", [*AwardStatus.values, "all"], AwardStatus.ACTIVE)
    page = paginate(request, selectors.holders_of(certification, status=status), per_page=50)
    return render(
        request,
        "recognition/certifications/holders.html",
        {
            "certification": certification,
            "page": page,
            "status": status,
            "statuses": [
                (AwardStatus.ACTIVE.value, "In force"),
                *[(s.value, s.label) for s in AwardStatus if s != AwardStatus.ACTIVE],
                ("all", "All"),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def award(request: AuthedRequest, slug: str) -> HttpResponse:
    certification = selectors.get_certification_for_user(request.user, slug, write=True)
    form = AwardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        holder = people.person_by_email(form.cleaned_data["person"])
        if holder is None:
            form.add_error("person", "Nobody in Peerpath has this email address.")
        else:
            try:
                made = certifications.award_manually(
                    actor=request.user,
                    certification=certification,
                    holder=holder,
                    evidence=form.cleaned_data["evidence"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{holder.display_name} holds “{certification.name}”.")
                return redirect("recognition:certificate", public_id=made.public_id)
    return render(
        request,
        "recognition/certifications/award.html",
        {"certification": certification, "form": form},
    )


# --- Sign-offs -----------------------------------------------------------------------------


@require_POST
def sign_off_ask(request: AuthedRequest, slug: str) -> HttpResponse:
    certification = selectors.get_certification_for_user(request.user, slug)
    form = SignOffAskForm(request.POST)
    if form.is_valid():
        try:
            certifications.sign_off_request(
                candidate=request.user,
                certification=certification,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            who = "your manager" if certification.sign_off == SignOff.MANAGER else "an expert"
            messages.success(request, f"Asked: {who} will be in touch to sign it off.")
    else:
        messages.error(request, "Keep the note to 1,000 characters.")
    return redirect("recognition:certification", slug=certification.slug)


@require_GET
def sign_offs(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, selectors.sign_off_queue(request.user), per_page=30)
    return render(
        request,
        "recognition/certifications/sign_offs.html",
        {
            "page": page,
            "decided": selectors.sign_off_decided_by(request.user),
            "form": DecisionForm(),
        },
    )


@require_POST
def sign_off_decide(request: AuthedRequest, public_id: uuid.UUID, decision: str) -> HttpResponse:
    sign_off = selectors.get_sign_off_for_user(request.user, public_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    name = sign_off.candidate.display_name
    try:
        if decision == "approve":
            _, made = certifications.sign_off_approve(
                actor=request.user, request=sign_off, note=note
            )
            text = f"Signed off {name}."
            if made is not None:
                text += f" {name} is now certified."
            messages.success(request, text)
        else:
            certifications.sign_off_decline(actor=request.user, request=sign_off, note=note)
            messages.success(request, f"Told {name} what to work on.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("recognition:sign_offs")


# --- Certificates --------------------------------------------------------------------------


@require_GET
def certificate(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    award = selectors.get_award_for_user(request.user, public_id)
    url = certificates.verification_url(award)
    return render(
        request,
        "recognition/certificates/certificate.html",
        {
            "award": award,
            "text": certificates.certificate_text(award),
            "verify_url": url,
            "qr": certificates.qr_svg(url),
            "history": selectors.award_history(award),
            "is_holder": award.holder_id == request.user.pk,
            "can_revoke": permissions.can_manage_certifications(request.user)
            and award.status == AwardStatus.ACTIVE,
        },
    )


@require_GET
def certificate_pdf(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    award = selectors.get_award_for_user(request.user, public_id)
    response = HttpResponse(certificates.certificate_pdf(award), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=True, filename=certificates.certificate_filename(award)
        )
        or "attachment"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_not_required
@require_GET
def certificate_verify(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Public: whoever holds a printed certificate checks it here. It shows the holder's
    name, the certification, the dates and the status, and nothing else."""
    award = selectors.award_by_public_id(public_id)
    if award is None:
        raise Http404("No certificate has this code.")
    text = certificates.certificate_text(award)
    response = render(
        request,
        "recognition/certificates/verify.html",
        {"award": award, "text": text, "in_force": not text.status},
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@require_http_methods(["GET", "POST"])
def certificate_revoke(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    award = selectors.get_award_for_user(request.user, public_id)
    permissions.require(permissions.can_manage_certifications(request.user))
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certifications.award_revoke(
                actor=request.user, award=award, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Revoked. The holder has been told why.")
            return redirect(reverse("recognition:certificate", args=[award.public_id]))
    return render(request, "recognition/certificates/revoke.html", {"award": award, "form": form})

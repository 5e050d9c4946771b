"""Certifications are awarded when their criteria are met, once, and renewed by
recertification; admins award by hand with evidence and revoke with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peerpath.core import events
from peerpath.learning import services as learning
from peerpath.lrs.models import Statement
from peerpath.people.models import ExpertReviewer
from peerpath.recognition import certification_selectors as selectors
from peerpath.recognition import certifications
from peerpath.recognition.models import (
    AwardMethod,
    AwardStatus,
    Certification,
    CertificationAward,
    SignOff,
    SignOffRequest,
    SignOffStatus,
)
from tests.factories import ModuleFactory, SkillFactory
from tests.recognition.factories import (
    QUIZ_HALF,
    QUIZ_RIGHT,
    CertificationFactory,
    quiz_module,
    security_path,
)

pytestmark = pytest.mark.django_db


def _define(org, **kwargs):
    spec = certifications.CertificationSpec(
        name=kwargs.pop("name", "Security certified"),
        description=kwargs.pop("description", "Knows and follows the security habits."),
        **kwargs,
    )
    return certifications.certification_define(actor=org.admin, spec=spec)


@pytest.fixture
def security(org):
    path, articles, quiz = security_path(org.lead)
    certification = _define(org, required_paths=[path], min_score=Decimal(80), validity_days=365)
    return certification, path, articles, quiz


@pytest.fixture
def earned(org):
    """Collect the CertificationEarned events published during a test."""
    seen: list[events.CertificationEarned] = []
    events.subscribe(events.CertificationEarned, seen.append)
    yield seen
    events._handlers[events.CertificationEarned].remove(seen.append)


def _finish_path(person, articles, quiz, answers=QUIZ_RIGHT):
    for article in articles:
        learning.progress_complete(user=person, module=article)
    return learning.quiz_submit(user=person, module=quiz, answers=answers)


# --- Definitions -----------------------------------------------------------------------


def test_an_admin_defines_a_certification_with_its_criteria(org, security):
    certification, path, _, _ = security
    assert certification.slug == "security-certified"
    assert list(certification.required_paths.all()) == [path]
    assert certification.min_score == Decimal(80)
    assert certification.created_by == org.admin


def test_only_learning_admins_define_certifications(org):
    with pytest.raises(PermissionDenied):
        certifications.certification_define(
            actor=org.manager,
            spec=certifications.CertificationSpec(name="X", description="Y"),
        )
    assert not Certification.objects.exists()


def test_a_definition_is_checked_field_by_field(org):
    draft = ModuleFactory(author=org.lead, publish=False, title="Unfinished")
    article = ModuleFactory(author=org.lead)
    spec = certifications.CertificationSpec(
        name=" ",
        description="",
        required_modules=[draft, article],
        min_score=Decimal(70),
        sign_off=SignOff.EXPERT,
        validity_days=30,
        recertify_within_days=60,
    )
    with pytest.raises(ValidationError) as exc:
        certifications.certification_define(actor=org.admin, spec=spec)
    errors = exc.value.message_dict
    assert errors["name"] == ["Give the certification a name."]
    assert errors["required_modules"] == ["“Unfinished” is not published."]
    assert "needs an assessment" in errors["min_score"][0]
    assert "expert reviewers of its skills" in errors["skills"][0]
    assert "fewer days than the validity" in errors["recertify_within_days"][0]
    assert not Certification.objects.exists()


def test_names_of_active_certifications_are_unique_and_slugs_avoid_page_names(org):
    _define(org, name="New")
    with pytest.raises(ValidationError, match="already has this name"):
        _define(org, name="new")
    assert Certification.objects.get().slug == "new-certification"


def test_retiring_stops_awards_but_keeps_holdings(org, security):
    certification, _, articles, quiz = security
    certifications.certification_retire(actor=org.admin, certification=certification)
    _finish_path(org.member, articles, quiz)
    assert not CertificationAward.objects.exists()
    with pytest.raises(ValidationError, match="retired"):
        certifications.award_manually(
            actor=org.admin,
            certification=certification,
            holder=org.member,
            evidence="Passed the external exam in May.",
        )


# --- Automatic awards ------------------------------------------------------------------


def test_finishing_the_path_and_passing_its_assessment_certifies_at_once(org, security, earned):
    certification, _, articles, quiz = security
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        _finish_path(org.member, articles, quiz)
    award = CertificationAward.objects.get()
    assert (award.holder, award.certification, award.method, award.status) == (
        org.member,
        certification,
        AwardMethod.AUTOMATIC,
        AwardStatus.ACTIVE,
    )
    assert award.expires_at == dt.datetime(2027, 3, 2, 9, tzinfo=dt.UTC)
    # Announced once, though the pass, the completion and the path each re-checked it.
    assert [(e.award_id, e.holder_id, e.renewal) for e in earned] == [
        (award.pk, org.member.pk, False)
    ]


def test_nothing_is_awarded_until_every_criterion_is_met(org, security):
    _, _, articles, quiz = security
    learning.progress_complete(user=org.member, module=articles[0])
    learning.quiz_submit(user=org.member, module=quiz, answers=QUIZ_RIGHT)
    assert not CertificationAward.objects.exists()
    standing = selectors.standing_of(org.member, security[0])
    assert [(c.kind, c.met) for c in standing.criteria] == [("path", False), ("score", True)]
    assert standing.criteria[0].detail == "2 of 3 modules"


def test_a_pass_below_the_minimum_score_does_not_certify(org, security):
    _, _, articles, quiz = security
    _finish_path(org.member, articles, quiz, answers=QUIZ_HALF)  # 50%: passes the quiz
    assert not CertificationAward.objects.exists()
    score = selectors.standing_of(org.member, security[0]).criteria[1]
    assert (score.label, score.met, score.detail) == (
        "Security basics check: 80% or more",
        False,
        "Best score 50%",
    )


def test_evaluating_again_awards_nothing_new(org, security):
    _, _, articles, quiz = security
    _finish_path(org.member, articles, quiz)
    assert certifications.evaluate_for(org.member) == []
    assert certifications.evaluate_all() == 0
    assert CertificationAward.objects.count() == 1


def test_evaluate_all_certifies_those_who_met_new_criteria_before_they_were_defined(org):
    article = ModuleFactory(author=org.lead)
    learning.progress_complete(user=org.member, module=article)
    certification = _define(org, required_modules=[article])
    assert not CertificationAward.objects.exists()
    assert certifications.evaluate_all(certification=certification) == 1
    assert CertificationAward.objects.get().holder == org.member


def test_the_earned_certification_is_in_the_learning_record(org, security):
    certification, _, articles, quiz = security
    _finish_path(org.member, articles, quiz)
    award = CertificationAward.objects.get()
    stored = Statement.objects.get(verb_id="http://id.tincanapi.com/verb/earned").data
    assert stored["actor"]["account"]["name"] == str(org.member.public_id)
    assert stored["object"]["id"].endswith(f"/certifications/id/{certification.public_id}/")
    assert stored["object"]["definition"]["name"] == {"en-US": "Security certified"}
    assert stored["result"] == {"success": True, "completion": True}
    [url] = stored["context"]["extensions"].values()
    assert url.endswith(f"/certificates/{award.public_id}/verify/")


def test_the_holder_is_emailed_with_the_certificate_link(
    org, security, django_capture_on_commit_callbacks
):
    _, _, articles, quiz = security
    with django_capture_on_commit_callbacks(execute=True):
        _finish_path(org.member, articles, quiz)
    award = CertificationAward.objects.get()
    [message] = mail.outbox
    assert message.to == [org.member.email]
    assert message.subject == "You earned the “Security certified” certification"
    assert f"/certificates/{award.public_id}/" in message.body


def test_a_failed_package_or_unfinished_module_keeps_the_criterion_open(org):
    article = ModuleFactory(author=org.lead, title="Clean desk")
    certification = _define(org, required_modules=[article])
    learning.progress_open(user=org.member, module=article)
    [criterion] = selectors.standing_of(org.member, certification).criteria
    assert (criterion.met, criterion.detail) == (False, "In progress")


def test_a_person_who_left_is_not_certified(org):
    article = ModuleFactory(author=org.lead)
    learning.progress_complete(user=org.member, module=article)
    _define(org, required_modules=[article])
    org.member.is_active = False
    org.member.save(update_fields=["is_active"])
    assert certifications.evaluate_for(org.member) == []
    assert certifications.evaluate_all() == 0


# --- Sign-offs -------------------------------------------------------------------------


@pytest.fixture
def signed(org):
    article = ModuleFactory(author=org.lead, title="Fire drill")
    certification = _define(
        org, name="Fire warden", required_modules=[article], sign_off=SignOff.MANAGER
    )
    return certification, article


def test_a_manager_sign_off_completes_the_certification(
    org, signed, django_capture_on_commit_callbacks
):
    certification, article = signed
    learning.progress_complete(user=org.member, module=article)
    assert not CertificationAward.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        request = certifications.sign_off_request(
            candidate=org.member, certification=certification, note="Ready when you are."
        )
    assert [m.to for m in mail.outbox] == [[org.manager.email]]
    with django_capture_on_commit_callbacks(execute=True):
        decided, award = certifications.sign_off_approve(
            actor=org.manager, request=request, note="Well done."
        )
    assert decided.status == SignOffStatus.APPROVED
    assert award is not None
    assert award.holder == org.member
    assert mail.outbox[-2].to == [org.member.email]  # signed off, then certified


def test_only_those_above_the_candidate_sign_off(org, signed):
    certification, _ = signed
    request = certifications.sign_off_request(candidate=org.member, certification=certification)
    for someone in (org.outsider, org.lead, org.member):
        with pytest.raises(PermissionDenied):
            certifications.sign_off_approve(actor=someone, request=request)
    request.refresh_from_db()
    assert request.status == SignOffStatus.PENDING


def test_a_sign_off_is_asked_once_at_a_time_and_decided_once(org, signed):
    certification, _ = signed
    request = certifications.sign_off_request(candidate=org.member, certification=certification)
    with pytest.raises(ValidationError, match="asked already"):
        certifications.sign_off_request(candidate=org.member, certification=certification)
    with pytest.raises(ValidationError):
        certifications.sign_off_decline(actor=org.manager, request=request, note="")
    certifications.sign_off_decline(actor=org.manager, request=request, note="Practise the drill.")
    with pytest.raises(ValidationError, match="decided already"):
        certifications.sign_off_approve(actor=org.manager, request=request)
    # After "not yet" they may ask again.
    again = certifications.sign_off_request(candidate=org.member, certification=certification)
    assert again.pk != request.pk


def test_an_observed_assessment_is_signed_off_by_expert_reviewers_of_its_skills(org):
    skill = SkillFactory(name="First aid")
    article = ModuleFactory(author=org.lead)
    certification = _define(
        org, name="First aider", skills=[skill], required_modules=[article], sign_off=SignOff.EXPERT
    )
    ExpertReviewer.objects.create(user=org.outsider, skill=skill)
    request = certifications.sign_off_request(candidate=org.member, certification=certification)
    assert list(selectors.sign_off_queue(org.outsider)) == [request]
    assert list(selectors.sign_off_queue(org.manager)) == []
    certifications.sign_off_approve(actor=org.outsider, request=request)
    assert not CertificationAward.objects.exists()  # the module is still to do
    learning.progress_complete(user=org.member, module=article)
    assert CertificationAward.objects.get().holder == org.member


def test_the_queue_shows_managers_their_reports_requests_only(org, signed):
    certification, _ = signed
    mine = certifications.sign_off_request(candidate=org.deep, certification=certification)
    assert list(selectors.sign_off_queue(org.lead)) == [mine]
    assert list(selectors.sign_off_queue(org.manager)) == [mine]
    assert list(selectors.sign_off_queue(org.outsider)) == []
    assert list(selectors.sign_off_queue(org.admin)) == [mine]


def test_retiring_closes_pending_sign_offs(org, signed):
    certification, _ = signed
    certifications.sign_off_request(candidate=org.member, certification=certification)
    certifications.certification_retire(actor=org.admin, certification=certification)
    assert SignOffRequest.objects.get().status == SignOffStatus.DECLINED


# --- Manual awards and revocation ------------------------------------------------------


def test_an_admin_awards_by_hand_with_evidence(org, earned):
    certification = CertificationFactory(validity_days=None)
    award = certifications.award_manually(
        actor=org.admin,
        certification=certification,
        holder=org.member,
        evidence="Passed the external CISSP exam, certificate no. 1234.",
    )
    assert (award.method, award.awarded_by, award.expires_at) == (
        AwardMethod.MANUAL,
        org.admin,
        None,
    )
    assert "CISSP" in award.evidence
    assert len(earned) == 1
    with pytest.raises(ValidationError, match="already holds"):
        certifications.award_manually(
            actor=org.admin,
            certification=certification,
            holder=org.member,
            evidence="Passed the exam once more.",
        )


def test_a_manual_award_needs_evidence_and_an_admin(org):
    certification = CertificationFactory()
    with pytest.raises(ValidationError) as exc:
        certifications.award_manually(
            actor=org.admin, certification=certification, holder=org.member, evidence="ok"
        )
    assert "evidence" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        certifications.award_manually(
            actor=org.manager,
            certification=certification,
            holder=org.member,
            evidence="My report is great at this.",
        )
    assert not CertificationAward.objects.exists()


def test_revoking_keeps_the_reason_and_announces_it(org, django_capture_on_commit_callbacks):
    certification = CertificationFactory()
    award = certifications.award_manually(
        actor=org.admin,
        certification=certification,
        holder=org.member,
        evidence="Observed on the floor on 3 March.",
    )
    revoked: list[events.CertificationRevoked] = []
    events.subscribe(events.CertificationRevoked, revoked.append)
    try:
        with pytest.raises(ValidationError):
            certifications.award_revoke(actor=org.admin, award=award, reason="  ")
        with pytest.raises(PermissionDenied):
            certifications.award_revoke(actor=org.manager, award=award, reason="No.")
        with django_capture_on_commit_callbacks(execute=True):
            certifications.award_revoke(
                actor=org.admin, award=award, reason="The exam result was withdrawn."
            )
    finally:
        events._handlers[events.CertificationRevoked].remove(revoked.append)
    award.refresh_from_db()
    assert (award.status, award.revoked_by, award.revoked_reason) == (
        AwardStatus.REVOKED,
        org.admin,
        "The exam result was withdrawn.",
    )
    assert [(e.award_id, e.reason) for e in revoked] == [
        (award.pk, "The exam result was withdrawn.")
    ]
    assert "withdrawn" in mail.outbox[-1].body
    with pytest.raises(ValidationError, match="in force"):
        certifications.award_revoke(actor=org.admin, award=award, reason="Again.")


def test_after_a_revocation_only_new_work_certifies_again(org):
    article = ModuleFactory(author=org.lead)
    certification = _define(org, required_modules=[article])
    with time_machine.travel(dt.datetime(2026, 1, 5, tzinfo=dt.UTC), tick=False):
        learning.progress_complete(user=org.member, module=article)
    award = CertificationAward.objects.get()
    with time_machine.travel(dt.datetime(2026, 2, 5, tzinfo=dt.UTC), tick=False):
        certifications.award_revoke(actor=org.admin, award=award, reason="Shared answers.")
        assert certifications.evaluate_for(org.member) == []
    with time_machine.travel(dt.datetime(2026, 2, 9, tzinfo=dt.UTC), tick=False):
        learning.progress_open(user=org.member, module=article)
        [again] = certifications.evaluate_for(org.member)
    assert again.pk != award.pk
    assert again.method == AwardMethod.AUTOMATIC
    assert certification.awards.count() == 2


# --- Recertification -------------------------------------------------------------------


@pytest.fixture
def renewable(org):
    course = ModuleFactory(author=org.lead, title="Full course")
    refresher = quiz_module(org.lead, title="Annual refresher")
    certification = _define(
        org,
        name="Cash handling",
        required_modules=[course],
        validity_days=365,
        recertify_within_days=60,
        recert_modules=[refresher],
    )
    return certification, course, refresher


def test_recertifying_in_the_window_renews_and_keeps_the_history(org, renewable, earned):
    certification, course, refresher = renewable
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
        learning.progress_complete(user=org.member, module=course)
        # The refresher done now is not a recertification: it is too early.
        learning.quiz_submit(user=org.member, module=refresher, answers=QUIZ_RIGHT)
    first = CertificationAward.objects.get()
    assert first.expires_at == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2026, 11, 20, tzinfo=dt.UTC), tick=False):
        standing = selectors.standing_of(org.member, certification)
        assert standing.mode == selectors.RECERTIFY
        assert [(c.label, c.met) for c in standing.criteria] == [("Annual refresher", False)]
        learning.quiz_submit(user=org.member, module=refresher, answers=QUIZ_RIGHT)
    first.refresh_from_db()
    renewal = CertificationAward.objects.get(status=AwardStatus.ACTIVE)
    assert first.status == AwardStatus.RENEWED
    assert (renewal.renews, renewal.method) == (first, AwardMethod.RECERTIFIED)
    # The new validity runs from the old expiry: recertifying early loses nothing.
    assert renewal.expires_at == dt.datetime(2028, 1, 1, tzinfo=dt.UTC)
    assert [e.renewal for e in earned] == [False, True]


def test_nothing_is_asked_before_the_window_opens(org, renewable):
    certification, course, refresher = renewable
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
        learning.progress_complete(user=org.member, module=course)
    with time_machine.travel(dt.datetime(2026, 10, 1, tzinfo=dt.UTC), tick=False):
        learning.quiz_submit(user=org.member, module=refresher, answers=QUIZ_RIGHT)
        standing = selectors.standing_of(org.member, certification)
    assert standing.mode == selectors.HELD
    assert standing.recertify_from == dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    assert CertificationAward.objects.count() == 1


def test_an_admin_renews_by_hand_inside_the_window(org, renewable):
    certification, course, _ = renewable
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
        learning.progress_complete(user=org.member, module=course)
    with time_machine.travel(dt.datetime(2026, 12, 1, tzinfo=dt.UTC), tick=False):
        renewal = certifications.award_manually(
            actor=org.admin,
            certification=certification,
            holder=org.member,
            evidence="Observed the annual cash-up on 30 November.",
        )
    assert renewal.renews is not None
    assert renewal.method == AwardMethod.MANUAL


def test_after_expiry_the_full_criteria_are_asked_again_with_fresh_work(org, renewable):
    certification, course, _ = renewable
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
        learning.progress_complete(user=org.member, module=course)
    with time_machine.travel(dt.datetime(2027, 1, 2, tzinfo=dt.UTC), tick=False):
        assert certifications.awards_expire() == 1
        # The old completion does not certify anew.
        assert certifications.evaluate_for(org.member) == []
        standing = selectors.standing_of(org.member, certification)
        assert standing.status_label == "Expired"
        assert standing.criteria[0].detail == "Done before: do it again to count now"
        learning.progress_open(user=org.member, module=course)
        [again] = certifications.evaluate_for(org.member)
    assert again.renews is None
    assert again.method == AwardMethod.AUTOMATIC


def test_defining_a_certification_certifies_those_already_meeting_it(
    org, django_capture_on_commit_callbacks
):
    article = ModuleFactory(author=org.lead)
    other = ModuleFactory(author=org.lead)
    learning.progress_complete(user=org.member, module=article)
    learning.progress_complete(user=org.lead, module=other)
    with django_capture_on_commit_callbacks(execute=True):
        _define(org, required_modules=[article])
    assert list(CertificationAward.objects.values_list("holder", flat=True)) == [org.member.pk]


def test_a_second_award_racing_the_first_makes_nothing(org):
    certification = CertificationFactory()
    first = certifications._do_award(
        certification=certification, holder=org.member, method=AwardMethod.AUTOMATIC
    )
    second = certifications._do_award(
        certification=certification, holder=org.member, method=AwardMethod.AUTOMATIC
    )
    assert first is not None
    assert second is None
    assert CertificationAward.objects.count() == 1


def test_a_renewal_of_a_holding_no_longer_in_force_makes_nothing(org):
    certification = CertificationFactory()
    award = certifications.award_manually(
        actor=org.admin,
        certification=certification,
        holder=org.member,
        evidence="Observed on the floor on 3 March.",
    )
    certifications.award_revoke(actor=org.admin, award=award, reason="Mistake.")
    assert certifications._do_renew(current=award, method=AwardMethod.RECERTIFIED) is None
    assert CertificationAward.objects.count() == 1


def test_unrelated_learning_checks_no_certification(org, security):
    other = ModuleFactory(author=org.lead)
    learning.progress_open(user=org.member, module=other)
    with CaptureQueriesContext(connection) as captured:
        learning.progress_complete(user=org.member, module=other)
    asked = [q["sql"] for q in captured.captured_queries if "recognition_certification" in q["sql"]]
    assert len(asked) == 1  # which certifications ask for this module: none

"""Summaries and endorsements: who writes, who votes, how the score and audience move."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from peerpath.learning import services as learning
from peerpath.notifications.models import Kind, Notification
from peerpath.people.models import ExpertReviewer, User
from peerpath.recognition.models import PointAction, PointEntry
from peerpath.social import summaries
from peerpath.social.models import (
    Audience,
    ContentReport,
    Summary,
    SummaryKind,
    SummaryVote,
)
from tests.factories import ModuleFactory, SkillFactory, TeamFactory, UserFactory
from tests.social.factories import SummaryFactory

# --- The score --------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=0, max_value=100_000))
def test_the_score_stays_between_zero_and_the_share_of_helpful_votes(helpful, unhelpful):
    total = helpful + unhelpful
    score = summaries.wilson_lower_bound(helpful, total)
    assert 0.0 <= score <= 1.0
    if total:
        assert score <= helpful / total + 1e-12


@given(st.integers(min_value=0, max_value=2_000), st.integers(min_value=1, max_value=2_000))
def test_one_more_helpful_vote_never_lowers_the_score(helpful, unhelpful):
    total = helpful + unhelpful
    assert summaries.wilson_lower_bound(helpful + 1, total + 1) > summaries.wilson_lower_bound(
        helpful, total
    )
    # ...and one more unhelpful vote never raises it.
    assert summaries.wilson_lower_bound(helpful, total + 1) <= summaries.wilson_lower_bound(
        helpful, total
    )


@given(
    st.integers(min_value=1, max_value=50),
    st.integers(min_value=0, max_value=50),
    st.integers(min_value=2, max_value=20),
)
def test_the_same_share_from_more_votes_scores_higher(helpful, unhelpful, factor):
    total = helpful + unhelpful
    fewer = summaries.wilson_lower_bound(helpful, total)
    more = summaries.wilson_lower_bound(helpful * factor, total * factor)
    assert more > fewer


def test_confidence_beats_raw_share_and_no_votes_score_zero():
    assert summaries.wilson_lower_bound(0, 0) == 0.0
    # Two out of two is less certain than forty out of fifty.
    assert summaries.wilson_lower_bound(2, 2) < summaries.wilson_lower_bound(40, 50)
    assert summaries.wilson_lower_bound(5, 5) == pytest.approx(0.5655, abs=1e-4)
    with pytest.raises(ValueError, match="between 0 and the total"):
        summaries.wilson_lower_bound(3, 2)


def test_the_thresholds_earn_the_documented_audiences():
    earned = summaries.audience_earned
    assert earned(helpful=4, unhelpful=0) == Audience.TEAM  # too few votes
    assert earned(helpful=5, unhelpful=0) == Audience.DEPARTMENT
    assert earned(helpful=11, unhelpful=4) == Audience.TEAM
    assert earned(helpful=15, unhelpful=0) == Audience.ORGANISATION
    assert earned(helpful=24, unhelpful=1) == Audience.ORGANISATION
    assert earned(helpful=40, unhelpful=10) == Audience.DEPARTMENT


def test_the_promotion_notice_kind_is_a_real_notification_kind():
    assert summaries.PROMOTED_NOTICE == Kind.SUMMARY_PROMOTED


# --- Writing --------------------------------------------------------------------------------


@pytest.fixture
def course(org):
    return ModuleFactory(author=org.outsider, title="Warm transfers")


def test_a_learner_who_completed_the_module_writes_a_summary_for_their_team(org, course):
    learning.progress_complete(user=org.member, module=course)

    summary = summaries.summary_write(
        author=org.member, module=course, kind=SummaryKind.SUMMARY, body="  Say who you are.  "
    )

    assert summary.body == "Say who you are."
    assert summary.audience == Audience.TEAM
    assert summary.promoted_at is not None
    assert summary.team_id == org.member.team_id
    assert summary.department_id == org.member.team.department_id
    assert (summary.score, summary.helpful_count, summary.unhelpful_count) == (0.0, 0, 0)


def test_a_summary_and_an_endorsement_may_both_be_written_but_each_once(org, course):
    SummaryFactory(author=org.member, module=course)
    summaries.summary_write(
        author=org.member, module=course, kind=SummaryKind.ENDORSEMENT, body="It helped."
    )

    with pytest.raises(ValidationError, match="already wrote a summary"):
        summaries.summary_write(
            author=org.member, module=course, kind=SummaryKind.SUMMARY, body="Again"
        )
    assert Summary.objects.filter(author=org.member).count() == 2


def test_writing_needs_a_completion(org, course):
    with pytest.raises(ValidationError, match="Complete the module first"):
        summaries.summary_write(
            author=org.member, module=course, kind=SummaryKind.SUMMARY, body="Guessing"
        )
    assert not Summary.objects.exists()


def test_the_modules_author_does_not_summarise_it(org, course):
    with pytest.raises(PermissionDenied):
        summaries.summary_write(
            author=org.outsider, module=course, kind=SummaryKind.SUMMARY, body="Mine is great"
        )
    assert not Summary.objects.exists()


def test_nobody_summarises_a_draft(org):
    draft = ModuleFactory(author=org.outsider, publish=False)
    with pytest.raises(PermissionDenied):
        summaries.summary_write(
            author=org.member, module=draft, kind=SummaryKind.SUMMARY, body="Secret"
        )


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "Write a few words"), ("x" * 501, "Keep it to 500 characters \\(this is 501\\)")],
)
def test_empty_or_long_text_is_refused(org, course, body, message):
    learning.progress_complete(user=org.member, module=course)
    with pytest.raises(ValidationError, match=message):
        summaries.summary_write(
            author=org.member, module=course, kind=SummaryKind.SUMMARY, body=body
        )
    assert not Summary.objects.exists()


def test_exactly_500_characters_is_fine_and_an_unknown_kind_is_not(org, course):
    learning.progress_complete(user=org.member, module=course)
    assert summaries.summary_write(
        author=org.member, module=course, kind=SummaryKind.SUMMARY, body="x" * 500
    )
    with pytest.raises(ValidationError, match="summary or an endorsement"):
        summaries.summary_write(author=org.member, module=course, kind="review", body="x")


def test_only_the_author_edits_and_the_edit_is_marked(org, course):
    summary = SummaryFactory(author=org.member, module=course, body="First words")

    with pytest.raises(PermissionDenied):
        summaries.summary_edit(actor=org.lead, summary=summary, body="Not theirs")
    summary.refresh_from_db()
    assert (summary.body, summary.edited_at) == ("First words", None)

    summaries.summary_edit(actor=org.member, summary=summary, body="Better words")
    summary.refresh_from_db()
    assert summary.body == "Better words"
    assert summary.edited_at is not None


def test_a_hidden_summary_cannot_be_edited_or_voted_on(org, course):
    summary = SummaryFactory(author=org.member, module=course)
    summaries.summary_hidden_set(summary=summary, hidden=True)
    summary.refresh_from_db()

    with pytest.raises(ValidationError, match="hid"):
        summaries.summary_edit(actor=org.member, summary=summary, body="Sneaky")
    with pytest.raises(ValidationError, match="hid"):
        summaries.summary_vote(voter=org.lead, summary=summary, helpful=True)
    assert not SummaryVote.objects.exists()
    assert summaries.top_summary(course) is None
    assert list(summaries.summaries_ranked(course)) == []


# --- Voting -----------------------------------------------------------------------------------


def test_votes_change_the_counts_and_score_together(org, course):
    summary = SummaryFactory(author=org.member, module=course)

    summaries.summary_vote(voter=org.lead, summary=summary, helpful=True)
    summaries.summary_vote(voter=org.deep, summary=summary, helpful=False)
    summary.refresh_from_db()
    assert (summary.helpful_count, summary.unhelpful_count) == (1, 1)
    assert summary.score == pytest.approx(summaries.wilson_lower_bound(1, 2))

    # Changing one's mind moves the vote; voting the same again changes nothing.
    summaries.summary_vote(voter=org.deep, summary=summary, helpful=True)
    summaries.summary_vote(voter=org.deep, summary=summary, helpful=True)
    summary.refresh_from_db()
    assert (summary.helpful_count, summary.unhelpful_count) == (2, 0)

    # Withdrawing removes the vote.
    summaries.summary_vote(voter=org.lead, summary=summary, helpful=None)
    summary.refresh_from_db()
    assert (summary.helpful_count, summary.unhelpful_count) == (1, 0)
    assert summary.score == pytest.approx(summaries.wilson_lower_bound(1, 1))
    assert list(SummaryVote.objects.values_list("voter_id", "helpful")) == [(org.deep.pk, True)]


def test_nobody_votes_on_their_own_summary(org, course):
    summary = SummaryFactory(author=org.member, module=course)
    with pytest.raises(PermissionDenied):
        summaries.summary_vote(voter=org.member, summary=summary, helpful=True)
    summary.refresh_from_db()
    assert summary.helpful_count == 0
    assert not SummaryVote.objects.exists()


def test_withdrawing_a_vote_never_cast_changes_nothing(org, course):
    summary = SummaryFactory(author=org.member, module=course)
    summaries.summary_vote(voter=org.lead, summary=summary, helpful=None)
    summary.refresh_from_db()
    assert (summary.helpful_count, summary.unhelpful_count) == (0, 0)


def test_the_top_summary_is_the_best_scored_summary_someone_found_helpful(org, course):
    plain = SummaryFactory(author=org.member, module=course, body="Plain")
    best = SummaryFactory(author=org.deep, module=course, body="Best")
    praise = SummaryFactory(author=org.lead, module=course, kind=SummaryKind.ENDORSEMENT)
    assert summaries.top_summary(course) is None

    for voter in (org.manager, org.admin):
        summaries.summary_vote(voter=voter, summary=best, helpful=True)
        summaries.summary_vote(voter=voter, summary=praise, helpful=True)
        summaries.summary_vote(voter=voter, summary=plain, helpful=False)
    summaries.summary_vote(voter=org.sysadmin, summary=praise, helpful=True)

    assert summaries.top_summary(course) == best
    assert list(summaries.summaries_ranked(course)) == [praise, best, plain]


# --- Promotion ----------------------------------------------------------------------------------


def _voters(n):
    team = TeamFactory()
    return [UserFactory(team=team) for _ in range(n)]


def test_helpful_votes_promote_to_the_department_then_the_organisation(org, course):
    summary = SummaryFactory(author=org.member, module=course)
    voters = _voters(15)

    for voter in voters[:4]:
        summaries.summary_vote(voter=voter, summary=summary, helpful=True)
    summary.refresh_from_db()
    assert summary.audience == Audience.TEAM
    first_reach = summary.promoted_at

    result = summaries.summary_vote(voter=voters[4], summary=summary, helpful=True)
    assert result.promoted
    summary.refresh_from_db()
    assert summary.audience == Audience.DEPARTMENT
    assert summary.promoted_at > first_reach
    notice = Notification.objects.get(recipient=org.member, kind=Kind.SUMMARY_PROMOTED)
    assert "now reaches your department" in notice.title
    assert notice.url.endswith(f"#summary-{summary.public_id}")

    for voter in voters[5:]:
        summaries.summary_vote(voter=voter, summary=summary, helpful=True)
    summary.refresh_from_db()
    assert summary.audience == Audience.ORGANISATION
    assert Notification.objects.filter(recipient=org.member).count() == 2


def test_scores_promote_but_never_demote(org, course):
    summary = SummaryFactory(author=org.member, module=course)
    voters = _voters(12)
    for voter in voters[:5]:
        summaries.summary_vote(voter=voter, summary=summary, helpful=True)
    for voter in voters[5:]:
        summaries.summary_vote(voter=voter, summary=summary, helpful=False)
    summary.refresh_from_db()
    assert summary.score < 0.5
    assert summary.audience == Audience.DEPARTMENT


def test_a_curator_promotes_by_hand_and_pins_the_audience(org, course):
    summary = SummaryFactory(author=org.member, module=course)

    summaries.summary_audience_set(actor=org.admin, summary=summary, audience=Audience.ORGANISATION)
    summary.refresh_from_db()
    assert summary.audience == Audience.ORGANISATION
    assert summary.audience_set_by == org.admin
    notice = Notification.objects.get(recipient=org.member, kind=Kind.SUMMARY_PROMOTED)
    assert notice.actor == org.admin

    # Demoting by hand tells nobody, and votes no longer move a pinned summary.
    summaries.summary_audience_set(actor=org.admin, summary=summary, audience=Audience.TEAM)
    for voter in _voters(5):
        summaries.summary_vote(voter=voter, summary=summary, helpful=True)
    summary.refresh_from_db()
    assert summary.audience == Audience.TEAM
    assert Notification.objects.filter(recipient=org.member).count() == 1

    # Handed back to its votes, it rises to what they earn.
    summaries.summary_audience_release(actor=org.admin, summary=summary)
    summary.refresh_from_db()
    assert (summary.audience, summary.audience_set_by) == (Audience.DEPARTMENT, None)


def test_expert_reviewers_of_the_modules_skills_curate_and_others_do_not(org):
    skill, other_skill = SkillFactory(name="Calls"), SkillFactory(name="Billing")
    course = ModuleFactory(author=org.outsider, skills=[skill])
    summary = SummaryFactory(author=org.member, module=course)
    ExpertReviewer.objects.create(user=org.lead, skill=skill)
    ExpertReviewer.objects.create(user=org.deep, skill=other_skill)

    for outsider in (User.objects.get(pk=org.deep.pk), org.manager, org.member):
        with pytest.raises(PermissionDenied):
            summaries.summary_audience_set(
                actor=outsider, summary=summary, audience=Audience.ORGANISATION
            )
    summary.refresh_from_db()
    assert summary.audience == Audience.TEAM

    summaries.summary_audience_set(
        actor=User.objects.get(pk=org.lead.pk), summary=summary, audience=Audience.DEPARTMENT
    )
    summary.refresh_from_db()
    assert summary.audience == Audience.DEPARTMENT


def test_an_unknown_audience_is_refused(org, course):
    summary = SummaryFactory(author=org.member, module=course)
    with pytest.raises(ValidationError, match="Choose"):
        summaries.summary_audience_set(actor=org.admin, summary=summary, audience="world")


# --- Reports --------------------------------------------------------------------------------


def test_a_colleague_reports_a_summary_once_for_moderators(org, course):
    summary = SummaryFactory(author=org.member, module=course)

    report = summaries.summary_report(reporter=org.lead, summary=summary, reason=" Off topic ")

    assert (report.summary, report.reason, report.status) == (summary, "Off topic", "open")
    with pytest.raises(ValidationError, match="already reported"):
        summaries.summary_report(reporter=org.lead, summary=summary, reason="Still off topic")
    with pytest.raises(ValidationError, match="Say what is wrong"):
        summaries.summary_report(reporter=org.deep, summary=summary, reason="  ")
    with pytest.raises(PermissionDenied):
        summaries.summary_report(reporter=org.member, summary=summary, reason="Mine")
    assert ContentReport.objects.count() == 1


# --- Points -------------------------------------------------------------------------------------


def test_each_helpful_vote_pays_the_author_once(org, course):
    summary = SummaryFactory(author=org.member, module=course)

    summaries.summary_vote(voter=org.lead, summary=summary, helpful=True)
    entry = PointEntry.objects.get(person=org.member, action=PointAction.SUMMARY_UPVOTED)
    assert (entry.points, entry.counterpart) == (5, org.lead)
    assert "Leo Lead found your summary" in entry.description

    # Withdrawing keeps what was paid; upvoting again pays nothing more.
    summaries.summary_vote(voter=org.lead, summary=summary, helpful=None)
    summaries.summary_vote(voter=org.lead, summary=summary, helpful=True)
    summaries.summary_vote(voter=org.lead, summary=summary, helpful=False)
    assert (
        PointEntry.objects.filter(person=org.member)
        .exclude(action=PointAction.MODULE_COMPLETED)
        .count()
        == 1
    )


def test_endorsements_earn_their_own_action_and_unhelpful_votes_pay_nothing(org, course):
    praise = SummaryFactory(author=org.member, module=course, kind=SummaryKind.ENDORSEMENT)
    summaries.summary_vote(voter=org.deep, summary=praise, helpful=False)
    assert not PointEntry.objects.filter(person=org.member, action__endswith="upvoted").exists()

    summaries.summary_vote(voter=org.lead, summary=praise, helpful=True)
    assert (
        PointEntry.objects.get(person=org.member, action=PointAction.ENDORSEMENT_UPVOTED).points
        == 5
    )


def test_summary_voted_is_published_for_upvotes_and_their_withdrawal(org, course, monkeypatch):
    from peerpath.core import events

    seen: list[events.SummaryVoted] = []
    real = events.publish

    def record(event):
        if isinstance(event, events.SummaryVoted):
            seen.append(event)
        real(event)

    monkeypatch.setattr(events, "publish", record)
    summary = SummaryFactory(author=org.member, module=course)

    summaries.summary_vote(voter=org.lead, summary=summary, helpful=False)
    summaries.summary_vote(voter=org.lead, summary=summary, helpful=True)
    summaries.summary_vote(voter=org.lead, summary=summary, helpful=None)

    assert [(e.helpful, e.voter_id, e.author_id, e.kind) for e in seen] == [
        (True, org.lead.pk, org.member.pk, "summary"),
        (False, org.lead.pk, org.member.pk, "summary"),
    ]
    assert seen[0].module_title == "Warm transfers"

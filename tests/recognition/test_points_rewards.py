"""What learning, content, curation, certification and kudos events earn, end to end
through the services that announce them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from peerpath.content import services as content_services
from peerpath.content.models import ModuleKind
from peerpath.content.services import QuizSettings
from peerpath.core import events
from peerpath.curation import services as curation
from peerpath.learning import services as learning
from peerpath.people.models import ExpertReviewer, User
from peerpath.recognition.models import (
    BadgeAward,
    PointAction,
    PointBalance,
    PointEntry,
    Streak,
)
from tests.factories import ModuleFactory, SkillFactory, UserFactory
from tests.recognition.factories import CertificationAwardFactory, seed_default_badges

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_badges(db: None) -> None:
    seed_default_badges()


QUESTIONS = """\
? Which port does HTTPS use?
(x) 443
( ) 80
"""


@pytest.fixture
def earned(monkeypatch) -> list[events.BadgeEarned]:
    """Every BadgeEarned published during the test (other reactions set aside)."""
    seen: list[events.BadgeEarned] = []
    monkeypatch.setitem(events._handlers, events.BadgeEarned, [seen.append])
    return seen


def entries(person, action=None):
    rows = PointEntry.objects.filter(person=person).order_by("pk")
    return list(rows.filter(action=action) if action else rows)


def total(person) -> int:
    return PointBalance.objects.get(person=person).total


def test_completing_a_module_pays_once_keeps_the_streak_and_earns_first_steps(org, module, earned):
    learning.progress_complete(user=org.member, module=module)
    learning.progress_complete(user=org.member, module=module)

    [entry] = entries(org.member, PointAction.MODULE_COMPLETED)
    assert (entry.points, entry.source_key) == (10, f"module:{module.public_id}")
    assert module.title in entry.description
    assert Streak.objects.get(person=org.member).current_weeks == 1
    assert [e.badge_slug for e in earned] == ["first-steps"]
    assert BadgeAward.objects.filter(person=org.member).count() == 1


def test_passing_an_assessment_pays_for_the_pass_and_the_completion(org):
    quiz = ModuleFactory(
        author=org.lead,
        kind=ModuleKind.QUIZ,
        body_markdown="",
        quiz_source=QUESTIONS,
        quiz_settings=QuizSettings(pass_mark=100, max_attempts=3),
    )
    learning.quiz_submit(user=org.member, module=quiz, answers={"q1": ["q1o2"]})
    assert entries(org.member) == []  # failing keeps the streak but pays nothing
    learning.quiz_submit(user=org.member, module=quiz, answers={"q1": ["q1o1"]})
    learning.quiz_submit(user=org.member, module=quiz, answers={"q1": ["q1o1"]})

    assert sorted((e.action, e.points) for e in entries(org.member)) == [
        ("assessment_passed", 15),
        ("module_completed", 10),
    ]


def test_sharing_a_module_pays_for_its_first_version_only(org, earned):
    module = ModuleFactory(author=org.lead, title="Warm transfers")
    content_services.module_update(
        actor=org.lead,
        module=module,
        title="Warm transfers, revised",
        summary=module.summary,
        estimated_minutes=12,
        skills=[],
        body_markdown="Better words.",
    )
    content_services.module_publish(actor=org.lead, module=module)

    [entry] = entries(org.lead, PointAction.MODULE_PUBLISHED)
    assert (entry.points, entry.description) == (25, "Shared the module “Warm transfers”")
    assert "first-module-shared" in [e.badge_slug for e in earned]


@pytest.fixture
def expert(org) -> tuple[User, object]:
    area = SkillFactory(name="Service")
    calls = SkillFactory(name="Calls", parent=area)
    ExpertReviewer.objects.create(user=org.outsider, skill=area)
    return User.objects.get(pk=org.outsider.pk), calls


def test_curation_rewards_the_author_and_the_reviewer(org, expert, earned):
    reviewer, calls = expert
    module = ModuleFactory(author=org.member, title="Warm transfers", skills=[calls])
    review = curation.module_nominate(user=org.member, module=module)

    curation.review_approve(reviewer=reviewer, review=review)

    [curated] = entries(org.member, PointAction.MODULE_CURATED)
    assert (curated.points, curated.counterpart_id) == (50, reviewer.pk)
    [reviewed] = entries(reviewer, PointAction.REVIEW_DONE)
    assert (reviewed.points, reviewed.counterpart_id) == (15, org.member.pk)
    assert "approved" in reviewed.description
    slugs = {e.badge_slug for e in earned}
    assert {"curated-author", "expert-eye"} <= slugs


def test_sending_a_module_back_is_a_review_done(org, expert):
    reviewer, calls = expert
    module = ModuleFactory(author=org.member, skills=[calls])
    review = curation.module_nominate(user=org.member, module=module)

    curation.review_request_changes(reviewer=reviewer, review=review, body="Add an example.")

    [reviewed] = entries(reviewer, PointAction.REVIEW_DONE)
    assert reviewed.points == 15
    assert "sent back" in reviewed.description
    assert entries(org.member, PointAction.MODULE_CURATED) == []


def test_an_admin_approving_their_own_module_earns_no_points(org):
    module = ModuleFactory(author=org.admin)
    review = curation.module_nominate(user=org.admin, module=module)

    curation.review_approve(reviewer=org.admin, review=review)

    assert {(e.action, e.points) for e in entries(org.admin)} >= {
        ("module_curated", 0),
        ("review_done", 0),
    }
    assert total(org.admin) == 25  # sharing the module still counts


def certification_event(holder, *, renewal=False) -> events.CertificationEarned:
    award = CertificationAwardFactory(holder=holder, certification__name="Safe calls")
    return events.CertificationEarned(
        award_id=award.pk,
        award_public_id=str(award.public_id),
        certification_public_id=str(award.certification.public_id),
        certification_name=award.certification.name,
        holder_id=holder.pk,
        holder_public_id=str(holder.public_id),
        holder_name=holder.display_name,
        at=timezone.now(),
        expires_at=None,
        renewal=renewal,
    )


def test_a_certification_and_each_renewal_pay(org, earned):
    events.publish(certification_event(org.member))
    events.publish(certification_event(org.member, renewal=True))

    assert [e.points for e in entries(org.member, PointAction.CERTIFICATION_EARNED)] == [100, 100]
    assert entries(org.member)[-1].description.startswith("Renewed")
    assert [e.badge_slug for e in earned] == ["certified"]  # once, however often earned


def kudos(giver, recipient, n) -> events.KudosGiven:
    return events.KudosGiven(
        kudos_id=n,
        giver_id=giver.pk,
        recipient_id=recipient.pk,
        message="Thanks!",
        at=timezone.now(),
    )


@time_machine.travel(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))
def test_kudos_pay_the_recipient_up_to_the_cap_and_ten_givers_earn_helped_ten(org, earned):
    givers = [UserFactory() for _ in range(10)]
    for n, giver in enumerate(givers):
        events.publish(kudos(giver, org.member, n))
    events.publish(kudos(givers[0], org.member, 0))  # the same kudos again: nothing

    rows = entries(org.member, PointAction.KUDOS_RECEIVED)
    assert [e.points for e in rows] == [5] * 5 + [0] * 5
    assert rows[0].counterpart_id == givers[0].pk
    assert rows[0].description == f"Kudos from {givers[0].display_name}"
    assert [e.badge_slug for e in earned] == ["helped-10-colleagues"]


def test_the_same_colleague_thanking_ten_times_is_one_colleague_helped(org, earned):
    for n in range(10):
        events.publish(kudos(org.lead, org.member, n))
    assert earned == []


def test_a_reversed_entry_stops_counting_towards_a_badge_not_yet_earned(org, earned):
    from peerpath.recognition import badges, points

    first = points.points_award(
        person=org.member,
        action=PointAction.MODULE_PUBLISHED,
        source_key="module:x",
        description="Shared x",
        occurred_at=timezone.now(),
    )
    assert first is not None
    points.points_reverse(actor=org.admin, entry=first, reason="Copied from the web")

    assert badges.badges_evaluate(org.member) == []
    assert badges.rule_counts(org.member)["modules_published"] == 0


def test_a_streak_of_five_weeks_earns_its_badge(org, module, earned):
    from peerpath.recognition import streaks

    start = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
    for week in range(5):
        events.publish(
            events.LearningRecorded(
                verb="progressed",
                learner_public_id=str(org.member.public_id),
                learner_name=org.member.display_name,
                module_public_id=str(module.public_id),
                module_title=module.title,
                module_kind=module.kind,
                at=start + dt.timedelta(weeks=week),
                progress=10,
            )
        )
    assert streaks.streak_now(org.member, today=dt.date(2026, 12, 2)).current == 5
    assert [e.badge_slug for e in earned] == ["five-week-streak"]
    assert len(entries(org.member, PointAction.STREAK_WEEK)) == 4


def test_progress_in_a_week_already_counted_is_cheap(
    org, module, monkeypatch, django_assert_max_num_queries
):
    from peerpath.recognition import rewards

    monkeypatch.setitem(events._handlers, events.LearningRecorded, [rewards.on_learning_recorded])

    def progressed() -> events.LearningRecorded:
        return events.LearningRecorded(
            verb="progressed",
            learner_public_id=str(org.member.public_id),
            learner_name=org.member.display_name,
            module_public_id=str(module.public_id),
            module_title=module.title,
            module_kind=module.kind,
            at=timezone.now(),
            progress=40,
        )

    events.publish(progressed())
    with django_assert_max_num_queries(8):
        events.publish(progressed())
    assert Streak.objects.get(person=org.member).current_weeks == 1
    assert entries(org.member) == []

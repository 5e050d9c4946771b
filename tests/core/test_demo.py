"""The demo organisation loads completely, deterministically, and its sign-ins work."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.utils import timezone

from peerpath.content import quizzes
from peerpath.content.models import LearningPath, Module
from peerpath.curation.models import Flag, Rating, Review
from peerpath.demo import loader
from peerpath.learning.models import ModuleProgress
from peerpath.people import selectors
from peerpath.people.models import Department, Team, User
from peerpath.skills.models import Skill

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    loader.load_demo()


def test_every_module_file_parses_with_known_skills_and_authors():
    known_skills = {
        p for top, kids in loader.SKILL_TREE.items() for p in [top, *(f"{top} / {k}" for k in kids)]
    }
    known_teams = {t.key for t in loader.TEAMS}
    files = sorted(loader.MODULES_DIR.glob("*.md"))
    assert len(files) >= 40
    for path in files:
        text = loader.read_module_file(path)
        assert set(text.skills) <= known_skills, path.name
        assert text.author in known_teams, path.name
        assert 1 <= text.minutes <= 60, path.name
        if text.kind == "article":
            assert len(text.body.split()) > 250, path.name
        if text.questions or text.kind == "quiz":
            assert quizzes.parse_quiz(text.questions), path.name


def test_demo_is_a_realistic_company(demo):
    assert 140 <= User.objects.count() <= 170
    assert Department.objects.count() >= 3
    assert Team.objects.count() >= 6
    assert Team.objects.filter(works_shifts=True).exists()
    assert Module.objects.published().count() >= 40
    assert LearningPath.objects.count() >= 3
    assert ModuleProgress.objects.filter(status="completed").count() > 200
    assert Skill.objects.filter(parent__isnull=False).exists()
    assert Rating.objects.count() > 50
    assert Flag.objects.filter(status="open").count() == 2
    assert Module.objects.filter(curated_version__isnull=False).count() >= 10
    assert Review.objects.filter(status="pending").count() == 1
    # Reporting lines several levels deep, every path consistent with its manager's.
    for user in User.objects.select_related("manager"):
        expected = (user.manager.line_path if user.manager else "/") + f"{user.pk}/"
        assert user.line_path == expected
    assert max(u.line_path.count("/") - 1 for u in User.objects.all()) >= 4
    # Teams have their people.
    sizes = Team.objects.annotate(n=Count("members")).values_list("n", flat=True)
    assert min(sizes) >= 5


def test_demo_sign_ins_have_their_roles(demo, client):
    from peerpath.core import permissions

    people = {role: User.objects.get(email=email) for role, email in loader.demo_logins()}
    assert permissions.is_manager(people["manager"])
    assert selectors.reports_subtree(people["manager"]).count() >= 40
    assert people["employee (agent)"].manager is not None
    assert people["employee (agent)"].team.works_shifts
    assert permissions.is_learning_admin(people["learning admin"])
    assert permissions.is_system_admin(people["system admin"])
    for user in people.values():
        assert user.check_password(loader.DEMO_PASSWORD)
    from peerpath.curation import selectors as curation

    assert curation.reviews_for_reviewer(people["manager"]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_demo_is_deterministic():
    from django.core.management import call_command

    loader.load_demo()
    first = list(User.objects.order_by("email").values_list("email", "manager__email"))
    progress = ModuleProgress.objects.count()
    call_command("flush", interactive=False, verbosity=0)
    loader.load_demo()
    assert list(User.objects.order_by("email").values_list("email", "manager__email")) == first
    assert ModuleProgress.objects.count() == progress


def test_demo_has_a_playable_scorm_package_from_the_learning_admin(demo):
    from peerpath.content.models import Module, ModuleKind

    module = Module.objects.select_related("package", "owner").get(kind=ModuleKind.PACKAGE)
    assert module.is_published
    assert module.owner.email == loader.DEMO_ACCOUNTS["learning admin"]
    assert (module.package.standard, module.package.launch_path) == ("scorm12", "index.html")
    assert module.package.mastery_score == 67


def test_the_demo_history_is_in_the_learning_record(demo):
    from peerpath.lrs.models import Statement
    from peerpath.lrs.recording import VERBS

    completed = ModuleProgress.objects.filter(status="completed")
    assert Statement.objects.filter(verb_id=VERBS["completed"]).count() == completed.count()
    assert Statement.objects.filter(verb_id=VERBS["launched"]).count() == (
        ModuleProgress.objects.count()
    )
    row = completed.select_related("user", "module").first()
    assert row.time_spent_seconds > 0
    statement = Statement.objects.get(
        verb_id=VERBS["completed"],
        object_activity_id__endswith=f"/learn/m/{row.module.public_id}/",
        agent_key__endswith=f"|{row.user.public_id}",
    )
    assert statement.timestamp == row.completed_at
    assert statement.data["result"]["duration"].startswith("PT")


def test_demo_onboarding_runs_on_assignments(demo):
    from peerpath.learning import assignment_selectors
    from peerpath.learning.models import Assignment

    rule = Assignment.objects.get(audience="new_hires")
    assert (rule.job_role.name, rule.due_rule, rule.due_days) == ("Support Agent", "after_hire", 14)
    assert rule.path.title == loader.ONBOARDING_PATH
    statuses = {
        row.person.display_name: status
        for row, status in (
            (r, r.status_at(timezone.now())) for r in rule.people.select_related("person")
        )
    }
    assert statuses["Ines Carvalho"] == "overdue"
    assert statuses["Sam Okafor-Hale"] == "in_progress"
    assert statuses["Theo Blake"] == "completed"  # done before the rule existed
    team_quiz = Assignment.objects.get(audience="team")
    assert team_quiz.created_by.email == loader.DEMO_ACCOUNTS["manager"]
    assert team_quiz.module.title == loader.SECURITY_QUIZ
    sam = User.objects.get(email=loader.DEMO_ACCOUNTS["employee (agent)"])
    assigned = {r.assignment.item_title: s for r, s in assignment_selectors.assigned_to(sam)}
    assert assigned == {loader.ONBOARDING_PATH: "in_progress", loader.SECURITY_QUIZ: "not_started"}
    from peerpath.learning import assignments

    assert assignments.assignment_notices_send() == 0  # the demo's people already know


def test_demo_learning_time_runs_the_contact_centre_scenario(demo, client):
    from peerpath.schedule import calendar, services
    from peerpath.schedule import selectors as schedule
    from peerpath.schedule.models import CalendarFeed, LearningTimeRequest

    sam = User.objects.get(email=loader.DEMO_ACCOUNTS["employee (agent)"])
    nora = User.objects.get(email=loader.DEMO_ACCOUNTS["manager"])
    # Sam's half hour in his shift was approved at once: coverage holds.
    mine = LearningTimeRequest.objects.get(person=sam)
    assert (mine.status, mine.auto_approved, mine.minutes) == ("approved", True, 30)
    assert mine.decision_reason == "Auto-approved: within 60 min/week; coverage holds"
    assert mine.starts_at.astimezone(loader.CENTRE_ZONE).time() == loader.DEMO_SLOT[0]
    # A billing colleague's same slot waits for a manager with the shortfall and slots.
    same = LearningTimeRequest.objects.get(starts_at=mine.starts_at, status="pending")
    assert same.person.team_id == sam.team_id
    assert same.person.job_title == "Support Agent"
    assert same.coverage_shortfall
    assert {s["queue"] for s in same.coverage_shortfall} == {"billing"}
    assert same.decision_reason.startswith("Coverage would drop to 2 of 3 on duty 14:00–14:30")
    assert len(same.alternatives) == 3
    # Another request waits for Nora, who approves it in one click.
    queue = list(schedule.approvals_queue(nora))
    assert same in queue
    (other,) = [r for r in queue if r.pk != same.pk]
    assert other.decision_reason.startswith("Over the 60 min/week allowance")
    assert other.person.job_title == "Support Agent"
    assert not other.coverage_shortfall
    assert services.approve_request(actor=nora, request=other).status == "approved"
    # Sam's block is in his calendar feed.
    assert CalendarFeed.objects.filter(person=sam).exists()
    assert f"UID:{mine.public_id}@peerpath" in calendar.render_feed(sam).decode()
    # The team's week shows every agent's shifts and the coverage of both queues.
    week = schedule.team_week(nora, sam.team, mine.starts_at.date())
    assert {i.queue for i in week.coverage} == {"", "billing"}
    assert not [i for i in week.coverage if i.short]
    assert len([r for r in week.rows if r.shifts]) == 49


def test_demo_recognition_certifies_sam_once_he_finishes_the_security_path(demo):
    from peerpath.content.models import LearningPath, Module
    from peerpath.learning import services as learning
    from peerpath.learning.models import ModuleProgress
    from peerpath.recognition import leaderboards
    from peerpath.recognition.models import (
        CertificationAward,
        IssuedCredential,
        Kudos,
        LeaderboardPreference,
        PointEntry,
    )

    sam = User.objects.get(email=loader.DEMO_ACCOUNTS["employee (agent)"])
    path = LearningPath.objects.get(title=loader.SECURITY_PATH)
    quiz = Module.objects.get(title=loader.SECURITY_QUIZ)
    last = path.steps.order_by("position").last().module
    # The demo's past earned points, and Sam has kudos from his manager and a colleague.
    assert PointEntry.objects.filter(person=sam, points__gt=0).exists()
    assert Kudos.objects.filter(recipient=sam).count() == 2
    # Every step but the last is done; he is not certified yet.
    assert not ModuleProgress.objects.filter(user=sam, module=last).exists()
    assert not CertificationAward.objects.filter(holder=sam).exists()

    learning.progress_open(user=sam, module=last)
    learning.progress_complete(user=sam, module=last)
    learning.quiz_submit(user=sam, module=quiz, answers=_right_answers(quiz.quiz))

    award = CertificationAward.objects.get(holder=sam, status="active")
    assert award.certification.name == "Security Certified"
    assert IssuedCredential.objects.filter(certification_award=award).exists()
    # Someone opted out of leaderboards and is on none of them.
    hidden = LeaderboardPreference.objects.get(hidden=True).person
    board = leaderboards.leaderboard(scope="team", period="all", viewer=sam)
    assert hidden.team_id == sam.team_id
    assert board.standings
    assert hidden.pk not in {standing.person.pk for standing in board.standings}


def _right_answers(quiz):
    answers = {}
    for q in quiz["questions"]:
        if q["type"] == "true_false":
            answers[q["id"]] = ["true" if q["correct"] else "false"]
        elif q["type"] == "short":
            answers[q["id"]] = [q["answers"][0]]
        else:
            answers[q["id"]] = [o["id"] for o in q["options"] if o["correct"]]
    return answers


def test_demo_social_learning_tells_the_contact_centre_story(demo):
    from peerpath.content.models import LearningPath, Module
    from peerpath.notifications.models import Notification
    from peerpath.social import feed_selectors
    from peerpath.social.models import Activity, Comment, Note, Summary

    sam = User.objects.get(email=loader.DEMO_ACCOUNTS["employee (agent)"])
    # A colleague's summary was found helpful enough to reach the whole department.
    summary = Summary.objects.get(module__title=loader.SUMMARY_MODULE)
    assert summary.audience == "department"
    assert summary.helpful_count >= 5
    # Nora shared the essentials path with her team: they are notified and see it.
    path = LearningPath.objects.get(title=loader.SHARED_PATH)
    assert Notification.objects.filter(recipient=sam, kind="share").exists()
    shared = [i.share for i in feed_selectors.home_feed(sam).items if i.share is not None]
    assert [s.share.path_id for s in shared] == [path.pk]
    # ... and the summary reaches colleagues in the department's other teams.
    elsewhere = (
        User.objects.filter(team__department=sam.team.department, is_active=True)
        .exclude(team=sam.team)
        .first()
    )
    assert elsewhere is not None
    reached = [i.summary for i in feed_selectors.home_feed(elsewhere).items if i.summary]
    assert summary in reached
    # A question about refunds has an accepted answer from the team's expert.
    question = Comment.objects.get(
        module=Module.objects.get(title=loader.QUESTION_MODULE), is_question=True
    )
    assert question.accepted_answer is not None
    assert question.accepted_answer.author_id != question.author_id
    # Profiles have activity from the demo's past, and Sam has a public note.
    assert Activity.objects.filter(actor=sam).exists()
    assert Note.objects.filter(author=sam, is_public=True).exists()

"""Assignments: audiences, rules for new hires and moves, due dates, completion, withdrawal
and the reminder sweep."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from peerpath.content import paths
from peerpath.learning import assignments, services
from peerpath.learning.models import (
    Assignment,
    DueRule,
    PersonAssignment,
)
from peerpath.people import org_csv
from peerpath.people import services as people
from tests.factories import JobRoleFactory, ModuleFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def assign(actor, **fields):
    fields.setdefault("due_rule", DueRule.AFTER_ASSIGNMENT)
    fields.setdefault("due_days", 14)
    return assignments.assignment_create(actor=actor, **fields)


def holders(assignment, *, open_only=True):
    rows = PersonAssignment.objects.filter(assignment=assignment)
    if open_only:
        rows = rows.filter(removed_at__isnull=True)
    return set(rows.values_list("person__display_name", flat=True))


def row(assignment, person):
    return PersonAssignment.objects.get(assignment=assignment, person=person)


# --- Audiences and permissions ---------------------------------------------------------


def test_an_admin_assigns_a_module_to_a_team_and_everyone_in_it_gets_it(org):
    module = ModuleFactory(author=org.lead)
    a = assign(org.admin, module=module, audience="team", team=org.member.team)
    assert holders(a) == {"Maria Manager", "Leo Lead", "Mina Member", "Dara Deep"}
    assert a.scope_manager is None


def test_a_manager_team_assignment_covers_only_their_line(org):
    module = ModuleFactory(author=org.lead)
    a = assign(org.lead, module=module, audience="team", team=org.member.team)
    assert holders(a) == {"Dara Deep"}
    assert a.scope_manager == org.lead


def test_a_manager_may_assign_to_a_person_in_their_line_but_not_outside(org):
    module = ModuleFactory(author=org.lead)
    a = assign(org.manager, module=module, audience="person", person=org.deep)
    assert holders(a) == {"Dara Deep"}
    with pytest.raises(ValidationError) as exc:
        assign(org.manager, module=module, audience="person", person=org.outsider)
    assert "not in your reporting line" in str(exc.value)
    assert not Assignment.objects.filter(person=org.outsider).exists()


def test_a_learner_may_not_assign(org):
    module = ModuleFactory(author=org.lead)
    with pytest.raises(PermissionDenied):
        assign(org.member, module=module, audience="person", person=org.member)
    with pytest.raises(PermissionDenied):
        assign(org.outsider, module=module, audience="team", team=org.member.team)
    assert not Assignment.objects.exists()


def test_a_job_role_assignment_reaches_everyone_with_the_role(org):
    role = JobRoleFactory(name="Support Agent")
    people.person_update_profile(person=org.member, job_role=role)
    people.person_update_profile(person=org.outsider, job_role=role)
    path = _path(org.admin, 2)
    a = assign(org.admin, path=path, audience="job_role", job_role=role)
    assert holders(a) == {"Mina Member", "Otto Outsider"}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"audience": "team"}, "team", "Choose the team"),
        ({"audience": "new_hires"}, "job_role", "Choose the job role"),
        ({"audience": "team", "due_days": 0}, "due_days", "from 1 to 365"),
        (
            {"audience": "team", "due_rule": DueRule.FIXED, "due_on": dt.date(2026, 3, 1)},
            "due_on",
            "has passed",
        ),
        ({"audience": "team", "due_rule": DueRule.AFTER_HIRE}, "due_rule", "new-hire rules"),
        ({"audience": "team", "reminder_days": 31}, "reminder_days", "from 1 to 30"),
    ],
)
def test_bad_input_gets_a_clear_message_and_writes_nothing(org, fields, field, message):
    module = ModuleFactory(author=org.lead)
    fields = {"team": org.member.team, **fields} if fields["audience"] == "team" else fields
    if fields.get("team") and field == "team":
        fields.pop("team")
    with pytest.raises(ValidationError) as exc:
        assign(org.admin, module=module, **fields)
    assert message in " ".join(exc.value.message_dict[field])
    assert not Assignment.objects.exists()


def test_an_unpublished_module_and_a_duplicate_are_refused(org):
    draft = ModuleFactory(author=org.lead, publish=False)
    with pytest.raises(ValidationError) as exc:
        assign(org.admin, module=draft, audience="person", person=org.member)
    assert "published" in str(exc.value)
    module = ModuleFactory(author=org.lead)
    assign(org.admin, module=module, audience="person", person=org.member)
    with pytest.raises(ValidationError) as exc:
        assign(org.admin, module=module, audience="person", person=org.member)
    assert "already assigned" in str(exc.value)
    assert Assignment.objects.count() == 1


def test_the_database_holds_exactly_one_target(org):
    module = ModuleFactory(author=org.lead)
    a = assign(org.admin, module=module, audience="person", person=org.member)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.filter(pk=a.pk).update(team=org.member.team)


# --- Rules: new hires, joining and moving ----------------------------------------------


def test_a_new_hire_rule_reaches_people_hired_since_its_date_due_after_their_hire(org):
    role = JobRoleFactory(name="Support Agent")
    old = UserFactory(display_name="Old Hand", job_role=role, hire_date=dt.date(2020, 5, 1))
    recent = UserFactory(display_name="Rae Recent", job_role=role, hire_date=dt.date(2026, 2, 20))
    path = _path(org.admin, 2)
    a = assign(
        org.admin,
        path=path,
        audience="new_hires",
        job_role=role,
        new_hires_since=dt.date(2026, 2, 1),
        due_rule=DueRule.AFTER_HIRE,
    )
    assert holders(a) == {"Rae Recent"}
    assert row(a, recent).due_on == dt.date(2026, 3, 6)
    assert old.pk not in {r.person_id for r in a.people.all()}


def test_people_who_join_later_get_the_rule(org):
    role = JobRoleFactory(name="Support Agent")
    a = assign(
        org.admin,
        module=ModuleFactory(author=org.lead),
        audience="new_hires",
        job_role=role,
        new_hires_since=dt.date(2026, 3, 1),
        due_rule=DueRule.AFTER_HIRE,
    )
    hire = UserFactory(display_name="Nia New", job_role=role, hire_date=dt.date(2026, 3, 9))
    assert holders(a) == {"Nia New"}
    assert row(a, hire).due_on == dt.date(2026, 3, 23)


def test_a_newly_imported_hire_gets_the_rule_and_a_later_hire_date_moves_the_due_date(org):
    role = JobRoleFactory(name="Support Agent")
    a = assign(
        org.admin,
        module=ModuleFactory(author=org.lead),
        audience="new_hires",
        job_role=role,
        new_hires_since=dt.date(2026, 3, 1),
        due_rule=DueRule.AFTER_HIRE,
    )
    csv = (
        b"email,display_name,job_role,hire_date\n"
        b"ivy@example.com,Ivy Import,Support Agent,2026-03-02\n"
    )
    assert org_csv.import_org_csv(file=csv).ok
    assert holders(a) == {"Ivy Import"}
    ivy = PersonAssignment.objects.get(assignment=a)
    assert ivy.due_on == dt.date(2026, 3, 16)
    # Re-importing the same file changes nothing and gives nothing twice.
    assert org_csv.import_org_csv(file=csv).ok
    assert PersonAssignment.objects.filter(assignment=a).count() == 1
    # A corrected hire date moves the due date.
    assert org_csv.import_org_csv(file=csv.replace(b"2026-03-02", b"2026-03-05")).ok
    assert PersonAssignment.objects.get(assignment=a).due_on == dt.date(2026, 3, 19)


def test_changing_role_gives_the_new_roles_rules_and_takes_back_unfinished_ones(org):
    agent = JobRoleFactory(name="Support Agent")
    senior = JobRoleFactory(name="Senior Agent")
    done_module = ModuleFactory(author=org.lead)
    open_module = ModuleFactory(author=org.lead)
    people.person_update_profile(person=org.member, job_role=agent)
    finished = assign(org.admin, module=done_module, audience="job_role", job_role=agent)
    unfinished = assign(org.admin, module=open_module, audience="job_role", job_role=agent)
    for_seniors = assign(org.admin, module=open_module, audience="job_role", job_role=senior)
    services.progress_complete(user=org.member, module=done_module)

    people.person_update_profile(person=org.member, job_role=senior)

    assert row(finished, org.member).completed_at is not None
    assert row(finished, org.member).removed_at is None  # completed work stays on record
    assert row(unfinished, org.member).removed_at == NOW
    assert holders(for_seniors) == {"Mina Member"}

    # Moving back gives the unfinished one back, due again from now.
    people.person_update_profile(person=org.member, job_role=agent)
    assert row(unfinished, org.member).removed_at is None
    assert holders(for_seniors) == set()


def test_leaving_a_team_or_the_managers_line_or_the_company_takes_unfinished_work(org):
    module = ModuleFactory(author=org.lead)
    by_manager = assign(org.manager, module=module, audience="team", team=org.member.team)
    assert "Mina Member" in holders(by_manager)
    people.person_set_manager(person=org.member, manager=None)  # out of Maria's line
    assert "Mina Member" not in holders(by_manager)
    people.person_deactivate(person=org.deep, by=org.admin)
    assert "Dara Deep" not in holders(by_manager)
    people.person_reactivate(person=org.deep)
    assert "Dara Deep" in holders(by_manager)


def test_syncing_again_changes_nothing(org):
    a = assign(
        org.admin, module=ModuleFactory(author=org.lead), audience="team", team=org.member.team
    )
    before = list(PersonAssignment.objects.order_by("pk").values())
    assert assignments.assignment_sync(assignment=a) == 0
    assert list(PersonAssignment.objects.order_by("pk").values()) == before


# --- Due dates and time zones ----------------------------------------------------------


def test_days_after_assignment_count_from_the_learners_own_date():
    # 2 March 12:00 UTC is already 3 March in Auckland and still 2 March in Los Angeles.
    a = Assignment(due_rule=DueRule.AFTER_ASSIGNMENT, due_days=7, reminder_days=2)
    auckland = assignments.due_for(a, assigned_at=NOW, time_zone="Pacific/Auckland", hire_date=None)
    la = assignments.due_for(a, assigned_at=NOW, time_zone="America/Los_Angeles", hire_date=None)
    assert auckland.on == dt.date(2026, 3, 10)
    assert la.on == dt.date(2026, 3, 9)
    # Overdue from midnight after the due date where the learner is.
    assert auckland.at == dt.datetime(2026, 3, 11, tzinfo=ZoneInfo("Pacific/Auckland"))
    assert la.at == dt.datetime(2026, 3, 10, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert la.remind_at == dt.datetime(2026, 3, 7, 8, tzinfo=ZoneInfo("America/Los_Angeles"))


def test_a_due_date_across_the_spring_clock_change_ends_at_local_midnight():
    a = Assignment(due_rule=DueRule.FIXED, due_on=dt.date(2026, 3, 28))
    due = assignments.due_for(a, assigned_at=NOW, time_zone="Europe/London", hire_date=None)
    # London moves to summer time on 29 March at 01:00 UTC; midnight is still GMT then.
    assert due.at == dt.datetime(2026, 3, 29, 0, 0, tzinfo=dt.UTC)
    due = assignments.due_for(
        Assignment(due_rule=DueRule.FIXED, due_on=dt.date(2026, 3, 29)),
        assigned_at=NOW,
        time_zone="Europe/London",
        hire_date=None,
    )
    assert due.at == dt.datetime(2026, 3, 29, 23, 0, tzinfo=dt.UTC)


def test_a_reminder_that_would_come_before_the_assignment_is_not_sent():
    a = Assignment(due_rule=DueRule.AFTER_ASSIGNMENT, due_days=2, reminder_days=5)
    assert (
        assignments.due_for(a, assigned_at=NOW, time_zone="UTC", hire_date=None).remind_at is None
    )


# --- Completion ------------------------------------------------------------------------


def test_a_module_completed_before_it_was_assigned_counts_at_once(org):
    module = ModuleFactory(author=org.lead)
    services.progress_complete(user=org.member, module=module)
    a = assign(org.admin, module=module, audience="person", person=org.member)
    assert row(a, org.member).completed_at == NOW


def test_a_path_is_done_when_every_module_is_whenever_they_were_done(org):
    path = _path(org.admin, 2)
    first, second = [s.module for s in path.steps.order_by("position")]
    services.progress_complete(user=org.member, module=first)
    a = assign(org.admin, path=path, audience="person", person=org.member)
    r = row(a, org.member)
    assert (r.started_at, r.completed_at) == (NOW, None)
    assert r.status_at(timezone.now()) == "in_progress"
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        services.progress_open(user=org.member, module=second)
        services.progress_complete(user=org.member, module=second)
    r.refresh_from_db()
    assert r.completed_at == NOW + dt.timedelta(days=1)
    assert r.status_at(NOW + dt.timedelta(days=30)) == "completed"


def test_opening_a_module_starts_the_assignment(org):
    module = ModuleFactory(author=org.lead)
    a = assign(org.admin, module=module, audience="person", person=org.member)
    assert row(a, org.member).status_at(NOW) == "not_started"
    services.progress_open(user=org.member, module=module)
    assert row(a, org.member).started_at == NOW
    assert row(a, org.member).status_at(NOW + dt.timedelta(days=20)) == "overdue"


# --- Withdrawal ------------------------------------------------------------------------


def test_withdrawing_takes_unfinished_work_away_and_keeps_completions(org):
    module = ModuleFactory(author=org.lead)
    a = assign(org.manager, module=module, audience="team", team=org.member.team)
    services.progress_complete(user=org.lead, module=module)
    assignments.assignment_withdraw(actor=org.manager, assignment=a, reason="Replaced by v2")
    a.refresh_from_db()
    assert (a.withdrawn_by, a.withdrawn_reason) == (org.manager, "Replaced by v2")
    assert holders(a) == {"Leo Lead"}
    # Nobody joining later gets a withdrawn assignment.
    UserFactory(display_name="Late Joiner", team=org.member.team, manager=org.manager)
    assert holders(a) == {"Leo Lead"}
    with pytest.raises(ValidationError):
        assignments.assignment_withdraw(actor=org.manager, assignment=a, reason="again")


def test_only_the_maker_or_an_admin_withdraws_and_a_reason_is_needed(org):
    a = assign(
        org.manager, module=ModuleFactory(author=org.lead), audience="person", person=org.member
    )
    for other in (org.member, org.lead, org.outsider):
        with pytest.raises(PermissionDenied):
            assignments.assignment_withdraw(actor=other, assignment=a, reason="no")
    with pytest.raises(ValidationError) as exc:
        assignments.assignment_withdraw(actor=org.admin, assignment=a, reason="  ")
    assert "why" in str(exc.value)
    a.refresh_from_db()
    assert a.withdrawn_at is None


# --- Changing dates --------------------------------------------------------------------


def test_changing_the_due_rule_moves_open_work_and_rearms_its_messages(org):
    module = ModuleFactory(author=org.lead)
    a = assign(org.admin, module=module, audience="team", team=org.member.team, reminder_days=2)
    services.progress_complete(user=org.member, module=module)
    done_due = row(a, org.member).due_on
    later = NOW + dt.timedelta(days=20)
    assert assignments.assignment_overdue_notices_send(now=later) >= 1
    with time_machine.travel(later, tick=False):
        assignments.assignment_change_due(
            actor=org.admin,
            assignment=a,
            due_rule=DueRule.FIXED,
            due_on=dt.date(2026, 4, 30),
            reminder_days=5,
        )
    open_row = row(a, org.lead)
    assert open_row.due_on == dt.date(2026, 4, 30)
    assert open_row.remind_at == dt.datetime(2026, 4, 25, 8, tzinfo=dt.UTC)
    assert open_row.overdue_notice_sent_at is None  # it is no longer overdue
    assert row(a, org.member).due_on == done_due  # completed work keeps its record
    assert assignments.assignment_reminders_send(now=open_row.remind_at) >= 1


def test_only_whoever_may_manage_it_changes_the_dates_of_a_live_assignment(org):
    a = assign(
        org.manager, module=ModuleFactory(author=org.lead), audience="person", person=org.deep
    )
    with pytest.raises(PermissionDenied):
        assignments.assignment_change_due(
            actor=org.outsider, assignment=a, due_rule=DueRule.AFTER_ASSIGNMENT, due_days=30
        )
    assignments.assignment_withdraw(actor=org.manager, assignment=a, reason="Done elsewhere")
    with pytest.raises(ValidationError, match="withdrawn"):
        assignments.assignment_change_due(
            actor=org.manager, assignment=a, due_rule=DueRule.AFTER_ASSIGNMENT, due_days=30
        )
    a.refresh_from_db()
    assert a.due_days == 14


# --- Reminders and overdue notices -----------------------------------------------------


def test_a_reminder_goes_out_once_before_the_due_date_and_a_notice_once_when_overdue(org):
    module = ModuleFactory(author=org.lead)
    a = assign(
        org.manager, module=module, audience="person", person=org.deep, due_days=10, reminder_days=3
    )
    assert assignments.assignment_reminders_send() == 0
    remind_at = row(a, org.deep).remind_at
    assert remind_at == dt.datetime(2026, 3, 9, 8, tzinfo=dt.UTC)
    assert assignments.assignment_reminders_send(now=remind_at) == 1
    assert assignments.assignment_reminders_send(now=remind_at) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [org.deep.email]
    assert "due on Thursday 12 March 2026" in mail.outbox[0].body

    overdue = row(a, org.deep).due_at
    assert assignments.assignment_overdue_notices_send(now=overdue - dt.timedelta(seconds=1)) == 0
    assert assignments.assignment_overdue_notices_send(now=overdue) == 1
    assert assignments.assignment_overdue_notices_send(now=overdue) == 0
    assert mail.outbox[1].subject.startswith("Overdue")
    assert mail.outbox[1].cc == [org.lead.email]  # Dara's manager gets a copy
    assert row(a, org.deep).overdue_notice_sent_at == overdue


def test_a_person_is_told_once_when_something_is_assigned_to_them(
    org, django_capture_on_commit_callbacks
):
    module = ModuleFactory(author=org.lead, title="Phone etiquette")
    with django_capture_on_commit_callbacks(execute=True):
        a = assign(org.manager, module=module, audience="person", person=org.deep, due_days=10)
    assert [m.subject for m in mail.outbox] == ["Assigned to you: “Phone etiquette”"]
    assert mail.outbox[0].to == [org.deep.email]
    assert "complete it by Thursday 12 March 2026" in mail.outbox[0].body
    assert row(a, org.deep).assigned_notice_sent_at == NOW
    assert assignments.assignment_notices_send() == 0
    assert len(mail.outbox) == 1


def test_work_done_before_it_was_assigned_brings_no_notice(org, django_capture_on_commit_callbacks):
    module = ModuleFactory(author=org.lead)
    services.progress_complete(user=org.member, module=module)
    with django_capture_on_commit_callbacks(execute=True):
        assign(org.admin, module=module, audience="team", team=org.member.team)
    told = {m.to[0] for m in mail.outbox}
    assert org.member.email not in told
    assert told == {
        p.email for p in org.member.team.members.exclude(pk=org.member.pk) if p.is_active
    }


def test_completed_and_withdrawn_work_gets_no_messages(org):
    module = ModuleFactory(author=org.lead)
    a = assign(org.admin, module=module, audience="team", team=org.member.team, reminder_days=3)
    services.progress_complete(user=org.member, module=module)
    assignments.assignment_withdraw(actor=org.admin, assignment=a, reason="Not needed")
    later = NOW + dt.timedelta(days=60)
    assert assignments.assignment_notices_send(now=later) == 0
    assert assignments.assignment_reminders_send(now=later) == 0
    assert assignments.assignment_overdue_notices_send(now=later) == 0
    assert mail.outbox == []


def test_the_sweep_works_through_many_people_in_batches(org, monkeypatch):
    monkeypatch.setattr(assignments, "SEND_BATCH", 3)
    team = TeamFactory()
    for n in range(7):
        UserFactory(display_name=f"Agent {n}", team=team)
    assign(org.admin, module=ModuleFactory(author=org.lead), audience="team", team=team)
    later = NOW + dt.timedelta(days=30)
    assert assignments.assignment_overdue_notices_send(now=later) == 7
    assert assignments.assignment_overdue_notices_send(now=later) == 0
    assert len(mail.outbox) == 7


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_notice_once(org):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises the two transactions; PostgreSQL runs them together")
    team = TeamFactory()
    for n in range(30):
        UserFactory(display_name=f"Agent {n}", team=team)
    assign(org.admin, module=ModuleFactory(author=org.lead), audience="team", team=team)
    mail.outbox.clear()  # the "assigned to you" notices went out as the assignment committed
    later = NOW + dt.timedelta(days=30)
    counts: list[int] = []

    def work() -> None:
        try:
            counts.append(assignments.assignment_overdue_notices_send(now=later))
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sum(counts) == 30
    assert len(mail.outbox) == 30


def _path(owner, steps: int):
    modules = [ModuleFactory(author=owner) for _ in range(steps)]
    path = paths.path_create(
        author=owner, title="Onboarding", summary="First weeks", sections=[("Start", modules)]
    )
    paths.path_publish(actor=owner, path=path)
    return path


def test_the_worker_runs_the_sweep_every_hour(org):
    from peerpath.core.periodic import SCHEDULE
    from peerpath.learning.tasks import send_assignment_reminders

    entry = next(p for p in SCHEDULE if p.task_path.endswith("send_assignment_reminders"))
    assert entry.every_seconds == 3600
    assign(org.admin, module=ModuleFactory(author=org.lead), audience="person", person=org.member)
    with time_machine.travel(NOW + dt.timedelta(days=20), tick=False):
        assert send_assignment_reminders.call() == 2
        assert send_assignment_reminders.call() == 0
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Assigned to you", "Overdue"]

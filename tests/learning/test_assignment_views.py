"""Assignment pages: who may see and change what, what they show, and bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peerpath.learning import assignments, services
from peerpath.learning.models import Assignment, DueRule, PersonAssignment
from tests.factories import ModuleFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("learning:assignments")
NEW = reverse("learning:assignment_new")


def detail(a) -> str:
    return reverse("learning:assignment", args=[a.public_id])


def withdraw(a) -> str:
    return reverse("learning:assignment_withdraw", args=[a.public_id])


def dates(a) -> str:
    return reverse("learning:assignment_change_due", args=[a.public_id])


@pytest.fixture
def module(org):
    return ModuleFactory(author=org.lead, title="Warm transfers")


@pytest.fixture
def by_manager(org, module):
    return assignments.assignment_create(
        actor=org.manager,
        module=module,
        audience="team",
        team=org.member.team,
        due_rule=DueRule.AFTER_ASSIGNMENT,
        due_days=7,
    )


def test_learners_and_outsiders_cannot_open_any_assignment_page(org, client_for, by_manager):
    for user in (org.member, org.outsider, org.deep):
        client = client_for(user)
        assert client.get(LIST).status_code == 403
        assert client.get(NEW).status_code == 403
        assert client.get(detail(by_manager)).status_code == 403
        assert client.post(withdraw(by_manager), {"reason": "no"}).status_code == 403
        assert client.get(dates(by_manager)).status_code == 403
        changed = {"due_rule": "after_assignment", "due_days": 30}
        assert client.post(dates(by_manager), changed).status_code == 403
    by_manager.refresh_from_db()
    assert by_manager.withdrawn_at is None
    assert by_manager.due_days == 7


def test_another_manager_sees_only_their_own_assignments(org, client_for, by_manager):
    # Leo manages Dara, so he may assign, but Maria's assignment is not his.
    client = client_for(org.lead)
    assert client.get(LIST).status_code == 200
    assert "Warm transfers" not in client.get(LIST).content.decode()
    assert client.get(detail(by_manager)).status_code == 403
    assert client.post(withdraw(by_manager), {"reason": "mine now"}).status_code == 403
    by_manager.refresh_from_db()
    assert by_manager.withdrawn_at is None


def test_anonymous_visitors_are_sent_to_sign_in(client, by_manager):
    for url in (LIST, NEW, detail(by_manager)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_the_list_shows_counts_by_status_in_bounded_queries(
    org, client_for, module, django_assert_max_num_queries
):
    services.progress_complete(user=org.lead, module=module)
    team = TeamFactory()
    for n in range(3):
        for m in range(4):
            UserFactory(display_name=f"Agent {n}-{m}", team=team)
        assignments.assignment_create(
            actor=org.admin,
            module=ModuleFactory(author=org.lead),
            audience="team",
            team=team,
            due_rule=DueRule.FIXED,
            due_on=timezone.localdate() + dt.timedelta(days=n),
        )
    a = assignments.assignment_create(
        actor=org.admin,
        module=module,
        audience="team",
        team=org.member.team,
        due_rule=DueRule.AFTER_ASSIGNMENT,
        due_days=7,
    )
    services.progress_open(user=org.member, module=module)
    PersonAssignment.objects.filter(assignment=a, person=org.deep).update(
        due_at=timezone.now() - dt.timedelta(hours=1)
    )
    client = client_for(org.admin)
    client.get(LIST)  # warm the session and navigation caches
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<tr>") == 1 + 4
    row = page[page.index("Warm transfers") :].split("</tr>")[0]
    # Done, in progress, not started, overdue: Leo, Mina, Maria, Dara.
    cells = [c.split("<")[0].strip() for c in row.split('class="num">')[1:]]
    assert cells[:3] == ["1", "1", "1"]
    assert ">1</span>" in row.split('class="num">')[4]


def test_a_manager_creates_a_team_assignment_from_the_form(org, client_for, module):
    response = client_for(org.manager).post(
        NEW,
        {
            "module": str(module.public_id),
            "audience": "team",
            "team": str(org.member.team.pk),
            "due_rule": "after_assignment",
            "due_days": "10",
            "reminder_days": "3",
        },
    )
    a = Assignment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(a)
    assert a.scope_manager == org.manager
    assert PersonAssignment.objects.filter(assignment=a).count() == 3  # Leo, Mina, Dara


def test_the_form_explains_what_is_wrong_and_writes_nothing(org, client_for, module):
    client = client_for(org.manager)
    response = client.post(
        NEW,
        {
            "module": str(module.public_id),
            "audience": "person",
            "person": org.outsider.email,
            "due_rule": "fixed",
            "due_on": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "not in your reporting line" in page
    assert "Choose the due date." in page
    response = client.post(
        NEW,
        {
            "module": str(module.public_id),
            "audience": "person",
            "person": "ghost@example.com",
            "due_rule": "after_assignment",
            "due_days": "5",
        },
    )
    assert "Nobody active has the address ghost@example.com." in response.content.decode()
    response = client.post(
        NEW, {"audience": "team", "team": str(org.member.team.pk), "due_rule": "fixed"}
    )
    assert "Choose one module or one learning path to assign." in response.content.decode()
    assert not Assignment.objects.exists()


def test_the_detail_page_lists_each_persons_status(org, client_for, by_manager, module):
    services.progress_complete(user=org.deep, module=module)
    page = client_for(org.manager).get(detail(by_manager)).content.decode()
    assert "Dara Deep" in page
    assert "✓ Completed" in page
    assert page.count("Not started") >= 2
    assert "Withdraw assignment" in page


def test_withdrawing_needs_a_reason_and_then_takes_it_off_my_learning(org, client_for, by_manager):
    client = client_for(org.manager)
    client.post(withdraw(by_manager), {"reason": ""})
    by_manager.refresh_from_db()
    assert by_manager.withdrawn_at is None
    assert "Warm transfers" in client_for(org.member).get(reverse("learning:mine")).content.decode()

    response = client.post(
        withdraw(by_manager), {"reason": "Covered in team training"}, follow=True
    )
    page = response.content.decode()
    assert "Withdrawn" in page
    assert "Covered in team training" in page
    assert "Withdraw assignment" not in page
    mine = client_for(org.member).get(reverse("learning:mine")).content.decode()
    assert "Assigned to you" not in mine


def test_an_admin_sees_and_withdraws_a_managers_assignment(org, client_for, by_manager):
    client = client_for(org.admin)
    assert "Warm transfers" in client.get(LIST).content.decode()
    client.post(withdraw(by_manager), {"reason": "Replaced"})
    by_manager.refresh_from_db()
    assert by_manager.withdrawn_by == org.admin
    assert "Warm transfers" in client.get(LIST + "?state=withdrawn").content.decode()


def test_my_learning_shows_assigned_items_with_due_dates_and_overdue(
    org, client_for, by_manager, django_assert_max_num_queries
):
    row = PersonAssignment.objects.get(assignment=by_manager, person=org.member)
    client = client_for(org.member)
    page = client.get(reverse("learning:mine")).content.decode()
    assert "Assigned to you" in page
    assert f"due {row.due_on:%-d %b %Y}" in page
    PersonAssignment.objects.filter(pk=row.pk).update(due_at=timezone.now())
    page = client.get(reverse("learning:mine")).content.decode()
    assert "list-row--overdue" in page
    assert "Overdue" in page


def test_the_navigation_offers_assignments_to_those_who_may_assign(org, client_for):
    link = f'href="{LIST}"'
    assert link in client_for(org.manager).get(reverse("learning:mine")).content.decode()
    assert link in client_for(org.admin).get(reverse("learning:mine")).content.decode()
    assert link not in client_for(org.member).get(reverse("learning:mine")).content.decode()


def test_the_detail_page_and_my_learning_stay_within_a_fixed_number_of_queries(
    org, client_for, module, django_assert_max_num_queries
):
    team = TeamFactory()
    for n in range(30):
        UserFactory(display_name=f"Agent {n}", team=team)
    a = assignments.assignment_create(
        actor=org.admin,
        module=module,
        audience="team",
        team=team,
        due_rule=DueRule.AFTER_ASSIGNMENT,
        due_days=7,
    )
    client = client_for(org.admin)
    client.get(detail(a))
    with django_assert_max_num_queries(8):
        response = client.get(detail(a))
    assert response.content.decode().count('class="chip">Not started</span>') == 30

    for n in range(5):
        assignments.assignment_create(
            actor=org.admin,
            module=ModuleFactory(author=org.lead),
            audience="person",
            person=org.member,
            due_rule=DueRule.AFTER_ASSIGNMENT,
            due_days=n + 1,
        )
    learner = client_for(org.member)
    learner.get(reverse("learning:mine"))
    with django_assert_max_num_queries(16):
        response = learner.get(reverse("learning:mine"))
    assert response.content.decode().count("due ") >= 5


def test_the_detail_page_filters_people_by_status(org, client_for, by_manager, module):
    services.progress_complete(user=org.deep, module=module)
    client = client_for(org.manager)
    page = client.get(detail(by_manager) + "?status=completed").content.decode()
    table = page[page.index("<table") :]
    assert "Dara Deep" in table
    assert "Mina Member" not in table
    assert "Completed · 1" in page
    page = client.get(detail(by_manager) + "?status=overdue").content.decode()
    assert "Nobody in this group" in page
    page = client.get(detail(by_manager) + "?status=bogus").content.decode()
    assert "Mina Member" in page  # an unknown status shows everyone


def test_a_manager_sees_a_reports_assignments_on_their_learning_page(org, client_for, by_manager):
    url = reverse("learning:person", args=[org.member.public_id])
    page = client_for(org.manager).get(url).content.decode()
    assert ">Assigned</h2>" in page
    assert "Warm transfers" in page
    assert client_for(org.outsider).get(url).status_code == 403


def test_the_manager_changes_the_dates_and_open_rows_follow(org, client_for, by_manager):
    client = client_for(org.manager)
    page = client.get(dates(by_manager))
    assert page.status_code == 200
    assert b"Days after the hire date" not in page.content  # not a new-hire rule
    due = (timezone.now() + dt.timedelta(days=40)).date()
    response = client.post(dates(by_manager), {"due_rule": "fixed", "due_on": due.isoformat()})
    assert response.status_code == 302
    by_manager.refresh_from_db()
    assert (by_manager.due_rule, by_manager.due_on, by_manager.due_days) == ("fixed", due, None)
    rows = PersonAssignment.objects.filter(assignment=by_manager)
    assert rows.exists()
    assert set(rows.values_list("due_on", flat=True)) == {due}


def test_changing_dates_explains_what_is_wrong_and_changes_nothing(org, client_for, by_manager):
    client = client_for(org.manager)
    past = (timezone.now() - dt.timedelta(days=3)).date()
    response = client.post(dates(by_manager), {"due_rule": "fixed", "due_on": past.isoformat()})
    assert response.status_code == 400
    assert "The due date has passed" in response.content.decode()
    response = client.post(dates(by_manager), {"due_rule": "after_hire", "due_days": 5})
    assert response.status_code == 400
    by_manager.refresh_from_db()
    assert (by_manager.due_rule, by_manager.due_days) == ("after_assignment", 7)

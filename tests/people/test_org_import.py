"""Organisation CSV import: all or nothing, every problem reported by row and column."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerpath.people import selectors, services
from peerpath.people.models import Department, Team, User
from peerpath.people.org_csv import export_org_csv, import_org_csv
from tests.factories import JobRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "email,display_name,job_title,job_role,team,department,manager_email,time_zone,hire_date"


def csv(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def errors_of(result):
    return {(e.row, e.column) for e in result.errors}


def test_import_creates_people_teams_departments_and_reporting_lines():
    JobRoleFactory(name="Support Agent")
    result = import_org_csv(
        file=csv(
            "boss@example.com,Bo Boss,Head,,Contact Centre,Operations,,Europe/London,2020-01-02",
            "lead@example.com,Le Lead,Lead,,Contact Centre,,boss@example.com,,",
            "agent@example.com,Ag Agent,Agent,support agent,Contact Centre,,lead@example.com,,",
        )
    )
    assert result.ok, result.errors
    assert (result.created, result.updated, result.teams_created) == (3, 0, 1)
    assert result.departments_created == 1
    boss, lead, agent = (
        User.objects.get(email=f"{n}@example.com") for n in ("boss", "lead", "agent")
    )
    assert agent.manager == lead
    assert agent.line_path == f"/{boss.pk}/{lead.pk}/{agent.pk}/"
    assert set(selectors.reports_subtree(boss)) == {lead, agent}
    assert agent.job_role.name == "Support Agent"
    assert agent.team.department.name == "Operations"
    assert boss.time_zone == "Europe/London"
    assert not agent.has_usable_password()


def test_import_updates_existing_people_by_email_case_insensitively(org):
    result = import_org_csv(
        file=csv(
            f"{org.member.email.upper()},Mina Renamed,Senior Agent,,,,{org.outsider.email},,",
        )
    )
    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 1)
    org.member.refresh_from_db()
    assert org.member.display_name == "Mina Renamed"
    assert org.member.manager == org.outsider
    assert org.member.line_path == f"/{org.outsider.pk}/{org.member.pk}/"


def test_one_bad_row_changes_nothing_and_is_reported_by_row_and_column(org):
    before = (User.objects.count(), Team.objects.count(), Department.objects.count())
    result = import_org_csv(
        file=csv(
            "new1@example.com,New One,,,New Team,New Dept,,,",
            "new2@example.com,New Two,,,,,,,2024-13-01",
        )
    )
    assert not result.ok
    assert errors_of(result) == {(3, "hire_date")}
    assert "“2024-13-01” is not a date (use YYYY-MM-DD)" in result.errors[0].message
    assert (User.objects.count(), Team.objects.count(), Department.objects.count()) == before


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("not-an-email,X,,,,,,,", "email", "not a valid email"),
        ("x@example.com,,,,,,,,", "display_name", "name is required"),
        ("x@example.com," + "N" * 121 + ",,,,,,,", "display_name", "Longer than 120"),
        ("x@example.com,X,,Astronaut,,,,,", "job_role", "Unknown job role"),
        ("x@example.com,X,,,Brand New Team,,,,", "department", "new team"),
        ("x@example.com,X,,,,Ops,,,", "team", "without a team"),
        ("x@example.com,X,,,,,,Mars/Base,", "time_zone", "not a time zone"),
        ("x@example.com,X,,,,,,,2999-01-01", "hire_date", "in the future"),
        ("x@example.com,X,,,,,nobody@example.com,,", "manager_email", "neither in this file"),
        ("x@example.com,X,,,,,x@example.com,,", "manager_email", "own manager"),
    ],
)
def test_each_rule_reports_its_row_and_column(line, column, message):
    result = import_org_csv(file=csv(line))
    assert [(e.row, e.column) for e in result.errors] == [(2, column)]
    assert message in result.errors[0].message
    assert not User.objects.filter(email="x@example.com").exists()


def test_duplicate_emails_in_the_file_are_reported():
    result = import_org_csv(file=csv("a@example.com,A,,,,,,,", "A@example.com,A2,,,,,,,"))
    assert errors_of(result) == {(3, "email")}
    assert "row 2" in result.errors[0].message


def test_existing_team_in_another_department_is_refused(org):
    team = org.member.team
    result = import_org_csv(file=csv(f"x@example.com,X,,,{team.name},Elsewhere,,,"))
    assert errors_of(result) == {(2, "department")}


def test_reporting_loops_across_file_and_database_are_refused(org):
    # The manager would report to someone in their own subtree.
    result = import_org_csv(
        file=csv(
            f"{org.manager.email},Maria Manager,,,,,{org.deep.email},,",
        )
    )
    assert not result.ok
    assert result.errors[0].column == "manager_email"
    assert "Reporting loop" in result.errors[0].message
    org.manager.refresh_from_db()
    assert org.manager.manager is None


def test_loops_within_the_file_are_refused():
    result = import_org_csv(
        file=csv("a@example.com,A,,,,,b@example.com,,", "b@example.com,B,,,,,a@example.com,,")
    )
    assert {e.column for e in result.errors} == {"manager_email"}
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"email,display_name,shoe_size\n", "Unknown column"),
        (b"display_name\nX\n", "Required column"),
        (b"email,email,display_name\n", "appear twice"),
        (b"email,display_name\n", "no people"),
        ("email,display_name\nx@example.com,Zo\xeb\n".encode("latin-1"), "UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV"),
    ],
)
def test_file_level_problems(content, message):
    result = import_org_csv(file=content)
    assert not result.ok
    assert message in result.errors[0].message


def test_oversized_files_are_refused(settings):
    settings.PEERPATH_MAX_IMPORT_BYTES = 100
    result = import_org_csv(file=csv(*[f"p{i}@example.com,P{i},,,,,,," for i in range(20)]))
    assert "larger than" in result.errors[0].message
    assert User.objects.count() == 0


def test_byte_order_mark_and_any_column_order_are_accepted():
    result = import_org_csv(file=b"\xef\xbb\xbfDisplay_Name,EMAIL\nZoe,zoe@example.com\n")
    assert result.ok, result.errors
    assert User.objects.get().display_name == "Zoe"


def test_status_inactive_deactivates_and_keeps_history(org):
    result = import_org_csv(
        file=csv(f"{org.member.email},Mina Member,inactive", header="email,display_name,status")
    )
    assert result.ok, result.errors
    assert result.deactivated == 1
    org.member.refresh_from_db()
    assert not org.member.is_active
    assert org.member.deactivated_at is not None


def test_an_admin_cannot_deactivate_themselves_by_import(org):
    result = import_org_csv(
        file=csv(f"{org.admin.email},Ada Admin,inactive", header="email,display_name,status"),
        actor_id=org.admin.pk,
    )
    assert errors_of(result) == {(2, "status")}


def test_export_then_import_changes_nothing(org):
    JobRoleFactory(name="Support Agent")
    services.person_update_profile(person=org.member, hire_date=None, location="=cmd|' /C calc'!A0")
    out = io.StringIO()
    assert export_org_csv(out=out) == User.objects.count()
    text = out.getvalue()
    assert "'=cmd" in text  # formulas are defused for spreadsheets
    snapshot = list(User.objects.order_by("pk").values())
    result = import_org_csv(file=text.encode())
    assert result.ok, result.errors
    assert (result.created, result.updated, result.deactivated) == (0, 0, 0)
    assert list(User.objects.order_by("pk").values()) == snapshot


def test_progress_is_reported():
    calls = []
    import_org_csv(file=csv("a@example.com,A,,,,,,,"), progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (1, 1)


def test_large_import_runs_in_a_bounded_number_of_queries(django_assert_max_num_queries):
    lines = [
        f"p{i}@example.com,Person {i},,,Team A,Dept A,{'p0@example.com' if i else ''},,"
        for i in range(600)
    ]
    with django_assert_max_num_queries(40):
        result = import_org_csv(file=csv(*lines))
    assert result.ok, result.errors
    p0 = User.objects.get(email="p0@example.com")
    assert selectors.reports_subtree(p0).count() == 599


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(data):
    result = import_org_csv(file=data)
    assert isinstance(result.ok, bool)


def test_existing_user_not_in_file_keeps_place(org):
    UserFactory(email="solo@example.com")
    result = import_org_csv(file=csv("new@example.com,New,,,,,,,"))
    assert result.ok
    org.deep.refresh_from_db()
    assert org.deep.manager == org.lead

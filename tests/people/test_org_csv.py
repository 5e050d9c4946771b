"""Organisation CSV import and export: all or nothing, every problem by row and column."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from peerpath.people import org_csv, selectors, services
from peerpath.people.models import Department, Team, User
from peerpath.people.org_csv import (
    COLUMNS,
    ImportResult,
    RowError,
    export_org_csv,
    import_org_csv,
    line_paths,
)

# --- Helpers ----------------------------------------------------------------------------------


def make_csv(*rows: dict[str, str], columns: tuple[str, ...] | list[str] = COLUMNS) -> bytes:
    """A CSV file with ``columns`` as header; cells a row does not name are left blank."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def where(result: ImportResult) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in result.errors]


def messages(result: ImportResult) -> list[str]:
    return [e.message for e in result.errors]


def snapshot() -> list[dict[str, object]]:
    return [dict(row) for row in User.objects.order_by("pk").values()]


@pytest.fixture
def support() -> Department:
    return services.department_get_or_create(name="Customer Support")


@pytest.fixture
def contact_centre(support: Department) -> Team:
    return services.team_get_or_create(name="Contact Centre", department=support)


@pytest.fixture
def boss(contact_centre: Team) -> User:
    return services.person_create(
        email="boss@example.com", display_name="Bea Boss", team=contact_centre
    )


@pytest.fixture
def lead(boss: User, contact_centre: Team) -> User:
    return services.person_create(
        email="lead@example.com", display_name="Lee Lead", manager=boss, team=contact_centre
    )


@pytest.fixture
def agent(lead: User, contact_centre: Team) -> User:
    return services.person_create(
        email="agent@example.com",
        display_name="Ann Agent",
        manager=lead,
        team=contact_centre,
        job_title="Agent",
        location="Leeds",
    )


# --- Happy paths ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_creates_people_teams_departments_and_reporting_lines() -> None:
    services.job_role_create(name="Support Agent")
    result = import_org_csv(
        file=make_csv(
            {
                "email": "Head@Example.com",
                "display_name": "Hana Head",
                "job_title": "Head of Service",
                "team": "Service Desk",
                "department": "Operations",
                "location": "Leeds",
                "time_zone": "Europe/London",
                "hire_date": "2019-04-01",
                "learning_admin": "yes",
            },
            # A manager may appear after the people who report to them.
            {
                "email": "agent@example.com",
                "display_name": "Ade Agent",
                "job_role": "support agent",
                "team": "service desk",
                "manager_email": "lead@example.com",
            },
            {
                "email": "lead@example.com",
                "display_name": "Lou Lead",
                "team": "Service Desk",
                "manager_email": "HEAD@example.com",
                "status": "active",
            },
        )
    )

    assert result == ImportResult(created=3, teams_created=1, departments_created=1)
    assert result.ok
    head, lead, agent = (
        User.objects.get(email=f"{n}@example.com") for n in ("head", "lead", "agent")
    )
    assert head.line_path == f"/{head.pk}/"
    assert lead.line_path == f"/{head.pk}/{lead.pk}/"
    assert agent.line_path == f"/{head.pk}/{lead.pk}/{agent.pk}/"
    assert agent.manager == lead
    assert set(selectors.reports_subtree(head)) == {lead, agent}
    assert set(selectors.reports_subtree(lead)) == {agent}
    team = Team.objects.get()
    assert (team.name, team.department.name) == ("Service Desk", "Operations")
    assert {head.team, lead.team, agent.team} == {team}
    assert agent.job_role is not None
    assert agent.job_role.name == "Support Agent"
    assert (head.time_zone, str(head.hire_date), head.location) == (
        "Europe/London",
        "2019-04-01",
        "Leeds",
    )
    assert head.is_learning_admin
    assert not agent.is_learning_admin
    assert agent.time_zone == "UTC"
    assert all(u.is_active and not u.has_usable_password() for u in (head, lead, agent))


@pytest.mark.django_db
def test_people_are_matched_by_email_ignoring_case_and_only_present_columns_change(
    agent: User,
) -> None:
    result = import_org_csv(
        file=make_csv(
            {"email": "AGENT@Example.COM", "display_name": "Ann Renamed", "job_title": "Senior"},
            columns=["email", "display_name", "job_title"],
        )
    )

    assert result == ImportResult(updated=1)
    agent.refresh_from_db()
    assert (agent.display_name, agent.job_title) == ("Ann Renamed", "Senior")
    # Columns the file does not have are left alone.
    assert (agent.location, agent.manager_id, agent.team_id) == (
        "Leeds",
        agent.manager_id,
        agent.team_id,
    )
    assert agent.manager is not None
    assert agent.manager.email == "lead@example.com"
    assert User.objects.count() == 3


@pytest.mark.django_db
def test_a_new_manager_moves_the_whole_subtree_including_people_not_in_the_file(
    agent: User, contact_centre: Team
) -> None:
    other = services.person_create(email="other@example.com", display_name="Oli Other")
    lead = agent.manager
    assert lead is not None

    result = import_org_csv(
        file=make_csv(
            {"email": lead.email, "display_name": lead.display_name, "manager_email": other.email},
            columns=["email", "display_name", "manager_email"],
        )
    )

    assert result == ImportResult(updated=1)  # a manager-only change counts as an update
    agent.refresh_from_db()
    lead.refresh_from_db()
    assert lead.line_path == f"/{other.pk}/{lead.pk}/"
    assert agent.line_path == f"/{other.pk}/{lead.pk}/{agent.pk}/"
    assert set(selectors.reports_subtree(other)) == {lead, agent}


@pytest.mark.django_db
def test_a_blank_manager_makes_someone_top_of_their_line(agent: User) -> None:
    result = import_org_csv(
        file=make_csv(
            {"email": "lead@example.com", "display_name": "Lee Lead", "manager_email": ""},
            columns=["email", "display_name", "manager_email"],
        )
    )

    assert result.ok, result.errors
    agent.refresh_from_db()
    assert agent.manager is not None
    assert agent.manager.manager is None
    assert agent.line_path == f"/{agent.manager_id}/{agent.pk}/"


@pytest.mark.django_db
def test_an_existing_team_needs_no_department_and_a_matching_one_is_accepted(
    contact_centre: Team,
) -> None:
    result = import_org_csv(
        file=make_csv(
            {"email": "a@example.com", "display_name": "A", "team": "CONTACT CENTRE"},
            {
                "email": "b@example.com",
                "display_name": "B",
                "team": "Contact Centre",
                "department": "customer support",
            },
        )
    )

    assert result == ImportResult(created=2)
    assert set(User.objects.values_list("team_id", flat=True)) == {contact_centre.pk}
    assert Team.objects.count() == 1
    assert Department.objects.count() == 1


@pytest.mark.django_db
def test_a_new_team_in_an_existing_department_creates_only_the_team(support: Department) -> None:
    result = import_org_csv(
        file=make_csv(
            {"email": "a@example.com", "display_name": "A", "team": "Billing"},
            {
                "email": "b@example.com",
                "display_name": "B",
                "team": "billing",
                "department": "CUSTOMER SUPPORT",
            },
        )
    )

    assert (result.teams_created, result.departments_created) == (1, 0)
    assert Team.objects.get(name="Billing").department == support


@pytest.mark.django_db
def test_time_zones_match_regardless_of_case_and_default_to_utc() -> None:
    result = import_org_csv(
        file=make_csv(
            {"email": "a@example.com", "display_name": "A", "time_zone": "america/new_york"},
            {"email": "b@example.com", "display_name": "B", "time_zone": ""},
        )
    )

    assert result.ok, result.errors
    assert dict(User.objects.values_list("email", "time_zone")) == {
        "a@example.com": "America/New_York",
        "b@example.com": "UTC",
    }


@pytest.mark.django_db
def test_a_blank_learning_admin_or_status_leaves_an_existing_person_unchanged(boss: User) -> None:
    services.person_update_profile(person=boss, is_learning_admin=True)

    result = import_org_csv(
        file=make_csv(
            {"email": boss.email, "display_name": boss.display_name},
            columns=["email", "display_name", "learning_admin", "status"],
        )
    )

    assert result == ImportResult()
    boss.refresh_from_db()
    assert boss.is_learning_admin
    assert boss.is_active


@pytest.mark.django_db
def test_learning_admin_yes_and_no_grant_and_remove_the_role(boss: User, lead: User) -> None:
    services.person_update_profile(person=lead, is_learning_admin=True)

    result = import_org_csv(
        file=make_csv(
            {"email": boss.email, "display_name": boss.display_name, "learning_admin": "Yes"},
            {"email": lead.email, "display_name": lead.display_name, "learning_admin": "NO"},
        )
    )

    assert result == ImportResult(updated=2)
    boss.refresh_from_db()
    lead.refresh_from_db()
    assert boss.is_learning_admin
    assert not lead.is_learning_admin


# --- Deactivation -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_inactive_status_deactivates_but_keeps_the_person_and_their_place(agent: User) -> None:
    pk, path = agent.pk, agent.line_path

    result = import_org_csv(
        file=make_csv(
            {"email": agent.email, "display_name": agent.display_name, "status": "Inactive"},
            columns=["email", "display_name", "status"],
        )
    )

    assert result == ImportResult(updated=1, deactivated=1)
    agent = User.objects.get(pk=pk)
    assert not agent.is_active
    assert agent.deactivated_at is not None
    assert agent.line_path == path
    assert User.objects.count() == 3


@pytest.mark.django_db
def test_active_status_reactivates(agent: User, boss: User) -> None:
    services.person_deactivate(person=agent, by=boss)

    result = import_org_csv(
        file=make_csv(
            {"email": agent.email, "display_name": agent.display_name, "status": "active"},
            columns=["email", "display_name", "status"],
        )
    )

    assert result == ImportResult(updated=1)
    agent.refresh_from_db()
    assert agent.is_active
    assert agent.deactivated_at is None


@pytest.mark.django_db
def test_a_new_person_may_be_imported_inactive() -> None:
    result = import_org_csv(
        file=make_csv({"email": "gone@example.com", "display_name": "Gone", "status": "inactive"})
    )

    assert result == ImportResult(created=1)
    gone = User.objects.get()
    assert not gone.is_active
    assert gone.deactivated_at is not None


# --- All or nothing ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_bad_row_among_good_ones_changes_nothing(agent: User) -> None:
    before = snapshot()
    teams, departments = Team.objects.count(), Department.objects.count()

    result = import_org_csv(
        file=make_csv(
            {
                "email": "new1@example.com",
                "display_name": "New One",
                "team": "Night Shift",
                "department": "Night Operations",
            },
            {"email": agent.email, "display_name": "Renamed", "status": "inactive"},
            {"email": "new2@example.com", "display_name": "New Two", "hire_date": "2024-13-01"},
            {
                "email": "new3@example.com",
                "display_name": "New Three",
                "manager_email": agent.email,
            },
        )
    )

    assert not result.ok
    assert (result.created, result.updated, result.deactivated, result.teams_created) == (
        0,
        0,
        0,
        0,
    )
    assert [str(e) for e in result.errors] == [
        "Row 4, hire_date: “2024-13-01” is not a date (use YYYY-MM-DD)."
    ]
    assert snapshot() == before
    assert (Team.objects.count(), Department.objects.count()) == (teams, departments)


@pytest.mark.django_db
def test_every_problem_in_the_file_is_reported_sorted_by_row_and_column() -> None:
    result = import_org_csv(
        file=make_csv(
            {"email": "ok@example.com", "display_name": "Fine"},
            {"email": "bad", "display_name": "", "status": "gone"},
            {"email": "x@example.com", "display_name": "X", "time_zone": "Moon/Base"},
        )
    )

    assert where(result) == [(3, "email"), (3, "display_name"), (3, "status"), (4, "time_zone")]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_database_race_at_write_time_is_reported_and_rolled_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def clash(*args: object) -> None:
        raise IntegrityError("UNIQUE constraint failed: people_team.name")

    monkeypatch.setattr(org_csv, "_set_managers", clash)

    result = import_org_csv(file=make_csv({"email": "a@example.com", "display_name": "A"}))

    assert where(result) == [(0, "")]
    assert "changed while this file was being imported" in result.errors[0].message
    assert not User.objects.exists()


# --- Row rules --------------------------------------------------------------------------------

LONG = "x" * 121


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ({"email": "", "display_name": "X"}, "email", "An email address is required."),
        (
            {"email": "not-an-email", "display_name": "X"},
            "email",
            "“not-an-email” is not a valid email address.",
        ),
        (
            {"email": "a" * 250 + "@example.com", "display_name": "X"},
            "email",
            "Longer than 254 characters (262).",
        ),
        ({"email": "x@example.com", "display_name": ""}, "display_name", "A name is required."),
        (
            {"email": "x@example.com", "display_name": LONG},
            "display_name",
            "Longer than 120 characters (121).",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "job_title": LONG},
            "job_title",
            "Longer than 120 characters (121).",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "location": LONG},
            "location",
            "Longer than 120 characters (121).",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "team": LONG, "department": "D"},
            "team",
            "Longer than 120 characters (121).",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "team": "T", "department": LONG},
            "department",
            "Longer than 120 characters (121).",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "job_role": "Astronaut"},
            "job_role",
            "Unknown job role “Astronaut”: add it under Admin › Job roles first, "
            "or correct the spelling.",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "team": "Brand New"},
            "department",
            "“Brand New” is a new team: give its department (on at least one of its rows).",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "department": "Ops"},
            "team",
            "A department is given without a team.",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "time_zone": "Mars/Base"},
            "time_zone",
            "“Mars/Base” is not a time zone name (use one like Europe/London).",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "hire_date": "2024-13-01"},
            "hire_date",
            "“2024-13-01” is not a date (use YYYY-MM-DD).",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "hire_date": "20240101"},
            "hire_date",
            "“20240101” is not a date (use YYYY-MM-DD).",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "hire_date": "01/02/2024"},
            "hire_date",
            "“01/02/2024” is not a date (use YYYY-MM-DD).",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "manager_email": "no@example.com"},
            "manager_email",
            "no@example.com is neither in this file nor in Peerpath.",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "manager_email": "X@example.com"},
            "manager_email",
            "Nobody can be their own manager.",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "status": "retired"},
            "status",
            "“retired” must be “active” or “inactive”.",
        ),
        (
            {"email": "x@example.com", "display_name": "X", "learning_admin": "maybe"},
            "learning_admin",
            "“maybe” must be “yes” or “no”.",
        ),
    ],
)
@pytest.mark.django_db
def test_each_rule_reports_its_row_column_and_message(
    row: dict[str, str], column: str, message: str
) -> None:
    result = import_org_csv(file=make_csv(row))

    assert result.errors == [RowError(2, column, message)]
    assert not User.objects.exists()
    assert not Team.objects.exists()


@pytest.mark.django_db
def test_hire_dates_up_to_a_year_ahead_are_accepted_but_not_beyond() -> None:
    today = timezone.localdate()
    soon = (today + timedelta(days=300)).isoformat()
    later = (today + timedelta(days=400)).isoformat()

    result = import_org_csv(
        file=make_csv(
            {"email": "soon@example.com", "display_name": "Soon", "hire_date": soon},
            {"email": "later@example.com", "display_name": "Later", "hire_date": later},
        )
    )

    assert result.errors == [
        RowError(3, "hire_date", f"{later} is more than a year in the future.")
    ]


@pytest.mark.django_db
def test_duplicate_emails_in_the_file_point_at_the_first_row() -> None:
    result = import_org_csv(
        file=make_csv(
            {"email": "b@example.com", "display_name": "B"},
            {"email": "a@example.com", "display_name": "A"},
            {"email": "B@Example.com", "display_name": "B again"},
        )
    )

    assert result.errors == [RowError(4, "email", "B@Example.com also appears in row 2.")]


@pytest.mark.django_db
def test_job_roles_match_existing_ones_regardless_of_case() -> None:
    role = services.job_role_create(name="Team Leader")

    result = import_org_csv(
        file=make_csv({"email": "x@example.com", "display_name": "X", "job_role": "TEAM leader"})
    )

    assert result.ok, result.errors
    assert User.objects.get().job_role == role


@pytest.mark.django_db
def test_an_existing_team_in_another_department_is_refused(contact_centre: Team) -> None:
    services.department_get_or_create(name="Sales")

    result = import_org_csv(
        file=make_csv(
            {
                "email": "x@example.com",
                "display_name": "X",
                "team": "Contact Centre",
                "department": "Sales",
            }
        )
    )

    assert result.errors == [
        RowError(
            2,
            "department",
            "The team “Contact Centre” belongs to “Customer Support”, not “Sales”.",
        )
    ]


@pytest.mark.django_db
def test_a_new_team_given_two_departments_is_refused() -> None:
    result = import_org_csv(
        file=make_csv(
            {"email": "a@example.com", "display_name": "A", "team": "Billing", "department": "F"},
            {"email": "b@example.com", "display_name": "B", "team": "billing", "department": "f"},
            {"email": "c@example.com", "display_name": "C", "team": "Billing", "department": "G"},
        )
    )

    assert result.errors == [
        RowError(
            4,
            "department",
            "The new team “Billing” is in “F” on row 2 but in “G” here.",
        )
    ]


@pytest.mark.django_db
def test_a_manager_may_be_an_existing_person_not_in_the_file(boss: User) -> None:
    result = import_org_csv(
        file=make_csv(
            {"email": "new@example.com", "display_name": "New", "manager_email": "BOSS@example.com"}
        )
    )

    assert result.ok, result.errors
    new = User.objects.get(email="new@example.com")
    assert new.manager == boss
    assert new.line_path == f"/{boss.pk}/{new.pk}/"


# --- Reporting loops --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_loop_within_the_file_is_reported_with_its_rows() -> None:
    result = import_org_csv(
        file=make_csv(
            {"email": "a@example.com", "display_name": "A", "manager_email": "b@example.com"},
            {"email": "z@example.com", "display_name": "Z"},
            {"email": "b@example.com", "display_name": "B", "manager_email": "c@example.com"},
            {"email": "c@example.com", "display_name": "C", "manager_email": "a@example.com"},
        )
    )

    assert result.errors == [
        RowError(
            2,
            "manager_email",
            "Reporting loop: a@example.com → b@example.com → c@example.com → a@example.com "
            "(rows 2, 4, 5).",
        )
    ]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_loop_is_reported_on_its_own_rows_not_on_people_reporting_into_it() -> None:
    result = import_org_csv(
        file=make_csv(
            {"email": "feeder@example.com", "display_name": "F", "manager_email": "b@example.com"},
            {"email": "b@example.com", "display_name": "B", "manager_email": "c@example.com"},
            {"email": "c@example.com", "display_name": "C", "manager_email": "b@example.com"},
        )
    )

    assert result.errors == [
        RowError(
            3,
            "manager_email",
            "Reporting loop: b@example.com → c@example.com → b@example.com (rows 3, 4).",
        )
    ]


@pytest.mark.django_db
def test_a_loop_through_people_already_in_peerpath_is_refused(agent: User, boss: User) -> None:
    # The boss would report to the agent, who (through the lead) reports to the boss.
    before = snapshot()

    result = import_org_csv(
        file=make_csv(
            {"email": boss.email, "display_name": boss.display_name, "manager_email": agent.email},
            columns=["email", "display_name", "manager_email"],
        )
    )

    assert result.errors == [
        RowError(
            2,
            "manager_email",
            "Reporting loop: boss@example.com → agent@example.com → lead@example.com "
            "→ boss@example.com (row 2).",
        )
    ]
    assert snapshot() == before


@pytest.mark.django_db
def test_a_file_may_reverse_a_reporting_line_in_one_go(agent: User, lead: User, boss: User) -> None:
    # Each move alone would make a loop; together they are a valid organisation.
    result = import_org_csv(
        file=make_csv(
            {"email": boss.email, "display_name": boss.display_name, "manager_email": lead.email},
            {"email": lead.email, "display_name": lead.display_name, "manager_email": agent.email},
            {"email": agent.email, "display_name": agent.display_name, "manager_email": ""},
            columns=["email", "display_name", "manager_email"],
        )
    )

    assert result == ImportResult(updated=3)
    boss.refresh_from_db()
    agent.refresh_from_db()
    assert agent.line_path == f"/{agent.pk}/"
    assert boss.line_path == f"/{agent.pk}/{lead.pk}/{boss.pk}/"
    assert set(selectors.reports_subtree(agent)) == {lead, boss}


def test_line_paths_cut_a_loop_left_by_old_data_instead_of_spinning() -> None:
    paths = line_paths({1: None, 2: 3, 3: 2, 4: 1})

    assert paths[1] == "/1/"
    assert paths[4] == "/1/4/"
    assert {paths[2], paths[3]} == {"/3/", "/3/2/"} or {paths[2], paths[3]} == {"/2/", "/2/3/"}


def test_line_paths_handle_very_deep_lines_without_recursion() -> None:
    managers: dict[int, int | None] = {1: None, **{i: i - 1 for i in range(2, 20_001)}}

    paths = line_paths(managers)

    assert paths[20_000].count("/") == 20_001
    assert paths[3] == "/1/2/3/"


# --- The admin importing ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_cannot_deactivate_or_demote_themselves_by_import(boss: User) -> None:
    services.person_update_profile(person=boss, is_learning_admin=True)

    result = import_org_csv(
        file=make_csv(
            {
                "email": boss.email,
                "display_name": boss.display_name,
                "status": "inactive",
                "learning_admin": "no",
            }
        ),
        actor_id=boss.pk,
    )

    assert result.errors == [
        RowError(2, "status", "You cannot deactivate your own account."),
        RowError(2, "learning_admin", "You cannot remove your own learning-admin role."),
    ]
    boss.refresh_from_db()
    assert boss.is_active
    assert boss.is_learning_admin


@pytest.mark.django_db
def test_someone_who_may_not_grant_roles_cannot_change_them_by_import(
    boss: User, lead: User
) -> None:
    result = import_org_csv(
        file=make_csv(
            {"email": lead.email, "display_name": lead.display_name, "learning_admin": "yes"},
            {"email": "new@example.com", "display_name": "New", "learning_admin": "no"},
            columns=["email", "display_name", "learning_admin"],
        ),
        actor_id=boss.pk,  # an ordinary manager, not a learning admin
    )

    assert result.errors == [
        RowError(2, "learning_admin", "You may not grant or remove the learning-admin role.")
    ]
    lead.refresh_from_db()
    assert not lead.is_learning_admin


# --- File-level rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", RowError(0, "", "The file is empty; it needs a header row.")),
        (
            b"email,display_name,shoe_size\n",
            RowError(
                1,
                "",
                "Unknown column(s): shoe_size. The columns are: " + ", ".join(COLUMNS) + ".",
            ),
        ),
        (b"display_name,team\nX,T\n", RowError(1, "", "Required column(s) missing: email.")),
        (b"email,Email,display_name\n", RowError(1, "", "Column(s) appear twice: email.")),
        (b"email,display_name\n\n", RowError(0, "", "The file has a header row but no people.")),
        (
            "email,display_name\nx@example.com,Zoë\n".encode("latin-1"),
            RowError(
                0, "", "The file is not UTF-8 text; save it from the spreadsheet as “CSV UTF-8”."
            ),
        ),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            RowError(0, "", "This is not a CSV text file (it contains binary data)."),
        ),
        (
            b"email,display_name\na@example.com,A,oops\n",
            RowError(
                2,
                "",
                "This row has 3 cells but the header has 2 columns; "
                "check for a missing or extra comma.",
            ),
        ),
        (
            b"email,display_name,team\na@example.com,A\n",
            RowError(
                2,
                "",
                "This row has 2 cells but the header has 3 columns; "
                "check for a missing or extra comma.",
            ),
        ),
    ],
)
@pytest.mark.django_db
def test_file_level_problems_are_reported_and_nothing_is_written(
    content: bytes, error: RowError
) -> None:
    result = import_org_csv(file=content)

    assert result.errors == [error]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_header_names_ignore_case_and_order_and_a_byte_order_mark() -> None:
    content = "\ufeffDisplay_Name , EMAIL\r\nZoë Zed,ZOE@example.com\r\n".encode()

    result = import_org_csv(file=content)

    assert result == ImportResult(created=1)
    zoe = User.objects.get()
    assert (zoe.email, zoe.display_name) == ("zoe@example.com", "Zoë Zed")


@pytest.mark.django_db
def test_blank_lines_and_trailing_empty_columns_are_harmless() -> None:
    content = b"email,display_name,,\n\na@example.com,A,,\n,,,\nb@example.com,B\n"

    result = import_org_csv(file=content)

    assert result == ImportResult(created=2)


@pytest.mark.django_db
def test_rows_are_numbered_as_in_the_spreadsheet_even_after_blank_lines() -> None:
    result = import_org_csv(file=b"email,display_name\n\na@example.com,A\n\nbad,B\n")

    assert where(result) == [(5, "email")]


@pytest.mark.django_db
def test_a_file_object_is_read_like_bytes() -> None:
    result = import_org_csv(file=io.BytesIO(b"email,display_name\na@example.com,A\n"))

    assert result == ImportResult(created=1)


@pytest.mark.django_db
def test_files_over_the_size_limit_are_refused_without_reading_them_whole() -> None:
    content = make_csv(*[{"email": f"p{i}@example.com", "display_name": f"P{i}"} for i in range(9)])
    stream = io.BytesIO(content)

    with override_settings(PEERPATH_MAX_IMPORT_BYTES=100):
        result = import_org_csv(file=stream)

    assert result.errors == [RowError(0, "", "The file is larger than 100 bytes.")]
    assert stream.tell() == 101
    assert not User.objects.exists()


@pytest.mark.django_db
def test_files_with_too_many_rows_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(org_csv, "MAX_ROWS", 3)
    rows = [{"email": f"p{i}@example.com", "display_name": f"P{i}"} for i in range(4)]

    result = import_org_csv(file=make_csv(*rows))

    assert result.errors == [RowError(0, "", "The file has more than 3 people; split it.")]
    assert import_org_csv(file=make_csv(*rows[:3])).created == 3


@pytest.mark.django_db
def test_malformed_rows_count_towards_the_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(org_csv, "MAX_ROWS", 3)

    result = import_org_csv(file=b"email,display_name\n" + b"a,b,c\n" * 1000)

    assert result.errors == [RowError(0, "", "The file has more than 3 people; split it.")]


# --- Export, round trip and formula injection -------------------------------------------------


@pytest.mark.django_db
def test_export_writes_everyone_including_deactivated_people(agent: User, boss: User) -> None:
    services.person_deactivate(person=agent, by=boss)
    out = io.StringIO()

    assert export_org_csv(out=out) == 3

    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == COLUMNS
    by_email = {r["email"]: r for r in rows}
    assert by_email["agent@example.com"] == {
        "email": "agent@example.com",
        "display_name": "Ann Agent",
        "job_title": "Agent",
        "job_role": "",
        "team": "Contact Centre",
        "department": "Customer Support",
        "manager_email": "lead@example.com",
        "location": "Leeds",
        "time_zone": "UTC",
        "hire_date": "",
        "status": "inactive",
        "learning_admin": "no",
    }
    assert by_email["boss@example.com"]["status"] == "active"


@pytest.mark.django_db
def test_export_then_import_changes_nothing(agent: User, boss: User) -> None:
    role = services.job_role_create(name="Support Agent")
    services.person_update_profile(
        person=agent,
        job_role=role,
        hire_date=timezone.localdate() - timedelta(days=30),
        time_zone="Asia/Kolkata",
        location='=HYPERLINK("http://evil")',
        job_title="'=already quoted",
    )
    services.person_update_profile(person=boss, is_learning_admin=True, job_title="-lead-")
    services.person_deactivate(person=agent, by=boss)
    services.person_create(email="-dash@example.com", display_name="@handle")
    before = snapshot()
    out = io.StringIO()
    export_org_csv(out=out)

    result = import_org_csv(file=out.getvalue().encode("utf-8"))

    assert result == ImportResult()
    assert snapshot() == before


@pytest.mark.parametrize("value", ["=1+1", "+44 20 7946 0000", "-5", "@SUM(A1)"])
@pytest.mark.django_db
def test_export_defuses_formulas_and_import_restores_them(value: str) -> None:
    services.person_create(email="f@example.com", display_name="F", location=value)
    out = io.StringIO()
    export_org_csv(out=out)

    row = next(csv.DictReader(io.StringIO(out.getvalue())))

    assert row["location"] == f"'{value}"
    assert import_org_csv(file=out.getvalue().encode()) == ImportResult()
    assert User.objects.get().location == value


@pytest.mark.django_db
def test_import_strips_only_an_apostrophe_that_guards_a_formula() -> None:
    result = import_org_csv(
        file=make_csv(
            {"email": "a@example.com", "display_name": "'=A", "location": "'Tis the season"},
            {"email": "b@example.com", "display_name": "''=B", "location": "'"},
        )
    )

    assert result.ok, result.errors
    assert dict(User.objects.values_list("display_name", "location")) == {
        "=A": "'Tis the season",
        "'=B": "'",
    }


# --- Progress and scale -----------------------------------------------------------------------


@pytest.mark.django_db
def test_progress_is_reported_in_batches_and_ends_at_the_total(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(org_csv, "BATCH", 4)
    calls: list[tuple[int, int]] = []
    rows = [{"email": f"p{i}@example.com", "display_name": f"P{i}"} for i in range(10)]

    import_org_csv(file=make_csv(*rows), progress=lambda done, total: calls.append((done, total)))

    assert calls == [(4, 10), (8, 10), (10, 10)]


@pytest.mark.django_db
def test_people_are_written_in_batches_not_one_query_each() -> None:
    def queries_for(count: int, prefix: str) -> int:
        rows = [
            {
                "email": f"{prefix}{i}@example.com",
                "display_name": f"Person {i}",
                "team": f"Team {prefix}",
                "department": f"Dept {prefix}",
                "manager_email": f"{prefix}0@example.com" if i else "",
            }
            for i in range(count)
        ]
        with CaptureQueriesContext(connection) as ctx:
            result = import_org_csv(file=make_csv(*rows))
        assert result.ok, result.errors
        return len(ctx.captured_queries)

    small, large = queries_for(10, "s"), queries_for(500, "l")

    # Writes go in batches (SQLite caps the parameters of one statement at 999, so a batch of
    # new people is ~40 rows there); what must never happen is a query per person.
    assert large - small <= (500 - 10) // 20
    top = User.objects.get(email="l0@example.com")
    assert selectors.reports_subtree(top).count() == 499


# --- Properties -------------------------------------------------------------------------------


@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=600))
@pytest.mark.django_db
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assert isinstance(import_org_csv(file=data), ImportResult)


noise = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
emails = ["a@example.com", "B@example.com", "c@example.com", "'-d@example.com"]
plausible: dict[str, st.SearchStrategy[str]] = {
    "email": st.sampled_from(emails),
    "display_name": st.sampled_from(["Ana", "=Bo", "'=Cy", "  Di  "]),
    "job_title": st.sampled_from(["", "Agent", "@lead"]),
    "job_role": st.just(""),
    "team": st.sampled_from(["", "Team", "team"]),
    "department": st.sampled_from(["", "Dept"]),
    "manager_email": st.sampled_from(["", "", "", *emails]),
    "location": st.sampled_from(["", "Leeds", "+44"]),
    "time_zone": st.sampled_from(["", "UTC", "europe/london"]),
    "hire_date": st.sampled_from(["", "2024-02-29"]),
    "status": st.sampled_from(["", "active", "INACTIVE"]),
    "learning_admin": st.sampled_from(["", "yes", "No"]),
}


def mostly_plausible(column: str) -> st.SearchStrategy[str]:
    """One cell in twenty is noise, so that some files are valid and get written."""
    return st.integers(0, 19).flatmap(lambda n: noise if n == 0 else plausible[column])


person_rows = st.lists(
    st.fixed_dictionaries({c: mostly_plausible(c) for c in COLUMNS}),
    min_size=1,
    max_size=5,
    unique_by=lambda row: row["email"].lower(),
)


@hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(person_rows)
@pytest.mark.django_db
def test_any_cells_either_import_consistently_or_explain_why(rows: list[dict[str, str]]) -> None:
    before = snapshot()

    result = import_org_csv(file=make_csv(*rows))

    assert isinstance(result, ImportResult)
    event("imported" if result.ok else "refused")
    if not result.ok:
        assert all(e.message for e in result.errors)
        assert snapshot() == before
        return
    # Whatever was imported, every reporting path agrees with the managers.
    people = {u.pk: u for u in User.objects.all()}
    for user in people.values():
        above = people[user.manager_id].line_path if user.manager_id else "/"
        assert user.line_path == f"{above}{user.pk}/"

"""Organisation import and export as CSV.

The import is all or nothing: every row is parsed and validated first, every
problem is reported by row and column, and only a file without a single problem
is written, in one transaction. An export re-imports as a no-op.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from peerpath.people.models import TIME_ZONE_CHOICES, Department, JobRole, Team, User
from peerpath.people.services import unique_slug

COLUMNS = (
    "email",
    "display_name",
    "job_title",
    "job_role",
    "team",
    "department",
    "manager_email",
    "location",
    "time_zone",
    "hire_date",
    "status",
    "learning_admin",
)
REQUIRED = ("email", "display_name")
MAX_ROWS = 200_000
BATCH = 2_000
FORMULA_PREFIXES = ("=", "+", "-", "@")
MAX_LENGTHS = {
    "email": 254,
    "display_name": 120,
    "job_title": 120,
    "team": 120,
    "department": 120,
    "location": 120,
}
VALID_TIME_ZONES = frozenset(tz for tz, _ in TIME_ZONE_CHOICES)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1; 0 for the whole file
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row else "File"
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass(frozen=True)
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    teams_created: int = 0
    departments_created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    values: dict[str, str]


# --- Reading -------------------------------------------------------------------------------


def _unescape(value: str) -> str:
    """Undo the export's guard against spreadsheet formulas ('=1+1 becomes =1+1)."""
    value = value.strip()
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def _escape(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def _decode(file: IO[bytes] | bytes) -> tuple[str | None, RowError | None]:
    raw = file if isinstance(file, bytes) else file.read(settings.PEERPATH_MAX_IMPORT_BYTES + 1)
    if isinstance(raw, str):  # a text stream handed in by mistake still works
        raw = raw.encode("utf-8")
    limit = settings.PEERPATH_MAX_IMPORT_BYTES
    if len(raw) > limit:
        return None, RowError(0, "", f"The file is larger than {limit // (1024 * 1024)} MB.")
    if b"\x00" in raw:
        return None, RowError(0, "", "This is not a CSV text file.")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return None, RowError(0, "", "The file is not UTF-8 text; save it as “CSV UTF-8”.")


def _read_rows(text: str) -> tuple[list[_Row], list[RowError]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(0, "", "The file is empty; it needs a header row.")]
    except csv.Error as exc:
        return [], [RowError(1, "", f"The header row cannot be read: {exc}.")]
    names = [h.strip().lower() for h in header]
    errors = []
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        errors.append(
            RowError(
                1, "", f"Unknown column(s): {', '.join(unknown)}. Allowed: {', '.join(COLUMNS)}."
            )
        )
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        errors.append(RowError(1, "", f"Column(s) appear twice: {', '.join(duplicated)}."))
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        errors.append(RowError(1, "", f"Required column(s) missing: {', '.join(missing)}."))
    if errors:
        return [], errors
    rows: list[_Row] = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                return [], [RowError(0, "", f"The file has more than {MAX_ROWS:,} people.")]
            if len(cells) != len(names):
                errors.append(
                    RowError(number, "", f"Expected {len(names)} cells, found {len(cells)}.")
                )
                continue
            rows.append(_Row(number, {n: _unescape(c) for n, c in zip(names, cells, strict=True)}))
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, "", f"The file cannot be read here: {exc}."))
    if not rows and not errors:
        errors.append(RowError(0, "", "The file has a header but no people."))
    return rows, errors


# --- Validating ----------------------------------------------------------------------------


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _validate_fields(
    rows: list[_Row], roles: dict[str, JobRole], teams: dict[str, Team]
) -> list[RowError]:
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    # A new team needs its department on at least one of its rows, and the same one on all.
    new_team_dept: dict[str, str] = {}
    for row in rows:
        team_name, dept_name = row.values.get("team", ""), row.values.get("department", "")
        if team_name and dept_name and team_name.lower() not in teams:
            first = new_team_dept.setdefault(team_name.lower(), dept_name)
            if first.lower() != dept_name.lower():
                errors.append(
                    RowError(
                        row.number,
                        "department",
                        f"“{team_name}” is given two departments: “{first}” and “{dept_name}”.",
                    )
                )
    latest_hire = timezone.localdate() + timedelta(days=366)
    for row in rows:
        v = row.values

        def err(column: str, message: str, _row: _Row = row) -> None:
            errors.append(RowError(_row.number, column, message))

        email = v["email"].lower()
        if not email:
            err("email", "An email address is required.")
        else:
            try:
                validate_email(email)
            except ValidationError:
                err("email", f"“{v['email']}” is not a valid email address.")
            if email in seen:
                err("email", f"{v['email']} also appears in row {seen[email]}.")
            seen.setdefault(email, row.number)
        if not v["display_name"]:
            err("display_name", "A name is required.")
        for column, limit in MAX_LENGTHS.items():
            if len(v.get(column, "")) > limit:
                err(column, f"Longer than {limit} characters.")
        role = v.get("job_role", "")
        if role and role.lower() not in roles:
            err(
                "job_role",
                f"Unknown job role “{role}”; add it under Admin › Job roles first "
                "or correct the spelling.",
            )
        team_name, dept_name = v.get("team", ""), v.get("department", "")
        team = teams.get(team_name.lower()) if team_name else None
        if team is not None and dept_name and team.department.name.lower() != dept_name.lower():
            err(
                "department",
                f"The team “{team.name}” belongs to “{team.department.name}”, not “{dept_name}”.",
            )
        if team_name and team is None and team_name.lower() not in new_team_dept:
            err("department", f"“{team_name}” is a new team: give its department.")
        if dept_name and not team_name:
            err("team", "A department is given without a team.")
        tz = v.get("time_zone", "")
        if tz and tz not in VALID_TIME_ZONES:
            err("time_zone", f"“{tz}” is not a time zone name (e.g. Europe/London).")
        hire = v.get("hire_date", "")
        if hire:
            parsed = _parse_date(hire)
            if parsed is None:
                err("hire_date", f"“{hire}” is not a date (use YYYY-MM-DD).")
            elif parsed > latest_hire:
                err("hire_date", f"{hire} is more than a year in the future.")
        if v.get("status", "").lower() not in {"", "active", "inactive"}:
            err("status", f"“{v['status']}” must be active or inactive.")
        if v.get("learning_admin", "").lower() not in {"", "yes", "no"}:
            err("learning_admin", f"“{v['learning_admin']}” must be yes or no.")
    return errors


def _validate_managers(
    rows: list[_Row], existing: dict[str, User]
) -> tuple[list[RowError], dict[str, str]]:
    """Check every manager exists and the resulting organisation has no reporting loops.

    Returns the errors and the final email -> manager-email map of the whole organisation.
    """
    errors: list[RowError] = []
    in_file = {r.values["email"].lower(): r for r in rows}
    manager_of: dict[str, str] = {}
    # Everyone already in Peerpath keeps their manager unless the file says otherwise.
    ids_to_email = {u.pk: e for e, u in existing.items()}
    for email, user in existing.items():
        if user.manager_id is not None and user.manager_id in ids_to_email:
            manager_of[email] = ids_to_email[user.manager_id]
    for email, row in in_file.items():
        if "manager_email" not in row.values:
            continue
        manager = row.values["manager_email"].lower()
        if not manager:
            manager_of.pop(email, None)
            continue
        if manager == email:
            errors.append(RowError(row.number, "manager_email", "Nobody can be their own manager."))
            continue
        if manager not in in_file and manager not in existing:
            errors.append(
                RowError(
                    row.number,
                    "manager_email",
                    f"{row.values['manager_email']} is neither in this file nor in Peerpath.",
                )
            )
            continue
        manager_of[email] = manager
    # Walk up from every person in the file; a walk that meets itself is a loop.
    reported: set[str] = set()
    for email, row in in_file.items():
        chain, current = [email], manager_of.get(email)
        while current is not None and current not in chain:
            chain.append(current)
            current = manager_of.get(current)
        if current is not None and email not in reported:
            loop = chain[chain.index(current) :]
            reported.update(loop)
            rows_in_loop = sorted(in_file[e].number for e in loop if e in in_file)
            errors.append(
                RowError(
                    row.number,
                    "manager_email",
                    "Reporting loop: "
                    + " → ".join([*loop, current])
                    + f" (rows {', '.join(map(str, rows_in_loop))}).",
                )
            )
    return errors, manager_of


# --- Writing -------------------------------------------------------------------------------


def import_org_csv(
    *, file: IO[bytes] | bytes, actor_id: int | None = None, progress: Progress | None = None
) -> ImportResult:
    """Validate a whole organisation file, then write all of it or none of it."""
    text, error = _decode(file)
    if text is None:
        return ImportResult(errors=[error] if error else [])
    rows, errors = _read_rows(text)
    if errors:
        return ImportResult(errors=errors)
    roles = {r.name.lower(): r for r in JobRole.objects.all()}
    teams = {t.name.lower(): t for t in Team.objects.select_related("department")}
    emails = [r.values["email"].lower() for r in rows]
    existing = {u.email.lower(): u for u in User.objects.all()}
    errors = _validate_fields(rows, roles, teams)
    manager_errors, manager_of = _validate_managers(rows, existing)
    errors += manager_errors
    if actor_id is not None:
        actor = next((u for u in existing.values() if u.pk == actor_id), None)
        for row in rows:
            if (
                actor
                and row.values["email"].lower() == actor.email.lower()
                and row.values.get("status", "").lower() == "inactive"
            ):
                errors.append(
                    RowError(row.number, "status", "You cannot deactivate your own account.")
                )
    if errors:
        return ImportResult(errors=sorted(errors, key=lambda e: (e.row, e.column)))
    with transaction.atomic():
        return _write(rows, emails, existing, roles, teams, manager_of, progress)


def _write(
    rows: list[_Row],
    emails: list[str],
    existing: dict[str, User],
    roles: dict[str, JobRole],
    teams: dict[str, Team],
    manager_of: dict[str, str],
    progress: Progress | None,
) -> ImportResult:
    total = len(rows)
    departments = {d.name.lower(): d for d in Department.objects.all()}
    teams_created = departments_created = 0
    for row in rows:
        team_name, dept_name = row.values.get("team", ""), row.values.get("department", "")
        if not team_name or not dept_name or team_name.lower() in teams:
            continue
        department = departments.get(dept_name.lower())
        if department is None:
            department = Department.objects.create(
                name=dept_name, slug=unique_slug(Department, dept_name)
            )
            departments[dept_name.lower()] = department
            departments_created += 1
        teams[team_name.lower()] = Team.objects.create(
            name=team_name, department=department, slug=unique_slug(Team, team_name)
        )
        teams_created += 1

    now = timezone.now()
    created = updated = deactivated = 0
    to_create: list[User] = []
    to_update: list[User] = []
    changed_fields: set[str] = set()
    for done, row in enumerate(rows, start=1):
        v = row.values
        email = v["email"].lower()
        user = existing.get(email)
        is_new = user is None
        if user is None:
            user = User(email=email, display_name=v["display_name"])
            user.set_unusable_password()
        fields = _apply(user, v, roles, teams, now)
        if is_new:
            to_create.append(user)
            created += 1
        elif fields:
            to_update.append(user)
            changed_fields |= fields
            updated += 1
        if "is_active" in fields and not user.is_active:
            deactivated += 1
        if progress and (done % BATCH == 0 or done == total):
            progress(done, total)
    User.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        User.objects.bulk_update(to_update, sorted(changed_fields), batch_size=BATCH)
    _relink_managers(emails, manager_of)
    return ImportResult(
        created=created,
        updated=updated,
        deactivated=deactivated,
        teams_created=teams_created,
        departments_created=departments_created,
    )


def _apply(
    user: User, v: dict[str, str], roles: dict[str, JobRole], teams: dict[str, Team], now: Any
) -> set[str]:
    """Copy the row's columns onto the user; return the names of fields that changed."""
    wanted: dict[str, Any] = {"display_name": v["display_name"]}
    for column in ("job_title", "location"):
        if column in v:
            wanted[column] = v[column]
    if "job_role" in v:
        wanted["job_role"] = roles.get(v["job_role"].lower()) if v["job_role"] else None
    if "team" in v:
        wanted["team"] = teams.get(v["team"].lower()) if v["team"] else None
    if "time_zone" in v:
        wanted["time_zone"] = v["time_zone"] or "UTC"
    if "hire_date" in v:
        wanted["hire_date"] = _parse_date(v["hire_date"]) if v["hire_date"] else None
    if v.get("learning_admin"):
        wanted["is_learning_admin"] = v["learning_admin"].lower() == "yes"
    if v.get("status"):
        active = v["status"].lower() == "active"
        if active != user.is_active:
            wanted["is_active"] = active
            wanted["deactivated_at"] = None if active else now
    changed = set()
    for name, value in wanted.items():
        # Foreign keys compare by id so that no row loads its related objects.
        current = (
            getattr(user, f"{name}_id") if name in {"job_role", "team"} else getattr(user, name)
        )
        new = value.pk if name in {"job_role", "team"} and value is not None else value
        if current != new:
            setattr(user, name, value)
            changed.add(name)
    return changed


def _relink_managers(emails: Iterable[str], manager_of: dict[str, str]) -> None:
    """Point each imported person at their manager, then recompute every reporting path."""
    ids = dict(User.objects.values_list("email", "pk"))
    ids = {e.lower(): pk for e, pk in ids.items()}
    wanted_manager = {ids[e]: ids.get(manager_of.get(e, "")) for e in emails}
    people = list(User.objects.only("pk", "manager_id", "line_path"))
    by_id = {u.pk: u for u in people}
    changed: dict[int, User] = {}
    for pk, manager_id in wanted_manager.items():
        user = by_id[pk]
        if user.manager_id != manager_id:
            user.manager_id = manager_id
            changed[pk] = user
    paths: dict[int, str] = {}

    def path_of(pk: int) -> str:
        # Iterative walk up the line; validation guaranteed there are no loops.
        chain = []
        current: int | None = pk
        while current is not None and current not in paths:
            chain.append(current)
            current = by_id[current].manager_id
        prefix = paths[current] if current is not None else "/"
        for node in reversed(chain):
            prefix = f"{prefix}{node}/"
            paths[node] = prefix
        return paths[pk]

    for user in people:
        path = path_of(user.pk)
        if user.line_path != path:
            user.line_path = path
            changed[user.pk] = user
    User.objects.bulk_update(list(changed.values()), ["manager", "line_path"], batch_size=BATCH)


# --- Export --------------------------------------------------------------------------------


def iter_org_rows() -> Iterator[list[str]]:
    yield list(COLUMNS)
    people = User.objects.select_related("job_role", "team__department", "manager").order_by(
        "email"
    )
    for u in people.iterator(chunk_size=BATCH):
        yield [
            _escape(str(value))
            for value in (
                u.email,
                u.display_name,
                u.job_title,
                u.job_role.name if u.job_role else "",
                u.team.name if u.team else "",
                u.team.department.name if u.team else "",
                u.manager.email if u.manager else "",
                u.location,
                u.time_zone,
                u.hire_date.isoformat() if u.hire_date else "",
                "active" if u.is_active else "inactive",
                "yes" if u.is_learning_admin else "no",
            )
        ]


def export_org_csv(*, out: IO[str]) -> int:
    """Write every person (deactivated too) in the import format; return how many."""
    writer = csv.writer(out)
    rows = iter_org_rows()
    writer.writerow(next(rows))
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count

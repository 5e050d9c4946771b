"""The ``peerpath`` command: run the server, load the demo, manage the organisation.

Any other sub-command is handed to Django's management commands, so
``peerpath migrate`` or ``peerpath shell`` work as expected.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable, Sequence


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerpath.settings")
    import django

    django.setup()


def _progress(label: str) -> Callable[[int, int], None]:
    """A console progress bar: call it with (done, total)."""

    def report(done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        bar = "█" * filled + "·" * (width - filled)
        end = "\n" if done >= total else ""
        print(f"\r{label} [{bar}] {done}/{total}", end=end, file=sys.stderr, flush=True)

    return report


def cmd_run(args: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    from peerpath.demo import loader

    print("Preparing the database…", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    if loader.database_is_empty():
        print("Empty database: loading the demo organisation…", flush=True)
        loader.load_demo(progress=_progress("Demo"))
    call_command("collectstatic", interactive=False, verbosity=0)

    host = os.environ.get("HOST") or "127.0.0.1"
    port = os.environ.get("PORT") or "8000"
    workers = os.environ.get("WEB_CONCURRENCY") or str(min(4, (os.cpu_count() or 1) * 2))
    url = f"http://{host}:{port}/"
    print(f"\nPeerpath is starting on {url}")
    if loader.demo_loaded():
        print(f"\nDemo sign-ins (password for all: {loader.DEMO_PASSWORD})")
        for role, email in loader.demo_logins():
            print(f"  {role:<22} {email}")
    print("\nPress Ctrl+C to stop.\n", flush=True)
    # Background tasks (reminders and other queued work) run beside the web server.
    # The worker shares this terminal's process group, so Ctrl+C stops it too.
    subprocess.Popen([sys.executable, "-m", "peerpath.cli", "worker", "--quiet"])
    argv = [
        "gunicorn",
        "peerpath.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        workers,
        "--threads",
        "4",
        "--timeout",
        "120",
        "--access-logfile",
        "-" if settings.DEBUG else "/dev/null",
        "--log-level",
        "warning",
    ]
    os.execvp(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606 - fixed argv


def cmd_worker(args: argparse.Namespace) -> int:
    """Run queued background tasks, and queue the periodic ones when they fall due."""
    _setup()
    from django.core.management import call_command

    from peerpath.core import periodic

    periodic.start_scheduler()
    if not args.quiet:
        print("Peerpath worker: running background tasks. Press Ctrl+C to stop.", flush=True)
    call_command(
        "db_worker",
        queue_name="*",
        interval=args.interval,
        reload=False,
        verbosity=0 if args.quiet else 1,
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management import call_command

    from peerpath.demo import loader

    call_command("migrate", interactive=False, verbosity=0)
    if not loader.database_is_empty() and not args.reset:
        print(
            "The database already has data. Use `peerpath demo --reset` to replace it "
            "with the demo organisation (this deletes everything).",
            file=sys.stderr,
        )
        return 1
    if args.reset:
        call_command("flush", interactive=False, verbosity=0)
    loader.load_demo(progress=_progress("Demo"))
    print(f"Demo organisation loaded. Password for every demo account: {loader.DEMO_PASSWORD}")
    for role, email in loader.demo_logins():
        print(f"  {role:<22} {email}")
    return 0


def cmd_createadmin(args: argparse.Namespace) -> int:
    _setup()
    import getpass

    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from peerpath.people import services

    password = args.password or os.environ.get("PEERPATH_ADMIN_PASSWORD", "")
    if not password:
        if not sys.stdin.isatty():
            print(
                "Give --password or PEERPATH_ADMIN_PASSWORD when not on a terminal.",
                file=sys.stderr,
            )
            return 2
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            print("The passwords differ.", file=sys.stderr)
            return 2
    try:
        validate_password(password)
        user = services.person_create(
            email=args.email,
            display_name=args.name or args.email.split("@")[0],
            password=password,
            is_staff=True,
            is_superuser=True,
            is_learning_admin=True,
        )
    except ValidationError as exc:
        for message in exc.messages:
            print(f"error: {message}", file=sys.stderr)
        return 1
    print(f"System admin {user.email} created.")
    return 0


def cmd_import_org(args: argparse.Namespace) -> int:
    _setup()
    from peerpath.people import org_csv

    try:
        with open(args.file, "rb") as fh:
            result = org_csv.import_org_csv(file=fh, progress=_progress("Import"))
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    if not result.ok:
        print(f"Nothing was imported: {len(result.errors)} problem(s).", file=sys.stderr)
        for error in result.errors[:500]:
            where = f"row {error.row}" if error.row else "file"
            column = f", {error.column}" if error.column else ""
            print(f"  {where}{column}: {error.message}", file=sys.stderr)
        return 1
    print(
        f"Imported: {result.created} created, {result.updated} updated, "
        f"{result.deactivated} deactivated, {result.teams_created} teams and "
        f"{result.departments_created} departments created."
    )
    return 0


def cmd_export_org(args: argparse.Namespace) -> int:
    _setup()
    from peerpath.people import org_csv

    if args.file == "-":
        count = org_csv.export_org_csv(out=sys.stdout)
    else:
        with open(args.file, "w", encoding="utf-8", newline="") as fh:
            count = org_csv.export_org_csv(out=fh)
    print(f"Exported {count} people.", file=sys.stderr)
    return 0


def cmd_lrs_key(args: argparse.Namespace) -> int:
    """Create, list and revoke the keys that xAPI clients use at /xapi/."""
    _setup()
    from django.conf import settings

    from peerpath.lrs import selectors, services

    if args.action == "create":
        try:
            issued = services.lrs_key_create(
                name=args.name,
                can_read=not args.write_only,
                can_write=not args.read_only,
                own_only=args.own_only,
            )
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"LRS key {issued.key.name!r} created. The secret is shown only this once.")
        print(f"  key:      {issued.key.key}")
        print(f"  secret:   {issued.secret}")
        print(f"  endpoint: {settings.BASE_URL}/xapi/")
        return 0
    if args.action == "list":
        keys = selectors.lrs_keys()
        if not keys:
            print("No LRS keys yet. Create one with `peerpath lrs-key create NAME`.")
        for key in keys:
            state = "active" if key.active else "revoked"
            print(f"{key.key}  {key.scopes:<16} {state:<8} {key.name}")
        return 0
    if services.lrs_key_revoke(key=args.key):
        print(f"LRS key {args.key} revoked.")
        return 0
    print(f"error: no active LRS key {args.key}.", file=sys.stderr)
    return 1


def cmd_credentials(args: argparse.Namespace) -> int:
    """Rotate and list the keys Open Badges credentials are signed with."""
    _setup()
    from django.conf import settings

    from peerpath.recognition import signing_keys

    if args.action == "rotate-key":
        key = signing_keys.signing_key_rotate()
        print(f"New signing key {key.kid} is active.")
        print("Earlier keys stay published, so credentials they signed still verify.")
        print(f"  JWKS: {settings.BASE_URL}/.well-known/jwks.json")
        return 0
    keys = list(signing_keys.keys_with_usage())
    if not keys:
        print("No signing key yet: one is made when the first credential is issued.")
    for key in keys:
        state = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "active"
        print(
            f"{key.kid}  {key.algorithm}  created {key.created_at:%Y-%m-%d}  {state:<18} "
            f"{key.credential_count} credential(s)"  # type: ignore[attr-defined]
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peerpath", description=__doc__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="migrate, load the demo if empty, and serve").set_defaults(
        func=cmd_run
    )
    worker = sub.add_parser("worker", help="run background tasks and periodic jobs")
    worker.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    worker.add_argument("--quiet", action="store_true", help="log only problems")
    worker.set_defaults(func=cmd_worker)
    demo = sub.add_parser("demo", help="load the demo organisation")
    demo.add_argument("--reset", action="store_true", help="delete all data first")
    demo.set_defaults(func=cmd_demo)
    admin = sub.add_parser("createadmin", help="create a system administrator")
    admin.add_argument("email")
    admin.add_argument("--name", default="")
    admin.add_argument("--password", default="")
    admin.set_defaults(func=cmd_createadmin)
    imp = sub.add_parser("import-org", help="import people from a CSV file (all or nothing)")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_import_org)
    exp = sub.add_parser("export-org", help="export people to a CSV file ('-' for stdout)")
    exp.add_argument("file")
    exp.set_defaults(func=cmd_export_org)
    lrs = sub.add_parser("lrs-key", help="manage the keys xAPI clients use at /xapi/")
    lrs_sub = lrs.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = lrs_sub.add_parser("create", help="create a key; prints its secret once")
    create.add_argument("name")
    scope = create.add_mutually_exclusive_group()
    scope.add_argument("--read-only", action="store_true", help="may read, not write")
    scope.add_argument("--write-only", action="store_true", help="may write, not read")
    create.add_argument(
        "--own-only", action="store_true", help="reads only the statements it wrote"
    )
    lrs_sub.add_parser("list", help="list keys and their scopes")
    revoke = lrs_sub.add_parser("revoke", help="deactivate a key")
    revoke.add_argument("key")
    lrs.set_defaults(func=cmd_lrs_key)
    creds = sub.add_parser("credentials", help="manage the keys Open Badges credentials use")
    creds_sub = creds.add_subparsers(dest="action", metavar="ACTION", required=True)
    creds_sub.add_parser("rotate-key", help="make a new signing key; old ones stay published")
    creds_sub.add_parser("list-keys", help="list signing keys and what each signed")
    creds.set_defaults(func=cmd_credentials)
    return parser


OWN_COMMANDS = {
    "run",
    "worker",
    "demo",
    "createadmin",
    "import-org",
    "export-org",
    "lrs-key",
    "credentials",
    "-h",
    "--help",
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in OWN_COMMANDS:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerpath.settings")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["peerpath", *argv])
        return 0
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

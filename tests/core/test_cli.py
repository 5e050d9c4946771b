"""The `peerpath` console script."""

from __future__ import annotations

import pytest

from peerpath import cli
from peerpath.people.models import User

pytestmark = pytest.mark.django_db


def test_import_org_reports_row_errors_and_exits_non_zero(tmp_path, capsys):
    path = tmp_path / "org.csv"
    path.write_text("email,display_name\nbroken,Someone\nok@example.com,Okay\n")
    assert cli.main(["import-org", str(path)]) == 1
    err = capsys.readouterr().err
    assert "Nothing was imported" in err
    assert "row 2, email" in err
    assert User.objects.count() == 0


def test_import_org_imports_and_export_writes_the_same_people(tmp_path, capsys):
    path = tmp_path / "org.csv"
    path.write_text("email,display_name\nzoe@example.com,Zoe\nyan@example.com,Yan\n")
    assert cli.main(["import-org", str(path)]) == 0
    assert "2 created" in capsys.readouterr().out
    out = tmp_path / "export.csv"
    assert cli.main(["export-org", str(out)]) == 0
    assert "yan@example.com" in out.read_text()
    assert "zoe@example.com" in out.read_text()


def test_import_org_missing_file_is_a_clear_error(tmp_path, capsys):
    assert cli.main(["import-org", str(tmp_path / "nope.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_createadmin_validates_the_password(capsys):
    assert cli.main(["createadmin", "root@example.com", "--password", "short"]) == 1
    assert "too short" in capsys.readouterr().err
    assert not User.objects.exists()
    assert cli.main(["createadmin", "root@example.com", "--password", "a-Long-pass-phrase-9"]) == 0
    admin = User.objects.get()
    assert admin.is_superuser
    assert admin.is_learning_admin
    assert admin.check_password("a-Long-pass-phrase-9")


def test_demo_refuses_to_overwrite_data(org, capsys):
    assert cli.main(["demo"]) == 1
    assert "--reset" in capsys.readouterr().err


def test_help_lists_the_commands(capsys):
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    for command in ("run", "demo", "createadmin", "import-org", "export-org"):
        assert command in out


def test_media_needs_sign_in(client):
    response = client.get("/media/avatars/2026/01/x.png")
    assert response.status_code == 302

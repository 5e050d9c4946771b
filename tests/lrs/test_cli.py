"""`peerpath lrs-key`: create prints the secret once; list shows scopes; revoke disables."""

from __future__ import annotations

import pytest

from peerpath import cli
from peerpath.lrs import services
from peerpath.lrs.models import LrsKey


def _printed(output: str, label: str) -> str:
    line = next(line for line in output.splitlines() if line.strip().startswith(label))
    return line.split(":", 1)[1].strip()


@pytest.mark.django_db
def test_create_prints_a_key_and_secret_that_authenticate(capsys) -> None:
    assert cli.main(["lrs-key", "create", "Course player"]) == 0
    output = capsys.readouterr().out
    key, secret = _printed(output, "key:"), _printed(output, "secret:")
    stored = LrsKey.objects.get(key=key)
    assert stored.name == "Course player"
    assert (stored.can_read, stored.can_write, stored.own_only) == (True, True, False)
    assert secret not in stored.secret_hash
    assert "endpoint: http" in output
    assert services.lrs_key_authenticate(key=key, secret=secret) == stored


@pytest.mark.django_db
def test_scopes_come_from_options_and_show_in_the_list(capsys) -> None:
    assert cli.main(["lrs-key", "create", "Reports", "--read-only", "--own-only"]) == 0
    key = _printed(capsys.readouterr().out, "key:")
    stored = LrsKey.objects.get(key=key)
    assert (stored.can_read, stored.can_write, stored.own_only) == (True, False, True)
    assert cli.main(["lrs-key", "list"]) == 0
    listed = capsys.readouterr().out
    assert key in listed
    assert "read,own" in listed
    assert "Reports" in listed


@pytest.mark.django_db
def test_revoke_disables_a_key_once(capsys) -> None:
    issued = services.lrs_key_create(name="Old kiosk")
    assert cli.main(["lrs-key", "revoke", issued.key.key]) == 0
    assert LrsKey.objects.get(pk=issued.key.pk).active is False
    assert cli.main(["lrs-key", "revoke", issued.key.key]) == 1
    assert "no active LRS key" in capsys.readouterr().err


@pytest.mark.django_db
def test_a_blank_name_is_refused(capsys) -> None:
    assert cli.main(["lrs-key", "create", "  "]) == 2
    assert LrsKey.objects.count() == 0

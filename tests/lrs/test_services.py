"""Storing statements: all-or-nothing batches, idempotent re-sends, conflicts and voiding."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from peerpath.lrs import selectors, services
from peerpath.lrs.models import LrsKey, Statement
from peerpath.lrs.validation import StatementInvalid
from tests.lrs.conftest import make_statement, voiding


@pytest.fixture
def key(issued: services.IssuedKey) -> LrsKey:
    return issued.key


def test_a_statement_gets_an_id_stored_time_authority_and_version(key: LrsKey) -> None:
    (ident,) = services.statements_store(key=key, statements=[make_statement()])
    row = Statement.objects.get(id=ident)
    assert row.data["id"] == str(ident)
    assert row.data["authority"]["account"]["name"] == key.key
    assert row.data["version"] == "1.0.0"
    assert row.data["timestamp"] == row.data["stored"]
    assert row.agent_key == "mbox:mailto:mina@example.com"
    assert row.lrs_key == key


def test_a_batch_with_one_bad_statement_stores_nothing(key: LrsKey) -> None:
    batch = [make_statement(), make_statement(verb={"id": "nope"})]
    with pytest.raises(StatementInvalid, match=r"statement \[1\]: verb.id"):
        services.statements_store(key=key, statements=batch)
    assert Statement.objects.count() == 0


def test_a_batch_conflicting_with_a_stored_statement_stores_nothing(key: LrsKey) -> None:
    ident = str(uuid.uuid4())
    services.statements_store(key=key, statements=[make_statement(id=ident)])
    batch = [make_statement(), make_statement(id=ident, result={"success": True})]
    with pytest.raises(services.StatementConflict):
        services.statements_store(key=key, statements=batch)
    assert Statement.objects.count() == 1


def test_resending_the_same_statement_is_accepted_without_a_copy(key: LrsKey) -> None:
    ident = str(uuid.uuid4())
    first = services.statements_store(key=key, statements=[make_statement(id=ident)])
    again = services.statements_store(key=key, statements=[make_statement(id=ident)])
    assert first == again == [uuid.UUID(ident)]
    assert Statement.objects.count() == 1


def test_the_same_id_twice_in_one_batch_with_different_content_conflicts(key: LrsKey) -> None:
    ident = str(uuid.uuid4())
    batch = [make_statement(id=ident), make_statement(id=ident, result={"success": False})]
    with pytest.raises(services.StatementConflict):
        services.statements_store(key=key, statements=batch)
    assert Statement.objects.count() == 0


def test_voiding_marks_the_target_voided(key: LrsKey) -> None:
    (target,) = services.statements_store(key=key, statements=[make_statement()])
    (voider,) = services.statements_store(key=key, statements=[voiding(target)])
    assert Statement.objects.get(id=target).voided is True
    assert Statement.objects.get(id=voider).voided is False
    assert selectors.statement_by_id(key=key, statement_id=target, voided=False) is None
    assert selectors.statement_by_id(key=key, statement_id=target, voided=True) is not None


def test_a_voiding_statement_cannot_be_voided(key: LrsKey) -> None:
    (target,) = services.statements_store(key=key, statements=[make_statement()])
    (voider,) = services.statements_store(key=key, statements=[voiding(target)])
    with pytest.raises(services.StatementRejected, match="cannot be voided"):
        services.statements_store(key=key, statements=[voiding(voider)])
    assert Statement.objects.get(id=voider).voided is False


def test_a_statement_arriving_after_its_voiding_statement_is_stored_voided(key: LrsKey) -> None:
    target = uuid.uuid4()
    services.statements_store(key=key, statements=[voiding(target)])
    services.statements_store(key=key, statements=[make_statement(id=str(target))])
    assert Statement.objects.get(id=target).voided is True


def test_keys_hash_their_secret_and_authenticate_only_while_active(db: None) -> None:
    issued = services.lrs_key_create(name="Kiosk", can_write=False, own_only=True)
    assert issued.secret not in issued.key.secret_hash
    found = services.lrs_key_authenticate(key=issued.key.key, secret=issued.secret)
    assert found == issued.key
    assert found.last_used_at is not None
    assert services.lrs_key_authenticate(key=issued.key.key, secret="wrong") is None
    assert services.lrs_key_revoke(key=issued.key.key) is True
    assert services.lrs_key_authenticate(key=issued.key.key, secret=issued.secret) is None
    assert selectors.lrs_keys()[0].scopes == "read,own"


def test_a_duplicate_key_at_insert_time_is_compared_again_not_an_error(
    key: LrsKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    ident = uuid.uuid4()
    original = services._voiding_targets
    raced: list[bool] = []

    def another_request_inserts_first(new, *, key):
        if not raced:
            raced.append(True)
            Statement.objects.create(
                id=ident,
                data={},
                stored=timezone.now(),
                timestamp=timezone.now(),
                verb_id="https://v.example/x",
                agent_key="mbox:mailto:x@example.com",
                authority_key="",
            )
        return original(new, key=key)

    monkeypatch.setattr(services, "_voiding_targets", another_request_inserts_first)
    assert services.statements_store(key=key, statements=[make_statement(id=str(ident))]) == [ident]
    assert raced == [True]
    assert Statement.objects.get(id=ident).data["id"] == str(ident)


def test_a_verified_secret_is_not_rehashed_on_every_request_but_revocation_is_immediate(
    issued: services.IssuedKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[str] = []
    real_check = services.check_password

    def counting(secret: str, encoded: str) -> bool:
        checks.append(secret)
        return real_check(secret, encoded)

    monkeypatch.setattr(services, "check_password", counting)
    for _ in range(3):
        assert services.lrs_key_authenticate(key=issued.key.key, secret=issued.secret)
    assert len(checks) == 1
    assert services.lrs_key_authenticate(key=issued.key.key, secret="wrong") is None
    services.lrs_key_revoke(key=issued.key.key)
    assert services.lrs_key_authenticate(key=issued.key.key, secret=issued.secret) is None

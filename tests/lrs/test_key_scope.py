"""What a key may do to statements other keys wrote: void only what it may read, and learn
nothing from writing an id another key holds."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from peerpath.lrs import selectors, services
from peerpath.lrs.models import LrsKey, Statement
from tests.lrs.conftest import make_statement, voiding


@pytest.fixture
def owner(db: None) -> LrsKey:
    return services.lrs_key_create(name="Course player").key


@pytest.fixture
def partner(db: None) -> LrsKey:
    return services.lrs_key_create(name="Partner tool", own_only=True).key


@pytest.fixture
def player(db: None) -> LrsKey:
    return services.lrs_key_create(name="Write-only player", can_read=False).key


def is_voided(ident: uuid.UUID) -> bool:
    return Statement.objects.get(id=ident).voided


def test_a_full_reader_voids_any_statement(owner: LrsKey, partner: LrsKey) -> None:
    (target,) = services.statements_store(key=partner, statements=[make_statement()])
    services.statements_store(key=owner, statements=[voiding(target)])
    assert is_voided(target)


@pytest.mark.parametrize("limited", ["partner", "player"])
def test_a_limited_key_voids_its_own_statements_only(
    owner: LrsKey, limited: str, request: pytest.FixtureRequest
) -> None:
    key: LrsKey = request.getfixturevalue(limited)
    (theirs,) = services.statements_store(key=owner, statements=[make_statement()])
    (mine,) = services.statements_store(key=key, statements=[make_statement()])
    # The void of another key's statement is stored (the key cannot tell the target exists)
    # but changes nothing for anyone else.
    services.statements_store(key=key, statements=[voiding(theirs), voiding(mine)])
    assert not is_voided(theirs)
    assert is_voided(mine)
    assert selectors.statement_by_id(key=owner, statement_id=theirs, voided=False) is not None


def test_a_limited_key_cannot_void_a_statement_before_it_arrives(
    owner: LrsKey, partner: LrsKey
) -> None:
    ident = uuid.uuid4()
    services.statements_store(key=partner, statements=[voiding(ident)])
    services.statements_store(key=owner, statements=[make_statement(id=str(ident))])
    assert not is_voided(ident)


def test_a_full_readers_early_void_still_applies_on_arrival(owner: LrsKey, partner: LrsKey) -> None:
    ident = uuid.uuid4()
    services.statements_store(key=owner, statements=[voiding(ident)])
    services.statements_store(key=partner, statements=[make_statement(id=str(ident))])
    assert is_voided(ident)


def test_voiding_another_keys_voiding_statement_is_not_refused_as_such(
    owner: LrsKey, partner: LrsKey
) -> None:
    (target,) = services.statements_store(key=owner, statements=[make_statement()])
    (voider,) = services.statements_store(key=owner, statements=[voiding(target)])
    # Refusing would tell the partner that ``voider`` is a voiding statement.
    services.statements_store(key=partner, statements=[voiding(voider)])
    assert not is_voided(voider)


def test_an_id_another_key_holds_is_a_conflict_whatever_the_content(
    owner: LrsKey, partner: LrsKey
) -> None:
    statement = make_statement(id=str(uuid.uuid4()))
    services.statements_store(key=owner, statements=[statement])
    messages = []
    for attempt in (statement, {**statement, "result": {"success": False}}):
        with pytest.raises(services.StatementConflict) as caught:
            services.statements_store(key=partner, statements=[attempt])
        messages.append(str(caught.value))
    assert messages[0] == messages[1] == f"Statement id {statement['id']} is already in use."
    assert Statement.objects.filter(lrs_key=partner).count() == 0


def test_a_key_resends_its_own_statement_without_conflict(partner: LrsKey) -> None:
    statement = make_statement(id=str(uuid.uuid4()))
    services.statements_store(key=partner, statements=[statement])
    assert services.statements_store(key=partner, statements=[statement]) == [
        uuid.UUID(statement["id"])
    ]


def test_over_http_the_conflict_answer_does_not_depend_on_the_content(
    owner: LrsKey, own_only: Any
) -> None:
    statement = make_statement(id=str(uuid.uuid4()))
    services.statements_store(key=owner, statements=[statement])
    url = f"/xapi/statements?statementId={statement['id']}"
    answers = [
        own_only.put(url, data=json.dumps(body), content_type="application/json")
        for body in (statement, {**statement, "result": {"success": True}})
    ]
    assert [a.status_code for a in answers] == [409, 409]
    assert answers[0].json() == answers[1].json()

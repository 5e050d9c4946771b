"""Keyset paging returns every matching statement exactly once, in order, for any page size."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerpath.lrs import selectors, services
from peerpath.lrs.models import Statement
from tests.lrs.conftest import make_statement


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(st.integers(min_value=1, max_value=4), max_size=5),
    limit=st.integers(min_value=1, max_value=5),
    ascending=st.booleans(),
)
def test_paging_visits_each_statement_once_in_order(
    issued: services.IssuedKey, batches: list[int], limit: int, ascending: bool
) -> None:
    Statement.objects.all().delete()
    stored = []
    for size in batches:  # a batch shares one stored time; the id breaks the tie
        stored += services.statements_store(
            key=issued.key, statements=[make_statement() for _ in range(size)]
        )
    query = selectors.StatementQuery(limit=limit, ascending=ascending)
    page = selectors.statements_page(key=issued.key, query=query)
    seen = [s["id"] for s in page.statements]
    while page.more:
        decoded = selectors.decode_cursor(page.more)
        assert decoded is not None
        assert len(page.statements) == limit
        page = selectors.statements_page(key=issued.key, query=decoded[0], after=decoded[1])
        seen += [s["id"] for s in page.statements]

    rows = Statement.objects.order_by("stored", "id").values_list("id", flat=True)
    expected = [str(ident) for ident in rows]
    assert seen == (expected if ascending else expected[::-1])
    assert sorted(seen) == sorted(str(i) for i in stored)

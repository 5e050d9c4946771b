"""Keyset paging returns every matching statement exactly once, in order, for any page size."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerpath.lrs import selectors, services
from peerpath.lrs.models import Statement
from tests.lrs.conftest import ACTIVITY, make_statement


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


OTHER = "https://peerpath.example/modules/other"


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kinds=st.lists(st.sampled_from(["match", "other", "ref-match", "ref-other"]), max_size=12),
    limit=st.integers(min_value=1, max_value=4),
    ascending=st.booleans(),
)
def test_filtered_paging_merges_direct_matches_and_references_once_in_order(
    issued: services.IssuedKey, kinds: list[str], limit: int, ascending: bool
) -> None:
    """An activity filter matches statements about the activity and statements that refer
    to one of those; each page mixes both kinds in (stored, id) order, each exactly once."""
    Statement.objects.all().delete()
    about: dict[str, str] = {"match": ACTIVITY, "other": OTHER}
    targets: dict[str, list[str]] = {"match": [], "other": []}
    expected: set[str] = set()
    for kind in kinds:
        aim = kind.removeprefix("ref-")
        if kind.startswith("ref-"):
            if not targets[aim]:
                continue
            body = make_statement(object={"objectType": "StatementRef", "id": targets[aim][-1]})
        else:
            body = make_statement(object={"objectType": "Activity", "id": about[aim]})
        (ident,) = services.statements_store(key=issued.key, statements=[body])
        if not kind.startswith("ref-"):
            targets[aim].append(str(ident))
        if aim == "match":
            expected.add(str(ident))

    query = selectors.StatementQuery(activity=ACTIVITY, limit=limit, ascending=ascending)
    page = selectors.statements_page(key=issued.key, query=query)
    seen = [s["id"] for s in page.statements]
    while page.more:
        decoded = selectors.decode_cursor(page.more)
        assert decoded is not None
        assert len(page.statements) == limit
        page = selectors.statements_page(key=issued.key, query=decoded[0], after=decoded[1])
        seen += [s["id"] for s in page.statements]

    rows = Statement.objects.filter(id__in=expected).order_by("stored", "id")
    in_order = [str(ident) for ident in rows.values_list("id", flat=True)]
    assert seen == (in_order if ascending else in_order[::-1])

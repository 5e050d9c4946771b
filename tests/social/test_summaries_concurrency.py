"""Votes cast at the same moment in separate connections: none is lost (PostgreSQL, where
rows are really locked; SQLite serialises every write anyway)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from peerpath.people.models import User
from peerpath.social import summaries
from peerpath.social.models import Summary, SummaryVote
from tests.factories import ModuleFactory, TeamFactory, UserFactory
from tests.social.factories import SummaryFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's to test"
    ),
]


def _race(summary: Summary, voters: list[User], helpful: list[bool | None]) -> list[BaseException]:
    barrier = threading.Barrier(len(voters))
    failures: list[BaseException] = []

    def vote(n: int) -> None:
        try:
            fresh = Summary.objects.select_related("author", "module").get(pk=summary.pk)
            barrier.wait(timeout=10)
            summaries.summary_vote(voter=voters[n], summary=fresh, helpful=helpful[n])
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(n,)) for n in range(len(voters))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def test_simultaneous_votes_are_all_counted_and_the_score_matches():
    team = TeamFactory()
    summary = SummaryFactory(author=UserFactory(team=team), module=ModuleFactory())
    voters = [UserFactory(team=team) for _ in range(8)]
    helpful = [True, True, True, True, True, True, False, False]

    assert _race(summary, voters, list(helpful)) == []

    summary.refresh_from_db()
    assert (summary.helpful_count, summary.unhelpful_count) == (6, 2)
    assert SummaryVote.objects.filter(summary=summary).count() == 8
    assert summary.score == pytest.approx(summaries.wilson_lower_bound(6, 8))


def test_one_person_voting_from_several_tabs_at_once_counts_once():
    team = TeamFactory()
    summary = SummaryFactory(author=UserFactory(team=team), module=ModuleFactory())
    voter = UserFactory(team=team)

    assert _race(summary, [voter] * 4, [True, True, False, True]) == []

    summary.refresh_from_db()
    votes = list(SummaryVote.objects.filter(summary=summary).values_list("helpful", flat=True))
    assert len(votes) == 1
    assert (summary.helpful_count, summary.unhelpful_count) == ((1, 0) if votes[0] else (0, 1))

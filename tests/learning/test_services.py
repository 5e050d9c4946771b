from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from peerpath.learning import selectors, services
from peerpath.learning.models import ModuleProgress, ProgressStatus
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db


def test_opening_starts_progress_once(org, module):
    first = services.progress_open(user=org.member, module=module)
    again = services.progress_open(user=org.member, module=module)
    assert first.pk == again.pk
    assert again.status == ProgressStatus.IN_PROGRESS
    assert again.last_opened_at >= first.last_opened_at


def test_reopening_refreshes_last_opened_only_every_few_minutes(
    org, module, django_assert_num_queries
):
    start = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        services.progress_open(user=org.member, module=module)
    with (
        time_machine.travel(start + dt.timedelta(minutes=2), tick=False),
        django_assert_num_queries(1),
    ):
        services.progress_open(user=org.member, module=module)
    assert ModuleProgress.objects.get(user=org.member).last_opened_at == start
    later = start + dt.timedelta(minutes=6)
    with time_machine.travel(later, tick=False):
        assert services.progress_open(user=org.member, module=module).last_opened_at == later
    assert ModuleProgress.objects.get(user=org.member).last_opened_at == later


def test_completing_is_idempotent_and_keeps_first_time(org, module):
    first = services.progress_complete(user=org.member, module=module)
    second = services.progress_complete(user=org.member, module=module)
    assert second.completed_at == first.completed_at
    assert ModuleProgress.objects.filter(user=org.member).count() == 1


def test_drafts_cannot_be_completed(org):
    draft = ModuleFactory(author=org.lead, publish=False)
    with pytest.raises(PermissionDenied):
        services.progress_complete(user=org.member, module=draft)
    assert not ModuleProgress.objects.exists()


def test_my_learning_splits_in_progress_and_completed(org, module):
    other = ModuleFactory(author=org.lead)
    services.progress_open(user=org.member, module=module)
    services.progress_complete(user=org.member, module=other)
    assert [p.module for p in selectors.progress_in_progress(org.member)] == [module]
    assert [p.module for p in selectors.progress_completed(org.member)] == [other]
    assert selectors.learning_counts(org.member) == {"completed": 1, "in_progress": 1}


def test_team_learning_counts_per_person(org, module):
    services.progress_complete(user=org.member, module=module)
    rows = {p.pk: p for p in selectors.team_learning(org.manager.reports.all())}
    assert rows[org.member.pk].completed_count == 1
    assert rows[org.lead.pk].completed_count == 0

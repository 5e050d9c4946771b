"""Factories for learning-time models: policies, shifts, coverage minimums, requests and
blackouts. They write rows directly, so a test can set up any state the services reach."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from peerpath.schedule.models import (
    BlackoutWindow,
    CoverageRequirement,
    LearningTimeRequest,
    RequestStatus,
    Shift,
    ShiftSource,
    TeamPolicy,
)
from tests.factories import TeamFactory, UserFactory

# A Monday: 2026-03-02 09:00 UTC.
SHIFT_START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class TeamPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamPolicy
        django_get_or_create = ("team",)

    team = factory.SubFactory(TeamFactory, works_shifts=True)
    auto_approve_minutes_per_week = 60
    monthly_budget_minutes = 240
    notice_hours = 0
    require_within_shift = False
    coverage_interval_minutes = 15
    time_zone = "UTC"


class BlackoutWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlackoutWindow

    team = factory.SubFactory(TeamFactory)
    starts_at = SHIFT_START
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(days=1))
    reason = "Month-end close"
    created_by = None


class CoverageRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoverageRequirement

    team = factory.SubFactory(TeamFactory)
    queue = ""
    weekday = None
    start_time = dt.time(9, 0)
    end_time = dt.time(17, 0)
    minimum_on_duty = 1


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    person = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda o: o.person.team or TeamFactory())
    starts_at = SHIFT_START
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=8))
    queue = ""
    source = ShiftSource.MANUAL
    imported_at = factory.LazyFunction(timezone.now)


class LearningTimeRequestFactory(factory.django.DjangoModelFactory):
    """A pending request by default; ``status=RequestStatus.APPROVED`` also sets when."""

    class Meta:
        model = LearningTimeRequest

    person = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda o: o.person.team)
    starts_at = SHIFT_START + dt.timedelta(hours=2)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=30))
    status = RequestStatus.PENDING
    decided_at = factory.LazyAttribute(
        lambda o: (
            None
            if o.status in (RequestStatus.PENDING, RequestStatus.CANCELLED)
            else o.starts_at - dt.timedelta(days=1)
        )
    )
    created_at = factory.LazyAttribute(lambda o: o.starts_at - dt.timedelta(days=2))

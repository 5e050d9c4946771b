"""Curated modules carry a review-by date; owners and reviewers are reminded when it passes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from peerpath.core import periodic
from peerpath.curation import selectors, services, tasks
from peerpath.curation.models import CurationTerm
from peerpath.people.models import ExpertReviewer, User
from tests.factories import ModuleFactory, SkillFactory

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC)


@pytest.fixture
def curated(org):
    """A module by the member, Curated by the outsider (an expert in its skill area)."""
    area = SkillFactory(name="Service")
    calls = SkillFactory(name="Calls", parent=area)
    module = ModuleFactory(author=org.member, title="Warm transfers", skills=[calls])
    ExpertReviewer.objects.create(user=org.outsider, skill=area)
    reviewer = User.objects.get(pk=org.outsider.pk)
    with time_machine.travel(TODAY, tick=False):
        review = services.module_nominate(user=org.member, module=module)
        services.review_approve(reviewer=reviewer, review=review)
    module.refresh_from_db()
    return module, reviewer


def test_approval_sets_the_usual_review_by_date(curated):
    module, _ = curated
    # Twelve months on from 31 March lands on the last day of March next year.
    assert CurationTerm.objects.get(module=module).review_by == dt.date(2027, 3, 31)


@pytest.mark.parametrize(
    ("today", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2027, 11, 30), 3, dt.date(2028, 2, 29)),
        (dt.date(2026, 6, 15), 12, dt.date(2027, 6, 15)),
        (dt.date(2026, 12, 1), 24, dt.date(2028, 12, 1)),
    ],
)
def test_the_default_date_is_whole_months_later(settings, today, months, expected):
    settings.PEERPATH_CURATED_REVIEW_MONTHS = months
    assert services.default_review_by(today) == expected


def test_a_reviewer_may_choose_the_date_but_not_in_the_past(org):
    calls = SkillFactory(name="Calls")
    module = ModuleFactory(author=org.member, skills=[calls])
    review = services.module_nominate(user=org.member, module=module)
    with pytest.raises(ValidationError, match="after today"):
        services.review_approve(reviewer=org.admin, review=review, review_by=timezone.localdate())
    module.refresh_from_db()
    assert not module.is_curated
    chosen = timezone.localdate() + dt.timedelta(days=90)
    services.review_approve(reviewer=org.admin, review=review, review_by=chosen)
    assert CurationTerm.objects.get(module=module).review_by == chosen


def test_owner_and_every_reviewer_of_the_area_are_reminded_once(org, curated):
    module, reviewer = curated
    with time_machine.travel(dt.datetime(2027, 4, 1, 9, tzinfo=dt.UTC), tick=False):
        assert services.review_reminders_send() == 1
        assert services.review_reminders_send() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([org.member.email, reviewer.email])
    message = mail.outbox[0]
    assert message.subject == "Time to review “Warm transfers”"
    assert "31 March 2027" in message.body
    assert f"/learn/m/{module.public_id}/" in message.body


def test_nobody_is_reminded_before_the_date_passes(curated):
    with time_machine.travel(dt.datetime(2027, 3, 31, 20, tzinfo=dt.UTC), tick=False):
        assert services.review_reminders_send() == 0
    assert mail.outbox == []


def test_confirming_sets_a_new_date_and_rearms_the_reminder(org, curated):
    module, reviewer = curated
    with time_machine.travel(dt.datetime(2027, 4, 2, tzinfo=dt.UTC), tick=False):
        services.review_reminders_send()
        term = services.curation_confirm(actor=reviewer, module=module)
    assert (term.review_by, term.reminded_at) == (dt.date(2028, 4, 2), None)
    with time_machine.travel(dt.datetime(2028, 4, 3, tzinfo=dt.UTC), tick=False):
        assert services.review_reminders_send() == 1


def test_only_reviewers_of_the_area_confirm(org, curated):
    module, _ = curated
    with pytest.raises(PermissionDenied):
        services.curation_confirm(actor=org.member, module=module)


def test_the_periodic_task_sends_reminders(curated):
    with time_machine.travel(dt.datetime(2027, 5, 1, tzinfo=dt.UTC), tick=False):
        result = tasks.send_review_reminders.enqueue()
    assert result.return_value == 1
    assert len(mail.outbox) == 2


def test_the_scheduler_queues_each_task_when_its_interval_passes(curated):
    last_run: dict[str, float] = {}
    assert periodic.enqueue_due(last_run, now=1000.0) == [
        "peerpath.curation.tasks.send_review_reminders",
        "peerpath.learning.tasks.send_assignment_reminders",
        "peerpath.schedule.tasks.lapse_undecided_requests",
        "peerpath.core.tasks.prune_task_results",
        "peerpath.recognition.tasks.send_expiry_reminders",
        "peerpath.notifications.tasks.send_daily_digests",
        "peerpath.notifications.tasks.send_weekly_digests",
        "peerpath.notifications.tasks.send_missed_emails",
    ]
    assert periodic.enqueue_due(last_run, now=1000.0 + 3599) == []
    assert periodic.enqueue_due(last_run, now=1000.0 + 3600) == [
        "peerpath.curation.tasks.send_review_reminders",
        "peerpath.learning.tasks.send_assignment_reminders",
        "peerpath.schedule.tasks.lapse_undecided_requests",
        "peerpath.notifications.tasks.send_daily_digests",
        "peerpath.notifications.tasks.send_weekly_digests",
        "peerpath.notifications.tasks.send_missed_emails",
    ]


def test_standing_tells_authors_where_each_module_is(org, curated):
    module, _ = curated
    draft = ModuleFactory(author=org.member, title="Unfinished", publish=False)
    community = ModuleFactory(author=org.member, title="Community piece")
    rows = selectors.standings([module, draft, community], today=dt.date(2027, 4, 5))
    assert [r.label for r in rows] == ["Curated · review overdue", "Draft", "Community"]


# --- Pages ------------------------------------------------------------------------


def test_the_due_queue_lists_overdue_modules_for_their_reviewers(org, client_for, curated):
    _, reviewer = curated
    url = reverse("curation:reviews") + "?status=due"
    with time_machine.travel(dt.datetime(2027, 3, 15, tzinfo=dt.UTC), tick=False):
        page = client_for(reviewer).get(url).content.decode()
    assert "Warm transfers" in page
    assert client_for(org.member).get(url).status_code == 403


def test_confirm_page_action_is_for_reviewers_only(org, client_for, curated):
    module, reviewer = curated
    url = reverse("curation:confirm", args=[module.public_id])
    response = client_for(org.member).post(url)
    assert response.status_code == 403
    assert CurationTerm.objects.get(module=module).confirmed_by == reviewer
    chosen = timezone.localdate() + dt.timedelta(days=400)
    response = client_for(reviewer).post(url, {"review_by": chosen.isoformat()})
    assert response.status_code == 302
    assert CurationTerm.objects.get(module=module).review_by == chosen


def test_a_date_too_far_ahead_is_refused_with_a_message(org, client_for, curated):
    module, reviewer = curated
    before = CurationTerm.objects.get(module=module).review_by
    far = timezone.localdate() + dt.timedelta(days=5 * 365)
    response = client_for(reviewer).post(
        reverse("curation:confirm", args=[module.public_id]),
        {"review_by": far.isoformat()},
        follow=True,
    )
    assert "within three years" in response.content.decode()
    assert CurationTerm.objects.get(module=module).review_by == before


def test_authors_see_where_their_modules_stand(org, client_for, client, curated):
    page = client_for(org.member).get(reverse("curation:mine")).content.decode()
    assert "Warm transfers" in page
    assert "Curated" in page
    assert client.get(reverse("curation:mine")).status_code == 302

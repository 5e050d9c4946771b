"""Learning-time pages for the person asking: requesting (once or weekly), the outcome with
its shortfall and alternatives, cancelling, My learning time and the calendar feed."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from peerpath.schedule import services
from peerpath.schedule.models import (
    CalendarFeed,
    LearningTimeRequest,
    LearningTimeSeries,
    RequestStatus,
)
from tests.factories import ModuleFactory, UserFactory
from tests.schedule.factories import LearningTimeRequestFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# The Sunday before the fixture's Monday shift (2026-03-02 09:00–17:00 UTC, minimum 3 of 4).
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MINE = reverse("schedule:mine")
NEW = reverse("schedule:request")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def at(hour: int, minute: int = 0, day: int = 2) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def single(start: str, end: str, day: str = "2026-03-02", **extra: str) -> dict[str, str]:
    return {"repeat": "once", "day": day, "start_time": start, "end_time": end, **extra}


def detail(r) -> str:
    return reverse("schedule:request_detail", args=[r.public_id])


def test_anonymous_visitors_are_sent_to_sign_in(client, shift_team):
    r = LearningTimeRequestFactory(person=shift_team.agents[0])
    for url in (MINE, NEW, detail(r), reverse("schedule:approvals")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_everyone_sees_learning_time_in_the_navigation(client_for, shift_team):
    page = client_for(shift_team.agents[0]).get(reverse("core:home")).content.decode()
    assert f'href="{MINE}"' in page
    assert ">Learning time<" in page


def test_a_request_within_policy_is_approved_at_once_and_says_why(client_for, shift_team):
    ana = shift_team.agents[0]
    response = client_for(ana).post(NEW, single("11:00", "11:30", note="Billing refresher"))
    made = LearningTimeRequest.objects.get(person=ana)
    assert response.status_code == 302
    assert response["Location"] == detail(made) + "?new=1"
    assert (made.starts_at, made.ends_at, made.note) == (at(11), at(11, 30), "Billing refresher")
    page = client_for(ana).get(response["Location"]).content.decode()
    assert "Approved" in page
    assert "Auto-approved: within 60 min/week; coverage holds" in page


def test_times_are_read_in_the_persons_own_time_zone(client_for, shift_team):
    ana = shift_team.agents[0]
    ana.time_zone = "America/New_York"  # UTC-5 in March before the change
    ana.save(update_fields=["time_zone"])
    client_for(ana).post(NEW, single("06:00", "06:30"))
    made = LearningTimeRequest.objects.get(person=ana)
    assert (made.starts_at, made.ends_at) == (at(11), at(11, 30))


def test_the_same_slot_that_breaks_coverage_goes_to_the_manager_with_alternatives(
    client_for, shift_team
):
    ana, ben = shift_team.agents[:2]
    services.request_learning_time(person=ana, starts_at=at(11), ends_at=at(11, 30))
    response = client_for(ben).post(NEW, single("11:00", "11:30"))
    made = LearningTimeRequest.objects.get(person=ben)
    assert made.status == RequestStatus.PENDING
    page = client_for(ben).get(response["Location"]).content.decode()
    assert "Sent to your manager, Cara Coordinator" in page
    assert "Coverage would drop to 2 of 3 on duty 11:00–11:30" in page
    assert "Coverage would fall short" in page
    assert made.alternatives  # the nearest slots that keep coverage, each a button
    first = dt.datetime.fromisoformat(made.alternatives[0]["starts_at"])
    assert f'value="{first.isoformat()}"' in page
    assert page.count(
        'action="{}"'.format(reverse("schedule:request_move", args=[made.public_id]))
    ) == len(made.alternatives)


def test_picking_an_alternative_replaces_the_request_in_one_click(client_for, shift_team):
    ana, ben = shift_team.agents[:2]
    services.request_learning_time(person=ana, starts_at=at(11), ends_at=at(11, 30))
    pending = services.request_learning_time(person=ben, starts_at=at(11), ends_at=at(11, 30))
    choice = pending.alternatives[0]
    response = client_for(ben).post(
        reverse("schedule:request_move", args=[pending.public_id]),
        {"starts_at": choice["starts_at"]},
    )
    pending.refresh_from_db()
    assert pending.status == RequestStatus.CANCELLED
    moved = LearningTimeRequest.objects.get(person=ben, status=RequestStatus.APPROVED)
    assert moved.starts_at.isoformat() == choice["starts_at"]
    assert response["Location"] == detail(moved) + "?new=1"


def test_a_slot_that_was_not_offered_cannot_be_taken(client_for, shift_team):
    ana, ben = shift_team.agents[:2]
    services.request_learning_time(person=ana, starts_at=at(11), ends_at=at(11, 30))
    pending = services.request_learning_time(person=ben, starts_at=at(11), ends_at=at(11, 30))
    client_for(ben).post(
        reverse("schedule:request_move", args=[pending.public_id]),
        {"starts_at": at(15).isoformat()},
    )
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING
    assert LearningTimeRequest.objects.filter(person=ben).count() == 1


def test_someone_else_cannot_move_or_cancel_a_request(client_for, shift_team, org):
    ana, ben = shift_team.agents[:2]
    services.request_learning_time(person=ana, starts_at=at(11), ends_at=at(11, 30))
    pending = services.request_learning_time(person=ben, starts_at=at(11), ends_at=at(11, 30))
    for user in (ana, org.outsider):
        client = client_for(user)
        assert client.get(detail(pending)).status_code == 404
        assert (
            client.post(reverse("schedule:request_cancel", args=[pending.public_id])).status_code
            == 404
        )
        move = reverse("schedule:request_move", args=[pending.public_id])
        assert (
            client.post(move, {"starts_at": pending.alternatives[0]["starts_at"]}).status_code
            == 404
        )
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING
    assert LearningTimeRequest.objects.count() == 2


def test_the_manager_may_open_a_request_but_not_cancel_or_move_it(client_for, shift_team):
    ben = shift_team.agents[1]
    pending = LearningTimeRequestFactory(person=ben, starts_at=at(11))
    client = client_for(shift_team.manager)
    page = client.get(detail(pending)).content.decode()
    assert "Agent Ben" in page
    assert "Cancel this block" not in page
    response = client.post(reverse("schedule:request_cancel", args=[pending.public_id]))
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == RequestStatus.PENDING


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (single("11:30", "11:00"), "end_time", "The end must be after the start."),
        (single("08:00", "08:30", day="2026-03-01"), "start_time", "That time has passed"),
        (single("09:00", "13:30"), "end_time", "at most 4 hours"),
        ({"repeat": "once", "start_time": "09:00", "end_time": "10:00"}, "day", "required"),
    ],
)
def test_bad_times_are_shown_on_their_field_and_nothing_is_written(
    client_for, shift_team, data, field, message
):
    response = client_for(shift_team.agents[0]).post(NEW, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not LearningTimeRequest.objects.exists()


def test_an_overlap_with_ones_own_block_is_refused_on_the_start(client_for, shift_team):
    ana = shift_team.agents[0]
    services.request_learning_time(person=ana, starts_at=at(11), ends_at=at(11, 30))
    response = client_for(ana).post(NEW, single("11:15", "11:45"))
    assert response.status_code == 400
    assert "overlaps learning time you already approved" in " ".join(
        response.context["form"].errors["start_time"]
    )
    assert LearningTimeRequest.objects.filter(person=ana).count() == 1


def test_a_request_may_name_the_module_it_is_for(client_for, shift_team, org):
    module = ModuleFactory(author=org.lead, title="Calm under pressure")
    ana = shift_team.agents[0]
    form = client_for(ana).get(NEW).context["form"]
    value = f"module:{module.public_id}"
    assert value in [v for _, group in form.fields["item"].choices[1:] for v, _ in group]
    client_for(ana).post(NEW, single("11:00", "11:30", item=value))
    assert LearningTimeRequest.objects.get(person=ana).module == module


def test_a_weekly_series_shows_each_block_and_its_outcome(client_for, shift_team):
    ana = shift_team.agents[0]
    data = {
        **single("11:00", "11:30"),
        "repeat": "weekly",
        "occurrences": "3",
        "interval_weeks": "1",
    }
    response = client_for(ana).post(NEW, data)
    series = LearningTimeSeries.objects.get(person=ana)
    assert response["Location"] == reverse("schedule:series_detail", args=[series.public_id])
    assert sorted(r.starts_at for r in series.requests.all()) == [
        at(11),
        at(11, day=9),
        at(11, day=16),
    ]
    page = client_for(ana).get(response["Location"]).content.decode()
    assert "11:00–11:30 every week" in page
    assert page.count("Waiting for approval") + page.count("✓ Approved") == 3
    assert client_for(shift_team.agents[1]).get(response["Location"]).status_code == 404


def test_a_weekly_series_needs_a_number_of_blocks(client_for, shift_team):
    data = {**single("11:00", "11:30"), "repeat": "weekly", "occurrences": ""}
    response = client_for(shift_team.agents[0]).post(NEW, data)
    assert response.status_code == 400
    assert "occurrences" in response.context["form"].errors
    assert not LearningTimeSeries.objects.exists()


def test_my_learning_time_lists_requests_with_reason_and_cancels_before_start(
    client_for, shift_team
):
    ana = shift_team.agents[0]
    made = services.request_learning_time(person=ana, starts_at=at(11), ends_at=at(11, 30))
    page = client_for(ana).get(MINE).content.decode()
    assert "Auto-approved: within 60 min/week; coverage holds" in page
    assert "30 of 240 min" in page  # used against the monthly budget
    cancel = reverse("schedule:request_cancel", args=[made.public_id])
    assert f'action="{cancel}"' in page
    response = client_for(ana).post(cancel)
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == RequestStatus.CANCELLED


def test_a_block_that_has_started_cannot_be_cancelled(client_for, shift_team):
    ana = shift_team.agents[0]
    made = services.request_learning_time(person=ana, starts_at=at(11), ends_at=at(11, 30))
    with time_machine.travel(at(11, 10), tick=False):
        page = client_for(ana).get(MINE).content.decode()
        assert reverse("schedule:request_cancel", args=[made.public_id]) not in page
        client_for(ana).post(reverse("schedule:request_cancel", args=[made.public_id]))
    made.refresh_from_db()
    assert made.status == RequestStatus.APPROVED


def test_a_linked_module_shows_whether_it_was_done(client_for, shift_team, org):
    from peerpath.learning import services as learning

    module = ModuleFactory(author=org.lead, title="Calm under pressure")
    ana = shift_team.agents[0]
    services.request_learning_time(person=ana, starts_at=at(11), ends_at=at(11, 30), module=module)
    assert "not done yet" in client_for(ana).get(MINE).content.decode()
    learning.progress_complete(user=ana, module=module)
    assert "✓ Module done" in client_for(ana).get(MINE).content.decode()


def test_the_calendar_feed_address_is_shown_once_and_serves_approved_blocks(
    client_for, client, shift_team
):
    ana = shift_team.agents[0]
    made = services.request_learning_time(person=ana, starts_at=at(11), ends_at=at(11, 30))
    response = client_for(ana).post(reverse("schedule:calendar_create"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    url = response.context["feed_url"]
    assert url.startswith("http://testserver/time/calendar/")
    assert url.endswith(".ics")
    assert url in response.content.decode()
    assert url not in client_for(ana).get(MINE).content.decode()  # never again

    feed = client.get(url.removeprefix("http://testserver"))  # no sign-in needed
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar"
    assert f"UID:{made.public_id}@peerpath".encode() in feed.content

    client_for(ana).post(reverse("schedule:calendar_revoke"))
    assert not CalendarFeed.objects.filter(person=ana).exists()
    assert client.get(url.removeprefix("http://testserver")).status_code == 404


def test_an_unknown_calendar_token_is_not_found(client):
    UserFactory()
    response = client.get(reverse("schedule:calendar_feed", args=["not-a-token"]))
    assert response.status_code == 404


def test_my_learning_time_reads_a_bounded_number_of_queries(
    client_for, shift_team, django_assert_max_num_queries
):
    ana = shift_team.agents[0]
    client = client_for(ana)
    for day in (2, 9, 16):
        services.request_learning_time(
            person=ana, starts_at=at(11, day=day), ends_at=at(11, 30, day=day)
        )
    client.get(MINE)  # the navigation's roles are cached from here on
    with django_assert_max_num_queries(12) as small:
        client.get(MINE)
    for day in (3, 4, 5, 6):
        LearningTimeRequestFactory(
            person=ana, starts_at=at(10, day=day), status=RequestStatus.APPROVED
        )
    with django_assert_max_num_queries(12) as large:
        client.get(MINE)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_a_time_the_clocks_skip_is_refused_on_its_field(client_for, shift_team):
    ana = shift_team.agents[0]
    ana.time_zone = "Europe/London"  # clocks go from 01:00 to 02:00 on 29 March 2026
    ana.save(update_fields=["time_zone"])
    response = client_for(ana).post(NEW, single("01:30", "02:30", day="2026-03-29"))
    assert response.status_code == 400
    assert response.context["form"].errors["start_time"] == [
        "01:30 does not exist on 29 March in Europe/London: the clocks change then."
    ]
    assert not LearningTimeRequest.objects.exists()


def test_a_time_after_the_clocks_change_is_read_in_summer_time(client_for, shift_team):
    ana = shift_team.agents[0]
    ana.time_zone = "Europe/London"
    ana.save(update_fields=["time_zone"])
    client_for(ana).post(NEW, single("11:00", "11:30", day="2026-03-30"))
    made = LearningTimeRequest.objects.get(person=ana)
    assert made.starts_at == dt.datetime(2026, 3, 30, 10, 0, tzinfo=UTC)  # BST is UTC+1


def test_a_decided_request_cannot_be_moved_to_an_offered_slot(client_for, shift_team):
    ana, ben = shift_team.agents[:2]
    services.request_learning_time(person=ana, starts_at=at(11), ends_at=at(11, 30))
    pending = services.request_learning_time(person=ben, starts_at=at(11), ends_at=at(11, 30))
    services.approve_request(actor=shift_team.manager, request=pending, accept_shortfall=True)
    client_for(ben).post(
        reverse("schedule:request_move", args=[pending.public_id]),
        {"starts_at": pending.alternatives[0]["starts_at"]},
    )
    pending.refresh_from_db()
    assert pending.status == RequestStatus.APPROVED
    assert LearningTimeRequest.objects.filter(person=ben).count() == 1


def test_a_request_nobody_decided_in_time_says_so(client_for, shift_team):
    ana, ben = shift_team.agents[:2]
    services.request_learning_time(person=ana, starts_at=at(11), ends_at=at(11, 30))
    pending = services.request_learning_time(person=ben, starts_at=at(11), ends_at=at(11, 30))
    with time_machine.travel(at(11, 5), tick=False):
        services.lapse_undecided_requests()
        page = client_for(ben).get(MINE).content.decode()
    pending.refresh_from_db()
    assert pending.status == RequestStatus.LAPSED
    assert "Not decided in time" in page

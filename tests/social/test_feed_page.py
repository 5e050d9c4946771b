"""The home feed: sources merged newest first, keyset pages that never skip or repeat,
privacy per visibility level, and the same number of queries at any size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peerpath.social.activity import activity_visibility_set
from peerpath.social.feed import Cursor, Kind, feed_page
from peerpath.social.models import Audience, DeclaredSkill, SkillFollow, Verb, Visibility
from tests.factories import ModuleFactory, SkillFactory, UserFactory
from tests.social.factories import ActivityFactory, FollowFactory, RawSummaryFactory, share_with

pytestmark = pytest.mark.django_db


def _activity_ids(user, **kwargs) -> set[int]:
    return {i.pk for i in feed_page(user, **kwargs).items if i.kind == Kind.ACTIVITY}


# --- Privacy per visibility level ----------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "self_sees", "teammate_sees", "follower_elsewhere_sees"),
    [
        (Visibility.EVERYONE, True, True, True),
        (Visibility.TEAM, True, True, False),
        (Visibility.PRIVATE, True, False, False),
    ],
)
def test_who_sees_an_activity_follows_the_actors_setting(
    org, visibility, self_sees, teammate_sees, follower_elsewhere_sees
):
    FollowFactory(follower=org.outsider, followee=org.member)
    item = ActivityFactory(actor=org.member)
    activity_visibility_set(person=org.member, visibility=visibility)

    assert (item.pk in _activity_ids(org.member)) is self_sees
    assert (item.pk in _activity_ids(org.lead)) is teammate_sees
    assert (item.pk in _activity_ids(org.outsider)) is follower_elsewhere_sees


def test_only_me_never_leaks_through_any_action(org, client_for):
    FollowFactory(follower=org.outsider, followee=org.member)
    item = ActivityFactory(actor=org.member)
    activity_visibility_set(person=org.member, visibility=Visibility.PRIVATE)

    client = client_for(org.lead)
    assert item.module.title not in client.get("/").content.decode()
    assert client.post(f"/feed/items/{item.public_id}/like/").status_code == 404
    assert client.get(f"/feed/items/{item.public_id}/comments/").status_code == 404
    assert client.post(f"/feed/items/{item.public_id}/comments/", {"body": "hi"}).status_code == 404
    item.refresh_from_db()
    assert (item.like_count, item.comment_count) == (0, 0)


def test_a_team_only_item_stays_with_the_team_after_the_actor_moves(org):
    item = ActivityFactory(actor=org.member)
    activity_visibility_set(person=org.member, visibility=Visibility.TEAM)
    from peerpath.social.activity import activity_team_refresh

    org.member.team = org.outsider.team
    org.member.save(update_fields=["team"])
    activity_team_refresh(person_ids=[org.member.pk])

    assert item.pk in _activity_ids(org.outsider)
    assert item.pk not in _activity_ids(org.lead)


def test_activity_about_an_unpublished_module_disappears(org):
    item = ActivityFactory(actor=org.member)
    item.module.status = "draft"
    item.module.save(update_fields=["status"])
    assert item.pk not in _activity_ids(org.lead)


def test_strangers_activity_does_not_reach_me(org):
    item = ActivityFactory(actor=org.outsider)
    assert item.pk not in _activity_ids(org.member)


# --- Sources -------------------------------------------------------------------------------


def test_shares_promoted_summaries_and_curated_modules_reach_the_right_people(org):
    module = ModuleFactory(author=org.admin)
    share_with(sender=org.outsider, recipients=[org.member], module=module, message="Try this")
    now = timezone.now()
    team_summary = RawSummaryFactory(
        author=org.lead, module=module, audience=Audience.TEAM, promoted_at=now
    )
    dept_summary = RawSummaryFactory(
        author=org.outsider, module=module, audience=Audience.DEPARTMENT, promoted_at=now
    )
    unpromoted = RawSummaryFactory(author=org.deep, module=module)
    skill = SkillFactory(name="De-escalation")
    curated_module = ModuleFactory(author=org.outsider, skills=[skill])
    curated = ActivityFactory(actor=org.outsider, verb=Verb.CURATED, module=curated_module)
    SkillFollow.objects.create(person=org.member, skill=skill)
    activity_visibility_set(person=org.outsider, visibility=Visibility.PRIVATE)

    items = feed_page(org.member).items
    shares = [i for i in items if i.kind == Kind.SHARE]
    summaries = {i.pk for i in items if i.kind == Kind.SUMMARY}
    assert [s.share.share.message for s in shares] == ["Try this"]
    assert team_summary.pk in summaries
    assert dept_summary.pk not in summaries  # the outsider's department is another one
    assert unpromoted.pk not in summaries
    assert curated.pk in {i.pk for i in items if i.kind == Kind.ACTIVITY}
    # Nobody else sees the share; the teammate-less outsider sees none of them.
    assert not [i for i in feed_page(org.lead).items if i.kind == Kind.SHARE]


def test_declared_skills_count_like_followed_ones(org):
    skill = SkillFactory(name="Billing")
    curated = ActivityFactory(
        actor=org.outsider, verb=Verb.CURATED, module=ModuleFactory(skills=[skill])
    )
    DeclaredSkill.objects.create(person=org.member, skill=skill)
    assert curated.pk in _activity_ids(org.member)


def test_an_organisation_wide_summary_reaches_everyone_and_a_hidden_one_no_one(org):
    shown = RawSummaryFactory(
        author=org.outsider, audience=Audience.ORGANISATION, promoted_at=timezone.now()
    )
    hidden = RawSummaryFactory(
        author=org.outsider,
        audience=Audience.ORGANISATION,
        promoted_at=timezone.now(),
        hidden_at=timezone.now(),
    )
    ids = {i.pk for i in feed_page(org.member).items if i.kind == Kind.SUMMARY}
    assert shown.pk in ids
    assert hidden.pk not in ids


# --- Paging and ranking --------------------------------------------------------------------


def test_keyset_pages_cover_every_item_once_even_with_ties(org):
    FollowFactory(follower=org.member, followee=org.outsider)
    same = timezone.now() - timedelta(hours=1)
    module = ModuleFactory()
    expected = set()
    for n in range(7):
        # Several items share one instant, across two sources (activity and shares).
        at = same if n % 2 else same - timedelta(minutes=n)
        expected.add((Kind.ACTIVITY, ActivityFactory(actor=org.outsider, created_at=at).pk))
    for _ in range(3):
        share = share_with(sender=org.outsider, recipients=[org.member], module=module, at=same)
        expected.add((Kind.SHARE, share.recipients.get().pk))
    expected |= {
        (Kind.ACTIVITY, a.pk)
        for a in ActivityFactory._meta.model.objects.filter(actor__in=[org.member, org.lead])
    }

    seen: list[tuple[int, int]] = []
    after = None
    for _ in range(20):
        page = feed_page(org.member, after=after, page_size=3)
        seen += [(i.kind, i.pk) for i in page.items]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert len(seen) == len(set(seen))
    assert set(seen) == expected


def test_a_malformed_cursor_shows_the_first_page(org):
    ActivityFactory(actor=org.member)
    assert feed_page(org.member, after="not-a-cursor").items
    assert Cursor.decode("!!!") is None
    assert Cursor.decode(Cursor(at=timezone.now(), kind=9, pk=1).encode()) is None


def test_within_a_day_what_was_shared_with_me_comes_before_older_news(org):
    FollowFactory(follower=org.member, followee=org.outsider)
    now = timezone.now()
    newer = ActivityFactory(actor=org.outsider, created_at=now)
    share_with(
        sender=org.outsider,
        recipients=[org.member],
        module=ModuleFactory(),
        at=now - timedelta(minutes=5),
    )
    items = feed_page(org.member).items
    assert items[0].kind == Kind.SHARE
    assert items[0].reasons == ["shared with you"]
    assert newer.pk in [i.pk for i in items[1:]]


# --- Bounded queries -----------------------------------------------------------------------


def _populate(org, size: int) -> None:
    skill = SkillFactory()
    SkillFollow.objects.create(person=org.member, skill=skill)
    people = [UserFactory(team=org.member.team) for _ in range(size)]
    for person in people:
        FollowFactory(follower=org.member, followee=person)
        ActivityFactory(actor=person)
        ActivityFactory(actor=person, verb=Verb.CURATED, module=ModuleFactory(skills=[skill]))
    module = ModuleFactory()
    share_with(sender=people[0], recipients=[org.member], module=module)
    RawSummaryFactory(author=people[0], audience=Audience.TEAM, promoted_at=timezone.now())


def _queries_for_feed(user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        page = feed_page(user, page_size=5)
        feed_page(user, after=page.next_cursor, page_size=5)
    return len(ctx.captured_queries)


def test_the_feed_costs_the_same_queries_at_two_sizes(org):
    _populate(org, 3)
    small = _queries_for_feed(org.member)
    _populate(org, 12)
    large = _queries_for_feed(org.member)
    assert small == large == 22


def test_the_home_page_has_a_bounded_query_count(org, client_for, django_assert_max_num_queries):
    _populate(org, 12)
    client = client_for(org.member)
    client.get("/")  # warm the navigation caches
    with django_assert_max_num_queries(30):
        response = client.get("/")
    assert response.status_code == 200


def test_a_summary_promoted_to_the_department_reaches_colleagues_in_other_teams(org):
    from tests.factories import TeamFactory

    sister = TeamFactory(name="Retention", department=org.member.team.department)
    colleague = UserFactory(team=sister)
    summary = RawSummaryFactory(author=org.member, audience=Audience.TEAM)
    assert summary.pk not in {i.pk for i in feed_page(colleague).items if i.kind == Kind.SUMMARY}

    summary.audience = Audience.DEPARTMENT
    summary.promoted_at = timezone.now()
    summary.save(update_fields=["audience", "promoted_at"])

    assert summary.pk in {i.pk for i in feed_page(colleague).items if i.kind == Kind.SUMMARY}
    assert summary.pk not in {i.pk for i in feed_page(org.outsider).items if i.kind == Kind.SUMMARY}


def test_a_path_shared_with_a_team_shows_in_each_members_feed(org):
    from peerpath.content import paths

    path = paths.path_create(
        author=org.outsider,
        title="Taking calls",
        summary="Calls.",
        sections=[("Basics", [ModuleFactory(author=org.outsider)])],
        publish=True,
    )
    share_with(sender=org.outsider, recipients=[org.member, org.lead], path=path)
    for person in (org.member, org.lead):
        shares = [i for i in feed_page(person).items if i.kind == Kind.SHARE]
        assert [i.path for i in shares] == [path]
    assert not [i for i in feed_page(org.deep).items if i.kind == Kind.SHARE]

"""Activity is captured from other contexts' events, once per source, with the actor's
visibility, team and department copied; settings and team moves refresh the copies."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from peerpath.core import events
from peerpath.social import activity
from peerpath.social.activity import activity_team_refresh, activity_visibility_set
from peerpath.social.models import Activity, SocialSettings, Verb, Visibility
from tests.factories import ModuleFactory, TeamFactory
from tests.social.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def _recorded(verb: str, person, module) -> events.LearningRecorded:
    return events.LearningRecorded(
        verb=verb,
        learner_public_id=str(person.public_id),
        learner_name=person.display_name,
        module_public_id=str(module.public_id),
        module_title=module.title,
        module_kind=module.kind,
        at=timezone.now(),
    )


def test_a_completion_posts_one_activity_even_when_replayed(org, module):
    events.publish(_recorded("completed", org.member, module))
    events.publish(_recorded("completed", org.member, module))

    rows = Activity.objects.filter(actor=org.member, verb=Verb.COMPLETED)
    assert rows.count() == 1
    row = rows.get()
    assert (row.module, row.team, row.department) == (
        module,
        org.member.team,
        org.member.team.department,
    )
    assert row.visibility == Visibility.EVERYONE


def test_launches_progress_and_failures_stay_out_of_feeds(org, module):
    for verb in ("launched", "progressed", "failed", "scored"):
        events.publish(_recorded(verb, org.member, module))
    assert not Activity.objects.filter(actor=org.member).exists()


def test_the_actors_setting_is_copied_when_written(org, module):
    SocialSettings.objects.create(person=org.member, activity_visibility=Visibility.PRIVATE)
    events.publish(_recorded("passed", org.member, module))
    assert Activity.objects.get(actor=org.member).visibility == Visibility.PRIVATE


def test_first_publication_posts_but_a_new_version_does_not(org):
    module = ModuleFactory(author=org.lead)
    published = Activity.objects.filter(verb=Verb.PUBLISHED, module=module)
    assert published.count() == 1
    events.publish(events.ModulePublished(module_id=module.pk, version_id=0, actor_id=org.lead.pk))
    assert published.count() == 1


def test_curation_certification_badge_and_kudos_post(org, module):
    # The handlers are called directly: other contexts react to these events with rows
    # of their own that this test does not make.
    now = timezone.now()
    activity.on_module_curated(
        events.ModuleCurated(
            module_id=module.pk,
            module_public_id=str(module.public_id),
            module_title=module.title,
            owner_id=org.lead.pk,
            reviewer_id=org.admin.pk,
            at=now,
        )
    )
    activity.on_certification_earned(
        events.CertificationEarned(
            award_id=7,
            award_public_id="6f1c5e0e-4c7e-4d8f-9a55-2b1d2c3d4e5f",
            certification_public_id="x",
            certification_name="Security Certified",
            holder_id=org.member.pk,
            holder_public_id=str(org.member.public_id),
            holder_name=org.member.display_name,
            at=now,
            expires_at=None,
        )
    )
    activity.on_badge_earned(
        events.BadgeEarned(
            award_id=3,
            badge_slug="first",
            badge_name="First steps",
            person_id=org.member.pk,
            at=now,
        )
    )
    activity.on_kudos_given(
        events.KudosGiven(
            kudos_id=9, giver_id=org.lead.pk, recipient_id=org.member.pk, message="Thanks!", at=now
        )
    )
    verbs = set(Activity.objects.values_list("verb", flat=True))
    assert {Verb.CURATED, Verb.CERTIFIED, Verb.BADGE, Verb.KUDOS} <= verbs
    kudos = Activity.objects.get(verb=Verb.KUDOS)
    assert (kudos.actor, kudos.other_person, kudos.excerpt) == (org.lead, org.member, "Thanks!")
    cert = Activity.objects.get(verb=Verb.CERTIFIED)
    assert cert.subject_title == "Security Certified"
    assert cert.subject_url.startswith("/")


def test_changing_the_setting_applies_to_everything_already_posted(org):
    ActivityFactory.create_batch(3, actor=org.member)
    activity_visibility_set(person=org.member, visibility=Visibility.TEAM)

    assert set(Activity.objects.filter(actor=org.member).values_list("visibility", flat=True)) == {
        Visibility.TEAM
    }
    assert SocialSettings.objects.get(person=org.member).activity_visibility == Visibility.TEAM


def test_an_unknown_setting_is_refused_and_changes_nothing(org):
    ActivityFactory(actor=org.member)
    with pytest.raises(ValidationError):
        activity_visibility_set(person=org.member, visibility="friends")
    assert Activity.objects.get(actor=org.member).visibility == Visibility.EVERYONE
    assert not SocialSettings.objects.filter(person=org.member).exists()


def test_people_changed_moves_ones_activity_to_the_new_team(org):
    ActivityFactory(actor=org.member)
    new_team = TeamFactory(name="Billing")
    org.member.team = new_team
    org.member.save(update_fields=["team"])
    events.publish(events.PeopleChanged(person_ids=(org.member.pk,)))
    assert Activity.objects.get(actor=org.member).team == new_team


def test_moving_team_moves_ones_activity_in_one_update_per_team(org, django_assert_num_queries):
    ActivityFactory.create_batch(2, actor=org.member)
    ActivityFactory(actor=org.lead)
    new_team = TeamFactory(name="Billing")
    org.member.team = new_team
    org.member.save(update_fields=["team"])
    org.lead.team = new_team
    org.lead.save(update_fields=["team"])

    # One read of where people sit, one UPDATE for their one destination team.
    with django_assert_num_queries(2):
        activity_team_refresh(person_ids=[org.member.pk, org.lead.pk])

    moved = Activity.objects.filter(actor__in=[org.member, org.lead])
    assert set(moved.values_list("team_id", "department_id")) == {
        (new_team.pk, new_team.department_id)
    }

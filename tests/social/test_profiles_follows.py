"""Following colleagues and skills: the service rules, the notice, the htmx control and the
followers / following lists."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peerpath.notifications.models import Notification
from peerpath.people import services as people_services
from peerpath.social import follows, profiles
from peerpath.social.models import Follow, SkillFollow
from tests.factories import SkillFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def follow_url(person):
    return reverse("social:follow", args=[person.public_id])


def test_following_a_colleague_notifies_them_once(org):
    follows.follow_person(follower=org.member, followee=org.lead)
    follows.unfollow_person(follower=org.member, followee=org.lead)
    follows.follow_person(follower=org.member, followee=org.lead)

    notice = Notification.objects.get()
    assert notice.recipient == org.lead
    assert notice.kind == "new_follower"
    assert notice.actor == org.member
    assert notice.title == "Mina Member follows your learning"
    assert notice.url == reverse("people:profile", args=[org.member.public_id])
    assert Follow.objects.filter(follower=org.member, followee=org.lead).count() == 1


def test_following_twice_keeps_one_follow(org):
    first = follows.follow_person(follower=org.member, followee=org.lead)
    again = follows.follow_person(follower=org.member, followee=org.lead)

    assert first.pk == again.pk
    assert Follow.objects.count() == 1


def test_nobody_follows_themselves(org):
    with pytest.raises(ValidationError, match="cannot follow yourself"):
        follows.follow_person(follower=org.member, followee=org.member)
    assert not Follow.objects.exists()


def test_a_deactivated_colleague_cannot_be_followed(org):
    people_services.person_deactivate(person=org.outsider, by=org.admin)

    with pytest.raises(ValidationError, match="no longer active"):
        follows.follow_person(follower=org.member, followee=org.outsider)
    assert not Follow.objects.exists()
    assert not Notification.objects.exists()


def test_the_number_one_may_follow_is_capped(org, monkeypatch):
    monkeypatch.setattr(follows, "MAX_FOLLOWING", 1)
    follows.follow_person(follower=org.member, followee=org.lead)

    with pytest.raises(ValidationError, match="You follow 1 colleagues, the most one can"):
        follows.follow_person(follower=org.member, followee=org.deep)
    assert Follow.objects.count() == 1


def test_the_follow_button_follows_and_unfollows_in_place(org, client_for):
    client = client_for(org.member)

    followed = client.post(follow_url(org.lead), {"follow": "1"}, **HTMX)
    assert followed.status_code == 200
    assert followed.templates[0].name == "social/_profile_follow.html"
    assert b"You follow Leo." in followed.content
    assert b'aria-pressed="true"' in followed.content
    assert follows.is_following(org.member, org.lead)

    unfollowed = client.post(follow_url(org.lead), {"follow": "0"}, **HTMX)
    assert b"You no longer follow Leo." in unfollowed.content
    assert b'aria-pressed="false"' in unfollowed.content
    assert not follows.is_following(org.member, org.lead)


def test_following_without_javascript_goes_back_to_the_profile(org, client_for):
    response = client_for(org.member).post(follow_url(org.lead), {"follow": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("people:profile", args=[org.lead.public_id])
    assert follows.is_following(org.member, org.lead)


def test_one_cannot_follow_oneself_from_the_profile(org, client_for):
    client = client_for(org.member)

    page = client.get(reverse("people:profile", args=[org.member.public_id]))
    response = client.post(follow_url(org.member), {"follow": "1"}, **HTMX)

    assert follow_url(org.member).encode() not in page.content
    assert response.status_code == 403
    assert not Follow.objects.exists()


def test_following_needs_a_post(org, client_for):
    response = client_for(org.member).get(follow_url(org.lead))

    assert response.status_code == 405
    assert not Follow.objects.exists()


def test_following_someone_unknown_is_not_found(org, client_for):
    response = client_for(org.member).post(
        reverse("social:follow", args=["00000000-0000-0000-0000-000000000000"]), {"follow": "1"}
    )

    assert response.status_code == 404


def test_followers_and_following_lists_show_active_colleagues(org, client_for):
    follows.follow_person(follower=org.member, followee=org.lead)
    follows.follow_person(follower=org.outsider, followee=org.lead)
    follows.follow_person(follower=org.lead, followee=org.manager)
    follows.follow_person(follower=org.member, followee=org.outsider)
    people_services.person_deactivate(person=org.outsider, by=org.admin)
    client = client_for(org.member)

    followers = client.get(reverse("social:followers", args=[org.lead.public_id]))
    following = client.get(reverse("social:following", args=[org.lead.public_id]))

    assert b"Mina Member" in followers.content
    assert b"Otto Outsider" not in followers.content  # deactivated
    assert b"Maria Manager" in following.content
    assert b"You follow" not in following.content  # Mina does not follow Maria


def test_the_followers_list_marks_whom_the_viewer_follows(org, client_for):
    follows.follow_person(follower=org.deep, followee=org.lead)
    follows.follow_person(follower=org.member, followee=org.deep)

    response = client_for(org.member).get(reverse("social:followers", args=[org.lead.public_id]))

    assert b"Dara Deep" in response.content
    assert b"You follow" in response.content


def test_the_followers_list_takes_the_same_queries_at_any_size(
    org, client_for, django_assert_max_num_queries
):
    client = client_for(org.member)
    url = reverse("social:followers", args=[org.lead.public_id])
    for _ in range(3):
        follows.follow_person(follower=UserFactory(), followee=org.lead)
    client.get(url)  # the session and the cached navigation roles
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    for _ in range(40):
        follows.follow_person(follower=UserFactory(), followee=org.lead)
    with django_assert_max_num_queries(12) as large:
        client.get(url)

    assert len(small.captured_queries) == len(large.captured_queries)


# --- Skills ------------------------------------------------------------------------------


def test_a_skill_is_followed_from_the_catalog_filter(org, client_for):
    skill = SkillFactory(name="Complaints")
    client = client_for(org.member)
    url = reverse("social:skill_follow", args=[skill.slug])

    button = client.get(url, **HTMX)
    followed = client.post(url, {"follow": "1"}, **HTMX)

    assert b"Follow Complaints" in button.content
    assert b"Following Complaints" in followed.content
    assert SkillFollow.objects.filter(person=org.member, skill=skill).exists()

    client.post(url, {"follow": "0"}, **HTMX)
    assert not SkillFollow.objects.exists()


def test_the_catalog_filtered_by_a_skill_offers_to_follow_it(org, client_for):
    skill = SkillFactory(name="Complaints")

    response = client_for(org.member).get(reverse("learning:catalog") + f"?skill={skill.slug}")

    assert reverse("social:skill_follow", args=[skill.slug]).encode() in response.content


def test_following_an_unknown_skill_is_not_found(org, client_for):
    response = client_for(org.member).post(
        reverse("social:skill_follow", args=["no-such-skill"]), {"follow": "1"}
    )

    assert response.status_code == 404
    assert not SkillFollow.objects.exists()


def test_the_number_of_followed_skills_is_capped(org, monkeypatch):
    monkeypatch.setattr(profiles, "MAX_FOLLOWED_SKILLS", 1)
    profiles.skill_follow(person=org.member, skill=SkillFactory())

    with pytest.raises(ValidationError, match="You follow 1 skills"):
        profiles.skill_follow(person=org.member, skill=SkillFactory())
    assert SkillFollow.objects.count() == 1


def test_only_the_person_sets_the_skills_they_follow(org):
    skill = SkillFactory()

    with pytest.raises(PermissionDenied):
        profiles.followed_skills_set(actor=org.manager, person=org.member, skills=[skill])
    assert not SkillFollow.objects.exists()

"""The profile page: skills, recent learning under each visibility level, public notes,
follows, the skills-and-privacy settings, and a fixed number of queries at any size."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peerpath.learning import services as learning
from peerpath.social import activity, follows, notes, profiles, selectors
from peerpath.social.models import Activity, DeclaredSkill, SkillFollow, Visibility
from tests.factories import ModuleFactory, SkillFactory, UserFactory
from tests.recognition.factories import CertificationAwardFactory, CertificationFactory
from tests.social.factories import ActivityFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def profile_url(person):
    return reverse("people:profile", args=[person.public_id])


@pytest.fixture
def completion(org, module):
    """Leo completed a module; the feed recorded it as activity."""
    return ActivityFactory(actor=org.member, verb="completed", module=module)


# --- Visibility of recent learning, per level ---------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "owner", "team_member", "outsider"),
    [
        (Visibility.EVERYONE, True, True, True),
        (Visibility.TEAM, True, True, False),
        (Visibility.PRIVATE, True, False, False),
    ],
)
def test_recent_learning_shows_per_the_persons_visibility(
    org, client_for, completion, visibility, owner, team_member, outsider
):
    activity.activity_visibility_set(person=org.member, visibility=visibility)
    title = completion.module.title.encode()

    for viewer, sees in ((org.member, owner), (org.lead, team_member), (org.outsider, outsider)):
        page = client_for(viewer).get(profile_url(org.member))
        assert (title in page.content) is sees, (viewer, visibility)


def test_private_activity_is_hidden_from_managers_and_admins_on_the_profile(
    org, client_for, completion
):
    activity.activity_visibility_set(person=org.member, visibility=Visibility.PRIVATE)

    for viewer in (org.manager, org.admin):
        page = client_for(viewer).get(profile_url(org.member))
        assert completion.module.title.encode() not in page.content
        assert b"keeps their learning activity private" in page.content


def test_hidden_activity_hides_the_completion_counts_too(org, client_for, completion):
    activity.activity_visibility_set(person=org.member, visibility=Visibility.PRIVATE)

    outsider_view = client_for(org.outsider).get(profile_url(org.member))
    manager_view = client_for(org.manager).get(profile_url(org.member))

    assert b"in progress" not in outsider_view.content
    assert b"in progress" in manager_view.content  # a manager reads the learning record


def test_a_row_written_more_visible_than_the_setting_is_still_hidden(org, client_for, module):
    """Rows carry a copy of the setting; the profile honours the stricter of the two."""
    ActivityFactory(actor=org.member, module=module, visibility=Visibility.TEAM)

    page = client_for(org.outsider).get(profile_url(org.member))

    assert module.title.encode() not in page.content


def test_changing_the_setting_refreshes_the_activity_rows(org, completion):
    activity.activity_visibility_set(person=org.member, visibility=Visibility.TEAM)

    completion.refresh_from_db()
    assert completion.visibility == Visibility.TEAM
    assert profiles.visibility_of(org.member) == Visibility.TEAM


def test_an_unknown_visibility_is_refused(org):
    with pytest.raises(ValidationError, match="Choose everyone, your team, or only you"):
        activity.activity_visibility_set(person=org.member, visibility="friends")
    assert profiles.visibility_of(org.member) == Visibility.EVERYONE


def test_activity_on_a_module_no_longer_published_is_left_out(org, client_for, completion):
    from peerpath.content import services as content

    content.module_unpublish(module=completion.module, actor=completion.module.owner)

    page = client_for(org.outsider).get(profile_url(org.member))

    assert completion.module.title.encode() not in page.content


# --- Skills ----------------------------------------------------------------------------------


def test_skills_come_from_the_person_their_completions_and_certifications(org, client_for):
    said = SkillFactory(name="Coaching")
    learned = SkillFactory(name="Complaints")
    certified = SkillFactory(name="Security")
    profiles.declared_skills_set(actor=org.member, person=org.member, skills=[said])
    module = ModuleFactory(author=org.lead, skills=[learned])
    learning.progress_complete(user=org.member, module=module)
    certification = CertificationFactory()
    certification.skills.add(certified)
    CertificationAwardFactory(certification=certification, holder=org.member)

    page = client_for(org.outsider).get(profile_url(org.member)).content.decode()

    assert "Coaching" in page
    assert "self-declared" in page
    assert "Complaints" in page
    assert "1 module completed" in page
    assert "Security" in page
    assert "certified" in page


def test_skills_shown_by_completions_follow_the_visibility_setting(org, client_for):
    learned = SkillFactory(name="Complaints")
    module = ModuleFactory(author=org.lead, skills=[learned])
    learning.progress_complete(user=org.member, module=module)
    activity.activity_visibility_set(person=org.member, visibility=Visibility.PRIVATE)

    outsider_view = client_for(org.outsider).get(profile_url(org.member))
    own_view = client_for(org.member).get(profile_url(org.member))

    assert b"1 module completed" not in outsider_view.content
    assert b"1 module completed" in own_view.content


def test_declared_skills_are_capped_and_the_persons_own(org, monkeypatch):
    monkeypatch.setattr(profiles, "MAX_DECLARED_SKILLS", 1)
    skills = [SkillFactory(), SkillFactory()]

    with pytest.raises(ValidationError, match="at most 1 skills"):
        profiles.declared_skills_set(actor=org.member, person=org.member, skills=skills)
    with pytest.raises(PermissionDenied):
        profiles.declared_skills_set(actor=org.admin, person=org.member, skills=skills[:1])
    assert not DeclaredSkill.objects.exists()


# --- Notes and follows on the profile ---------------------------------------------------


def test_the_profile_shows_public_notes_but_never_private_ones(org, client_for, module):
    notes.note_create(author=org.member, module=module, body="Pause before you answer.")
    notes.note_create(
        author=org.member, module=module, body="Mirror the caller's words.", public=True
    )

    for viewer in (org.outsider, org.manager, org.admin):
        page = client_for(viewer).get(profile_url(org.member))
        assert b"Mirror the caller" in page.content
        assert b"Pause before you answer" not in page.content


def test_a_hidden_note_leaves_the_profile(org, client_for, module):
    from django.utils import timezone

    note = notes.note_create(author=org.member, module=module, body="Shout back.", public=True)
    note.hidden_at = timezone.now()
    note.save()

    page = client_for(org.outsider).get(profile_url(org.member))

    assert b"Shout back" not in page.content


def test_the_profile_counts_followers_and_following(org, client_for):
    follows.follow_person(follower=org.lead, followee=org.member)
    follows.follow_person(follower=org.outsider, followee=org.member)
    follows.follow_person(follower=org.member, followee=org.manager)

    social = selectors.profile_social(org.deep, org.member)

    assert (social.follower_count, social.following_count) == (2, 1)
    assert {p.pk for p in social.followers} == {org.lead.pk, org.outsider.pk}
    page = client_for(org.deep).get(profile_url(org.member))
    assert reverse("social:followers", args=[org.member.public_id]).encode() in page.content


def test_the_profile_page_takes_the_same_queries_at_two_sizes(
    org, client_for, django_assert_max_num_queries
):
    client = client_for(org.outsider)
    url = profile_url(org.member)
    skill = SkillFactory()

    def grow(n: int) -> None:
        for i in range(n):
            module = ModuleFactory(author=org.member, skills=[skill])
            learning.progress_complete(user=org.member, module=module)
            ActivityFactory(actor=org.member, module=module)
            notes.note_create(author=org.member, module=module, body=f"Note {i}", public=True)
            follows.follow_person(follower=UserFactory(), followee=org.member)
            follows.follow_person(follower=org.member, followee=UserFactory())

    grow(2)
    client.get(url)  # the session and the cached navigation roles
    with django_assert_max_num_queries(40) as small:
        assert client.get(url).status_code == 200
    grow(12)
    with django_assert_max_num_queries(40) as large:
        assert client.get(url).status_code == 200

    assert len(small.captured_queries) == len(large.captured_queries)


# --- Skills and privacy settings ---------------------------------------------------------


def test_the_settings_panel_saves_visibility_and_skills(org, client_for):
    said, followed = SkillFactory(name="Coaching"), SkillFactory(name="Complaints")
    client = client_for(org.member)
    url = reverse("social:profile_settings")
    ActivityFactory(actor=org.member)

    panel = client.get(url, **HTMX)
    saved = client.post(
        url,
        {"visibility": "team", "declared_skills": [said.pk], "followed_skills": [followed.pk]},
        **HTMX,
    )

    assert panel.templates[0].name == "social/_profile_settings.html"
    assert b"Your skills and privacy settings were saved." in saved.content
    assert profiles.visibility_of(org.member) == "team"
    assert list(DeclaredSkill.objects.values_list("skill", flat=True)) == [said.pk]
    assert list(SkillFollow.objects.values_list("skill", flat=True)) == [followed.pk]
    assert set(Activity.objects.filter(actor=org.member).values_list("visibility", flat=True)) == {
        "team"
    }


def test_settings_without_javascript_go_back_to_the_edit_page(org, client_for):
    response = client_for(org.member).post(
        reverse("social:profile_settings"), {"visibility": "private"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("people:edit")
    assert profiles.visibility_of(org.member) == "private"


def test_a_bad_visibility_is_shown_back_without_saving_anything(org, client_for):
    skill = SkillFactory()
    response = client_for(org.member).post(
        reverse("social:profile_settings"),
        {"visibility": "friends", "declared_skills": [skill.pk]},
        **HTMX,
    )

    assert b"Select a valid choice" in response.content
    assert not DeclaredSkill.objects.exists()
    assert profiles.visibility_of(org.member) == "everyone"


def test_the_edit_page_loads_the_settings_panel(org, client_for):
    response = client_for(org.member).get(reverse("people:edit"))

    assert f'hx-get="{reverse("social:profile_settings")}"'.encode() in response.content


def test_the_settings_have_a_page_of_their_own_without_javascript(org, client_for):
    response = client_for(org.member).get(reverse("social:profile_settings"))

    assert response.templates[0].name == "social/profiles_settings.html"
    assert b"Who sees my learning activity" in response.content

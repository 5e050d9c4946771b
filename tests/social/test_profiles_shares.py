"""Sharing modules and paths with colleagues and teams, and "recommended by" on their pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from peerpath.notifications.models import Notification
from peerpath.people import services as people_services
from peerpath.social import shares
from peerpath.social.models import Share, ShareRecipient
from tests.factories import ModuleFactory, TeamFactory, UserFactory
from tests.social.factories import path_published

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def recipients_of(share):
    return set(share.recipients.values_list("person_id", flat=True))


def test_a_share_reaches_people_and_the_members_of_teams(org, module):
    share = shares.share_create(
        sender=org.outsider,
        module=module,
        people=[org.admin],
        teams=[org.member.team],
        message="  Worth\n your time!  ",
    )

    assert share.message == "Worth your time!"
    assert recipients_of(share) == {
        org.admin.pk,
        org.manager.pk,
        org.lead.pk,
        org.member.pk,
        org.deep.pk,
    }
    assert list(share.teams.all()) == [org.member.team]


def test_recipients_are_notified_once_and_the_sender_not_at_all(org, module):
    share = shares.share_create(sender=org.member, module=module, teams=[org.member.team])

    notices = Notification.objects.filter(kind="share")
    assert {n.recipient_id for n in notices} == {org.manager.pk, org.lead.pk, org.deep.pk}
    notice = notices.first()
    assert notice.title == f"Mina Member shared “{module.title}” with you"
    assert notice.url == reverse("learning:module", args=[module.public_id, module.slug])
    assert notice.dedupe_key == f"share:{share.public_id}"
    assert org.member.pk not in recipients_of(share)


def test_a_path_can_be_shared(org):
    path = path_published(org.lead)

    share = shares.share_create(sender=org.member, path=path, people=[org.outsider])

    assert share.path == path
    assert Notification.objects.get().url == reverse(
        "learning:path", args=[path.public_id, path.slug]
    )


def test_a_draft_module_cannot_be_shared(org):
    draft = ModuleFactory(author=org.member, publish=False)

    with pytest.raises(PermissionDenied):
        shares.share_create(sender=org.member, module=draft, people=[org.lead])
    assert not Share.objects.exists()
    assert not Notification.objects.exists()


def test_a_share_needs_someone_to_reach(org, module):
    with pytest.raises(ValidationError, match="Choose at least one colleague or team"):
        shares.share_create(sender=org.member, module=module)
    with pytest.raises(ValidationError, match="other than yourself"):
        shares.share_create(sender=org.member, module=module, people=[org.member])
    assert not Share.objects.exists()


def test_deactivated_colleagues_are_refused(org, module):
    people_services.person_deactivate(person=org.outsider, by=org.admin)
    org.outsider.refresh_from_db()

    with pytest.raises(ValidationError, match="No longer active: Otto Outsider"):
        shares.share_create(sender=org.member, module=module, people=[org.outsider])
    assert not Share.objects.exists()


def test_the_message_is_capped(org, module):
    with pytest.raises(ValidationError, match="Keep it to 280 characters"):
        shares.share_create(sender=org.member, module=module, people=[org.lead], message="x" * 281)
    assert not Share.objects.exists()


def test_people_and_teams_per_share_are_capped(org, module, monkeypatch):
    monkeypatch.setattr(shares, "MAX_PEOPLE", 1)
    monkeypatch.setattr(shares, "MAX_TEAMS", 1)

    with pytest.raises(ValidationError, match="at most 1 colleagues"):
        shares.share_create(sender=org.member, module=module, people=[org.lead, org.deep])
    with pytest.raises(ValidationError, match="at most 1 teams"):
        shares.share_create(
            sender=org.member, module=module, teams=[org.member.team, org.outsider.team]
        )
    assert not Share.objects.exists()


def test_a_share_reaching_too_many_people_is_refused_without_half_writing(org, module, monkeypatch):
    monkeypatch.setattr(shares, "MAX_RECIPIENTS", 3)
    big, small = TeamFactory(), TeamFactory()
    for _ in range(4):
        UserFactory(team=big)
    for _ in range(3):
        UserFactory(team=small)

    with pytest.raises(ValidationError, match="more than 3 people"):
        shares.share_create(sender=org.member, module=module, teams=[big])
    with pytest.raises(ValidationError, match="would reach 4 people"):
        shares.share_create(sender=org.member, module=module, people=[org.outsider], teams=[small])
    assert not Share.objects.exists()
    assert not ShareRecipient.objects.exists()
    assert not Notification.objects.exists()


def test_sharing_is_rate_limited(org, module, monkeypatch):
    monkeypatch.setattr(shares, "SHARES_PER_HOUR", 2)
    for _ in range(2):
        shares.share_create(sender=org.member, module=module, people=[org.lead])

    with pytest.raises(ValidationError, match="You have shared 2 times in the last hour"):
        shares.share_create(sender=org.member, module=module, people=[org.lead])
    assert Share.objects.count() == 2


def test_recommended_by_counts_distinct_active_colleagues(org, module):
    shares.share_create(sender=org.member, module=module, people=[org.lead])
    shares.share_create(sender=org.member, module=module, people=[org.deep])
    shares.share_create(sender=org.outsider, module=module, people=[org.lead])
    shares.share_create(sender=org.deep, module=module, people=[org.lead])
    people_services.person_deactivate(person=org.deep, by=org.admin)

    recommendation = shares.recommenders(module=module)

    assert recommendation.count == 2
    assert [p.pk for p in recommendation.people] == [org.outsider.pk, org.member.pk]


# --- Pages -------------------------------------------------------------------------------


def share_url(module):
    return reverse("social:share_module", args=[module.public_id])


def test_the_share_form_sends_the_share_and_goes_back_to_the_module(org, client_for, module):
    response = client_for(org.member).post(
        share_url(module),
        {"people": [str(org.outsider.public_id)], "teams": [org.member.team.slug], "message": "Hi"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("learning:module", args=[module.public_id, module.slug])
    share = Share.objects.get()
    assert recipients_of(share) == {org.outsider.pk, org.manager.pk, org.lead.pk, org.deep.pk}


def test_the_share_form_finds_people_without_javascript(org, client_for, module):
    response = client_for(org.member).post(share_url(module), {"q": "Otto", "find": "1"})

    assert response.status_code == 200
    assert f'value="{org.outsider.public_id}"'.encode() in response.content
    assert not Share.objects.exists()


def test_the_share_options_keep_what_is_chosen_and_add_matches(org, client_for):
    response = client_for(org.member).get(
        reverse("social:share_options"),
        {"q": "Otto", "people": [str(org.lead.public_id)], "teams": ["no-such-team"]},
        **HTMX,
    )

    content = response.content.decode()
    assert f'value="{org.lead.public_id}" checked' in content
    assert f'value="{org.outsider.public_id}">' in content
    assert "My team: Contact Centre" in content
    assert "no-such-team" not in content


def test_the_share_options_never_list_the_sender_or_deactivated_people(org, client_for):
    people_services.person_deactivate(person=org.outsider, by=org.admin)

    response = client_for(org.member).get(reverse("social:share_options"), {"q": "M"}, **HTMX)
    response_two = client_for(org.member).get(
        reverse("social:share_options"), {"q": "Otto"}, **HTMX
    )

    assert str(org.member.public_id).encode() not in response.content
    assert b"No colleague or team matches" in response_two.content


def test_a_share_with_nobody_is_shown_back_with_its_error(org, client_for, module):
    response = client_for(org.member).post(share_url(module), {"message": "Hi"})

    assert response.status_code == 400
    assert b"Choose at least one colleague or team to share with." in response.content
    assert not Share.objects.exists()


def test_a_draft_has_no_share_page(org, client_for):
    draft = ModuleFactory(author=org.member, publish=False)

    assert client_for(org.member).get(share_url(draft)).status_code == 403
    assert client_for(org.lead).get(share_url(draft)).status_code == 403


def test_the_module_page_shows_who_recommended_it(org, client_for, module):
    shares.share_create(sender=org.outsider, module=module, people=[org.member])
    client = client_for(org.member)

    page = client.get(reverse("learning:module", args=[module.public_id, module.slug]))
    panel = client.get(reverse("social:module_recommended", args=[module.public_id]), **HTMX)

    assert reverse("social:module_recommended", args=[module.public_id]).encode() in page.content
    assert b"Recommended by 1 colleague" in panel.content
    assert b"Otto Outsider" in panel.content
    assert share_url(module).encode() in panel.content


def test_the_path_page_shows_who_recommended_it(org, client_for):
    path = path_published(org.lead)
    shares.share_create(sender=org.outsider, path=path, people=[org.member])
    shares.share_create(sender=org.manager, path=path, people=[org.member])
    client = client_for(org.member)

    page = client.get(reverse("learning:path", args=[path.public_id, path.slug]))
    panel = client.get(reverse("social:path_recommended", args=[path.public_id]), **HTMX)

    assert reverse("social:path_recommended", args=[path.public_id]).encode() in page.content
    assert b"Recommended by 2 colleagues" in panel.content


def test_recommendations_of_a_draft_are_not_shown_to_others(org, client_for):
    draft = ModuleFactory(author=org.member, publish=False)

    response = client_for(org.outsider).get(
        reverse("social:module_recommended", args=[draft.public_id]), **HTMX
    )

    assert response.status_code == 403


def test_the_recommended_panel_takes_the_same_queries_at_two_sizes(
    org, client_for, module, django_assert_max_num_queries
):
    client = client_for(org.member)
    url = reverse("social:module_recommended", args=[module.public_id])
    for _ in range(2):
        shares.share_create(sender=UserFactory(), module=module, people=[org.member])
    client.get(url, **HTMX)
    with django_assert_max_num_queries(10) as small:
        client.get(url, **HTMX)
    for _ in range(15):
        shares.share_create(sender=UserFactory(), module=module, people=[org.member])
    with django_assert_max_num_queries(10) as large:
        client.get(url, **HTMX)

    assert len(small.captured_queries) == len(large.captured_queries)

"""The policy module answers every access question; these pin its answers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from peerpath.content import services as content
from peerpath.core import permissions
from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db


def test_managers_are_those_with_active_reports(org):
    assert permissions.is_manager(org.manager)
    assert permissions.is_manager(org.lead)
    assert not permissions.is_manager(org.member)
    assert not permissions.is_manager(AnonymousUser())


def test_manager_sees_learning_of_whole_subtree_but_not_outsiders(org):
    assert permissions.can_view_learning_of(org.manager, org.member)
    assert permissions.can_view_learning_of(org.manager, org.deep)
    assert not permissions.can_view_learning_of(org.manager, org.outsider)
    assert not permissions.can_view_learning_of(org.lead, org.member)
    assert not permissions.can_view_learning_of(org.member, org.manager)


def test_people_see_their_own_learning_and_admins_see_all(org):
    assert permissions.can_view_learning_of(org.member, org.member)
    assert permissions.can_view_learning_of(org.admin, org.outsider)


def test_deactivated_people_can_do_nothing(org):
    org.manager.is_active = False
    assert not permissions.can_view_learning_of(org.manager, org.member)
    assert not permissions.can_create_module(org.manager)


def test_admin_roles(org):
    assert permissions.can_access_admin(org.admin)
    assert permissions.can_manage_people(org.admin)
    assert not permissions.can_use_django_admin(org.admin)
    assert permissions.can_use_django_admin(org.sysadmin)
    assert not permissions.can_access_admin(org.manager)
    assert not permissions.can_manage_skills(org.member)


def test_drafts_are_visible_to_owner_and_admins_only(org):
    draft = ModuleFactory(author=org.member, publish=False)
    assert permissions.can_view_module(org.member, draft)
    assert permissions.can_view_module(org.admin, draft)
    assert not permissions.can_view_module(org.outsider, draft)
    assert not permissions.can_view_module(AnonymousUser(), draft)
    content.module_publish(actor=org.member, module=draft)
    assert permissions.can_view_module(org.outsider, draft)


def test_only_owner_and_admins_edit_a_module(org):
    module = ModuleFactory(author=org.member)
    assert permissions.can_edit_module(org.member, module)
    assert permissions.can_edit_module(org.admin, module)
    assert not permissions.can_edit_module(org.manager, module)


def test_expert_reviewers_are_granted_per_skill(org):
    from peerpath.people.models import ExpertReviewer
    from tests.factories import SkillFactory

    calls, sales = SkillFactory(name="Calls"), SkillFactory(name="Sales")
    ExpertReviewer.objects.create(user=org.lead, skill=calls)
    assert permissions.can_review_skill(org.lead, calls.pk)
    assert not permissions.can_review_skill(org.lead, sales.pk)
    assert not permissions.can_review_skill(org.member, calls.pk)


def test_cached_navigation_roles_never_decide_access(org):
    from peerpath.people import services
    from peerpath.people.models import User

    assert permissions.navigation(org.lead)["manager"]
    services.person_set_manager(person=org.deep, manager=org.manager)
    lead = User.objects.get(pk=org.lead.pk)
    assert permissions.navigation(lead)["manager"]  # the link may linger for a minute…
    assert not permissions.can_view_my_team(lead)  # …but the page itself says no

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from peerpath.learning import services as learning
from peerpath.learning.models import ModuleProgress
from peerpath.people import selectors, services
from peerpath.people.models import User
from tests.factories import ModuleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_reporting_line_is_materialised_as_a_path(org):
    assert org.manager.line_path == f"/{org.manager.pk}/"
    assert org.deep.line_path == f"/{org.manager.pk}/{org.lead.pk}/{org.deep.pk}/"


def test_manager_subtree_includes_every_level_and_excludes_others(org):
    subtree = set(selectors.reports_subtree(org.manager))
    assert subtree == {org.lead, org.member, org.deep}
    assert set(selectors.reports_subtree(org.lead)) == {org.deep}


def test_moving_a_manager_moves_their_whole_subtree(org):
    services.person_set_manager(person=org.lead, manager=org.outsider)
    org.deep.refresh_from_db()
    assert org.deep.line_path == f"/{org.outsider.pk}/{org.lead.pk}/{org.deep.pk}/"
    assert set(selectors.reports_subtree(org.outsider)) == {org.lead, org.deep}
    assert set(selectors.reports_subtree(org.manager)) == {org.member}


def test_reporting_loops_are_refused_and_change_nothing(org):
    with pytest.raises(ValidationError, match="loop"):
        services.person_set_manager(person=org.manager, manager=org.deep)
    org.manager.refresh_from_db()
    assert org.manager.manager is None
    with pytest.raises(ValidationError, match="own manager"):
        services.person_set_manager(person=org.member, manager=org.member)


def test_duplicate_email_is_refused_case_insensitively(org):
    with pytest.raises(ValidationError, match="already"):
        services.person_create(email=org.member.email.upper(), display_name="Copy")


def test_deactivating_keeps_history(org):
    module = ModuleFactory(author=org.lead)
    learning.progress_complete(user=org.member, module=module)
    services.person_deactivate(person=org.member, by=org.admin)
    org.member.refresh_from_db()
    assert not org.member.is_active
    assert org.member.deactivated_at is not None
    assert ModuleProgress.objects.filter(user=org.member).count() == 1
    assert org.member not in selectors.reports_subtree(org.manager)
    services.person_reactivate(person=org.member)
    assert User.objects.get(pk=org.member.pk).is_active


def test_nobody_deactivates_themselves(org):
    with pytest.raises(ValidationError):
        services.person_deactivate(person=org.admin, by=org.admin)


def test_admin_cannot_drop_their_own_admin_role(org):
    with pytest.raises(ValidationError, match="own learning-admin"):
        services.person_admin_update(
            person=org.admin, by=org.admin, manager=None, is_learning_admin=False
        )


def test_job_roles_are_unique_by_name():
    services.job_role_create(name="Support Agent")
    with pytest.raises(ValidationError, match="already exists"):
        services.job_role_create(name="support agent")


def test_new_accounts_without_password_cannot_sign_in():
    user = UserFactory(password=None)
    assert not user.has_usable_password()


def test_subtree_prefix_never_matches_a_sibling_whose_id_shares_digits():
    paths = ["/1/", "/1/5/", "/1/5/9/", "/1/50/", "/10/", "/15/", "/1/5/90/"]
    users = [UserFactory() for _ in paths]
    for user, path in zip(users, paths, strict=True):
        User.objects.filter(pk=user.pk).update(line_path=path)

    def under(prefix):
        return set(
            User.objects.filter(selectors.line_path_prefix(prefix)).values_list(
                "line_path", flat=True
            )
        )

    assert under("/1/") == {"/1/", "/1/5/", "/1/5/9/", "/1/50/", "/1/5/90/"}
    assert under("/1/5/") == {"/1/5/", "/1/5/9/", "/1/5/90/"}
    assert under("/10/") == {"/10/"}

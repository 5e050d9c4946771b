from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from peerpath.skills import selectors, services

pytestmark = pytest.mark.django_db


def test_skills_form_a_hierarchy_with_display_paths():
    service = services.skill_create(name="Customer service")
    calls = services.skill_create(name="Calls", parent=service)
    assert calls.path == "Customer service / Calls"
    assert calls.depth == 1
    assert selectors.skill_ids_within([service.path]) == {service.pk, calls.pk}
    assert selectors.skill_ids_within([calls.path]) == {calls.pk}


def test_renaming_a_skill_updates_descendant_paths():
    service = services.skill_create(name="Customer service")
    calls = services.skill_create(name="Calls", parent=service)
    services.skill_update(skill=service, name="Customer care")
    calls.refresh_from_db()
    assert calls.path == "Customer care / Calls"


def test_sibling_names_are_unique_and_depth_is_capped():
    top = services.skill_create(name="A")
    with pytest.raises(ValidationError, match="already exists"):
        services.skill_create(name="a")
    b = services.skill_create(name="B", parent=top)
    c = services.skill_create(name="C", parent=b)
    d = services.skill_create(name="D", parent=c)
    with pytest.raises(ValidationError, match="4 levels"):
        services.skill_create(name="E", parent=d)


def test_blank_names_are_refused():
    with pytest.raises(ValidationError, match="needs a name"):
        services.skill_create(name="   ")

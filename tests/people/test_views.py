from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from peerpath.people.models import JobRole, User

pytestmark = pytest.mark.django_db

ADMIN_URLS = [
    "people:admin_home",
    "people:admin_people",
    "people:admin_import",
    "people:admin_export",
    "people:admin_job_roles",
    "people:admin_teams",
    "skills:admin",
]


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_admin_pages_refuse_non_admins_and_anonymous(org, client_for, client, name):
    url = reverse(name)
    assert client_for(org.manager).get(url).status_code == 403
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_admin_pages_open_for_learning_admins(org, client_for, name):
    assert client_for(org.admin).get(reverse(name)).status_code == 200


def test_profile_shows_colleague(org, client_for):
    body = (
        client_for(org.outsider)
        .get(reverse("people:profile", args=[org.member.public_id]))
        .content.decode()
    )
    assert "Mina Member" in body
    assert org.member.email not in body  # email shows only to the person and admins


def test_deactivated_profile_is_hidden_from_colleagues(org, client_for):
    org.member.is_active = False
    org.member.save()
    url = reverse("people:profile", args=[org.member.public_id])
    assert client_for(org.outsider).get(url).status_code == 403
    assert client_for(org.admin).get(url).status_code == 200


def test_editing_own_profile(org, client_for):
    client = client_for(org.member)
    response = client.post(
        reverse("people:edit"),
        {
            "display_name": "Mina M.",
            "job_title": "Senior Agent",
            "location": "Leeds",
            "time_zone": "Europe/London",
            "about": "Calls and coffee.",
        },
    )
    assert response.status_code == 302
    org.member.refresh_from_db()
    assert org.member.display_name == "Mina M."
    assert org.member.time_zone == "Europe/London"


def test_profile_rejects_bad_time_zone_and_fake_images(org, client_for):
    client = client_for(org.member)
    fake = SimpleUploadedFile("me.png", b"<?php echo 1; ?>", content_type="image/png")
    response = client.post(
        reverse("people:edit"),
        {
            "display_name": "Mina",
            "time_zone": "Mars/Olympus",
            "avatar": fake,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "not one of the available choices" in body
    assert "not an image we can read" in body or "Upload a valid image" in body
    org.member.refresh_from_db()
    assert org.member.display_name == "Mina Member"


def test_real_avatar_upload(org, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "purple").save(buffer, format="PNG")
    upload = SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")
    client = client_for(org.member)
    client.post(
        reverse("people:edit"),
        {
            "display_name": "Mina",
            "time_zone": "UTC",
            "avatar": upload,
        },
    )
    org.member.refresh_from_db()
    assert org.member.avatar.name.startswith("avatars/")
    served = client.get(org.member.avatar.url)
    assert served.status_code == 200


def test_admin_deactivates_and_reactivates(org, client_for):
    url = reverse("people:admin_person_active", args=[org.member.public_id])
    assert client_for(org.manager).post(url, {"active": "0"}).status_code == 403
    assert User.objects.get(pk=org.member.pk).is_active
    client_for(org.admin).post(url, {"active": "0"})
    assert not User.objects.get(pk=org.member.pk).is_active
    client_for(org.admin).post(url, {"active": "1"})
    assert User.objects.get(pk=org.member.pk).is_active


def test_admin_moves_a_person_and_the_subtree_follows(org, client_for):
    url = reverse("people:admin_person_edit", args=[org.lead.public_id])
    response = client_for(org.admin).post(
        url,
        {
            "display_name": "Leo Lead",
            "job_title": "Lead",
            "manager": org.outsider.pk,
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 302
    org.deep.refresh_from_db()
    assert org.deep.line_path.startswith(f"/{org.outsider.pk}/")


def test_admin_edit_refuses_reporting_loop(org, client_for):
    url = reverse("people:admin_person_edit", args=[org.manager.public_id])
    response = client_for(org.admin).post(
        url,
        {
            "display_name": "Maria Manager",
            "manager": org.deep.pk,
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 200
    assert "loop" in response.content.decode()
    org.manager.refresh_from_db()
    assert org.manager.manager_id is None


def test_admin_adds_job_role_and_duplicates_are_refused(org, client_for):
    client = client_for(org.admin)
    client.post(reverse("people:admin_job_roles"), {"name": "Support Agent"})
    response = client.post(reverse("people:admin_job_roles"), {"name": "support agent"})
    assert "already exists" in response.content.decode()
    assert JobRole.objects.count() == 1


def test_admin_adds_skill(org, client_for):
    from peerpath.skills.models import Skill

    client = client_for(org.admin)
    client.post(reverse("skills:admin"), {"name": "Customer service"})
    parent = Skill.objects.get()
    client.post(reverse("skills:admin"), {"name": "Calls", "parent": parent.pk})
    assert Skill.objects.get(name="Calls").path == "Customer service / Calls"
    assert client_for(org.member).post(reverse("skills:admin"), {"name": "X"}).status_code == 403
    assert Skill.objects.count() == 2


def test_import_page_reports_errors_and_changes_nothing(org, client_for):
    before = User.objects.count()
    csv = b"email,display_name\nnot-an-email,Someone\n"
    response = client_for(org.admin).post(
        reverse("people:admin_import"), {"file": SimpleUploadedFile("org.csv", csv)}
    )
    body = response.content.decode()
    assert "Nothing was imported" in body
    assert "email" in body
    assert User.objects.count() == before


def test_import_page_imports_and_export_downloads(org, client_for):
    csv = b"email,display_name,team,department\nnew.person@example.com,New Person,Support,Ops\n"
    client = client_for(org.admin)
    response = client.post(
        reverse("people:admin_import"), {"file": SimpleUploadedFile("org.csv", csv)}
    )
    assert response.status_code == 302
    assert User.objects.filter(email="new.person@example.com").exists()
    export = client.get(reverse("people:admin_export"))
    text = b"".join(export.streaming_content).decode()
    assert "new.person@example.com" in text
    assert export["Content-Disposition"].startswith("attachment;")


def test_admin_grants_expert_reviewer_areas(org, client_for):
    from peerpath.core import permissions
    from tests.factories import SkillFactory

    calls = SkillFactory(name="Calls")
    url = reverse("people:admin_person_edit", args=[org.lead.public_id])
    client_for(org.admin).post(
        url,
        {
            "display_name": "Leo Lead",
            "manager": org.manager.pk,
            "time_zone": "UTC",
            "reviewer_skills": [calls.pk],
        },
    )
    assert permissions.can_review_skill(User.objects.get(pk=org.lead.pk), calls.pk)
    client_for(org.admin).post(
        url,
        {
            "display_name": "Leo Lead",
            "manager": org.manager.pk,
            "time_zone": "UTC",
        },
    )
    # A fresh load of the person, as their next request would make.
    assert not permissions.can_review_skill(User.objects.get(pk=org.lead.pk), calls.pk)


def test_admin_adds_team_with_new_department_and_duplicates_are_refused(org, client_for):
    from peerpath.people.models import Department, Team

    client = client_for(org.admin)
    client.post(
        reverse("people:admin_teams"),
        {"name": "Billing", "department": "Finance", "works_shifts": "on"},
    )
    team = Team.objects.get(name="Billing")
    assert team.department.name == "Finance"
    assert team.works_shifts
    response = client.post(
        reverse("people:admin_teams"), {"name": "billing", "department": "Finance"}
    )
    assert "already exists" in response.content.decode()
    assert Team.objects.filter(name__iexact="billing").count() == 1
    assert Department.objects.filter(name="Finance").count() == 1
    assert (
        client_for(org.member)
        .post(reverse("people:admin_teams"), {"name": "X", "department": "Y"})
        .status_code
        == 403
    )
    assert not Team.objects.filter(name="X").exists()


def test_admin_renames_a_skill_and_sub_skills_follow(org, client_for):
    from peerpath.skills.models import Skill
    from tests.factories import SkillFactory

    parent = SkillFactory(name="Customer service")
    SkillFactory(name="Calls", parent=parent)
    url = reverse("skills:edit", args=[parent.slug])
    assert client_for(org.member).post(url, {"name": "Hijack"}).status_code == 403
    client_for(org.admin).post(url, {"name": "Customer care", "description": "Helping people"})
    assert Skill.objects.get(name="Calls").path == "Customer care / Calls"
    assert client_for(org.admin).get(reverse("skills:edit", args=["nope"])).status_code == 404

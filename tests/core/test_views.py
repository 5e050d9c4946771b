from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db


def test_home_greets_and_shows_new_modules(org, client_for):
    ModuleFactory(author=org.lead, title="Warm transfers")
    body = client_for(org.member).get(reverse("core:home")).content.decode()
    assert "Hi Mina" in body
    assert "Warm transfers" in body


def test_navigation_shows_roles_links_only_to_those_who_hold_them(org, client_for):
    member = client_for(org.member).get("/").content.decode()
    assert "My team" not in member
    assert ">Admin<" not in member
    manager = client_for(org.manager).get("/").content.decode()
    assert "My team" in manager
    assert ">Admin<" not in manager
    admin = client_for(org.admin).get("/").content.decode()
    assert ">Admin<" in admin


def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_unknown_url_is_a_friendly_404(org, client_for):
    response = client_for(org.member).get("/no/such/page/")
    assert response.status_code == 404
    assert "couldn’t find that page" in response.content.decode()


def test_403_page_is_friendly(org, client_for):
    response = client_for(org.member).get(reverse("learning:team"))
    assert response.status_code == 403
    assert "isn’t open to you" in response.content.decode()


def test_500_page_hides_the_stack_trace(org, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(org.member)
    from unittest import mock

    with mock.patch(
        "peerpath.core.views.learning.learning_counts", side_effect=RuntimeError("boom")
    ):
        response = client.get("/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "boom" not in body
    assert "Traceback" not in body


def test_oversized_body_is_refused_with_a_clear_message(org, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_for(org.member).post(
        reverse("content:new"), {"title": "x", "body_markdown": "y" * 5000}
    )
    assert response.status_code == 400
    assert "too large" in response.content.decode()


def test_healthz_needs_no_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_calibration_view_is_off_unless_enabled(org, client_for, settings):
    client = client_for(org.member)
    assert client.get(reverse("core:calibration")).status_code == 404
    settings.PEERPATH_CALIBRATION_VIEW = True
    assert "Mina Member" in client.get(reverse("core:calibration")).content.decode()


def test_csrf_is_enforced(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.member)
    response = client.post(reverse("content:new"), {"title": "x"})
    assert response.status_code == 403


def test_security_headers(org, client_for):
    response = client_for(org.member).get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_favicon_redirects_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("favicon.svg")


def test_oversized_upload_is_refused_before_it_is_read(org, client_for, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from peerpath.people.models import User

    settings.PEERPATH_MAX_UPLOAD_BYTES = 2000
    before = User.objects.count()
    big = SimpleUploadedFile("org.csv", b"email,display_name\n" + b"a@example.com,A\n" * 500)
    response = client_for(org.admin).post(reverse("people:admin_import"), {"file": big})
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert User.objects.count() == before

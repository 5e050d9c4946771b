"""Sign-in through django-allauth: email + password, throttling, reset, closed sign-up."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.core import mail
from django.urls import reverse

from peerpath.people.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_sign_in_with_email_and_password(org, client):
    response = login(client, org.member.email, PASSWORD)
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_passwords_are_hashed_with_argon2(settings):
    from peerpath import settings as peerpath_settings

    # The suite hashes with a fast test-only hasher; Peerpath itself uses argon2.
    settings.PASSWORD_HASHERS = peerpath_settings.PASSWORD_HASHERS
    assert UserFactory().password.startswith("argon2")


def test_wrong_password_is_refused(org, client):
    response = login(client, org.member.email, "not-the-password")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert client.get("/").status_code == 302


def test_deactivated_people_cannot_sign_in(org, client):
    org.member.is_active = False
    org.member.save()
    login(client, org.member.email, PASSWORD)
    assert client.get("/").status_code == 302


def test_repeated_failures_are_throttled(org, client):
    from django.core.cache import cache

    cache.clear()
    pages = [login(client, org.member.email, "wrong-password").content.decode() for _ in range(6)]
    assert "Too many failed login attempts" not in pages[0]
    assert "Too many failed login attempts" in pages[-1]
    # Even the right password is refused while the account is throttled.
    response = login(client, org.member.email, PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/").status_code == 302
    cache.clear()


def test_password_reset_sends_an_email(org, client):
    client.post(reverse("account_reset_password"), {"email": org.member.email})
    assert len(mail.outbox) == 1
    assert org.member.email in mail.outbox[0].to


def test_sign_up_is_closed_by_default(client):
    response = client.get(reverse("account_signup"))
    assert "closed" in response.content.decode().lower()


def test_production_mode_requires_a_secret_key(tmp_path):
    env = {"PEERPATH_PRODUCTION": "1", "PEERPATH_VAR_DIR": str(tmp_path), "PATH": "/usr/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "import peerpath.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_mode_secures_cookies(tmp_path):
    env = {
        "PEERPATH_PRODUCTION": "1",
        "SECRET_KEY": "x" * 50,
        "PEERPATH_VAR_DIR": str(tmp_path),
        "PEERPATH_BASE_URL": "https://learn.example.com",
        "PATH": "/usr/bin",
    }
    code = (
        "import peerpath.settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0,"
        " s.DEBUG, s.ALLOWED_HOSTS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True True True False ['learn.example.com']"


def test_embedded_mode_keeps_one_generated_secret_key(tmp_path):
    env = {"PEERPATH_VAR_DIR": str(tmp_path), "PATH": "/usr/bin"}
    code = "import peerpath.settings as s; print(s.SECRET_KEY)"
    first = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    second = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert first == second
    assert len(first.strip()) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_people_the_organisation_creates_sign_in_under_mandatory_verification(settings):
    from django.test import Client

    from peerpath.people import org_csv
    from peerpath.people.models import User

    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    created = UserFactory(email="made.by.admin@example.com")
    result = org_csv.import_org_csv(
        file=io.BytesIO(b"email,display_name\nimported@example.com,Ivy Imported\n")
    )
    assert result.ok
    imported = User.objects.get(email="imported@example.com")
    imported.set_password(PASSWORD)
    imported.save(update_fields=["password"])
    for email in (created.email, imported.email):
        client = Client()
        response = login(client, email, PASSWORD)
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert client.get("/").status_code == 200


def test_someone_who_signs_up_is_announced_as_joining(client, settings):
    from peerpath.core import events

    settings.PEERPATH_ALLOW_SIGNUP = True
    joined: list[tuple[int, ...]] = []

    def record(event: events.PeopleJoined) -> None:
        joined.append(event.person_ids)

    events.subscribe(events.PeopleJoined, record)
    try:
        client.post(
            reverse("account_signup"),
            {
                "email": "new.person@example.com",
                "password1": "a-long-enough-passphrase-9",
                "password2": "a-long-enough-passphrase-9",
            },
        )
    finally:
        events._handlers[events.PeopleJoined].remove(record)
    user = User.objects.get(email="new.person@example.com")
    assert joined == [(user.pk,)]
    assert user.line_path == f"/{user.pk}/"

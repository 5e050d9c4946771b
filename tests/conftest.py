"""Shared fixtures: the owner / team member / outsider trio, a manager and admins."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from peerpath.people.models import User
from tests.factories import PASSWORD, ModuleFactory, TeamFactory, UserFactory


@dataclass
class Org:
    """A small organisation: a manager with two reports (one a team lead with a report),
    an outsider in another team, a learning admin and a system admin."""

    manager: User
    lead: User
    member: User
    deep: User
    outsider: User
    admin: User
    sysadmin: User


@pytest.fixture(autouse=True)
def _plain_static_storage(settings) -> None:
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache (throttle counters, cached navigation roles)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Argon2 is deliberately slow; tests hash the same way with a fast hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings) -> None:
    """Queued background tasks run straight away, so tests see their effects."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def org(db: None) -> Org:
    team = TeamFactory(name="Contact Centre")
    other = TeamFactory(name="Sales")
    manager = UserFactory(display_name="Maria Manager", team=team)
    lead = UserFactory(display_name="Leo Lead", team=team, manager=manager)
    member = UserFactory(display_name="Mina Member", team=team, manager=manager)
    deep = UserFactory(display_name="Dara Deep", team=team, manager=lead)
    outsider = UserFactory(display_name="Otto Outsider", team=other)
    admin = UserFactory(display_name="Ada Admin", is_learning_admin=True)
    sysadmin = UserFactory(
        display_name="Sys Admin", is_learning_admin=True, is_staff=True, is_superuser=True
    )
    return Org(manager, lead, member, deep, outsider, admin, sysadmin)


@pytest.fixture
def client_for(db: None):
    """Return a logged-in test client for a user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def module(org: Org):
    return ModuleFactory(author=org.lead, title="De-escalating an angry caller")


__all__ = ["PASSWORD"]

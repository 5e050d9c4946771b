"""Factories for every context, built through the services so invariants hold."""

from __future__ import annotations

from typing import Any

import factory

from peerpath.content import services as content_services
from peerpath.content.models import Module
from peerpath.people import services as people_services
from peerpath.people.models import Department, JobRole, Team, User
from peerpath.skills import services as skill_services
from peerpath.skills.models import Skill

PASSWORD = "correct-horse-battery-9"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.Sequence(lambda n: f"department-{n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    department = factory.SubFactory(DepartmentFactory)


class JobRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobRole

    name = factory.Sequence(lambda n: f"Role {n}")
    slug = factory.Sequence(lambda n: f"role-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    job_title = "Support Agent"
    password = PASSWORD

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return people_services.person_create(**kwargs)


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    name = factory.Sequence(lambda n: f"Skill {n}")
    parent = None

    @classmethod
    def _create(cls, model_class: type[Skill], *args: Any, **kwargs: Any) -> Skill:
        return skill_services.skill_create(**kwargs)


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Handling call {n}")
    summary = "How to handle a customer call from greeting to wrap-up."
    body_markdown = "## Greeting\n\nSay who you are.\n\n- Listen\n- Confirm\n"
    estimated_minutes = 10
    publish = True

    @classmethod
    def _create(cls, model_class: type[Module], *args: Any, **kwargs: Any) -> Module:
        skills = kwargs.pop("skills", ())
        return content_services.module_create(skills=skills, **kwargs)

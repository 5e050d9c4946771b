"""How Peerpath names its learners and modules in xAPI statements."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def learner_agent(public_id: str, name: str = "") -> dict[str, Any]:
    """A learner as an xAPI Agent, identified by account so no email address leaves Peerpath."""
    agent: dict[str, Any] = {
        "objectType": "Agent",
        "account": {"homePage": settings.BASE_URL, "name": public_id},
    }
    if name:
        agent["name"] = name
    return agent


def module_activity_id(public_id: str) -> str:
    return f"{settings.BASE_URL}/learn/m/{public_id}/"


def path_activity_id(public_id: str) -> str:
    return f"{settings.BASE_URL}/learn/paths/{public_id}/"


def certification_activity_id(public_id: str) -> str:
    """A certification as an activity: its permanent address, which leads to its page."""
    return f"{settings.BASE_URL}/certifications/id/{public_id}/"


def certificate_url(award_public_id: str) -> str:
    """The public verification page of one holding of a certification."""
    return f"{settings.BASE_URL}/certificates/{award_public_id}/verify/"


def certificate_extension_id() -> str:
    """The context extension that carries a certificate's verification page."""
    return f"{settings.BASE_URL}/xapi/extensions/certificate"

"""Values every page's shell needs: the navigation the user is allowed to see."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from peerpath.core import permissions


def shell(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    match = getattr(request, "resolver_match", None)
    section = ""
    if match is not None:
        section = {
            "core": "home",
            "content": "create",
            "skills": "admin",
            "curation": "review",
            "lrs_admin": "admin",
        }.get(match.namespace, match.namespace)
        if match.namespace == "learning":
            section = "team" if match.url_name in {"team", "person"} else "learn"
            if (match.url_name or "").startswith("assignment"):
                section = "assignments"
        elif match.namespace == "people":
            section = "admin" if (match.url_name or "").startswith("admin") else "profile"
    links = permissions.navigation(user)
    return {
        "org_name": settings.ORG_NAME,
        "nav_section": section,
        "nav_is_manager": links["manager"],
        "nav_is_admin": links["admin"],
        "nav_is_moderator": links["moderator"],
        "nav_can_assign": links["assign"],
    }

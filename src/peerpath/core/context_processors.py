"""Values every page's shell needs: the navigation the user is allowed to see."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from peerpath.core import permissions
from peerpath.notifications import selectors as notifications
from peerpath.schedule import selectors as schedule

APPROVALS_SECONDS = 60


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
        elif match.namespace == "schedule":
            section = "time"
        elif match.namespace == "recognition":
            section = "recognition"
        elif match.namespace == "social" and match.url_name == "summaries_promoted":
            section = "review"
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
        "nav_approvals": approvals_waiting(user),
        "nav_unread": _unread_lazily(user),
    }


def _unread_lazily(user: Any) -> Callable[[], int | None]:
    """The bell's unread count when the cache knows it (no query: the bell fetches it
    itself otherwise), read only if the page draws the shell."""

    @functools.cache
    def count() -> int | None:
        if not permissions.can_read_notifications(user):
            return 0
        return notifications.unread_count_if_known(user)

    return count


def _approvals_key(user_id: int) -> str:
    return f"peerpath:nav-approvals:{user_id}"


def approvals_waiting(user: Any) -> int:
    """Learning-time requests waiting for the user's decision, for the navigation badge;
    cached briefly like the roles (the queue itself always reads fresh data)."""
    if not (user.is_authenticated and user.is_active):
        return 0
    count = cache.get(_approvals_key(user.pk))
    if count is None:
        count = schedule.pending_count_for(user)
        cache.set(_approvals_key(user.pk), count, APPROVALS_SECONDS)
    return int(count)


def forget_approvals_waiting(user_id: int) -> None:
    """After a decision the badge shows the new count at once."""
    cache.delete(_approvals_key(user_id))

"""Request types for views behind the sign-in requirement."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from peerpath.people.models import User


class AuthedRequest(HttpRequest):
    """A request from a signed-in person (LoginRequiredMiddleware guarantees it)."""

    user: User
    htmx: HtmxDetails


def choice_param(request: HttpRequest, name: str, choices: Iterable[str], default: str) -> str:
    """A query parameter limited to known values; anything else falls back to the default."""
    value = request.GET.get(name, default)
    return value if value in set(choices) else default

"""Request types for views behind the sign-in requirement."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from peerpath.people.models import User


class AuthedRequest(HttpRequest):
    """A request from a signed-in person (LoginRequiredMiddleware guarantees it)."""

    user: User
    htmx: HtmxDetails

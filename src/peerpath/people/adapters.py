"""django-allauth hooks: sign-up is closed unless the deployment opens it."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from peerpath.core import events
from peerpath.people.services import line_path_for


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Employees arrive through the org import or single sign-on, not self-service.
        return bool(settings.PEERPATH_ALLOW_SIGNUP)

    def populate_username(self, request: HttpRequest, user: Any) -> None:
        if not user.display_name:
            user.display_name = user.email.split("@")[0].replace(".", " ").title()

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        if not user.display_name:
            user.display_name = user.email.split("@")[0].replace(".", " ").title()
        if commit:
            user.save()
            user.line_path = line_path_for(user.pk, None)
            user.save(update_fields=["line_path"])
            events.publish(events.PeopleJoined(person_ids=(user.pk,)))
        return user

"""Sharing a module or path with colleagues and teams, with a short message.

Teams are expanded to their active members when shared, so a share reaches exactly the
people who were in the team then. A share reaches at most ``MAX_RECIPIENTS`` people and a
person sends at most ``SHARES_PER_HOUR`` shares an hour, so sharing stays a personal
recommendation rather than a broadcast. Recipients are notified (``share``) and see the
share in their feed; module and path pages count the colleagues who recommended them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from peerpath.core import permissions
from peerpath.core.text import one_line
from peerpath.notifications import services as notifications
from peerpath.people import selectors as people_selectors
from peerpath.social.models import Share, ShareRecipient

if TYPE_CHECKING:
    from peerpath.content.models import LearningPath, Module
    from peerpath.people.models import Team, User

MESSAGE_MAX = 280
MAX_PEOPLE = 50
MAX_TEAMS = 5
MAX_RECIPIENTS = 200
SHARES_PER_HOUR = 20
RATE_WINDOW = timedelta(hours=1)
RECOMMENDERS_SHOWN = 8


def subject_url(*, module: Module | None, path: LearningPath | None) -> str:
    if module is not None:
        return reverse(
            "learning:module", kwargs={"public_id": module.public_id, "slug": module.slug}
        )
    if path is None:
        raise ValueError("A share is of a module or a path.")
    return reverse("learning:path", kwargs={"public_id": path.public_id, "slug": path.slug})


def shared_recently(sender: User, *, now: datetime | None = None) -> int:
    """How many shares ``sender`` sent in the last hour."""
    since = (now or timezone.now()) - RATE_WINDOW
    return Share.objects.filter(sender=sender, created_at__gt=since).count()


def check_share(
    *,
    sender: User,
    module: Module | None,
    path: LearningPath | None,
    people: Iterable[User],
    teams: Iterable[Team],
    message: str,
) -> tuple[str, list[User], list[Team]]:
    """Validate a share before sending it; returns the cleaned message, people and teams."""
    if (module is None) == (path is None):
        raise ValueError("Share exactly one module or one path.")
    if module is not None and not permissions.can_share_module(sender, module):
        raise PermissionDenied("You can share only published modules you can see.")
    if path is not None and not permissions.can_share_path(sender, path):
        raise PermissionDenied("You can share only published paths you can see.")
    chosen = list({p.pk: p for p in people}.values())
    chosen_teams = list({t.pk: t for t in teams}.values())
    errors: dict[str, str] = {}
    if not chosen and not chosen_teams:
        errors["people"] = "Choose at least one colleague or team to share with."
    if len(chosen) > MAX_PEOPLE:
        errors["people"] = f"Share with at most {MAX_PEOPLE} colleagues at a time."
    if len(chosen_teams) > MAX_TEAMS:
        errors["teams"] = f"Share with at most {MAX_TEAMS} teams at a time."
    gone = [p.display_name for p in chosen if not p.is_active]
    if gone:
        errors["people"] = f"No longer active: {', '.join(sorted(gone))}."
    text = one_line(message)
    if len(text) > MESSAGE_MAX:
        errors["message"] = f"Keep it to {MESSAGE_MAX} characters (this message has {len(text)})."
    if errors:
        raise ValidationError(errors)
    return text, chosen, chosen_teams


@transaction.atomic
def share_create(
    *,
    sender: User,
    module: Module | None = None,
    path: LearningPath | None = None,
    people: Iterable[User] = (),
    teams: Iterable[Team] = (),
    message: str = "",
) -> Share:
    """Share a module or path with colleagues and teams; notifies every recipient."""
    text, chosen, chosen_teams = check_share(
        sender=sender, module=module, path=path, people=people, teams=teams, message=message
    )
    # Lock the sender's row so two shares sent at once cannot both slip under the allowance.
    get_user_model().objects.select_for_update().filter(pk=sender.pk).first()
    if shared_recently(sender) >= SHARES_PER_HOUR:
        raise ValidationError(
            f"You have shared {SHARES_PER_HOUR} times in the last hour, the most for an hour. "
            "Try again a little later."
        )
    members: list[User] = []
    if chosen_teams:
        in_teams = people_selectors.people_active().filter(team__in=chosen_teams)
        # Count before loading: a large team is refused without reading its members.
        if in_teams.count() > MAX_RECIPIENTS:
            raise ValidationError(
                {
                    "teams": f"Those teams have more than {MAX_RECIPIENTS} people; "
                    "choose smaller ones."
                }
            )
        members = list(in_teams)
    reach = {p.pk: p for p in [*chosen, *members] if p.pk != sender.pk}
    if len(reach) > MAX_RECIPIENTS:
        raise ValidationError(
            f"That would reach {len(reach)} people; a share reaches at most {MAX_RECIPIENTS}."
        )
    # Never tell anyone about something they cannot open.
    recipients = [
        p
        for p in reach.values()
        if (module is not None and permissions.can_view_module(p, module))
        or (path is not None and permissions.can_view_path(p, path))
    ]
    if not recipients:
        raise ValidationError({"people": "Choose at least one colleague other than yourself."})
    share = Share(sender=sender, module=module, path=path, message=text)
    share.full_clean()
    share.save()
    if chosen_teams:
        share.teams.set(chosen_teams)
    ShareRecipient.objects.bulk_create(
        [ShareRecipient(share=share, person=p, created_at=share.created_at) for p in recipients]
    )
    title = module.title if module is not None else path.title if path is not None else ""
    notifications.notify(
        recipients=recipients,
        kind="share",
        title=f"{sender.display_name} shared “{title}” with you",
        url=subject_url(module=module, path=path),
        dedupe_key=f"share:{share.public_id}",
        actor=sender,
        body=text,
    )
    return share


# --- Reads -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    """The colleagues who shared a module or path: how many, and the latest few."""

    count: int
    people: Sequence[User] = field(default_factory=list)

    @property
    def more(self) -> int:
        return max(self.count - len(self.people), 0)


def recommenders(
    *, module: Module | None = None, path: LearningPath | None = None
) -> Recommendation:
    """Active colleagues who shared the module or path, most recent first (two queries)."""
    subject = Q(shares_sent__module=module) if module is not None else Q(shares_sent__path=path)
    senders = people_selectors.people_active().filter(subject)
    count = senders.values("pk").distinct().count()
    if not count:
        return Recommendation(count=0)
    latest = list(
        senders.annotate(last_shared=Max("shares_sent__created_at"))
        .only("public_id", "display_name", "email", "avatar")
        .order_by("-last_shared", "-pk")[:RECOMMENDERS_SHOWN]
    )
    return Recommendation(count=count, people=latest)


@dataclass(frozen=True)
class Candidates:
    people: list[User]
    teams: list[Team]


def share_candidates(*, sender: User, query: str, limit: int = 8) -> Candidates:
    """Active colleagues and teams whose name (or address) matches, for the share picker."""
    query = query.strip()[:100]
    if len(query) < 2:
        return Candidates(people=[], teams=[])
    people = list(
        people_selectors.people_active()
        .filter(Q(display_name__icontains=query) | Q(email__istartswith=query))
        .exclude(pk=sender.pk)
        .select_related("team")
        .order_by("display_name", "pk")[:limit]
    )
    teams = list(people_selectors.teams_all().filter(name__icontains=query).order_by("name")[:5])
    return Candidates(people=people, teams=teams)

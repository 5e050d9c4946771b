"""Activity for feeds, captured from other contexts' events.

Each handler writes at most one ``Activity`` row, keyed by what produced it
(``verb`` + ``source_key`` is unique), so a replayed event never posts twice. The actor's
visibility setting, team and department are copied onto the row when it is written and
refreshed here when the person changes their setting or moves team, so feeds filter
without joins.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from peerpath.content import selectors as content
from peerpath.core import events, permissions
from peerpath.people import selectors as people
from peerpath.social.models import (
    Activity,
    ActivityComment,
    ActivityLike,
    SocialSettings,
    Verb,
    Visibility,
)

if TYPE_CHECKING:
    from datetime import datetime

    from peerpath.content.models import LearningPath, Module
    from peerpath.people.models import User

# Learning verbs that become feed items; launches, progress and failures stay private.
SHARED_LEARNING_VERBS = {"completed": Verb.COMPLETED, "passed": Verb.PASSED}
EXCERPT_MAX = 500
COMMENT_MAX = 1000
# At most this many feed comments per person per minute (a pasted loop, a stuck key).
COMMENTS_PER_MINUTE = 10


def visibility_of(person: User) -> str:
    """A person's activity visibility (no settings row means everyone)."""
    row = SocialSettings.objects.filter(person=person).values_list("activity_visibility", flat=True)
    return next(iter(row), Visibility.EVERYONE)


def _record(
    *,
    actor: User,
    verb: str,
    source_key: str,
    at: datetime,
    module: Module | None = None,
    path: LearningPath | None = None,
    other_person: User | None = None,
    subject_title: str = "",
    subject_url: str = "",
    excerpt: str = "",
) -> None:
    """Write one activity row unless the same source already produced it."""
    team = actor.team
    Activity.objects.bulk_create(
        [
            Activity(
                actor=actor,
                verb=verb,
                source_key=source_key[:200],
                created_at=at,
                module=module,
                path=path,
                other_person=other_person,
                subject_title=subject_title[:200],
                subject_url=subject_url[:300],
                excerpt=excerpt[:EXCERPT_MAX],
                visibility=visibility_of(actor),
                team_id=actor.team_id,
                department_id=team.department_id if team is not None else None,
            )
        ],
        ignore_conflicts=True,
    )


def _person(person_id: int) -> User | None:
    found = people.people_active().select_related("team").filter(pk=person_id).first()
    return found


def _person_by_public_id(public_id: str) -> User | None:
    return people.people_active().select_related("team").filter(public_id=public_id).first()


# --- Event handlers ------------------------------------------------------------------------


def on_learning_recorded(event: events.LearningRecorded) -> None:
    """A completion or a pass, once per person and module (a retake posts nothing)."""
    verb = SHARED_LEARNING_VERBS.get(event.verb)
    if verb is None:
        return
    learner = _person_by_public_id(event.learner_public_id)
    module = content.module_by_public_id(event.module_public_id)
    if learner is None or module is None:
        return
    _record(
        actor=learner,
        verb=verb,
        source_key=f"{learner.pk}:{module.pk}",
        at=event.at,
        module=module,
    )


def on_path_completed(event: events.PathCompleted) -> None:
    learner = _person_by_public_id(event.learner_public_id)
    path = content.path_by_public_id(event.path_public_id)
    if learner is None or path is None:
        return
    _record(
        actor=learner,
        verb=Verb.PATH_COMPLETED,
        source_key=f"{learner.pk}:{path.pk}",
        at=event.at,
        path=path,
    )


def on_module_published(event: events.ModulePublished) -> None:
    """The first publication of a module only: later versions are edits, not news."""
    author = _person(event.actor_id)
    module = content.modules_by_ids([event.module_id]).get(event.module_id)
    if author is None or module is None:
        return
    version = content.version_by_id(event.version_id)
    if version is None or version.number != 1:
        return
    _record(
        actor=author,
        verb=Verb.PUBLISHED,
        source_key=str(module.pk),
        at=version.published_at,
        module=module,
    )


def on_module_curated(event: events.ModuleCurated) -> None:
    """A module became Curated; feeds show it to people who follow or declare its skills."""
    owner = _person(event.owner_id)
    module = content.modules_by_ids([event.module_id]).get(event.module_id)
    if owner is None or module is None:
        return
    _record(actor=owner, verb=Verb.CURATED, source_key=str(module.pk), at=event.at, module=module)


def on_certification_earned(event: events.CertificationEarned) -> None:
    holder = _person(event.holder_id)
    if holder is None:
        return
    _record(
        actor=holder,
        verb=Verb.CERTIFIED,
        source_key=f"{event.award_id}:{event.at.isoformat()}",
        at=event.at,
        subject_title=event.certification_name,
        subject_url=reverse("recognition:certificate", args=[event.award_public_id]),
    )


def on_badge_earned(event: events.BadgeEarned) -> None:
    person = _person(event.person_id)
    if person is None:
        return
    _record(
        actor=person,
        verb=Verb.BADGE,
        source_key=str(event.award_id),
        at=event.at,
        subject_title=event.badge_name,
    )


def on_kudos_given(event: events.KudosGiven) -> None:
    giver = _person(event.giver_id)
    recipient = _person(event.recipient_id)
    if giver is None or recipient is None:
        return
    _record(
        actor=giver,
        verb=Verb.KUDOS,
        source_key=str(event.kudos_id),
        at=event.at,
        other_person=recipient,
        excerpt=event.message,
    )


def on_people_changed(event: events.PeopleChanged) -> None:
    """People moved team: their activity follows them, one UPDATE per destination team."""
    activity_team_refresh(person_ids=event.person_ids)


# --- Services ------------------------------------------------------------------------------


def activity_team_refresh(*, person_ids: tuple[int, ...] | list[int]) -> int:
    """Copy each person's current team and department onto their activity rows.

    People are grouped by where they now sit, so an organisation-wide change costs one
    read and one UPDATE per team rather than one per person. Returns the rows changed.
    """
    places: dict[tuple[int | None, int | None], list[int]] = defaultdict(list)
    rows = people.people_for_admin(status="all").filter(pk__in=person_ids)
    for pk, now_team, now_department in rows.values_list("pk", "team_id", "team__department_id"):
        places[(now_team, now_department)].append(pk)
    # Each UPDATE is idempotent and the handler runs in the publisher's transaction.
    changed = 0
    for (team_id, department_id), pks in places.items():
        changed += (
            Activity.objects.filter(actor_id__in=pks)
            .exclude(Q(team_id=team_id) & Q(department_id=department_id))
            .update(team_id=team_id, department_id=department_id)
        )
    return changed


def activity_visibility_set(*, person: User, visibility: str) -> SocialSettings:
    """Set who sees a person's learning activity and apply it to everything they did.

    The setting and the copies on their activity rows change in one transaction, so no
    feed ever shows an item under the old setting once the new one is saved.
    """
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": "Choose everyone, your team, or only you."})
    with transaction.atomic():
        settings_row, _ = SocialSettings.objects.update_or_create(
            person=person, defaults={"activity_visibility": visibility}
        )
        Activity.objects.filter(actor=person).exclude(visibility=visibility).update(
            visibility=visibility
        )
    return settings_row


def activity_like_toggle(*, person: User, activity: Activity) -> tuple[bool, int]:
    """Like a feed item, or take the like back; returns (liked now, like count).

    The counter moves with ``F()`` in the same transaction as the like row, and only when
    a row was really added or removed, so double clicks never drift it.
    """
    permissions.require(permissions.can_react_to_activity(person, activity))
    with transaction.atomic():
        removed, _ = ActivityLike.objects.filter(activity=activity, person=person).delete()
        if removed:
            Activity.objects.filter(pk=activity.pk, like_count__gt=0).update(
                like_count=F("like_count") - 1
            )
            liked = False
        else:
            try:
                with transaction.atomic():
                    ActivityLike.objects.create(activity=activity, person=person)
            except IntegrityError:
                pass  # Liked from another tab at the same moment: that like counts.
            else:
                Activity.objects.filter(pk=activity.pk).update(like_count=F("like_count") + 1)
            liked = True
        count = Activity.objects.filter(pk=activity.pk).values_list("like_count", flat=True)
        return liked, next(iter(count), 0)


def activity_comment_add(*, author: User, activity: Activity, body: str) -> ActivityComment:
    """Reply to a feed item in a line or two of plain text (shown escaped)."""
    permissions.require(permissions.can_react_to_activity(author, activity))
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something first."})
    if len(body) > COMMENT_MAX:
        raise ValidationError({"body": f"Keep it to {COMMENT_MAX} characters or fewer."})
    recent = ActivityComment.objects.filter(
        author=author, created_at__gte=timezone.now() - timedelta(minutes=1)
    ).count()
    if recent >= COMMENTS_PER_MINUTE:
        raise ValidationError({"body": "You are commenting very fast; wait a minute."})
    with transaction.atomic():
        comment = ActivityComment(activity=activity, author=author, body=body)
        comment.full_clean()
        comment.save()
        Activity.objects.filter(pk=activity.pk).update(comment_count=F("comment_count") + 1)
    return comment

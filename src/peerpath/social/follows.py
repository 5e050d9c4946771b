"""Following colleagues: their learning activity reaches the follower's feed.

Following is one-way and needs no approval (the followed person's activity setting still
decides what a follower sees). The followed person is told once per follower: following,
unfollowing and following again does not notify twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from peerpath.core import permissions
from peerpath.notifications import services as notifications
from peerpath.social.models import Follow

if TYPE_CHECKING:
    from peerpath.people.models import User

MAX_FOLLOWING = 2000


def is_following(follower: User, followee: User) -> bool:
    return Follow.objects.filter(follower=follower, followee=followee).exists()


@transaction.atomic
def follow_person(*, follower: User, followee: User) -> Follow:
    """Follow a colleague; notifies them the first time this person follows them."""
    if follower.pk == followee.pk:
        raise ValidationError("You cannot follow yourself.")
    if not followee.is_active:
        raise ValidationError(f"{followee.display_name} is no longer active.")
    if not permissions.can_follow_person(follower, followee):
        raise PermissionDenied("You cannot follow this person.")
    existing = Follow.objects.filter(follower=follower, followee=followee).first()
    if existing is not None:
        return existing
    # Lock the follower's row so two follows sent at once cannot both slip under the cap.
    get_user_model().objects.select_for_update().filter(pk=follower.pk).first()
    if Follow.objects.filter(follower=follower).count() >= MAX_FOLLOWING:
        raise ValidationError(
            f"You follow {MAX_FOLLOWING} colleagues, the most one can. Unfollow someone first."
        )
    follow = Follow.objects.create(follower=follower, followee=followee)
    notifications.notify(
        recipients=[followee],
        kind="new_follower",
        title=f"{follower.display_name} follows your learning",
        url=reverse("people:profile", kwargs={"public_id": follower.public_id}),
        dedupe_key=f"follow:{follower.public_id}",
        actor=follower,
    )
    return follow


@transaction.atomic
def unfollow_person(*, follower: User, followee: User) -> None:
    """Stop following; unfollowing someone one does not follow changes nothing."""
    Follow.objects.filter(follower=follower, followee=followee).delete()

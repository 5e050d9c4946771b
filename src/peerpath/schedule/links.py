"""One-click approve and decline links for notification emails.

A link's token is signed (so nobody can forge one), bound to one request, one approver and
one action, expires after a week, and works once: using it writes a ``UsedApprovalLink``
row in the same transaction as the decision. The page behind a link still needs the
approver signed in, and only a POST decides.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from peerpath.schedule.models import UsedApprovalLink

if TYPE_CHECKING:
    from peerpath.people.models import User
    from peerpath.schedule.models import LearningTimeRequest

SALT = "peerpath.schedule.decision-link"
MAX_AGE = timedelta(days=7)
ACTIONS = ("approve", "decline")


class LinkRefused(ValidationError):
    """The link is forged, expired or already used; the message says which."""


@dataclass(frozen=True)
class DecisionToken:
    request_public_id: str
    approver_public_id: str
    action: str
    token_id: str


def make_decision_token(request: LearningTimeRequest, approver: User, action: str) -> str:
    """A signed token for one approver to approve (or decline) one request, once."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown decision {action!r}.")
    return signing.dumps(
        {
            "r": str(request.public_id),
            "a": str(approver.public_id),
            "x": action,
            "n": secrets.token_hex(16),
        },
        salt=SALT,
    )


def read_decision_token(token: str) -> DecisionToken:
    """The decision a token stands for; raises ``LinkRefused`` when it cannot be used."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LinkRefused(
            "This link has expired; decide from your approvals queue instead."
        ) from exc
    except signing.BadSignature as exc:
        raise LinkRefused("This link is not valid; decide from your approvals queue.") from exc
    try:
        decision = DecisionToken(
            request_public_id=str(data["r"]),
            approver_public_id=str(data["a"]),
            action=str(data["x"]),
            token_id=str(data["n"]),
        )
    except (KeyError, TypeError) as exc:
        raise LinkRefused("This link is not valid; decide from your approvals queue.") from exc
    if decision.action not in ACTIONS:
        raise LinkRefused("This link is not valid; decide from your approvals queue.")
    if UsedApprovalLink.objects.filter(token_id=decision.token_id).exists():
        raise LinkRefused("This link has already been used; each link works once.")
    return decision


def mark_used(decision: DecisionToken) -> None:
    """Spend the link; call inside the transaction that records the decision, so a link
    is spent exactly when its decision is made (a second use fails on the unique id)."""
    try:
        with transaction.atomic():
            UsedApprovalLink.objects.create(token_id=decision.token_id, used_at=timezone.now())
    except IntegrityError as exc:
        raise LinkRefused("This link has already been used; each link works once.") from exc

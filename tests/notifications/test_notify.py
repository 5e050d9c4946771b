from __future__ import annotations

import pytest

from peerpath.notifications import services
from peerpath.notifications.models import Kind, Notification
from peerpath.people.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_each_active_recipient_is_notified_once_and_never_the_actor():
    actor, first, second = UserFactory(), UserFactory(), UserFactory()
    gone = UserFactory()
    User.objects.filter(pk=gone.pk).update(is_active=False)
    gone.refresh_from_db()

    written = services.notify(
        recipients=[actor, first, second, gone],
        kind=Kind.SHARE,
        title="Sam shared “Warm transfers” with you",
        url="/learn/m/x/warm-transfers/",
        dedupe_key="share:1",
        actor=actor,
    )
    again = services.notify(
        recipients=[first, second],
        kind=Kind.SHARE,
        title="Sam shared “Warm transfers” with you",
        url="/learn/m/x/warm-transfers/",
        dedupe_key="share:1",
        actor=actor,
    )

    assert {n.recipient_id for n in written} == {first.pk, second.pk}
    assert again == []
    assert Notification.objects.count() == 2


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown notification kind"):
        services.notify(recipients=[UserFactory()], kind="spam", title="x", url="/", dedupe_key="k")
    assert not Notification.objects.exists()

"""Helpers for notification tests: a notice for someone, in one line."""

from __future__ import annotations

import itertools

import pytest

from peerpath.notifications import services
from peerpath.notifications.models import Kind

_keys = itertools.count(1)


@pytest.fixture
def notice():
    def make(person, *, kind=Kind.SHARE, title="Sam shared “Warm transfers” with you", actor=None):
        return services.notify(
            recipients=[person],
            kind=kind,
            title=title,
            url="/learn/m/x/warm-transfers/",
            dedupe_key=f"test:{next(_keys)}",
            actor=actor,
        )

    return make

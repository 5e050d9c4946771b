from __future__ import annotations

import pytest

from peerpath.recognition.models import BadgeDefinition


@pytest.fixture
def without_default_badges(db: None) -> None:
    """Tests about one award's credential: the default badges (a first certification
    earns "Certified") would issue credentials of their own."""
    BadgeDefinition.objects.all().delete()

"""A small shift team: a manager and four agents on the same Monday shift, two on the
billing queue, with a team-wide minimum of three on duty 09:00–17:00 (UTC)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from peerpath.people.models import Team, User
from peerpath.schedule.models import TeamPolicy
from tests.factories import TeamFactory, UserFactory
from tests.schedule.factories import (
    SHIFT_START,
    CoverageRequirementFactory,
    ShiftFactory,
    TeamPolicyFactory,
)


@dataclass
class ShiftTeam:
    team: Team
    policy: TeamPolicy
    manager: User
    agents: list[User]  # agents[0] and agents[1] work the billing queue


@pytest.fixture
def shift_team(db: None) -> ShiftTeam:
    team = TeamFactory(name="Call Centre", works_shifts=True)
    policy = TeamPolicyFactory(team=team)
    manager = UserFactory(display_name="Cara Coordinator", team=team)
    agents = [
        UserFactory(display_name=f"Agent {name}", team=team, manager=manager)
        for name in ("Ana", "Ben", "Cho", "Dev")
    ]
    for number, agent in enumerate(agents):
        ShiftFactory(
            person=agent, team=team, starts_at=SHIFT_START, queue="billing" if number < 2 else ""
        )
    CoverageRequirementFactory(team=team, minimum_on_duty=3)
    return ShiftTeam(team=team, policy=policy, manager=manager, agents=agents)

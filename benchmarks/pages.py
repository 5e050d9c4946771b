"""The pages the benchmark measures, and who looks at each."""

from __future__ import annotations

from dataclasses import dataclass

MODULE_PLACEHOLDER = "{module}"


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # "{module}" stands for the chosen module's URL
    who: str  # "learner", "manager" or "head"

    def url(self, module_url: str) -> str:
        return self.path.replace(MODULE_PLACEHOLDER, module_url)


CALIBRATION = Page("calibration", "/_calibration/", "learner")

PAGES: tuple[Page, ...] = (
    CALIBRATION,
    Page("home", "/", "learner"),
    Page("catalog", "/learn/", "learner"),
    Page("catalog page 5", "/learn/?page=5", "learner"),
    Page("module", MODULE_PLACEHOLDER, "learner"),
    Page("my learning", "/learn/mine/", "learner"),
    Page("my team", "/team/", "manager"),
    # Not a fixed-size page: a department head's whole line grows with the tier.
    Page("team all (head)", "/team/?scope=all", "head"),
)

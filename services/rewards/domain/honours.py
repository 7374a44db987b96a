"""Honours: volunteer star levels by cumulative confirmed hours, and the yearly honours."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

# The national volunteer-service convention: one to five stars at 100/300/600/1000/1500 hours.
STAR_THRESHOLDS: tuple[tuple[int, int], ...] = ((1, 100), (2, 300), (3, 600), (4, 1000), (5, 1500))


class HonourKind(StrEnum):
    STAR_LEVEL = "star_level"
    NEIGHBOUR_STAR = "neighbour_star"
    EXCELLENT_GROUP_LEADER = "excellent_group_leader"
    FILIAL_PIETY = "filial_piety"


def star_level(hours: Decimal) -> int:
    """The star level reached with `hours` cumulative confirmed hours (0 below 100 h)."""
    level = 0
    for candidate, threshold in STAR_THRESHOLDS:
        if hours >= threshold:
            level = candidate
    return level


def next_star_hours(hours: Decimal) -> int | None:
    """The cumulative hours at which the next star level is reached (None once at the top level)."""
    return next((threshold for _, threshold in STAR_THRESHOLDS if hours < threshold), None)


def current_star_hours(hours: Decimal) -> int:
    """The cumulative hours at which the star level held with `hours` began (0 below the first star)."""
    return max((threshold for _, threshold in STAR_THRESHOLDS if hours >= threshold), default=0)


def levels_crossed(before: Decimal, after: Decimal) -> list[int]:
    """Star levels newly reached when cumulative hours grow from `before` to `after`."""
    return [level for level, threshold in STAR_THRESHOLDS if before < threshold <= after]


def title(kind: HonourKind, level: int | None = None, year: int | None = None) -> dict[str, str]:
    if kind is HonourKind.STAR_LEVEL:
        stars = "★" * (level or 0)
        return {"zh-CN": f"{level}星级志愿者 {stars}", "en": f"{level}-star volunteer {stars}"}
    if kind is HonourKind.NEIGHBOUR_STAR:
        return {"zh-CN": f"{year}年度邻里之星", "en": f"Neighbour star {year}"}
    if kind is HonourKind.FILIAL_PIETY:
        return {"zh-CN": f"{year}年度孝老爱亲模范", "en": f"Filial piety and family care model {year}"}
    return {"zh-CN": f"{year}年度优秀楼栋组长", "en": f"Excellent building-group leader {year}"}

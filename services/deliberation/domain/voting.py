"""Collective decisions: quorum, majority rules and the tally of a motion."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from services.deliberation.domain.errors import QuorumNotMet


class MajorityRule(StrEnum):
    SIMPLE = "simple"  # more for than against; abstentions do not count
    TWO_THIRDS = "two_thirds"  # at least two thirds of the for/against votes are for
    CONSENSUS = "consensus"  # nobody against and at least one for


class Choice(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


DEFAULT_QUORUM = Decimal("0.5")


def quorum_needed(voting_members: int, fraction: Decimal | Fraction | float = DEFAULT_QUORUM) -> int:
    """Fewest voting members present that is strictly more than `fraction` of them (at least one)."""
    share = Fraction(str(fraction)) * voting_members
    return max(int(share) + 1, 1)


def check_quorum(*, present: int, voting_members: int, fraction: Decimal | Fraction | float = DEFAULT_QUORUM) -> None:
    needed = quorum_needed(voting_members, fraction)
    if present < needed:
        raise QuorumNotMet(present=present, needed=needed, voting_members=voting_members)


@dataclass(frozen=True)
class Tally:
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0

    @classmethod
    def of(cls, choices: list[str]) -> Tally:
        return cls(
            votes_for=choices.count(Choice.FOR),
            votes_against=choices.count(Choice.AGAINST),
            votes_abstain=choices.count(Choice.ABSTAIN),
        )

    def adopted(self, rule: MajorityRule | str) -> bool:
        rule = MajorityRule(rule)
        if self.votes_for == 0:
            return False
        if rule is MajorityRule.SIMPLE:
            return self.votes_for > self.votes_against
        if rule is MajorityRule.TWO_THIRDS:
            return 3 * self.votes_for >= 2 * (self.votes_for + self.votes_against)
        return self.votes_against == 0

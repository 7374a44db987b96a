"""Quorum and majority rules, at their edges."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.deliberation.domain.errors import QuorumNotMet
from services.deliberation.domain.voting import MajorityRule, Tally, check_quorum, quorum_needed


@pytest.mark.parametrize(
    ("voting_members", "needed"),
    [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 4), (7, 4), (8, 5), (9, 5), (10, 6)],
)
def test_quorum_is_more_than_half_of_the_voting_members(voting_members: int, needed: int) -> None:
    assert quorum_needed(voting_members) == needed


def test_exactly_half_present_is_not_a_quorum() -> None:
    with pytest.raises(QuorumNotMet) as refused:
        check_quorum(present=4, voting_members=8)
    assert refused.value.extensions == {"reason": "no_quorum", "present": 4, "needed": 5, "voting_members": 8}
    assert "4" in refused.value.detail
    assert "5" in refused.value.detail


def test_one_more_than_half_present_is_a_quorum() -> None:
    check_quorum(present=5, voting_members=8)


def test_a_council_may_set_a_higher_quorum() -> None:
    assert quorum_needed(9, Decimal("0.667")) == 7
    with pytest.raises(QuorumNotMet):
        check_quorum(present=6, voting_members=9, fraction=Decimal("0.667"))
    check_quorum(present=7, voting_members=9, fraction=Decimal("0.667"))


def test_a_council_without_voting_members_still_needs_someone() -> None:
    with pytest.raises(QuorumNotMet):
        check_quorum(present=0, voting_members=0)


def tally(f: int, a: int, n: int = 0) -> Tally:
    return Tally(votes_for=f, votes_against=a, votes_abstain=n)


def test_simple_majority_adopts_with_one_more_for_than_against() -> None:
    assert tally(4, 3).adopted(MajorityRule.SIMPLE)


def test_simple_majority_tie_is_rejected() -> None:
    assert not tally(3, 3).adopted(MajorityRule.SIMPLE)


def test_simple_majority_ignores_abstentions() -> None:
    assert tally(2, 1, 5).adopted(MajorityRule.SIMPLE)


def test_all_abstaining_adopts_nothing() -> None:
    for rule in MajorityRule:
        assert not tally(0, 0, 5).adopted(rule)


@pytest.mark.parametrize(
    ("votes_for", "votes_against", "adopted"),
    [
        (2, 1, True),
        (4, 2, True),
        (6, 3, True),
        (3, 2, False),
        (5, 3, False),
        (7, 4, False),
        (1, 0, True),
        (0, 0, False),
    ],
)
def test_two_thirds_boundary(votes_for: int, votes_against: int, adopted: bool) -> None:
    assert tally(votes_for, votes_against).adopted(MajorityRule.TWO_THIRDS) is adopted


def test_two_thirds_counts_votes_cast_not_abstentions() -> None:
    assert tally(2, 1, 6).adopted(MajorityRule.TWO_THIRDS)


def test_consensus_fails_with_one_against() -> None:
    assert not tally(9, 1).adopted(MajorityRule.CONSENSUS)


def test_consensus_allows_abstentions() -> None:
    assert tally(3, 0, 2).adopted(MajorityRule.CONSENSUS)


def test_tally_counts_choices() -> None:
    assert Tally.of(["for", "against", "for", "abstain"]) == tally(2, 1, 1)


@given(st.integers(min_value=1, max_value=500), st.sampled_from(["0.5", "0.6", "0.667", "0.75", "0"]))
def test_quorum_needed_is_the_smallest_number_strictly_above_the_fraction(voting_members: int, fraction: str) -> None:
    needed = quorum_needed(voting_members, Decimal(fraction))
    share = Fraction(fraction) * voting_members
    assert needed > share
    assert needed - 1 <= share or needed == 1

"""Public selections (评选): 孝老爱亲 models, 邻里之星, 优秀楼栋党小组长, chosen by the residents' vote.

A selection moves nominating -> checking -> voting -> concluded, one way. People allowed to
nominate name a candidate with a reason (a candidate once per selection); the committees check
each nomination; the vote opens when none waits for its check; people allowed to vote cast ONE
ballot each. The tallies are nobody's business until the committees close the vote; then the
top `seats` candidates by votes win and SelectionConcluded names them for rewards' honours.

The rules, stated once:
  * one vote per person per seat: a voter casts one ballot, marking at most `seats` distinct
    approved candidates, so a candidate gets at most one vote from any person; a second ballot
    is refused (409 already-voted), never a replacement: a vote once cast is final.
  * ties: candidates are ranked by votes, then by the earliest nomination (then its id); the
    first `seats` with at least one vote win. So a tie at the last seat goes to the candidate
    nominated first, and there are never more winners than seats.

Plain Python, no I/O.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from contracts.enums import SelectionCategory
from contracts.events.community import SelectionConcluded, SelectionWinner
from services.kernel import errors
from services.kernel.events import PendingEvent


class SelectionState(StrEnum):
    NOMINATING = "nominating"
    CHECKING = "checking"
    VOTING = "voting"
    CONCLUDED = "concluded"


TRANSITIONS: dict[SelectionState, tuple[SelectionState, ...]] = {
    SelectionState.NOMINATING: (SelectionState.CHECKING,),
    SelectionState.CHECKING: (SelectionState.VOTING,),
    SelectionState.VOTING: (SelectionState.CONCLUDED,),
    SelectionState.CONCLUDED: (),
}


class NominationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class SelectionNotFound(errors.DoesNotExist):
    def __init__(self, selection_id: object) -> None:
        super().__init__(f"There is no selection {selection_id} / 评选不存在.")


class NominationNotFound(errors.DoesNotExist):
    def __init__(self, nomination_id: object) -> None:
        super().__init__(f"There is no nomination {nomination_id} / 提名不存在.")


class SelectionStepNotAllowed(errors.IllegalTransition):
    def __init__(self, current: SelectionState, wanted: SelectionState | str) -> None:
        super().__init__(
            f"A selection that is {current.value} cannot do this ({wanted}) / 评选当前阶段不允许此操作.",
            current=current.value,
            allowed=[s.value for s in TRANSITIONS[current]],
        )


@dataclass
class Nomination:
    id: uuid.UUID
    candidate_id: str
    candidate_name: str
    building_group: int | None
    reason: str
    nominated_by: str
    nominated_at: datetime
    status: NominationStatus = NominationStatus.PENDING
    checked_by: str | None = None
    checked_at: datetime | None = None
    rejection_reason: str | None = None


@dataclass
class Ranked:
    nomination: Nomination
    votes: int
    winner: bool


def rank(nominations: Iterable[Nomination], tally: Mapping[uuid.UUID, int], seats: int) -> list[Ranked]:
    """The approved candidates in their final order: votes, then earliest nomination, then id;
    the first `seats` with at least one vote win (the tie rule of the module docstring)."""
    approved = [n for n in nominations if n.status is NominationStatus.APPROVED]
    ordered = sorted(approved, key=lambda n: (-tally.get(n.id, 0), n.nominated_at, str(n.id)))
    ranked = []
    for position, nomination in enumerate(ordered):
        votes = tally.get(nomination.id, 0)
        ranked.append(Ranked(nomination, votes, winner=position < seats and votes > 0))
    return ranked


@dataclass
class Selection:
    id: uuid.UUID
    community: str
    category: SelectionCategory
    year: int
    title: dict[str, str]
    seats: int
    who_may_nominate: list[str]
    who_may_vote: list[str]
    nominations_close_at: datetime
    voting_closes_at: datetime
    created_by: str
    created_at: datetime
    state: SelectionState = SelectionState.NOMINATING
    votes_cast: int | None = None
    concluded_by: str | None = None
    concluded_at: datetime | None = None
    nominations: list[Nomination] = field(default_factory=list)
    results: list[Ranked] = field(default_factory=list)
    """Set when it concludes: every approved candidate with its votes, winners first."""
    _events: list[PendingEvent] = field(default_factory=list, repr=False)

    @classmethod
    def create(
        cls,
        *,
        selection_id: uuid.UUID,
        community: str,
        category: SelectionCategory,
        year: int,
        title: dict[str, str],
        seats: int,
        who_may_nominate: Sequence[str],
        who_may_vote: Sequence[str],
        nominations_close_at: datetime,
        voting_closes_at: datetime,
        created_by: str,
        now: datetime,
    ) -> Selection:
        if seats < 1:
            raise errors.InvalidInput("A selection needs at least one seat / 名额至少为 1.", field="seats")
        if not who_may_nominate or not who_may_vote:
            raise errors.InvalidInput("Name who may nominate and who may vote / 须指定提名人与投票人.")
        if not title.get("zh-CN", "").strip() or not title.get("en", "").strip():
            raise errors.InvalidInput("A selection needs its title in zh-CN and en / 须有中英文标题.", field="title")
        if not now < nominations_close_at < voting_closes_at:
            raise errors.InvalidInput(
                "Nominations must close in the future and before the vote closes / 提名截止须晚于现在且早于投票截止.",
                field="nominations_close_at",
            )
        return cls(
            id=selection_id,
            community=community,
            category=category,
            year=year,
            title={"zh-CN": title["zh-CN"], "en": title["en"]},
            seats=seats,
            who_may_nominate=sorted(set(who_may_nominate)),
            who_may_vote=sorted(set(who_may_vote)),
            nominations_close_at=nominations_close_at,
            voting_closes_at=voting_closes_at,
            created_by=created_by,
            created_at=now,
        )

    # -- nominations ----------------------------------------------------------------------

    def nominate(
        self,
        *,
        nomination_id: uuid.UUID,
        nominator: str,
        nominator_roles: Iterable[str],
        candidate_id: str,
        candidate_name: str,
        building_group: int | None,
        reason: str,
        now: datetime,
    ) -> Nomination:
        if self.state is not SelectionState.NOMINATING:
            raise SelectionStepNotAllowed(self.state, "nominate")
        if now >= self.nominations_close_at:
            raise errors.RuleBroken("Nominations are closed / 提名已截止.", reason="nominations-closed")
        if not set(nominator_roles) & set(self.who_may_nominate):
            raise errors.NotPermitted(
                "You may not nominate in this selection / 您无权在本次评选中提名.",
                required_roles=self.who_may_nominate,
            )
        if not reason.strip():
            raise errors.InvalidInput("A nomination needs a reason / 提名须说明理由.", field="reason")
        if any(n.candidate_id == candidate_id for n in self.nominations):
            raise errors.RuleBroken(
                "This candidate is already nominated in this selection / 该候选人已被提名.",
                reason="already-nominated",
            )
        nomination = Nomination(
            id=nomination_id,
            candidate_id=candidate_id,
            candidate_name=candidate_name.strip(),
            building_group=building_group,
            reason=reason.strip(),
            nominated_by=nominator,
            nominated_at=now,
        )
        self.nominations.append(nomination)
        return nomination

    def nomination(self, nomination_id: uuid.UUID) -> Nomination:
        for nomination in self.nominations:
            if nomination.id == nomination_id:
                return nomination
        raise NominationNotFound(nomination_id)

    def check(self, nomination_id: uuid.UUID, *, approve: bool, reason: str | None, actor: str, now: datetime) -> None:
        """The committees' check of one nomination, while nominating or checking; a checked
        nomination may be checked again until the vote opens (a mistake corrected)."""
        if self.state not in (SelectionState.NOMINATING, SelectionState.CHECKING):
            raise SelectionStepNotAllowed(self.state, "check")
        nomination = self.nomination(nomination_id)
        if not approve and not (reason or "").strip():
            raise errors.InvalidInput("A rejection needs a reason / 不通过须说明理由.", field="reason")
        nomination.status = NominationStatus.APPROVED if approve else NominationStatus.REJECTED
        nomination.rejection_reason = None if approve else (reason or "").strip()
        nomination.checked_by, nomination.checked_at = actor, now

    # -- the steps --------------------------------------------------------------------------

    def _move(self, wanted: SelectionState) -> None:
        if wanted not in TRANSITIONS[self.state]:
            raise SelectionStepNotAllowed(self.state, wanted)
        self.state = wanted

    def close_nominations(self) -> None:
        self._move(SelectionState.CHECKING)

    def open_voting(self, now: datetime) -> None:
        """The vote opens after the check: every nomination checked, at least one approved."""
        if SelectionState.VOTING not in TRANSITIONS[self.state]:
            raise SelectionStepNotAllowed(self.state, SelectionState.VOTING)
        if any(n.status is NominationStatus.PENDING for n in self.nominations):
            raise errors.RuleBroken(
                "Every nomination must be checked before the vote opens / 所有提名审核后方可开始投票.",
                reason="nominations-unchecked",
            )
        if not any(n.status is NominationStatus.APPROVED for n in self.nominations):
            raise errors.RuleBroken("No approved candidate to vote for / 没有通过审核的候选人.", reason="no-candidates")
        if now >= self.voting_closes_at:
            raise errors.RuleBroken("The voting window has passed / 投票期已过.", reason="voting-closed")
        self._move(SelectionState.VOTING)

    # -- the vote ---------------------------------------------------------------------------

    def ballot(self, *, voter_roles: Iterable[str], candidates: Sequence[str], now: datetime) -> list[uuid.UUID]:
        """The nominations a ballot marks, checked against the rules (one ballot per person is
        the repository's key: it is what a second, concurrent ballot hits)."""
        if self.state is not SelectionState.VOTING:
            raise SelectionStepNotAllowed(self.state, "vote")
        if now >= self.voting_closes_at:
            raise errors.RuleBroken("The vote is closed / 投票已截止.", reason="voting-closed")
        if not set(voter_roles) & set(self.who_may_vote):
            raise errors.NotPermitted(
                "You may not vote in this selection / 您无权在本次评选中投票.", required_roles=self.who_may_vote
            )
        if not candidates:
            raise errors.InvalidInput("A ballot marks at least one candidate / 至少选择一名候选人.", field="candidates")
        if len(set(candidates)) != len(candidates):
            raise errors.InvalidInput(
                "A ballot marks each candidate at most once / 同一候选人只能选一次.", field="candidates"
            )
        if len(candidates) > self.seats:
            raise errors.InvalidInput(
                f"A ballot marks at most {self.seats} candidates / 最多选择 {self.seats} 名.", field="candidates"
            )
        approved = {n.candidate_id: n.id for n in self.nominations if n.status is NominationStatus.APPROVED}
        unknown = [c for c in candidates if c not in approved]
        if unknown:
            raise errors.InvalidInput(
                "Only approved candidates can be voted for / 只能投给审核通过的候选人.",
                field="candidates",
                unknown=unknown,
            )
        return [approved[c] for c in candidates]

    def conclude(self, *, tally: Mapping[uuid.UUID, int], votes_cast: int, actor: str, now: datetime) -> list[Ranked]:
        """Close the vote (not before its window ends), rank the candidates and name the winners."""
        if self.state is SelectionState.VOTING and now < self.voting_closes_at:
            raise errors.RuleBroken(
                "The vote closes at its announced time, not before / 投票截止后方可结束评选.",
                reason="voting-still-open",
                voting_closes_at=self.voting_closes_at.isoformat(),
            )
        self._move(SelectionState.CONCLUDED)
        self.votes_cast, self.concluded_by, self.concluded_at = votes_cast, actor, now
        self.results = rank(self.nominations, tally, self.seats)
        winners = [r for r in self.results if r.winner]
        self._events.append(
            PendingEvent(
                SelectionConcluded(
                    selection_id=self.id,
                    category=self.category,
                    year=self.year,
                    title=dict(self.title),
                    seats=self.seats,
                    votes_cast=votes_cast,
                    winners=[
                        SelectionWinner(
                            person_id=r.nomination.candidate_id,
                            name=r.nomination.candidate_name,
                            building_group=r.nomination.building_group,
                            votes=r.votes,
                            reason=r.nomination.reason,
                        )
                        for r in winners
                    ],
                    concluded_by=actor,
                    concluded_at=now,
                ),
                community=self.community,
                subject=self.id,
            )
        )
        return winners

    def pull_events(self) -> list[PendingEvent]:
        events, self._events = self._events, []
        return events

"""The love bank's fake unit of work: in-memory ledger and rules behind the repositories' methods,
for service-layer tests that need no database (tests/support/fake_uow.py does the rest)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from services.rewards.adapters.ledger_repo import AwardRow, LedgerRepository, OpenedAccounts, PersonAccount
from services.rewards.adapters.rules_repo import RulesRepository
from services.rewards.domain.errors import InsufficientPoints
from services.rewards.domain.ledger import SYSTEM_ACCOUNTS, AccountKind, Transfer
from services.rewards.domain.rules import DEFAULT_RULES, PARAMS, Rule
from services.rewards.service_layer.unit_of_work import RewardsUnitOfWork
from services.rewards.settings import RewardsSettings
from tests.support.fake_uow import FakeUnitOfWork

NEVER_NEGATIVE = (AccountKind.PERSON, AccountKind.RESERVED)


class FakeLedger(LedgerRepository):
    """Accounts, transactions and awards in dictionaries, with the database's refusals (no overdraft, award once)."""

    def __init__(self) -> None:
        super().__init__(cast(Any, None), OpenedAccounts())
        self.accounts: dict[uuid.UUID, dict[str, Any]] = {}
        self.transactions: dict[uuid.UUID, dict[str, Any]] = {}
        self.postings: list[dict[str, Any]] = []
        self.awards: list[AwardRow] = []
        self.honours: list[dict[str, Any]] = []

    def _find(self, community: str, kind: str, person_id: str | None = None) -> dict[str, Any] | None:
        return next(
            (
                a
                for a in self.accounts.values()
                if a["community"] == community and a["kind"] == kind and a["person_id"] == person_id
            ),
            None,
        )

    def _open(self, community: str, kind: str, person_id: str | None = None, group: int | None = None) -> uuid.UUID:
        found = self._find(community, kind, person_id)
        if found is not None:
            return cast(uuid.UUID, found["id"])
        account_id = uuid.uuid4()
        self.accounts[account_id] = {
            "id": account_id,
            "community": community,
            "kind": kind,
            "person_id": person_id,
            "balance": 0,
            "building_group": group,
            "confirmed_hours": Decimal(0),
            "volunteer_no": f"MH{len(self.accounts):06d}",
        }
        return account_id

    def balance(self, community: str, person_id: str) -> int:
        account = self._find(community, AccountKind.PERSON, person_id)
        return int(account["balance"]) if account else 0

    async def system_accounts(self, community: str) -> dict[AccountKind, uuid.UUID]:
        return {kind: self._open(community, kind) for kind in SYSTEM_ACCOUNTS}

    async def person_account(self, community: str, person_id: str) -> Any:
        return self._find(community, AccountKind.PERSON, person_id)

    async def open_person_account(self, community: str, person_id: str, building_group: int | None = None) -> uuid.UUID:
        account_id = self._open(community, AccountKind.PERSON, person_id, building_group)
        if building_group is not None:
            self.accounts[account_id]["building_group"] = building_group
        return account_id

    async def open_and_lock_people(
        self, community: str, building_groups: Mapping[str, int | None]
    ) -> dict[str, PersonAccount]:
        found = {}
        for person in sorted(building_groups):
            row = self.accounts[self._open(community, AccountKind.PERSON, person, building_groups[person])]
            found[person] = PersonAccount(
                row["id"], person, row["balance"], row["building_group"], row["confirmed_hours"]
            )
        return found

    async def update_people(
        self,
        accounts: Mapping[str, PersonAccount],
        hours_added: Mapping[str, Decimal],
        building_groups: Mapping[str, int | None],
    ) -> None:
        for person, account in accounts.items():
            row = self.accounts[account.id]
            row["confirmed_hours"] += hours_added.get(person, Decimal(0))
            if building_groups.get(person) is not None:
                row["building_group"] = building_groups[person]

    async def lock(self, account_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
        return {i: self.accounts[i]["balance"] for i in account_ids if self.accounts[i]["kind"] != AccountKind.ISSUANCE}

    async def write(self, transfer: Transfer) -> dict[uuid.UUID, int]:
        after = {p.account_id: self.accounts[p.account_id]["balance"] + p.amount for p in transfer.postings}
        if any(self.accounts[i]["kind"] in NEVER_NEGATIVE and value < 0 for i, value in after.items()):
            raise InsufficientPoints("The balance is too low for this.")
        if transfer.reverses is not None and any(
            t["reverses"] == transfer.reverses for t in self.transactions.values()
        ):
            raise RuntimeError("reverses is UNIQUE")
        self.transactions[transfer.id] = {
            "id": transfer.id,
            "community": transfer.community,
            "kind": str(transfer.kind),
            "person_id": transfer.person_id,
            "reverses": transfer.reverses,
        }
        for posting in transfer.postings:
            self.accounts[posting.account_id]["balance"] = after[posting.account_id]
            self.postings.append(
                {"transaction_id": transfer.id, "account_id": posting.account_id, "amount": posting.amount}
            )
        return after

    async def write_many(self, transfers: Sequence[Transfer]) -> dict[tuple[uuid.UUID, uuid.UUID], int]:
        balances = {}
        for transfer in transfers:
            for account, balance in (await self.write(transfer)).items():
                balances[(transfer.id, account)] = balance
        return balances

    async def transaction(self, community: str, transaction_id: uuid.UUID) -> Any:
        found = self.transactions.get(transaction_id)
        return found if found and found["community"] == community else None

    async def is_reversed(self, transaction_id: uuid.UUID) -> bool:
        return any(t["reverses"] == transaction_id for t in self.transactions.values())

    async def postings_of(self, transaction_id: uuid.UUID) -> list[Any]:
        return [p for p in self.postings if p["transaction_id"] == transaction_id]

    async def use_indexed_lookups(self) -> None:
        pass

    async def already_awarded(self, source_event_ids: list[uuid.UUID], rule_id: str) -> set[uuid.UUID]:
        return {a.source_event_id for a in self.awards if a.source_event_id in source_event_ids}

    async def earned_by_day(self, community: str, keys: list[tuple[str, date]]) -> dict[tuple[str, date], int]:
        return {k: sum(a.points for a in self.awards if (a.person_id, a.service_day) == k) for k in keys}

    async def insert_awards(
        self,
        community: str,
        source_event_type: str,
        rule_id: str,
        rule_version: int,
        cap_version: int,
        awards: Sequence[AwardRow],
    ) -> set[uuid.UUID]:
        self.awards.extend(awards)
        return {a.source_event_id for a in awards}

    async def insert_honour(self, community: str, person_id: str, kind: str, **values: Any) -> uuid.UUID | None:
        key = (community, person_id, kind, values.get("level"), values.get("year"))
        if any(h["key"] == key for h in self.honours):
            return None
        honour_id = uuid.uuid4()
        self.honours.append({"id": honour_id, "key": key, **values})
        return honour_id


class FakeRules(RulesRepository):
    """The default rules, version 1, in every community."""

    def __init__(self) -> None:
        super().__init__(cast(Any, None))

    async def current(self, community: str) -> dict[str, Rule]:
        return {
            rule_id: Rule(rule_id, 1, PARAMS[rule_id][0], params, title)
            for rule_id, (params, title) in DEFAULT_RULES.items()
        }


class FakeRewardsUnitOfWork(FakeUnitOfWork[RewardsSettings], RewardsUnitOfWork):
    def __init__(self, at: datetime, **settings: Any) -> None:
        super().__init__("rewards", RewardsSettings(**settings), at=at)
        self.fake_ledger = FakeLedger()
        self.fake_rules = FakeRules()

    @property
    def ledger(self) -> LedgerRepository:
        return self.fake_ledger

    @property
    def rules(self) -> RulesRepository:
        return self.fake_rules

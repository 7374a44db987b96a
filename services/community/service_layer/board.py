"""Commands of the 亮身份 board: a person records or withdraws their own consent."""

from __future__ import annotations

from typing import Any

from services.community.domain.board import BoardEntry, NotOnTheBoard, check_entry
from services.community.service_layer.unit_of_work import CommunityUnitOfWork


async def consent(uow: CommunityUnitOfWork, entry: BoardEntry) -> dict[str, Any]:
    """Record (or change) what the person agrees the board shows."""
    check_entry(entry)
    async with uow:
        return await uow.board.put(entry, uow.now())


async def withdraw(uow: CommunityUnitOfWork, community: str, person_id: str) -> None:
    """Withdraw consent: the entry is deleted in this transaction, so no board answer shows it after."""
    async with uow:
        if not await uow.board.withdraw(community, person_id):
            raise NotOnTheBoard(person_id)

"""Community's unit of work: the kernel's, with one repository per practice on its connection."""

from __future__ import annotations

from dataclasses import dataclass

from services.community.adapters.announcements import AnnouncementRepository
from services.community.adapters.board import BoardRepository
from services.community.adapters.festival import FestivalRepository
from services.community.adapters.initiatives import InitiativeRepository
from services.community.adapters.selections import SelectionRepository
from services.community.adapters.ventures import VentureRepository
from services.community.adapters.visits import VisitRepository
from services.community.adapters.wishes import WishRepository
from services.community.settings import CommunitySettings
from services.kernel.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CommunityComponents:
    """Community's process-wide parts, built once in bootstrap.py."""


class CommunityUnitOfWork(UnitOfWork[CommunitySettings]):
    components: CommunityComponents

    # -- micro-wishes, venture projects, care visits -----------------------------------------

    @property
    def wishes(self) -> WishRepository:
        return WishRepository(self.conn, self.collect)

    @property
    def ventures(self) -> VentureRepository:
        return VentureRepository(self.conn, self.collect)

    @property
    def visits(self) -> VisitRepository:
        return VisitRepository(self.conn, self.collect)

    @property
    def festival(self) -> FestivalRepository:
        return FestivalRepository(self.conn)

    @property
    def selections(self) -> SelectionRepository:
        return SelectionRepository(self.conn)

    @property
    def announcements(self) -> AnnouncementRepository:
        return AnnouncementRepository(self.conn, self.collect)

    @property
    def initiatives(self) -> InitiativeRepository:
        return InitiativeRepository(self.conn, self.collect)

    @property
    def board(self) -> BoardRepository:
        return BoardRepository(self.conn)

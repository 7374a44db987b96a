"""Community's unit of work: the kernel's, with one repository per practice on its connection."""

from __future__ import annotations

from dataclasses import dataclass

from services.community.settings import CommunitySettings
from services.kernel.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CommunityComponents:
    """Community's process-wide parts, built once in bootstrap.py."""


class CommunityUnitOfWork(UnitOfWork[CommunitySettings]):
    components: CommunityComponents

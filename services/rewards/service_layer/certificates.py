"""Volunteer-service certificates: the hours a person served, per red post, certified under a number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import asyncpg

from contracts.enums import PostType
from services.kernel.identity import Principal
from services.rewards.adapters.certificate_pdf import mask_id_number
from services.rewards.domain.errors import NotFoundError
from services.rewards.service_layer.unit_of_work import RewardsUnitOfWork


@dataclass(frozen=True)
class CertificateOrder:
    person_id: str
    person_name: str
    id_document: str
    id_number: str
    period_from: date | None
    period_to: date | None


async def issue(uow: RewardsUnitOfWork, community: str, order: CertificateOrder, *, by: Principal) -> asyncpg.Record:
    """Certify the person's confirmed hours (within the period), numbered `<prefix>-<year>-<serial>`,
    the year the community's; the identity number is kept masked."""
    async with uow:
        account = await uow.ledger.person_account(community, order.person_id)
        if account is None:
            raise NotFoundError("This person has no love-bank account yet.")
        certificates = uow.certificates
        rows = await certificates.hours_by_post(community, order.person_id, order.period_from, order.period_to)
        content = [
            f"{PostType(r['post_type']).label('zh-CN')}志愿服务 {r['hours']:.2f} 小时（{r['times']} 次）" for r in rows
        ]
        hours = sum((r["hours"] for r in rows), Decimal(0))
        year = uow.local_now().year
        serial = await certificates.next_serial()
        certificate = await certificates.insert(
            community,
            f"{uow.settings.rewards_certificate_prefix}-{year}-{serial:06d}",
            {
                "person_id": order.person_id,
                "person_name": order.person_name,
                "id_document": order.id_document,
                "id_number": mask_id_number(order.id_number),
                "volunteer_no": account["volunteer_no"],
                "hours": hours,
                "content": content,
                "period_from": order.period_from,
                "period_to": order.period_to,
                "issued_by": by.sub,
            },
        )
        await uow.audit(
            "certificate.issued",
            certificate["id"],
            by,
            {"person_id": order.person_id, "number": certificate["number"], "hours": hours},
        )
        return certificate

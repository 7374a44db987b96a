"""Community's micro-wishes, venture projects and care visits reach the people they concern."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from contracts.events.community import VentureReturned, VisitPlanned, WishConfirmed, WishFulfilled
from services.notifications.bootstrap import create
from services.notifications.domain.routing import plan
from tests.notifications.conftest import MORNING, MakeSettings
from tests.notifications.support import publish, wrap
from tests.support.infra import Tokens, eventually, running


async def test_a_planned_care_visit_reaches_the_volunteers_inbox(
    make_settings: MakeSettings, tokens: Tokens, nats_url: str
) -> None:
    visit = VisitPlanned(
        visit_id=uuid.uuid4(), year=2026, volunteer_id="wang-fang", planned_for=date(2026, 12, 20),
        visitors=["zhang-wei", "li-na"], points=300, hours=10.0, planned_by="zhang-wei", planned_at=MORNING,
    )  # fmt: skip
    app = create(make_settings(notifications_smtp_host=""))
    async with running(app) as client:
        await publish(nats_url, wrap(visit, "community", str(visit.visit_id)))
        volunteer = tokens.headers("wang-fang", "volunteer")

        async def inbox() -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = (await client.get("/inbox", headers=volunteer)).json()["items"]
            return items

        [item] = await eventually(inbox, message="the visit in the volunteer's inbox")
        visitor = (await client.get("/inbox", headers=tokens.headers("zhang-wei", "committee"))).json()["items"]

    assert item["subject"] == "走访慰问通知"
    assert "2026-12-20" in item["body"]
    assert visitor == []


def test_wish_and_venture_events_reach_the_family_the_claimer_and_the_lead_only() -> None:
    wish: dict[str, Any] = {"wish_id": uuid.uuid4(), "title": "想要一套儿童绘本", "claimer_name": "王芳"}
    fulfilled = WishFulfilled(
        **wish, family_id="sun-hao", claimer_kind="person", claimer_id="wang-fang", note="已送到", fulfilled_at=MORNING
    )
    by_person = WishConfirmed(**wish, claimer_kind="person", claimer_id="wang-fang", confirmed_at=MORNING)
    by_unit = WishConfirmed(**wish, claimer_kind="unit", claimer_id=None, confirmed_at=MORNING)
    returned = VentureReturned(
        venture_id=uuid.uuid4(), title="湖畔净滩行动", post_type="environment", lead_id="liu-yang",
        budget=Decimal("1200.50"), reason="预算请列明细", returned_by="li-na", returned_at=MORNING,
    )  # fmt: skip

    def told(name: str, data: Any) -> list[tuple[str, str]]:
        return [(p.person_id, p.template) for p in plan(name, data).people]

    assert told("wish.fulfilled", fulfilled) == [("sun-hao", "wish.fulfilled")]
    assert told("wish.confirmed", by_person) == [("wang-fang", "wish.confirmed")]
    assert told("wish.confirmed", by_unit) == []
    assert told("venture.returned", returned) == [("liu-yang", "venture.returned")]

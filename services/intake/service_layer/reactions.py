"""What intake does when other services' events arrive, and the auto-close sweep.

Decisions about issues intake does not know, or that are no longer `referred`, are
logged and ignored (the event is recorded as processed): intake emitted the referral
itself before the council could answer it, so such an event can never become
applicable later, and retrying it would only crash-loop into the dead-letter stream.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

import asyncpg

from contracts.enums import IssueCategory, IssueChannel
from contracts.enums import IssueStatus as S
from contracts.envelope import CloudEvent
from contracts.events.deliberation import DecisionAdopted, DecisionRejected, SuggestionForwarded
from services.intake.adapters import repository
from services.intake.domain.issue import AUTO_CLOSE_AFTER, Issue
from services.intake.service_layer.commands import NewIssue, now, submit
from services.kernel.db import Connection
from services.kernel.outbox import Outbox

log = logging.getLogger("linli.intake.reactions")
OUTBOX = Outbox("intake")
SUGGESTION_NAMESPACE = uuid.UUID("5b0c2a4e-8f3e-4d55-9f0e-1c9a8e7d6b21")


async def _referred_issue(conn: Connection, community: str, data: DecisionAdopted | DecisionRejected) -> Issue | None:
    if data.issue_id is None:
        return None
    issue = await repository.get_for_update(conn, data.issue_id)
    if issue is None or issue.community != community:
        log.warning("decision %s names unknown issue %s; ignored", data.decision_id, data.issue_id)
        return None
    if issue.status != S.REFERRED:
        log.warning(
            "decision %s names issue %s which is %s, not referred; ignored", data.decision_id, issue.id, issue.status
        )
        return None
    return issue


async def on_decision_adopted(conn: Connection, event: CloudEvent[DecisionAdopted]) -> None:
    """The council adopted a decision on a referred issue: work starts, the decision attached."""
    issue = await _referred_issue(conn, event.community, event.data)
    if issue is None:
        return
    data = event.data
    note = f"council decision adopted: {data.title}. {data.action_plan}"[:2000]
    issue.start(None, note, now(), decision_id=data.decision_id)
    await repository.save(conn, issue, OUTBOX)


async def on_decision_rejected(conn: Connection, event: CloudEvent[DecisionRejected]) -> None:
    """The council rejected the motion: the issue goes back to the committees' queue (submitted)."""
    issue = await _referred_issue(conn, event.community, event.data)
    if issue is None:
        return
    data = event.data
    issue.return_to_queue(None, (data.note or data.title)[:1900], now(), data.decision_id)
    await repository.save(conn, issue, OUTBOX)


async def on_suggestion_forwarded(conn: Connection, event: CloudEvent[SuggestionForwarded]) -> None:
    """A women's-council suggestion becomes an issue of category suggestion, channel council.

    Its id derives from the suggestion's, so the same suggestion forwarded twice is one issue."""
    data = event.data
    issue_id = uuid.uuid5(SUGGESTION_NAMESPACE, f"{event.community}:{data.suggestion_id}")
    if await conn.fetchval("SELECT true FROM issues WHERE id = $1", issue_id):
        return
    new = NewIssue(
        community=event.community,
        category=IssueCategory.SUGGESTION,
        title=data.title,
        reporter_id=data.forwarded_by or f"council:{data.council_id}",
        channel=IssueChannel.COUNCIL,
        description=data.description,
        building_group=data.building_group,
        extra={"attributes": {"council_id": str(data.council_id), "decision_id": str(data.decision_id)}},
    )
    await submit(conn, OUTBOX, new, held=False, issue_id=issue_id)


async def auto_close_due(pool: asyncpg.Pool, outbox: Outbox, at: datetime | None = None, batch: int = 100) -> int:
    """Close issues resolved more than 7 days ago; safe with several instances (SKIP LOCKED). Returns how many."""
    moment = at or now()
    closed = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            ids = await conn.fetch(
                """SELECT id FROM issues WHERE status = 'resolved' AND resolved_at <= $1
                   ORDER BY resolved_at LIMIT $2 FOR UPDATE SKIP LOCKED""",
                moment - AUTO_CLOSE_AFTER,
                batch,
            )
            for row in ids:
                issue = await repository.get_for_update(conn, row["id"])
                assert issue is not None
                issue.auto_close(moment)
                await repository.save(conn, issue, outbox)
        closed += len(ids)
        if len(ids) < batch:
            return closed

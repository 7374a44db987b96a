"""What intake does when other services' events arrive.

Decisions about issues intake does not know, or that are no longer `referred`, are
logged and ignored (the event is recorded as processed): intake emitted the referral
itself before the council could answer it, so such an event can never become
applicable later, and retrying it would only crash-loop into the dead-letter stream.
"""

from __future__ import annotations

import logging
import uuid

from contracts.enums import IssueCategory, IssueChannel
from contracts.enums import IssueStatus as S
from contracts.envelope import CloudEvent
from contracts.events.deliberation import DecisionAdopted, DecisionRejected, SuggestionForwarded
from services.intake.domain.issue import Issue
from services.intake.service_layer.commands import NewIssue, submit
from services.intake.service_layer.unit_of_work import IntakeUnitOfWork

log = logging.getLogger("linli.intake.reactions")
SUGGESTION_NAMESPACE = uuid.UUID("5b0c2a4e-8f3e-4d55-9f0e-1c9a8e7d6b21")


async def _referred_issue(
    uow: IntakeUnitOfWork, community: str, data: DecisionAdopted | DecisionRejected
) -> Issue | None:
    if data.issue_id is None:
        return None
    issue = await uow.issues.get_for_update(data.issue_id)
    if issue is None or issue.community != community:
        log.warning("decision %s names unknown issue %s; ignored", data.decision_id, data.issue_id)
        return None
    if issue.status != S.REFERRED:
        log.warning(
            "decision %s names issue %s which is %s, not referred; ignored", data.decision_id, issue.id, issue.status
        )
        return None
    return issue


async def on_decision_adopted(uow: IntakeUnitOfWork, event: CloudEvent[DecisionAdopted]) -> None:
    """The council adopted a decision on a referred issue: work starts, the decision attached."""
    async with uow:
        issue = await _referred_issue(uow, event.community, event.data)
        if issue is None:
            return
        data = event.data
        note = f"council decision adopted: {data.title}. {data.action_plan}"[:2000]
        issue.start(None, note, uow.now(), decision_id=data.decision_id)
        await uow.issues.save(issue)


async def on_decision_rejected(uow: IntakeUnitOfWork, event: CloudEvent[DecisionRejected]) -> None:
    """The council rejected the motion: the issue goes back to the committees' queue (submitted)."""
    async with uow:
        issue = await _referred_issue(uow, event.community, event.data)
        if issue is None:
            return
        data = event.data
        issue.return_to_queue(None, (data.note or data.title)[:1900], uow.now(), data.decision_id)
        await uow.issues.save(issue)


async def on_suggestion_forwarded(uow: IntakeUnitOfWork, event: CloudEvent[SuggestionForwarded]) -> None:
    """A women's-council suggestion becomes an issue of category suggestion, channel council.

    Its id derives from the suggestion's, so the same suggestion forwarded twice is one issue."""
    data = event.data
    issue_id = uuid.uuid5(SUGGESTION_NAMESPACE, f"{event.community}:{data.suggestion_id}")
    async with uow:
        if await uow.issues.exists(issue_id):
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
        await submit(uow, new, held=False, issue_id=issue_id)

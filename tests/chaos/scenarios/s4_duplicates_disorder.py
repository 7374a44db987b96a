"""4. Duplicates and disorder reaching the rewards service, published straight to NATS.

Duplicates: one participation.completed CloudEvent published 5 times with the same
Nats-Msg-Id (JetStream must store it once) and another published 5 times with
different Nats-Msg-Ids (as after the duplicate window, or an operator's replay: stored 5
times, the consumer must apply it once). The issue events of one issue are also sent 5
times each.
Disorder: for issue A, issue.closed arrives before its issue.resolved; issue B gets the
same events in order. Each contributor must be paid once per event and rule, and the
contributors of A must end with exactly what B's have: the order changes nothing."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.enums import IssueCategory, IssueStatus
from contracts.envelope import CloudEvent
from contracts.events.issue import IssueClosed, IssueResolved
from tests.chaos.common import Context, log, record_tally, until
from tests.chaos.results import Row
from tests.chaos.stack import ChaosStack
from tests.chaos.streams import event_ids
from tests.chaos.workloads import ShiftsToRewards

COPIES = 5
CONSUMERS = ("rewards__participation_completed", "rewards__issue_resolved", "rewards__issue_closed")


def issue_events(contributors: list[str]) -> tuple[CloudEvent[IssueResolved], CloudEvent[IssueClosed]]:
    issue_id = uuid.uuid4()
    common = {"issue_id": issue_id, "category": IssueCategory.REPAIRS, "title": "楼道灯不亮 corridor light"}
    resolved = CloudEvent.wrap(
        IssueResolved(
            **common,
            status=IssueStatus.RESOLVED,
            resolution_summary="Replaced the bulb",
            contributors=contributors,
            resolved_at=datetime.now(UTC) - timedelta(minutes=5),
        ),
        community="meihu",
        service="intake",
        subject=str(issue_id),
    )
    closed = CloudEvent.wrap(
        IssueClosed(
            **common,
            status=IssueStatus.CLOSED,
            previous_status=IssueStatus.RESOLVED,
            satisfaction=5,
            contributors=contributors,
            resolved_event_id=resolved.id,
        ),
        community="meihu",
        service="intake",
        subject=str(issue_id),
    )
    return resolved, closed


async def run(ctx: Context) -> Row:
    row = Row("4", f"duplicates (x{COPIES}) and issue.closed before issue.resolved")
    async with ChaosStack.started(ctx.dir("4"), services=("rewards",), env=ctx.stack_env()) as stack:
        shifts = ShiftsToRewards()
        same_id, new_ids = shifts.event(1), shifts.event(2)
        a_people, b_people = ["chaos-a1", "chaos-a2"], ["chaos-b1", "chaos-b2"]
        a_resolved, a_closed = issue_events(a_people)
        b_resolved, b_closed = issue_events(b_people)
        published = 0
        async with stack.jetstream() as js:

            async def publish(event: CloudEvent[Any], msg_id: str) -> None:
                nonlocal published
                await js.publish(event.nats_subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": msg_id})
                published += 1

            for n in range(COPIES):
                await publish(same_id, str(same_id.id))
                await publish(new_ids, f"{new_ids.id}:copy{n}")
            # A: closed first (every copy of it), then resolved; B: in order.
            for n in range(COPIES):
                await publish(a_closed, f"{a_closed.id}:copy{n}")
            for n in range(COPIES):
                await publish(a_resolved, f"{a_resolved.id}:copy{n}")
            for event in (b_resolved, b_closed):
                for n in range(COPIES):
                    await publish(event, f"{event.id}:copy{n}")
            stored = await event_ids(js, "LINLI_SHIFTS", same_id.nats_subject)
        log(f"published {published} messages")
        started = time.monotonic()
        expected = {
            str(same_id.id): 1,
            str(new_ids.id): 1,
            str(a_resolved.id): 2,
            str(a_closed.id): 2,
            str(b_resolved.id): 2,
            str(b_closed.id): 2,
        }

        async def settled() -> bool:
            async with stack.jetstream() as js:
                for durable in CONSUMERS:
                    stream = "LINLI_SHIFTS" if "participation" in durable else "LINLI_INTAKE"
                    info = await js.consumer_info(stream, durable)
                    if info.num_pending or info.num_ack_pending:
                        return False
            count = await stack.fetchval(
                "SELECT count(*) FROM rewards.awards WHERE source_event_id = ANY($1::uuid[])", list(expected)
            )
            return bool(count >= sum(expected.values()))

        took = await until(settled, timeout=90)
        await asyncio.sleep(1.0)  # any late copy would land now
        row.recovery = None if took is None else time.monotonic() - started
        rows = await stack.fetch(
            """SELECT source_event_id::text AS event, person_id, rule_id, count(*) AS n, sum(points) AS points
               FROM rewards.awards WHERE source_event_id = ANY($1::uuid[]) GROUP BY 1, 2, 3""",
            list(expected),
        )
        per_event: dict[str, int] = {}
        doubled = 0
        for r in rows:
            per_event[r["event"]] = per_event.get(r["event"], 0) + 1
            doubled += r["n"] - 1
        applied = sum(min(per_event.get(e, 0), n) for e, n in expected.items())
        record_tally(row, published, applied, sum(expected.values()) - applied, doubled)
        row.notes.append(f"{published} messages published for {len(expected)} distinct events")
        row.check(
            f"JetStream stored the same-Nats-Msg-Id event once ({stored[str(same_id.id)]}) and the re-identified "
            f"copies {COPIES} times ({stored[str(new_ids.id)]})",
            stored[str(same_id.id)] == 1 and stored[str(new_ids.id)] == COPIES,
        )
        row.check(
            "each event paid each person once ("
            + ", ".join(f"{per_event.get(e, 0)}/{n}" for e, n in expected.items())
            + ")",
            all(per_event.get(e, 0) == n for e, n in expected.items()) and doubled == 0,
        )
        balances = await _balances(stack, a_people + b_people)
        row.check(
            f"closed-before-resolved ends as in order: A {balances[a_people[0]]}/{balances[a_people[1]]} points, "
            f"B {balances[b_people[0]]}/{balances[b_people[1]]}",
            balances[a_people[0]] == balances[b_people[0]] == balances[a_people[1]] == balances[b_people[1]] > 0,
        )
        await shifts.check_ledger(stack, row)
    return row


async def _balances(stack: ChaosStack, people: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    async with stack.client("rewards") as client:
        for person in people:
            response = await client.get(f"/accounts/{person}", headers=stack.headers("admin"))
            out[person] = int(response.json().get("balance", -1)) if response.status_code == 200 else -1
    return out

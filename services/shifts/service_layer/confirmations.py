"""The post leader confirms each participant: completed (with counted hours) or no_show."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from contracts.enums import PostType
from contracts.events.shifts import ParticipationCompleted, ParticipationNoShow
from services.kernel.db import Connection
from services.kernel.outbox import Outbox
from services.kernel.problems import NotFound
from services.shifts.adapters import repository as repo
from services.shifts.adapters.repository import Row
from services.shifts.domain import rules
from services.shifts.domain.rules import Reason, RuleBroken, SignupPolicy


@dataclass(frozen=True)
class Confirmation:
    volunteer_id: str
    outcome: Literal["completed", "no_show"]
    hours: float | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Confirmed:
    participation: Row
    new: bool
    suspended: bool = False


async def confirm(
    conn: Connection,
    outbox: Outbox,
    *,
    community: str,
    shift: Row,
    volunteer: Row | None,
    item: Confirmation,
    by: str,
    now: datetime,
    policy: SignupPolicy,
) -> Confirmed:
    """Record one participant's outcome once: the unique (shift, volunteer) key makes a second
    confirmation return the first one and emit nothing. The caller holds the volunteer's row
    lock and then the shift's (the lock order of a sign-up) and passes both rows."""
    shift_id: uuid.UUID = shift["id"]
    existing = await conn.fetchrow(
        "SELECT * FROM participations WHERE shift_id = $1 AND volunteer_id = $2", shift_id, item.volunteer_id
    )
    if existing is not None:
        if existing["outcome"] != item.outcome:
            raise RuleBroken(
                Reason.ALREADY_CONFIRMED,
                f"Already confirmed as {existing['outcome']}.",
                "该志愿者的参与情况已确认。",
                participation_id=str(existing["id"]),
                outcome=existing["outcome"],
            )
        return Confirmed(existing, new=False)
    if shift["status"] != "scheduled":
        raise RuleBroken(Reason.SHIFT_CANCELLED, "This shift has been cancelled.", "该班次已取消。")
    if now < shift["starts_at"]:
        raise RuleBroken(
            Reason.NOT_STARTED,
            "Participation can be confirmed once the shift has started.",
            "班次开始后才能确认参与情况。",
        )
    signup = await repo.live_signup(conn, shift_id, item.volunteer_id)
    if signup is None or signup["status"] != "confirmed":
        raise NotFound("No confirmed sign-up of this volunteer for this shift.", volunteer_id=item.volunteer_id)
    assert volunteer is not None  # a confirmed sign-up implies a registered volunteer
    if item.outcome == "completed":
        counted = rules.counted_service(
            rules.Planned(shift["starts_at"], shift["ends_at"]),
            checked_in_at=signup["checked_in_at"],
            checked_out_at=signup["checked_out_at"],
            hours=item.hours,
            reason=item.reason,
        )
        row = await _insert(conn, shift, item.volunteer_id, community, "completed", by, now, counted)
        await outbox.emit(
            conn,
            ParticipationCompleted(
                participation_id=row["id"],
                shift_id=shift_id,
                volunteer_id=item.volunteer_id,
                post_type=PostType(shift["post_type"]),
                building_group=volunteer["building_group"],
                hours=float(row["hours"]),
                started_at=counted.started_at,
                ended_at=counted.ended_at,
                confirmed_by=by,
                confirmed_at=now,
            ),
            community=community,
            subject=item.volunteer_id,
        )
        return Confirmed(row, new=True)
    row = await _insert(conn, shift, item.volunteer_id, community, "no_show", by, now, None)
    await outbox.emit(
        conn,
        ParticipationNoShow(
            participation_id=row["id"],
            shift_id=shift_id,
            volunteer_id=item.volunteer_id,
            post_type=PostType(shift["post_type"]),
            confirmed_by=by,
            confirmed_at=now,
        ),
        community=community,
        subject=item.volunteer_id,
    )
    suspended = await _suspend_if_needed(conn, volunteer, now, policy)
    return Confirmed(row, new=True, suspended=suspended)


async def _insert(
    conn: Connection,
    shift: Row,
    volunteer_id: str,
    community: str,
    outcome: str,
    by: str,
    now: datetime,
    counted: rules.CountedService | None,
) -> Row:
    row = await conn.fetchrow(
        """INSERT INTO participations (id, shift_id, community, volunteer_id, post_id, outcome, hours, started_at,
                                       ended_at, hours_source, hours_reason, confirmed_by, confirmed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *""",
        uuid.uuid4(),
        shift["id"],
        community,
        volunteer_id,
        shift["post_id"],
        outcome,
        counted.hours if counted else None,
        counted.started_at if counted else None,
        counted.ended_at if counted else None,
        counted.source if counted else None,
        counted.reason if counted else None,
        by,
        now,
    )
    assert row is not None
    return row


async def _suspend_if_needed(conn: Connection, volunteer: Row, now: datetime, policy: SignupPolicy) -> bool:
    """Too many no-shows in the window (counting only those after the last re-approval) suspend the volunteer."""
    since = now - policy.no_show_window
    if volunteer["approved_at"] is not None:
        since = max(since, volunteer["approved_at"])
    count = await repo.recent_no_shows(conn, volunteer["community"], volunteer["id"], since)
    if volunteer["suspended_at"] is None and rules.should_suspend(count, policy):
        await conn.execute(
            """UPDATE volunteers SET suspended_at = $3, suspended_reason = $4, updated_at = $3
               WHERE community = $1 AND id = $2""",
            volunteer["community"],
            volunteer["id"],
            now,
            f"{count} no-shows since {since.date().isoformat()}",
        )
        return True
    return False

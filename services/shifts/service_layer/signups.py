"""Sign-up, cancellation (with waitlist promotion), check-in and check-out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from contracts.enums import VolunteerKind
from services.kernel.db import Connection
from services.kernel.outbox import Outbox
from services.kernel.problems import NotFound
from services.shifts.adapters import repository as repo
from services.shifts.adapters.repository import Row
from services.shifts.domain import rules
from services.shifts.domain.rules import Reason, RuleBroken, SignupPolicy
from services.shifts.service_layer import events


@dataclass(frozen=True)
class SignupResult:
    signup: Row
    waitlist_position: int | None


async def locked_shift(conn: Connection, community: str, shift_id: uuid.UUID) -> Row:
    shift = await repo.shift(conn, community, shift_id, lock=True)
    if shift is None:
        raise NotFound("No such shift.", shift_id=str(shift_id))
    return shift


async def waitlist_position(conn: Connection, signup: Row) -> int:
    position: int = await conn.fetchval(
        "SELECT count(*) FROM signups WHERE shift_id = $1 AND status = 'waitlisted' AND queued_seq <= $2",
        signup["shift_id"],
        signup["queued_seq"],
    )
    return position


async def sign_up(
    conn: Connection,
    outbox: Outbox,
    *,
    community: str,
    shift_id: uuid.UUID,
    volunteer_id: str,
    by: str,
    by_leader: bool,
    now: datetime,
    policy: SignupPolicy,
) -> SignupResult:
    """Confirmed within capacity, else waitlisted. Locks the volunteer, then the shift: the shift's row
    lock serialises every sign-up for it, so concurrent requests never exceed capacity; the volunteer's
    lock stops one person taking two overlapping shifts at once. Cancellation takes only the shift
    lock, so the lock order never inverts."""
    volunteer = await repo.volunteer(conn, community, volunteer_id, lock=True)
    if volunteer is None:
        raise NotFound(
            "This person is not registered as a volunteer.",
            volunteer_id=volunteer_id,
            detail_zh="此人尚未登记为志愿者。",
        )
    shift = await locked_shift(conn, community, shift_id)
    view = await repo.shift_view(conn, shift)
    rules.check_open_shift(view, now)
    existing = await repo.live_signup(conn, shift_id, volunteer_id)
    if existing is not None:
        raise RuleBroken(
            Reason.ALREADY_SIGNED_UP,
            f"Already signed up ({existing['status']}).",
            "已报名该班次。",
            signup_id=str(existing["id"]),
            status=existing["status"],
        )
    overlap = await repo.overlapping(conn, community, volunteer_id, shift_id, shift["starts_at"], shift["ends_at"])
    status = rules.decide_signup(
        view,
        kind=VolunteerKind(volunteer["kind"]),
        suspended=volunteer["suspended_at"] is not None,
        overlap=overlap,
        now=now,
        policy=policy,
        by_leader=by_leader,
    )
    signup = await conn.fetchrow(
        """INSERT INTO signups (id, shift_id, community, volunteer_id, status, signed_up_by, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *""",
        uuid.uuid4(),
        shift_id,
        community,
        volunteer_id,
        status,
        by,
        now,
    )
    assert signup is not None
    column = "confirmed_count" if status == "confirmed" else "waitlist_count"
    await conn.execute(f"UPDATE shifts SET {column} = {column} + 1 WHERE id = $1", shift_id)
    await outbox.emit(conn, events.signup_created(signup, shift), community=community, subject=shift_id)
    position = await waitlist_position(conn, signup) if status == "waitlisted" else None
    return SignupResult(signup, position)


async def cancel_signup(
    conn: Connection,
    outbox: Outbox,
    *,
    community: str,
    shift_id: uuid.UUID,
    volunteer_id: str,
    by: str,
    by_leader: bool,
    now: datetime,
    policy: SignupPolicy,
) -> list[Row]:
    """Cancel a sign-up and promote from the waitlist; returns the promoted sign-ups."""
    shift = await locked_shift(conn, community, shift_id)
    signup = await repo.live_signup(conn, shift_id, volunteer_id)
    if signup is None:
        raise NotFound("No live sign-up of this volunteer for this shift.", volunteer_id=volunteer_id)
    view = await repo.shift_view(conn, shift)
    rules.check_cancellation(view, status=signup["status"], now=now, policy=policy, by_leader=by_leader)
    cancelled = await conn.fetchrow(
        """UPDATE signups SET status = 'cancelled', cancelled_at = $2, cancelled_by = $3
           WHERE id = $1 RETURNING *""",
        signup["id"],
        now,
        by,
    )
    assert cancelled is not None
    column = "confirmed_count" if signup["status"] == "confirmed" else "waitlist_count"
    await conn.execute(f"UPDATE shifts SET {column} = {column} - 1 WHERE id = $1", shift_id)
    await outbox.emit(conn, events.signup_cancelled(cancelled, shift), community=community, subject=shift_id)
    return await promote(conn, outbox, community=community, shift_id=shift_id, now=now)


async def promote(conn: Connection, outbox: Outbox, *, community: str, shift_id: uuid.UUID, now: datetime) -> list[Row]:
    """Fill free places from the waitlist (caller holds the shift's row lock)."""
    shift = await locked_shift(conn, community, shift_id)
    if shift["status"] != "scheduled" or now >= shift["ends_at"]:
        return []
    view = await repo.shift_view(conn, shift)
    promoted: list[Row] = []
    for signup_id in rules.to_promote(view, await repo.waitlist(conn, shift_id)):
        row = await conn.fetchrow(
            "UPDATE signups SET status = 'confirmed', promoted_at = $2 WHERE id = $1 RETURNING *",
            uuid.UUID(signup_id),
            now,
        )
        assert row is not None
        promoted.append(row)
        await outbox.emit(conn, events.signup_promoted(row, shift), community=community, subject=shift_id)
    if promoted:
        await conn.execute(
            """UPDATE shifts SET confirmed_count = confirmed_count + $2, waitlist_count = waitlist_count - $2
               WHERE id = $1""",
            shift_id,
            len(promoted),
        )
    return promoted


async def check_in(
    conn: Connection, *, community: str, shift_id: uuid.UUID, volunteer_id: str, now: datetime, policy: SignupPolicy
) -> Row:
    shift = await locked_shift(conn, community, shift_id)
    signup = await _confirmed_signup(conn, shift_id, volunteer_id)
    rules.check_check_in(await repo.shift_view(conn, shift), now=now, policy=policy)
    if signup["checked_in_at"] is not None:
        return signup
    row = await conn.fetchrow("UPDATE signups SET checked_in_at = $2 WHERE id = $1 RETURNING *", signup["id"], now)
    assert row is not None
    return row


async def check_out(conn: Connection, *, community: str, shift_id: uuid.UUID, volunteer_id: str, now: datetime) -> Row:
    await locked_shift(conn, community, shift_id)
    signup = await _confirmed_signup(conn, shift_id, volunteer_id)
    if signup["checked_in_at"] is None:
        raise RuleBroken(Reason.NOT_CHECKED_IN, "Check in before checking out.", "请先签到再签退。")
    if signup["checked_out_at"] is not None:
        return signup
    row = await conn.fetchrow(
        "UPDATE signups SET checked_out_at = $2 WHERE id = $1 RETURNING *",
        signup["id"],
        max(now, signup["checked_in_at"]),
    )
    assert row is not None
    return row


async def _confirmed_signup(conn: Connection, shift_id: uuid.UUID, volunteer_id: str) -> Row:
    signup = await repo.live_signup(conn, shift_id, volunteer_id)
    if signup is None or signup["status"] != "confirmed":
        raise NotFound("No confirmed sign-up of this volunteer for this shift.", volunteer_id=volunteer_id)
    return signup

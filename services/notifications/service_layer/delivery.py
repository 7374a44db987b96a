"""The delivery worker: drains the queue of e-mails, WeCom messages and webhook deliveries.

A due row is claimed (FOR UPDATE SKIP LOCKED, then hidden for a lease), sent outside any
transaction, and its outcome written with the attempt log and a notification.delivered or
notification.failed event in one transaction. Several instances may run side by side; a
worker that dies mid-send leaves the row to be tried again when the lease ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
import httpx

from contracts.events.notification import NotificationFailed
from services.kernel.clock import Clock
from services.notifications.adapters import channels
from services.notifications.adapters.channels import Outcome
from services.notifications.domain.retry import RetryPolicy
from services.notifications.service_layer.messages import OUTBOX, Source, announce_delivery
from services.notifications.settings import NotificationSettings

log = logging.getLogger("linli.notifications.delivery")

_CLAIM = """
UPDATE notifications n SET attempts = n.attempts + 1, next_attempt_at = $2
FROM (SELECT id FROM notifications
      WHERE status = 'pending' AND next_attempt_at <= $1
      ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) due
WHERE n.id = due.id
RETURNING n.*
"""


@dataclass
class DeliveryWorker:
    settings: NotificationSettings
    clock: Clock
    http: httpx.AsyncClient

    def policy(self, channel: str) -> RetryPolicy:
        s = self.settings
        if channel == "webhook":
            return RetryPolicy(
                s.notifications_retry_base, s.notifications_retry_max, s.notifications_webhook_retry_window, None
            )
        return RetryPolicy(s.notifications_retry_base, s.notifications_retry_max, None, s.notifications_max_attempts)

    async def tick(self, pool: asyncpg.Pool) -> int:
        """Claim and send one batch of due deliveries; returns how many were claimed."""
        now = self.clock.now()
        lease = now + timedelta(seconds=self.settings.notifications_lease)
        rows = await pool.fetch(_CLAIM, now, lease, self.settings.notifications_worker_batch)
        await asyncio.gather(*(self._deliver(pool, row) for row in rows))
        return len(rows)

    async def _deliver(self, pool: asyncpg.Pool, row: asyncpg.Record) -> None:
        started = time.perf_counter()
        try:
            outcome = await self._send(pool, row)
        except Exception as exc:  # a bug in one delivery must not stop the others
            log.exception("delivery %s failed unexpectedly", row["id"])
            outcome = Outcome(False, error=f"{type(exc).__name__}: {exc}")
        if outcome is None:
            return
        await self._finish(pool, row, outcome, int((time.perf_counter() - started) * 1000))

    async def _send(self, pool: asyncpg.Pool, row: asyncpg.Record) -> Outcome | None:
        channel = row["channel"]
        if channel == "email":
            return await channels.send_email(
                self.settings, row["address"], row["subject"], row["body"], row["language"] or "zh-CN", str(row["id"])
            )
        if channel == "wecom":
            if not await self._take_robot_slot(pool, row):
                return None  # over the robot's rate: rescheduled, not counted as a try
            return await channels.send_wecom(
                self.http, row["address"], row["body"], self.settings.notifications_wecom_window
            )
        if channel == "webhook":
            sub = await pool.fetchrow(
                "SELECT url, secret, previous_secret, previous_secret_expires, active FROM subscriptions WHERE id = $1::uuid",
                row["recipient"],
            )
            if sub is None or not sub["active"]:
                return Outcome(False, error="the subscription was removed", final=True)
            secrets = [sub["secret"]]
            if (
                sub["previous_secret"]
                and sub["previous_secret_expires"]
                and sub["previous_secret_expires"] > self.clock.now()
            ):
                secrets.append(sub["previous_secret"])
            return await channels.send_webhook(self.http, sub["url"], str(row["id"]), row["body"], secrets)
        return Outcome(False, error=f"unknown channel {channel}")

    async def _take_robot_slot(self, pool: asyncpg.Pool, row: asyncpg.Record) -> bool:
        """At most `wecom_limit` messages per window per robot, counted in the database for every instance."""
        window = timedelta(seconds=self.settings.notifications_wecom_window)
        now = self.clock.now()
        robot = row["address"]
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", robot)
            await conn.execute("DELETE FROM wecom_sends WHERE robot = $1 AND sent_at <= $2", robot, now - window)
            counted = await conn.fetchrow("SELECT count(*), min(sent_at) FROM wecom_sends WHERE robot = $1", robot)
            assert counted is not None
            sent, oldest = counted[0], counted[1]
            if sent >= self.settings.notifications_wecom_limit:
                await conn.execute(
                    "UPDATE notifications SET attempts = attempts - 1, next_attempt_at = $2 WHERE id = $1 AND status = 'pending'",
                    row["id"],
                    oldest + window,
                )
                return False
            await conn.execute("INSERT INTO wecom_sends (robot, sent_at) VALUES ($1, $2)", robot, now)
            return True

    async def _finish(self, pool: asyncpg.Pool, row: asyncpg.Record, outcome: Outcome, duration_ms: int) -> None:
        now = self.clock.now()
        source = Source(row["event_id"], row["event_type"], row["community"])
        async with pool.acquire() as conn, conn.transaction():
            current = await conn.fetchrow(
                "SELECT status, attempts, retry_from FROM notifications WHERE id = $1 FOR UPDATE", row["id"]
            )
            if current is None or current["status"] != "pending" or current["attempts"] != row["attempts"]:
                return  # another worker took over after our lease ran out
            await conn.execute(
                """INSERT INTO delivery_attempts (notification_id, attempt, at, ok, status_code, error, duration_ms)
                   VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                row["id"],
                row["attempts"],
                now,
                outcome.ok,
                outcome.status_code,
                outcome.error,
                duration_ms,
            )
            if outcome.ok:
                await conn.execute(
                    """UPDATE notifications SET status = 'delivered', delivered_at = $2, next_attempt_at = NULL,
                       last_error = NULL WHERE id = $1""",
                    row["id"],
                    now,
                )
                await announce_delivery(conn, row["id"], source, row["recipient"], row["channel"], row["attempts"], now)
                return
            next_try = self._next_try(row["channel"], row["attempts"], current["retry_from"], now, outcome)
            if next_try is not None:
                await conn.execute(
                    "UPDATE notifications SET next_attempt_at = $2, last_error = $3 WHERE id = $1",
                    row["id"],
                    next_try,
                    outcome.error,
                )
                return
            await conn.execute(
                "UPDATE notifications SET status = 'failed', next_attempt_at = NULL, last_error = $2 WHERE id = $1",
                row["id"],
                outcome.error,
            )
            await OUTBOX.emit(
                conn,
                NotificationFailed(
                    notification_id=row["id"],
                    source_event_id=source.event_id,
                    source_event_type=source.event_type,
                    recipient=row["recipient"],
                    channel=row["channel"],
                    attempts=row["attempts"],
                    reason=(outcome.error or "failed")[:2000],
                    failed_at=now,
                ),
                community=source.community,
                subject=row["id"],
            )

    def _next_try(
        self, channel: str, attempts: int, retry_from: datetime, now: datetime, outcome: Outcome
    ) -> datetime | None:
        if outcome.final:
            return None
        policy = self.policy(channel)
        at = policy.next_try(attempts=attempts, retry_from=retry_from, now=now)
        if at is not None and outcome.retry_after is not None:
            at = max(at, now + timedelta(seconds=outcome.retry_after))
        return at

"""The delivery worker: drains the queue of e-mails, WeCom messages and webhook deliveries.

A due row is claimed (FOR UPDATE SKIP LOCKED, then hidden for a lease) in one statement, sent
outside any transaction, and its outcome written with the attempt log and a notification.delivered
or notification.failed event in one unit of work. Several instances may run side by side; a
worker that dies mid-send leaves the row to be tried again when the lease ends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg
import httpx

from contracts.events.notification import NotificationFailed
from services.notifications.adapters import channels, destinations, queries
from services.notifications.adapters.channels import Outcome
from services.notifications.domain.retry import RetryPolicy
from services.notifications.service_layer.messages import Source, announce_delivery
from services.notifications.service_layer.unit_of_work import NotificationsUnitOfWork
from services.notifications.settings import NotificationSettings

log = logging.getLogger("linli.notifications.delivery")


@dataclass
class DeliveryWorker:
    """`units` makes a fresh unit of work per step (the service's factory); `http` sends."""

    units: Callable[[], NotificationsUnitOfWork]
    http: httpx.AsyncClient

    def policy(self, settings: NotificationSettings, channel: str) -> RetryPolicy:
        s = settings
        if channel == "webhook":
            return RetryPolicy(
                s.notifications_retry_base, s.notifications_retry_max, s.notifications_webhook_retry_window, None
            )
        return RetryPolicy(s.notifications_retry_base, s.notifications_retry_max, None, s.notifications_max_attempts)

    async def tick(self) -> int:
        """Claim and send one batch of due deliveries; returns how many were claimed."""
        uow = self.units()
        settings = uow.settings
        async with uow.one_statement():
            now = uow.now()
            lease = now + timedelta(seconds=settings.notifications_lease)
            rows = await uow.notifications.claim_due(now, lease, settings.notifications_worker_batch)
        await asyncio.gather(*(self._deliver(row) for row in rows))
        return len(rows)

    async def _deliver(self, row: asyncpg.Record) -> None:
        started = time.perf_counter()
        try:
            outcome = await self._send(row)
        except Exception as exc:  # a bug in one delivery must not stop the others
            log.exception("delivery %s failed unexpectedly", row["id"])
            outcome = Outcome(False, error=f"{type(exc).__name__}: {exc}")
        if outcome is None:
            return
        await self._finish(row, outcome, int((time.perf_counter() - started) * 1000))

    async def _send(self, row: asyncpg.Record) -> Outcome | None:
        uow = self.units()
        settings = uow.settings
        channel = row["channel"]
        if channel == "email":
            return await channels.send_email(
                settings, row["address"], row["subject"], row["body"], row["language"] or "zh-CN", str(row["id"])
            )
        if channel == "wecom":
            async with uow:  # over the robot's rate: rescheduled, not counted as a try
                allowed = await uow.notifications.take_robot_slot(
                    row["id"],
                    row["address"],
                    uow.now(),
                    timedelta(seconds=settings.notifications_wecom_window),
                    settings.notifications_wecom_limit,
                )
            if not allowed:
                return None
            if refused := await self._refused(row["address"], settings):
                return refused
            return await channels.send_wecom(
                self.http, row["address"], row["body"], settings.notifications_wecom_window
            )
        if channel == "webhook":
            async with uow.read() as conn:
                sub = await queries.signing_secrets(conn, row["recipient"])
            if sub is None or not sub["active"]:
                return Outcome(False, error="the subscription was removed", final=True)
            secrets = [sub["secret"]]
            expires = sub["previous_secret_expires"]
            if sub["previous_secret"] and expires and expires > uow.now():
                secrets.append(sub["previous_secret"])
            if refused := await self._refused(sub["url"], settings):
                return refused
            return await channels.send_webhook(self.http, sub["url"], str(row["id"]), row["body"], secrets)
        return Outcome(False, error=f"unknown channel {channel}")

    @staticmethod
    async def _refused(url: str, settings: NotificationSettings) -> Outcome | None:
        """Checked again at delivery, after DNS: a name that resolved to a public address when it was
        registered may point inside now (DNS rebinding). Redirects are never followed (httpx's default)."""
        why = await destinations.why_refused(url, settings.allowed_networks)
        return None if why is None else Outcome(False, error=f"destination refused: {why}", final=True)

    async def _finish(self, row: asyncpg.Record, outcome: Outcome, duration_ms: int) -> None:
        uow = self.units()
        async with uow:
            now = uow.now()
            source = Source(row["event_id"], row["event_type"], row["community"])
            queue = uow.notifications
            current = await queue.lock_for_outcome(row["id"])
            if current is None or current["status"] != "pending" or current["attempts"] != row["attempts"]:
                return  # another worker took over after our lease ran out
            await queue.record_attempt(
                row["id"], row["attempts"], now, outcome.ok, outcome.status_code, outcome.error, duration_ms
            )
            if outcome.ok:
                await queue.mark_delivered(row["id"], now)
                await announce_delivery(uow, row["id"], source, row["recipient"], row["channel"], row["attempts"], now)
                return
            next_try = self._next_try(
                uow.settings, row["channel"], row["attempts"], current["retry_from"], now, outcome
            )
            if next_try is not None:
                await queue.retry_at(row["id"], next_try, outcome.error)
                return
            await queue.mark_failed(row["id"], outcome.error)
            await uow.emit(
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
        self,
        settings: NotificationSettings,
        channel: str,
        attempts: int,
        retry_from: datetime,
        now: datetime,
        outcome: Outcome,
    ) -> datetime | None:
        if outcome.final:
            return None
        at = self.policy(settings, channel).next_try(attempts=attempts, retry_from=retry_from, now=now)
        if at is not None and outcome.retry_after is not None:
            at = max(at, now + timedelta(seconds=outcome.retry_after))
        return at

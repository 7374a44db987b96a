"""The three outbound channels: SMTP e-mail, the WeCom group robot, signed webhooks.

Each sends one message and answers an Outcome; none retries by itself (the worker does).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib
import httpx
import orjson

from services.notifications.domain import signing
from services.notifications.settings import NotificationSettings

WECOM_RATE_LIMITED = 45009
"""errcode of the robot when more than 20 messages a minute were sent."""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds, when the receiver said when
    final: bool = False  # no point trying again


def email_message(settings: NotificationSettings, to: str, subject: str, body: str, language: str) -> EmailMessage:
    """A proper MIME message: UTF-8 text, RFC 2047 encoded subject (EmailMessage does it), language tag."""
    message = EmailMessage()
    message["From"] = formataddr(("邻里 Linli", settings.notifications_smtp_from))
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.notifications_smtp_from.rpartition("@")[2] or None)
    message["Content-Language"] = language
    message.set_content(body, charset="utf-8")
    return message


async def send_email(
    settings: NotificationSettings, to: str, subject: str, body: str, language: str, message_id: str
) -> Outcome:
    message = email_message(settings, to, subject, body, language)
    message["X-Linli-Notification"] = message_id
    password = settings.notifications_smtp_password
    try:
        await aiosmtplib.send(
            message,
            hostname=settings.notifications_smtp_host,
            port=settings.notifications_smtp_port,
            use_tls=settings.notifications_smtp_tls,
            start_tls=settings.notifications_smtp_starttls,
            username=settings.notifications_smtp_username,
            password=password.get_secret_value() if password else None,
            timeout=settings.notifications_smtp_timeout,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}")
    return Outcome(True)


async def send_wecom(client: httpx.AsyncClient, url: str, payload: str, window: float) -> Outcome:
    """POST the robot's JSON; the robot answers 200 with {"errcode": 0, "errmsg": "ok"} on success."""
    try:
        response = await client.post(url, content=payload.encode(), headers={"Content-Type": "application/json"})
    except httpx.HTTPError as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}")
    if response.status_code != 200:
        return Outcome(False, response.status_code, f"HTTP {response.status_code}")
    try:
        answer = orjson.loads(response.content)
        errcode = int(answer.get("errcode", -1))
    except (orjson.JSONDecodeError, AttributeError, TypeError, ValueError):
        return Outcome(False, response.status_code, "the robot's answer is not JSON")
    if errcode != 0:
        retry = window if errcode == WECOM_RATE_LIMITED else None
        return Outcome(False, response.status_code, f"errcode {errcode}: {answer.get('errmsg', '')}", retry)
    return Outcome(True, response.status_code)


async def send_webhook(client: httpx.AsyncClient, url: str, message_id: str, body: str, secrets: list[str]) -> Outcome:
    """POST the CloudEvent (structured mode), signed per Standard Webhooks with every valid secret."""
    content = body.encode()
    # The timestamp is the wall clock on purpose: receivers check it against theirs.
    headers = signing.headers(secrets, message_id, int(time.time()), content)
    headers["Content-Type"] = "application/cloudevents+json; charset=utf-8"
    try:
        response = await client.post(url, content=content, headers=headers)
    except httpx.HTTPError as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}")
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code)
    retry_after = None
    if response.status_code in (429, 503) and response.headers.get("retry-after", "").isdigit():
        retry_after = float(response.headers["retry-after"])
    return Outcome(False, response.status_code, f"HTTP {response.status_code}", retry_after)

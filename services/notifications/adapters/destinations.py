"""The SSRF check of an outbound URL, after DNS: each address its host resolves to, as the send will see it."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from urllib.parse import urlsplit

from services.notifications.domain.destinations import Address, Network, refusal


async def addresses_of(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):  # UnicodeError: a name IDNA cannot encode (why_refused refuses those first)
        return []
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))


async def why_refused(url: str, allowed: Sequence[Network]) -> str | None:
    """None when the URL may be posted to now; else why not, as a sentence's end."""
    not_a_url = "it is not an http(s) URL with a host"
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if parts.hostname:
            parts.hostname.encode("idna")
    except ValueError:  # "[::1", a port past 65535, a name no resolver takes ("\x93", "a..b"): UnicodeError is one
        return not_a_url
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return not_a_url
    return refusal(await addresses_of(parts.hostname, port), allowed)

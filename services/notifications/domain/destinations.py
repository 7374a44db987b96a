"""Where notifications may send: never to the machine itself or the networks behind it (SSRF).

A webhook subscription's URL and a WeCom robot's URL are typed in by people; without a check, one
could make the service POST to 127.0.0.1, to a database on 10.x or to the cloud's metadata service
at 169.254.169.254. A destination is refused when any address its host resolves to is loopback,
private, link-local (the metadata service), unspecified, multicast or reserved, unless the
district lists the network as its own (`notifications_allowed_networks`). Pure: resolution is the
adapter's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(cidrs: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def why_forbidden(address: Address) -> str | None:
    """What kind of internal address this is, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    for kind, hit in (
        ("loopback", address.is_loopback),
        ("link-local (cloud metadata)", address.is_link_local),
        ("private", address.is_private),
        ("unspecified", address.is_unspecified),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
    ):
        if hit:
            return kind
    return None


def refusal(addresses: Sequence[Address], allowed: Sequence[Network]) -> str | None:
    """Why a host with these addresses may not be sent to, or None when every one of them may be.

    A name that resolves to nothing (yet) is not refused: it points nowhere inside, and every
    delivery checks it again, when it resolves."""
    for address in addresses:
        kind = why_forbidden(address)
        if kind and not any(address in network for network in allowed):
            return f"it resolves to {address}, a {kind} address"
    return None

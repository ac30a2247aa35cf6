"""The SSRF guard: which URLs the fetcher may contact.

A feed URL comes from whoever subscribes to it, so before each request (and each redirect hop) the
host is resolved and every address it resolves to must be public. `check_url` is a pure check: it
resolves, judges and raises; it never connects.

Known limit: the HTTP client resolves the host again when it connects, so a DNS server that answers
differently the second time (DNS rebinding) is not caught here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

_HINT = "(set allow_private_networks = true to allow)"


class BlockedURL(Exception):
    """A URL the fetcher refuses to contact; ``str(error)`` is one line naming the URL and why."""


def address_problem(address: str) -> str | None:
    """Why ``address`` (an IP literal) must not be contacted, e.g. "a loopback address"; None if public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, flagged in (
        ("an unspecified", ip.is_unspecified),
        ("a loopback", ip.is_loopback),
        ("a link-local", ip.is_link_local),
        ("a multicast", ip.is_multicast),
        ("a reserved", ip.is_reserved),
        ("a private", ip.is_private),
        ("a non-public", not ip.is_global),  # e.g. 100.64.0.0/10 (carrier-grade NAT)
    ):
        if flagged:
            return f"{kind} address"
    return None


async def check_url(url: str, *, allow_private_networks: bool) -> None:
    """Raise `BlockedURL` unless ``url`` is http(s) and its host resolves only to public addresses.

    With ``allow_private_networks`` the addresses are not judged (nor resolved), only the scheme and
    host are checked. A host that does not resolve is refused too: there is nothing to vet.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BlockedURL(f"{url}: refused: invalid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BlockedURL(f"{url}: refused: only http and https URLs are fetched")
    host = parts.hostname
    if not host:
        raise BlockedURL(f"{url}: refused: no host in the URL")
    if allow_private_networks:
        return
    try:
        problem = address_problem(host)
    except ValueError:  # a name, not an IP literal: resolve it
        pass
    else:
        if problem:
            raise BlockedURL(f"{url}: refused: {host} is {problem} {_HINT}")
        return
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port or 80, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise BlockedURL(f"{url}: refused: cannot resolve {host} ({exc})") from None
    for *_rest, sockaddr in infos:
        address = str(sockaddr[0])
        problem = address_problem(address)
        if problem:
            raise BlockedURL(f"{url}: refused: {host} resolves to {address}, {problem} {_HINT}")

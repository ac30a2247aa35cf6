"""The SSRF guard: which URLs the fetcher may contact.

A feed URL comes from whoever subscribes to it, so before each request (and each redirect hop) the
host is resolved and every address it resolves to must be public. `check_url` is a pure check: it
resolves, judges and raises; it never connects.

`PublicOnlyBackend` closes the gap a pre-check leaves (DNS rebinding: a name that resolves to a public
address when checked and to a private one when the client connects): the fetcher's connections are
opened by it, and it connects to the very address it has judged.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import httpcore

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


class PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to public addresses.

    The host is resolved here, every address it resolves to is judged by `address_problem`, and the
    connection goes to the first of those very addresses (TLS still names the host, for SNI and
    certificate checks). A refusal is an `httpcore.ConnectError`, which httpx reports as its own.
    """

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host} ({exc})") from None
        addresses = [str(sockaddr[0]) for *_rest, sockaddr in infos]
        for address in addresses:
            if problem := address_problem(address):
                raise httpcore.ConnectError(f"refused: {host} resolves to {address}, {problem} {_HINT}")
        return await self._inner.connect_tcp(
            addresses[0], port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("refused: unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)

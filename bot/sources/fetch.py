"""Polite, guarded HTTP fetching: the only place newsbrief downloads anything.

`Fetcher` wraps one `httpx.AsyncClient` and adds what a feed poller needs: the SSRF guard on every
redirect hop, a total time limit, a body size cap, conditional GET, a global and a per-host
concurrency limit. `Fetcher.get` never raises for a bad URL or a failed download: the failure is a
one-line message naming the URL in `FetchResult.error`.

Usage::

    async with Fetcher() as fetcher:
        result = await fetcher.get(url, etag=stored_etag, last_modified=stored_last_modified)
    if result.error: ...
    elif result.not_modified: ...  # 304: keep what we have
    else: parse_feed(result.body, url=result.url, headers=result.headers)
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import httpcore
import httpx

from bot.sources.net import BlockedURL, PublicOnlyBackend, check_url
from bot.tls import client_tls

USER_AGENT = "newsbrief/0.1 (+https://github.com/newsbrief/newsbrief)"
MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)

Guard = Callable[[str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of one `Fetcher.get`.

    ``requested`` is the URL asked for, ``url`` the one finally answered (after redirects).
    ``status`` is 0 when no response was received. ``headers`` has lower-case keys;
    ``content_type`` is the Content-Type header as sent (it may carry a charset).
    ``not_modified`` is True on a 304 answer to a conditional GET; then ``body`` is empty and
    ``etag``/``last_modified`` are the server's new validators, or the ones sent.
    ``error`` is None on success, else one line naming ``requested``.
    """

    requested: str
    url: str
    status: int = 0
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None

    @property
    def final_url(self) -> str:
        """Same as ``url``: the URL that finally answered."""
        return self.url

    @property
    def ok(self) -> bool:
        return self.error is None


class _Failed(Exception):
    """Internal: a download failed; the message is the final one-line error."""


def _size(n: int) -> str:
    mb = 1024 * 1024
    return f"{n // mb} MB" if n % mb == 0 else f"{n // 1024} KB" if n % 1024 == 0 else f"{n} bytes"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class Fetcher:
    """An async context manager around one HTTP client; share one per polling run.

    Options (keyword-only): ``allow_private_networks`` lets URLs reach loopback/private addresses
    (for a self-hosted feed next to the bot); ``max_bytes`` caps each body (decoded size);
    ``concurrency`` bounds requests in flight, ``per_host`` those to one host;
    ``connect_timeout`` and ``total_timeout`` (seconds; the total covers redirects and the body).
    ``guard`` replaces the per-hop URL check (default: `check_url` with ``allow_private_networks``).
    ``local_files`` lets `get` read local paths and file: URLs when its caller says the URL is the
    operator's (``local=True``); turn it off where every URL comes from chat users.
    """

    def __init__(
        self,
        *,
        allow_private_networks: bool = False,
        max_bytes: int = MAX_BYTES,
        concurrency: int = 16,
        per_host: int = 2,
        connect_timeout: float = 10,
        total_timeout: float = 30,
        guard: Guard | None = None,
        local_files: bool = True,
    ) -> None:
        self.max_bytes = max_bytes
        self.total_timeout = total_timeout
        self.connect_timeout = connect_timeout
        self.per_host = per_host
        self.local_files = local_files
        self.guard: Guard = guard or partial(check_url, allow_private_networks=allow_private_networks)
        self._slots = asyncio.Semaphore(concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._client: httpx.AsyncClient | None = None
        self._limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self.public_only = not allow_private_networks

    async def __aenter__(self) -> Fetcher:
        transport = httpx.AsyncHTTPTransport(limits=self._limits, verify=client_tls())
        if self.public_only:  # connect to the judged address itself, whatever DNS says the second time
            pool = transport._pool
            transport._pool = httpcore.AsyncConnectionPool(
                ssl_context=pool._ssl_context,
                max_connections=self._limits.max_connections,
                max_keepalive_connections=self._limits.max_keepalive_connections,
                keepalive_expiry=self._limits.keepalive_expiry,
                network_backend=PublicOnlyBackend(),
            )
        self._client = httpx.AsyncClient(
            headers={"User-Agent": USER_AGENT, "Accept": _ACCEPT},
            timeout=httpx.Timeout(self.total_timeout, connect=self.connect_timeout),
            transport=transport,
            follow_redirects=False,  # redirects are followed in `_get` so each hop is checked
            trust_env=False,  # no proxies or .netrc credentials picked up from the environment
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None, local: bool = False
    ) -> FetchResult:
        """GET ``url`` (conditionally when ``etag``/``last_modified`` are given); never raises for bad input.

        Only http(s) URLs are fetched, unless ``local`` says ``url`` is the operator's own (a command-line
        argument, a feed of the settings): then a local path or file: URL is read from disk, if this
        fetcher allows local files. Anything taken from a feed, a page or a chat (entry links,
        enclosures, discovered feeds, redirects) is never ``local``.
        A 304 answer to a request that carried no validator is an error.
        """
        if self._client is None:
            raise RuntimeError("Fetcher.get used outside `async with Fetcher() as fetcher`")
        if local and ("://" not in url or url[:5].lower() == "file:"):
            return await self._read_file(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            return await self._get(url, headers=headers, etag=etag, last_modified=last_modified)
        except _Failed as exc:
            return FetchResult(requested=url, url=url, error=str(exc))

    async def _get(
        self, url: str, *, headers: dict[str, str], etag: str | None, last_modified: str | None
    ) -> FetchResult:
        assert self._client is not None
        loop = asyncio.get_running_loop()
        deadline: float | None = None  # the total timeout starts with the first request, not in the queue
        current = url
        for hop in range(MAX_REDIRECTS + 1):
            host = _host(current)
            async with self._host_slot(host), self._slots:
                deadline = deadline or loop.time() + self.total_timeout
                try:
                    async with asyncio.timeout_at(deadline):  # DNS look-ups in the guard count too
                        await self.guard(current)
                        result = await self._request(url, current, headers=headers)
                except BlockedURL as exc:
                    raise _Failed(str(exc) if hop == 0 else f"{url}: redirected to {exc}") from None
                except TimeoutError:
                    raise _Failed(f"{url}: timed out after {self.total_timeout:g} s") from None
                except httpx.ConnectTimeout:
                    raise _Failed(f"{url}: timed out connecting to {host}") from None
                except httpx.TimeoutException:
                    raise _Failed(f"{url}: timed out waiting for {host}") from None
                except httpx.ConnectError as exc:
                    raise _Failed(f"{url}: cannot connect to {host} ({_one_line(exc)})") from None
                except (httpx.HTTPError, httpx.InvalidURL) as exc:
                    raise _Failed(f"{url}: download failed ({_one_line(exc)})") from None
            if isinstance(result, str):  # a redirect: the next hop
                current = result
                continue
            return _with_validators(result, etag=etag, last_modified=last_modified)
        raise _Failed(f"{url}: too many redirects (more than {MAX_REDIRECTS})")

    async def _request(self, url: str, current: str, *, headers: dict[str, str]) -> FetchResult | str:
        """One hop: the next URL for a redirect, else the result (body read up to the cap)."""
        assert self._client is not None
        async with self._client.stream("GET", current, headers=headers) as response:
            resp_headers = {k.lower(): v for k, v in response.headers.items()}
            location = resp_headers.get("location")
            if response.status_code in _REDIRECTS and location:
                return urljoin(current, location.strip())
            result = FetchResult(
                requested=url,
                url=current,
                status=response.status_code,
                headers=resp_headers,
                content_type=resp_headers.get("content-type"),
                etag=resp_headers.get("etag"),
                last_modified=resp_headers.get("last-modified"),
                not_modified=response.status_code == 304,
            )
            if response.status_code >= 400:
                where = "" if current == url else f" (at {current})"
                reason = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
                return replace(result, error=f"{url}: {reason}{where}")
            if result.not_modified:
                if "If-None-Match" not in headers and "If-Modified-Since" not in headers:
                    return replace(
                        result,
                        not_modified=False,
                        error=f"{url}: the server answered 304 to an unconditional request",
                    )
                return result
            too_big = f"{url}: body larger than {_size(self.max_bytes)}, download aborted"
            declared = resp_headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                return replace(result, error=too_big)
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():  # decoded: the cap also stops gzip bombs
                size += len(chunk)
                if size > self.max_bytes:
                    return replace(result, error=too_big)
                chunks.append(chunk)
            return replace(result, body=b"".join(chunks))

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.per_host)
        return self._hosts[host]

    async def _read_file(self, url: str) -> FetchResult:
        if not self.local_files:
            return FetchResult(
                requested=url, url=url, error=f"{url}: refused: local files are not fetched here"
            )
        if url[:5].lower() == "file:":
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                return FetchResult(requested=url, url=url, error=f"{url}: file URL on another host")
            path = Path(unquote(parts.path))
        else:
            path = Path(url)
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                error = f"{url}: file larger than {_size(self.max_bytes)}, not read"
                return FetchResult(requested=url, url=url, error=error)
            body = await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return FetchResult(requested=url, url=url, error=f"{url}: no such file")
        except IsADirectoryError:
            return FetchResult(requested=url, url=url, error=f"{url}: is a directory")
        except (OSError, ValueError) as exc:
            return FetchResult(requested=url, url=url, error=f"{url}: cannot read ({_one_line(exc)})")
        content_type = _guess_type(path)
        return FetchResult(
            requested=url,
            url=url,
            status=200,
            body=body,
            headers={"content-type": content_type} if content_type else {},
            content_type=content_type,
        )


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _guess_type(path: Path) -> str | None:
    special = {".rss": "application/rss+xml", ".atom": "application/atom+xml", ".opml": "text/x-opml"}
    return special.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]


def _with_validators(result: FetchResult, *, etag: str | None, last_modified: str | None) -> FetchResult:
    """On a 304, keep the validators that were sent when the server does not repeat them."""
    if not result.not_modified:
        return result
    return replace(result, etag=result.etag or etag, last_modified=result.last_modified or last_modified)


def fetch_page(url: str, *, allow_private_networks: bool = False) -> FetchResult:
    """Fetch one URL from synchronous code (the CLI); errors are in ``.error``, never raised."""

    async def one() -> FetchResult:
        async with Fetcher(allow_private_networks=allow_private_networks) as fetcher:
            return await fetcher.get(url)

    return asyncio.run(one())

"""The fetching layer against a real HTTP server on 127.0.0.1, and feed parsing on real feed files.

The server (stdlib, one thread per request) serves the files of ``tests/data/feeds`` and a few
misbehaving routes: redirects, a loop, a 500, a slow body, a 50 MB body, a gzip bomb, 304s.
No test asserts on timings.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from bot.sources.feeds import (
    FeedEntry,
    canonical_url,
    content_hash,
    discover_feeds,
    entry_to_article,
    extract_main_text,
    needs_full_text,
    parse_feed,
)
from bot.sources.fetch import USER_AGENT, Fetcher, FetchResult, fetch_page
from bot.sources.net import BlockedURL, check_url
from bot.sources.opml import OutlineFeed, parse_opml, to_opml
from tests.localhttp import serving

FEEDS = Path(__file__).parent / "data" / "feeds"
MB = 1024 * 1024
ETAG = '"v1-harbour"'
LAST_MODIFIED = "Tue, 24 Nov 2026 08:00:00 GMT"
FILES = {  # route -> (file, Content-Type)
    "/rss.xml": ("rss2.en.xml", "application/rss+xml; charset=utf-8"),
    "/atom.xml": ("atom.fr.xml", "application/atom+xml"),
    "/latin1.xml": ("latin1-no-decl.fr.xml", "application/rss+xml; charset=ISO-8859-1"),
    "/wrong-encoding.xml": ("wrong-encoding.fr.xml", "application/rss+xml; charset=utf-8"),
    "/malformed.xml": ("malformed.en.xml", "application/rss+xml"),
    "/site.html": ("site.en.html", "text/html; charset=utf-8"),
    "/article.html": ("article.fr.html", "text/html; charset=utf-8"),
}


class Server:
    """What the handler needs to share with the tests: the base URL and the paths requested."""

    def __init__(self) -> None:
        self.base = ""
        self.paths: list[str] = []
        self.active = 0
        self.max_active = 0
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return self.base + path


class Handler(BaseHTTPRequestHandler):
    server_state: Server

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass

    def send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str) -> None:
        self.send(302, headers={"Location": location})

    def stream(self, chunks: Iterator[bytes], *, pause: float = 0.0) -> None:
        """Send a body of unknown length (HTTP/1.0: it ends when the connection closes)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
                if pause:
                    time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
            pass

    def do_GET(self) -> None:
        state = self.server_state
        path = self.path
        state.paths.append(path)
        if path in FILES:
            name, content_type = FILES[path]
            self.send(200, (FEEDS / name).read_bytes(), {"Content-Type": content_type})
        elif path == "/conditional":
            if (
                self.headers.get("If-None-Match") == ETAG
                or self.headers.get("If-Modified-Since") == LAST_MODIFIED
            ):
                self.send(304, headers={"ETag": ETAG})  # Last-Modified deliberately not repeated
            else:
                body = (FEEDS / "rss2.en.xml").read_bytes()
                headers = {
                    "Content-Type": "application/rss+xml",
                    "ETag": ETAG,
                    "Last-Modified": LAST_MODIFIED,
                }
                self.send(200, body, headers)
        elif path.startswith("/hops/"):
            left = int(path.rsplit("/", 1)[1])
            self.redirect(f"/hops/{left - 1}" if left else "/rss.xml")  # relative Location
        elif path == "/loop":
            self.redirect("/loop")
        elif path == "/to-private":
            self.redirect(state.url("/rss.xml"))
        elif path == "/to-missing":
            self.redirect("/missing")
        elif path == "/to-file":
            self.redirect("file:///etc/passwd")
        elif path == "/error":
            self.send(500, b"boom", {"Content-Type": "text/plain"})
        elif path == "/missing":
            self.send(404, b"nothing here")
        elif path == "/slow-body":
            self.stream((b"<" for _ in range(400)), pause=0.05)
        elif path == "/slow-headers":
            time.sleep(3)
            self.send(200, b"late")
        elif path == "/big":
            self.stream(bytes(64 * 1024) for _ in range(50 * 16))  # 50 MB
        elif path == "/big-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(50 * MB))
            self.end_headers()
            try:
                self.wfile.write(bytes(64 * 1024))
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/gzip":
            body = gzip.compress((FEEDS / "rss2.en.xml").read_bytes())
            self.send(200, body, {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"})
        elif path == "/gzip-bomb":
            self.send(200, _gzip_bomb(), {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"})
        elif path == "/echo-headers":
            body = json.dumps({k.lower(): v for k, v in self.headers.items()}).encode()
            self.send(200, body, {"Content-Type": "application/json"})
        elif path.startswith("/hold/"):
            with state.lock:
                state.active += 1
                state.max_active = max(state.max_active, state.active)
            time.sleep(0.2)
            with state.lock:
                state.active -= 1
            self.send(200, b"done", {"Content-Type": "text/plain"})
        else:
            self.send(404, b"no route")


_BOMB: list[bytes] = []


def _gzip_bomb() -> bytes:
    if not _BOMB:
        _BOMB.append(gzip.compress(bytes(50 * MB), compresslevel=9))  # about 50 KB on the wire
    return _BOMB[0]


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server()
    with serving(type("BoundHandler", (Handler,), {"server_state": state})) as state.base:
        yield state


async def get(url: str, **options: object) -> FetchResult:
    async with Fetcher(allow_private_networks=True, **options) as fetcher:  # type: ignore[arg-type]
        return await fetcher.get(url)


# --- SSRF guard ---------------------------------------------------------------------------------

REFUSED = [
    ("http://127.0.0.1/x", "127.0.0.1 is a loopback address"),
    ("http://localhost:8080/feed", "localhost resolves to 127.0.0.1, a loopback address"),
    ("http://2130706433/", "2130706433 resolves to 127.0.0.1, a loopback address"),
    ("http://[::1]/", "::1 is a loopback address"),
    ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1 is a loopback address"),
    ("http://[::ffff:10.0.0.8]/", "::ffff:10.0.0.8 is a private address"),
    ("http://10.0.0.8/admin", "10.0.0.8 is a private address"),
    ("http://192.168.1.1/", "192.168.1.1 is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("http://[fe80::1]/", "fe80::1 is a link-local address"),
    ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
    ("http://0.0.0.0:8000/", "0.0.0.0 is an unspecified address"),
    ("http://240.0.0.1/", "240.0.0.1 is a reserved address"),
    ("http://100.64.0.1/", "100.64.0.1 is a non-public address"),
]


@pytest.mark.parametrize(("url", "why"), REFUSED)
async def test_check_url_refuses_non_public_addresses(url: str, why: str) -> None:
    with pytest.raises(BlockedURL) as caught:
        await check_url(url, allow_private_networks=False)
    assert str(caught.value) == f"{url}: refused: {why} (set allow_private_networks = true to allow)"


@pytest.mark.parametrize(
    "url", ["http://8.8.8.8/feed", "https://[::ffff:8.8.8.8]/", "https://[2606:4700::1111]/"]
)
async def test_check_url_accepts_public_addresses(url: str) -> None:
    await check_url(url, allow_private_networks=False)


async def test_allow_private_networks_lets_loopback_through_but_not_other_schemes() -> None:
    await check_url("http://127.0.0.1:8080/feed.xml", allow_private_networks=True)
    for url, why in [
        ("file:///etc/passwd", "only http and https URLs are fetched"),
        ("gopher://127.0.0.1/", "only http and https URLs are fetched"),
        ("http:///feed", "no host in the URL"),
    ]:
        with pytest.raises(BlockedURL) as caught:
            await check_url(url, allow_private_networks=True)
        assert str(caught.value) == f"{url}: refused: {why}"


async def test_fetcher_refuses_the_loopback_server_without_contacting_it(server: Server) -> None:
    url = server.url("/rss.xml")
    async with Fetcher() as fetcher:
        result = await fetcher.get(url)
    assert result.error == (
        f"{url}: refused: 127.0.0.1 is a loopback address (set allow_private_networks = true to allow)"
    )
    assert (result.status, result.body, server.paths) == (0, b"", [])


async def test_every_redirect_hop_is_checked(server: Server) -> None:
    """The first hop stands for a public host (the guard lets it through); the redirect it answers
    points at 127.0.0.1, which the real `check_url` must refuse before any request is made."""
    seen: list[str] = []

    async def first_hop_public(url: str) -> None:
        seen.append(url)
        if len(seen) > 1:
            await check_url(url, allow_private_networks=False)

    start, target = server.url("/to-private"), server.url("/rss.xml")
    async with Fetcher(guard=first_hop_public, allow_private_networks=True) as fetcher:
        result = await fetcher.get(start)
    assert seen == [start, target]
    assert result.error == (
        f"{start}: redirected to {target}: refused: 127.0.0.1 is a loopback address"
        " (set allow_private_networks = true to allow)"
    )
    assert server.paths == ["/to-private"]


async def test_a_name_that_turns_private_after_the_check_is_not_connected_to(server: Server) -> None:
    """DNS rebinding: the pre-check saw a public address (the guard lets everything through, standing
    for that first answer); at connect time "localhost" resolves to loopback, and the connection is refused."""

    async def fooled(url: str) -> None:
        return None

    url = server.url("/rss.xml").replace("127.0.0.1", "localhost")
    async with Fetcher(guard=fooled) as fetcher:
        result = await fetcher.get(url)
    assert result.error is not None and result.error.startswith(f"{url}: ")
    assert "refused: localhost resolves to" in result.error and "a loopback address" in result.error
    assert (result.status, server.paths) == (0, [])


async def test_redirect_to_a_file_url_is_refused_even_on_private_networks(server: Server) -> None:
    result = await get(server.url("/to-file"))
    assert result.error == (
        f"{server.url('/to-file')}: redirected to file:///etc/passwd: refused: only http and https URLs are fetched"
    )
    assert result.body == b""


# --- fetching -------------------------------------------------------------------------------------


async def test_rss_and_atom_feeds_are_fetched_and_parsed(server: Server) -> None:
    async with Fetcher(allow_private_networks=True) as fetcher:
        rss, atom = await asyncio.gather(
            fetcher.get(server.url("/rss.xml")), fetcher.get(server.url("/atom.xml"))
        )
    assert (rss.error, rss.status, rss.url, rss.requested) == (
        None,
        200,
        server.url("/rss.xml"),
        server.url("/rss.xml"),
    )
    assert rss.body == (FEEDS / "rss2.en.xml").read_bytes()
    assert rss.content_type == "application/rss+xml; charset=utf-8"
    assert rss.headers["content-type"] == rss.content_type
    rss_feed = parse_feed(rss.body, url=rss.url, headers=rss.headers)
    atom_feed = parse_feed(atom.body, url=atom.url, headers=atom.headers)
    assert (rss_feed.title, rss_feed.error, rss_feed.warning, len(rss_feed.entries)) == (
        "Northbridge Courier",
        None,
        None,
        3,
    )
    assert (atom_feed.title, atom_feed.error, atom_feed.warning, len(atom_feed.entries)) == (
        "Le Journal de Lyon",
        None,
        None,
        2,
    )
    # a relative Atom link resolves against the URL the feed was fetched from
    assert atom_feed.entries[1].url == server.url("/environnement/sommet-climat")


async def test_requests_carry_the_user_agent_and_accept_gzip(server: Server) -> None:
    result = await get(server.url("/echo-headers"))
    sent = json.loads(result.body)
    assert sent["user-agent"] == USER_AGENT == "newsbrief/0.1 (+https://github.com/newsbrief/newsbrief)"
    assert "gzip" in sent["accept-encoding"]


async def test_gzip_response_is_decoded(server: Server) -> None:
    result = await get(server.url("/gzip"))
    assert result.error is None
    assert result.headers["content-encoding"] == "gzip"
    assert result.body == (FEEDS / "rss2.en.xml").read_bytes()


async def test_conditional_get_answers_304(server: Server) -> None:
    url = server.url("/conditional")
    async with Fetcher(allow_private_networks=True) as fetcher:
        first = await fetcher.get(url)
        by_etag = await fetcher.get(url, etag=first.etag)
        by_date = await fetcher.get(url, last_modified=first.last_modified)
        stale = await fetcher.get(url, etag='"v0"')
    assert (first.status, first.not_modified, first.etag, first.last_modified) == (
        200,
        False,
        ETAG,
        LAST_MODIFIED,
    )
    assert first.body
    for result in (by_etag, by_date):
        assert (result.status, result.not_modified, result.error, result.body) == (304, True, None, b"")
        # the server repeated only the ETag: the Last-Modified sent is kept for the next poll
        assert result.etag == ETAG
    assert by_date.last_modified == LAST_MODIFIED
    assert (stale.status, stale.not_modified, stale.body) == (200, False, first.body)


async def test_redirect_chain_up_to_five_hops_is_followed(server: Server) -> None:
    start = server.url("/hops/4")  # 5 redirects: /hops/4 … /hops/0 → /rss.xml
    result = await get(start)
    assert (result.error, result.status, result.requested, result.url) == (
        None,
        200,
        start,
        server.url("/rss.xml"),
    )
    assert result.final_url == result.url
    assert server.paths == ["/hops/4", "/hops/3", "/hops/2", "/hops/1", "/hops/0", "/rss.xml"]


@pytest.mark.parametrize("path", ["/hops/5", "/loop"])
async def test_more_than_five_redirects_is_an_error(server: Server, path: str) -> None:
    result = await get(server.url(path))
    assert result.error == f"{server.url(path)}: too many redirects (more than 5)"
    assert (result.status, result.body) == (0, b"")
    assert len(server.paths) == 6


@pytest.mark.parametrize(
    ("path", "status", "reason"), [("/error", 500, "Internal Server Error"), ("/missing", 404, "Not Found")]
)
async def test_http_errors(server: Server, path: str, status: int, reason: str) -> None:
    result = await get(server.url(path))
    assert (result.status, result.error) == (status, f"{server.url(path)}: HTTP {status} {reason}")


async def test_http_error_after_a_redirect_names_both_urls(server: Server) -> None:
    start = server.url("/to-missing")
    result = await get(start)
    assert (result.status, result.url) == (404, server.url("/missing"))
    assert result.error == f"{start}: HTTP 404 Not Found (at {server.url('/missing')})"


@pytest.mark.parametrize("path", ["/slow-body", "/slow-headers"])
async def test_total_timeout_is_enforced(server: Server, path: str) -> None:
    result = await get(server.url(path), total_timeout=0.5)
    assert result.error == f"{server.url(path)}: timed out after 0.5 s"
    assert result.body == b""


@pytest.mark.parametrize(
    ("path", "options", "limit"),
    [
        ("/big", {"max_bytes": 1 * MB}, "1 MB"),
        ("/big", {}, "10 MB"),  # the default cap
        ("/big-declared", {"max_bytes": 1 * MB}, "1 MB"),  # refused on its Content-Length alone
        ("/gzip-bomb", {"max_bytes": 1 * MB}, "1 MB"),  # 50 KB on the wire, 50 MB decoded
    ],
)
async def test_body_larger_than_the_cap_is_aborted(
    server: Server, path: str, options: dict, limit: str
) -> None:
    result = await get(server.url(path), **options)
    assert result.error == f"{server.url(path)}: body larger than {limit}, download aborted"
    assert (result.status, result.body) == (200, b"")


async def test_per_host_limit_bounds_requests_in_flight(server: Server) -> None:
    async with Fetcher(allow_private_networks=True, per_host=2) as fetcher:
        results = await asyncio.gather(*(fetcher.get(server.url(f"/hold/{i}")) for i in range(6)))
    assert [r.body for r in results] == [b"done"] * 6
    assert server.max_active <= 2


async def test_global_limit_bounds_requests_in_flight(server: Server) -> None:
    async with Fetcher(allow_private_networks=True, concurrency=1, per_host=4) as fetcher:
        results = await asyncio.gather(*(fetcher.get(server.url(f"/hold/{i}")) for i in range(3)))
    assert [r.error for r in results] == [None] * 3
    assert server.max_active == 1


async def test_local_paths_and_file_urls_are_read_from_disk() -> None:
    path = FEEDS / "atom.fr.xml"
    async with Fetcher() as fetcher:  # the operator's own feed files (local=True)
        by_path = await fetcher.get(str(path), local=True)
        by_url = await fetcher.get(path.as_uri(), local=True)
        missing = await fetcher.get(str(FEEDS / "nope.xml"), local=True)
    for result in (by_path, by_url):
        assert (result.status, result.error, result.body) == (200, None, path.read_bytes())
        assert result.content_type in ("application/xml", "text/xml")
    assert missing.error == f"{FEEDS / 'nope.xml'}: no such file"
    async with Fetcher(local_files=False) as fetcher:
        refused = await fetcher.get(str(path), local=True)
    assert refused.error == f"{path}: refused: local files are not fetched here"


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/feed", "http://", "http://[::1", "https://exa mple.com/", "javascript:alert(1)", ""],
)
async def test_bad_urls_give_an_error_not_an_exception(url: str) -> None:
    result = await get(url)
    assert result.error and result.error.startswith(f"{url}: ")
    assert "\n" not in result.error
    assert (result.status, result.body) == (0, b"")


def test_fetch_page_is_what_the_cli_calls(server: Server) -> None:
    page = fetch_page(server.url("/hops/1"), allow_private_networks=True)
    assert (page.error, page.url, page.requested) == (None, server.url("/rss.xml"), server.url("/hops/1"))
    assert page.content_type == "application/rss+xml; charset=utf-8"
    assert page.body.startswith(b"<?xml")
    refused = fetch_page(server.url("/rss.xml"))
    assert refused.error and "refused: 127.0.0.1 is a loopback address" in refused.error


# --- encodings, broken feeds, discovery, full text ---------------------------------------------------


async def test_charset_declared_only_in_the_content_type_header_is_used(server: Server) -> None:
    result = await get(server.url("/latin1.xml"))
    feed = parse_feed(result.body, url=result.url, headers=result.headers)
    assert (feed.title, feed.error, feed.warning) == ("Les Échos du Rhône", None, None)
    assert feed.entries[0].title == "Grève à l'usine : « Nous irons jusqu'au bout », déclare la déléguée"
    # without the header the same bytes are only decoded by guessing, and that is flagged
    guessed = parse_feed(result.body, url=result.url)
    assert guessed.warning and "parsed as windows-1252" in guessed.warning


async def test_feed_with_a_wrong_declared_encoding_keeps_its_entries(server: Server) -> None:
    result = await get(server.url("/wrong-encoding.xml"))
    feed = parse_feed(result.body, url=result.url, headers=result.headers)
    assert feed.error is None
    assert feed.warning == (
        f"{result.url}: broken feed, entries read anyway (document declared as utf-8, but parsed as windows-1252)"
    )
    assert feed.title == "Le Réveil de l'Isère"
    assert [e.summary for e in feed.entries] == [
        "Les salariés réclament une hausse de 5 % des salaires. Prévue à Villeurbanne."
    ]


async def test_malformed_feed_keeps_entries_and_html_page_is_not_a_feed(server: Server) -> None:
    async with Fetcher(allow_private_networks=True) as fetcher:
        broken, page = await asyncio.gather(
            fetcher.get(server.url("/malformed.xml")), fetcher.get(server.url("/site.html"))
        )
    feed = parse_feed(broken.body, url=broken.url, headers=broken.headers)
    assert feed.error is None
    assert feed.warning == (
        f"{broken.url}: broken feed, entries read anyway (line 4, column 17: not well-formed (invalid token))"
    )
    assert [(e.title, e.summary) for e in feed.entries] == [
        ("Dock workers & managers reach a deal", "The agreement ends a three-week strike."),
        ("Cranes back in service", ""),
    ]
    not_feed = parse_feed(page.body, url=page.url, headers=page.headers)
    assert (not_feed.entries, not_feed.title, not_feed.warning) == ((), None, None)
    assert not_feed.error == f"{page.url}: not a feed (an HTML page; look for the feed it announces)"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty document"),
        (b"   \n", "empty document"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "JSON; JSON Feed is not supported"),
        (
            b"<!DOCTYPE html><html><body><p>Hello</p></body></html>",
            "an HTML page; look for the feed it announces",
        ),
        (b"plain words", "line 2, column 0: syntax error"),  # line 2: feedparser adds an XML declaration
    ],
)
def test_not_a_feed(body: bytes, reason: str) -> None:
    assert (
        parse_feed(body, url="https://x.example/feed").error
        == f"https://x.example/feed: not a feed ({reason})"
    )


def test_feed_bytes_are_never_taken_for_a_file_name() -> None:
    feed = parse_feed(str(FEEDS / "rss2.en.xml").encode(), url="https://x.example/feed")
    assert feed.entries == ()
    assert feed.error and feed.error.startswith("https://x.example/feed: not a feed (")


async def test_feed_discovery_from_an_html_page(server: Server) -> None:
    page = await get(server.url("/site.html"))
    assert discover_feeds(page.body, base_url=page.url) == [
        server.url("/feeds/all.rss"),
        "https://courier.example.org/feeds/politics.atom",
        server.url("/feeds/all.json"),
    ]
    html = '<html><head><base href="https://cdn.example.com/x/"><link rel="alternate feed" type="application/atom+xml" href="a.xml"></head></html>'
    assert discover_feeds(html, base_url="https://example.com/") == ["https://cdn.example.com/x/a.xml"]
    assert discover_feeds(b"", base_url="https://example.com/") == []
    assert discover_feeds("<p>no head</p>", base_url="https://example.com/") == []


async def test_full_text_of_a_short_entry_comes_from_its_page(server: Server) -> None:
    feed = parse_feed((FEEDS / "atom.fr.xml").read_bytes(), url="https://journal.example.fr/atom.xml")
    entry = feed.entries[0]
    assert needs_full_text(entry)
    page = await get(server.url("/article.html"))
    text = extract_main_text(page.body, url=page.url)
    assert text is not None
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith("Un tiers des vols ont été annulés mardi")
    assert paragraphs[-1].endswith("vers la gare de la Part-Dieu.")
    assert len(paragraphs) == 4
    for furniture in (
        "Les plus lus",
        "Accueil",
        "Tous droits réservés",
        "newsletter",
        "Grève des contrôleurs aériens :",
    ):
        assert furniture not in text
    article = entry_to_article(entry, source="journal-de-lyon", text=text)
    assert (article.text, article.title, article.url, article.source) == (
        text,
        "Grève des contrôleurs aériens : l'aéroport de Lyon perturbé",
        "https://journal.example.fr/societe/greve-controleurs",
        "journal-de-lyon",
    )
    assert article.published == datetime(2026, 11, 24, 5, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "html", [b"", b"<html><body><p>Trop court.</p></body></html>", b"\x00\x01\x02 not html at all"]
)
def test_extract_main_text_gives_none_when_there_is_no_article(html: bytes) -> None:
    assert extract_main_text(html, url="https://example.com/x") is None


# --- feed files: parsing and normalisation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "title", "first"),
    [
        (
            "rss2.en.xml",
            "Northbridge Courier",
            FeedEntry(
                entry_id="courier-2026-11-0042",
                url="https://courier.example.org/news/harbour-bridge-vote?utm_source=rss&utm_medium=feed&id=42#comments",
                title="Harbour bridge vote delayed after engineers' report",
                summary="The council postponed the vote on the harbour bridge.",
                content=(
                    "The city council of Northbridge postponed on Monday its vote on the new harbour bridge,"
                    " after a report by independent engineers questioned the cost of the foundations.\n\n"
                    '"We will not vote on a number we do not trust," council leader Tom Reyes said.'
                    ' Mayor Alice Ferguson said the delay would cost the city "weeks, not months".\n\n'
                    "The report estimates that the foundations could cost 40% more than planned."
                ),
                published=datetime(2026, 11, 24, 7, 30, tzinfo=UTC),
            ),
        ),
        (
            "atom.fr.xml",
            "Le Journal de Lyon",
            FeedEntry(
                entry_id="tag:journal.example.fr,2026:greve-controleurs",
                url="https://journal.example.fr/societe/greve-controleurs",
                title="Grève des contrôleurs aériens : l'aéroport de Lyon perturbé",
                summary="Un tiers des vols ont été annulés mardi à Saint-Exupéry.",
                content=(
                    "Un tiers des vols ont été annulés mardi à l'aéroport Lyon-Saint-Exupéry, au premier jour"
                    " de la grève des contrôleurs aériens.\n\n« Nous ne reprendrons pas le travail sans garanties"
                    " sur les effectifs », a déclaré Claire Martin, secrétaire générale du syndicat."
                ),
                published=datetime(2026, 11, 24, 5, 15, tzinfo=UTC),
            ),
        ),
        (
            "rss1.fr.rdf",
            "Brèves régionales",
            FeedEntry(
                entry_id="https://breves.example.fr/1",
                url="https://breves.example.fr/1",
                title="Le marché de Noël ouvre vendredi",
                summary="Quatre-vingts chalets sur la place Bellecour.",
                content="",
                published=datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
            ),
        ),
        (
            "rss091.en.xml",
            "Valley Weekly",
            FeedEntry(
                entry_id="http://valley.example.com/library",
                url="http://valley.example.com/library",
                title="New library opens on Main Street",
                summary="The library will open seven days a week.",
                content="",
                published=None,
            ),
        ),
    ],
)
def test_feed_formats_normalise_to_the_same_entry(name: str, title: str, first: FeedEntry) -> None:
    feed = parse_feed((FEEDS / name).read_bytes(), url=f"https://feeds.example/{name}")
    assert (feed.title, feed.error, feed.warning) == (title, None, None)
    assert feed.entries[0] == first


def test_hostile_title_stays_literal_text_and_html_typed_fields_are_stripped() -> None:
    feed = parse_feed((FEEDS / "rss2.en.xml").read_bytes(), url="https://courier.example.org/rss")
    hostile = feed.entries[1]
    assert hostile.title == "Mayor & council <script>alert(1)</script> *clash* over _budget_ [draft]"
    assert hostile.summary == "The council rejected the mayor's budget & asked for a new draft."
    assert "alert(" not in feed.entries[0].content  # a <script> in HTML content is dropped, not kept as text
    atom = parse_feed((FEEDS / "atom.fr.xml").read_bytes(), url="https://journal.example.fr/atom.xml")
    assert atom.entries[1].title == "Sommet climat : accord sur le fonds d'adaptation"
    assert atom.entries[1].summary == "Selon la présidence, douze pays ont signé."
    article = entry_to_article(hostile, source="courier")
    assert article.title == hostile.title
    assert article.url == "https://courier.example.org/news/budget"


def test_entry_ids_fall_back_to_link_then_to_a_hash() -> None:
    entries = parse_feed((FEEDS / "rss2.en.xml").read_bytes(), url="https://courier.example.org/rss").entries
    assert entries[1].entry_id == "https://courier.example.org/news/budget/"
    ferry = entries[2]
    assert (ferry.url, ferry.published) == (None, None)
    assert ferry.entry_id == "sha256:" + content_hash(
        "Ferry timetable changes this winter\nFewer crossings on Sundays from December."
    )
    assert not needs_full_text(ferry)  # nothing to fetch it from


def test_entry_to_article_prefers_full_text_then_content_then_summary() -> None:
    entries = parse_feed((FEEDS / "rss2.en.xml").read_bytes(), url="https://courier.example.org/rss").entries
    with_content, summary_only = entries[0], entries[1]
    article = entry_to_article(with_content, source="courier")
    assert article.text == with_content.content
    assert article.url == "https://courier.example.org/news/harbour-bridge-vote?id=42"
    assert (article.published, article.lang) == (datetime(2026, 11, 24, 7, 30, tzinfo=UTC), None)
    assert entry_to_article(summary_only, source="courier").text == summary_only.summary
    assert entry_to_article(with_content, source="courier", text="Full text.").text == "Full text."


def test_needs_full_text_counts_words() -> None:
    entry = FeedEntry("id", "https://x.example/a", "T", "word " * 20, "", None)
    assert needs_full_text(entry)
    assert not needs_full_text(entry, min_words=20)
    long_content = FeedEntry("id", "https://x.example/a", "T", "short", "mot " * 150, None)
    assert not needs_full_text(long_content)


# --- URLs and hashes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM:80/a/b/?utm_source=x&id=3&UTM_Medium=y#frag", "http://example.com/a/b?id=3"),
        ("https://example.com:443/", "https://example.com/"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:8443/x/", "https://example.com:8443/x"),
        ("http://example.com:443/x", "http://example.com:443/x"),
        (
            "https://example.com/p?b=2&a=1&fbclid=abc&gclid=1&mc_cid=2&mc_eid=3",
            "https://example.com/p?b=2&a=1",
        ),
        ("https://example.com/p/?utm_campaign=z", "https://example.com/p"),
        (
            "https://example.com/search?q=caf%C3%A9+cr%C3%A8me&page=2",
            "https://example.com/search?q=caf%C3%A9+cr%C3%A8me&page=2",
        ),
        ("https://[2001:DB8::1]:443/x/", "https://[2001:db8::1]/x"),
        ("https://User@Example.com/Path/", "https://User@example.com/Path"),
        ("https://example.com/a?x=&utm_term=&y", "https://example.com/a?x=&y"),
        ("  https://example.com/a#  ", "https://example.com/a"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_content_hash_ignores_case_and_whitespace_only() -> None:
    same = content_hash("Le  ministre a déclaré\n\nque   tout allait bien.")
    assert same == content_hash("le ministre a DÉCLARÉ que tout allait bien. ")
    assert same == content_hash("le ministre a de\u0301clare\u0301 que tout allait bien.")  # NFC
    assert same != content_hash("le ministre a déclaré que tout allait bien !")
    assert len(same) == 64 and int(same, 16) >= 0


# --- OPML -----------------------------------------------------------------------------------------


def test_opml_round_trip() -> None:
    feeds = [
        OutlineFeed(
            "https://courier.example.org/rss?lang=en&section=news", "Courier: Mayor & council <script> *_[]"
        ),
        OutlineFeed("https://journal.example.fr/atom.xml", "Le Journal de Lyon — « Société » & Économie"),
        OutlineFeed("https://valley.example.com/feed", None),
    ]
    document = to_opml(feeds)
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert "<dateCreated>" in document and "<script>" not in document
    assert parse_opml(document.encode("utf-8"), source="export.opml") == feeds


def test_opml_nested_outlines_are_flattened() -> None:
    data = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<opml version="1.0"><head><title>Mes flux</title></head><body>
  <outline text="Actualit\xe9s">
    <outline text="Le Monde" type="rss" xmlUrl="https://www.lemonde.fr/rss/une.xml"/>
    <outline text="Sous-dossier"><outline title="BBC" text="ignored" xmlurl=" https://feeds.bbci.co.uk/news/rss.xml "/></outline>
  </outline>
  <outline text="No feed here" htmlUrl="https://example.com/"/>
  <outline text="Le Monde again" xmlUrl="https://www.lemonde.fr/rss/une.xml"/>
</body></opml>"""
    assert parse_opml(data, source="import.opml") == [
        OutlineFeed("https://www.lemonde.fr/rss/une.xml", "Le Monde"),
        OutlineFeed("https://feeds.bbci.co.uk/news/rss.xml", "BBC"),
    ]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "malformed OPML (Document is empty"),
        (b"<opml><body><outline xmlUrl='x'>", "malformed OPML (Premature end of data"),
        (b"<html><body/></html>", "not an OPML document (root element <html>)"),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<opml><body><outline xmlUrl="https://x.example/&b;"/></body></opml>',
            "malformed OPML (entity declarations are not allowed)",
        ),
        (
            b'<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            b'<opml><body><outline title="&xxe;" xmlUrl="https://x.example/"/></body></opml>',
            "malformed OPML (",
        ),
    ],
)
def test_malformed_opml_is_a_value_error_naming_the_source(data: bytes, why: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_opml(data, source="subscriptions.opml")
    message = str(caught.value)
    assert message.startswith(f"subscriptions.opml: {why}")
    assert "\n" not in message and "root:" not in message


def test_every_client_shares_one_verifying_tls_context() -> None:
    """Built once (30 ms of CPU each), and verifying as httpx's default: certificates and host names."""
    import ssl

    from bot.tls import client_tls

    context = client_tls()
    assert (context is client_tls(), context.verify_mode, context.check_hostname) == (
        True,
        ssl.CERT_REQUIRED,
        True,
    )

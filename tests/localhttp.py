"""A real HTTP server on 127.0.0.1 for tests: feeds and article pages are served, never mocked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free port of 127.0.0.1 in a thread; yields the base URL ("http://127.0.0.1:N")."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def send_body(
    handler: BaseHTTPRequestHandler, body: bytes, *, content_type: str = "application/rss+xml; charset=utf-8"
) -> None:
    """Answer 200 with ``body`` (an RSS feed unless told otherwise) and its length."""
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


STORIES = [
    (
        "Port workers end strike",
        "The dock workers' union said on Friday that the strike at the port of Calder was over. "
        "Union leader Mark Hale said the new contract protected every job.",
    ),
    (
        "Library reopens after flood",
        "The city library reopened on Monday after months of repairs. "
        "Chief librarian Ana Ruiz said the children's section had been rebuilt from scratch.",
    ),
    (
        "Rail line to be electrified",
        "The transport ministry announced that the northern rail line will be electrified by 2030. "
        "Minister Tom Reyes said the work would cut journey times by a fifth.",
    ),
    (
        "Hospital opens new wing",
        "Saint Clare hospital opened a cancer care wing on Tuesday. "
        "Its director, Paula Smits, said waiting lists would fall by half within a year.",
    ),
    (
        "Bakers protest flour prices",
        "Hundreds of bakers marched through the capital on Wednesday. "
        "Their federation accused the mills of fixing flour prices, which the mills denied.",
    ),
    (
        "School meals to be free",
        "All primary pupils will get free school meals from January, the council said. "
        "Councillor Ravi Patel promised that the scheme would be fully funded.",
    ),
]


def long_text(chars: int, *, seed: int = 0) -> str:
    """Plain news prose of about ``chars`` characters (paragraphs of the local stories, varied)."""
    paragraphs: list[str] = []
    n, length = seed, 0
    while length < chars:  # a running count: summing the list each time made 2 MB cost seconds
        title, text = STORIES[n % len(STORIES)]
        paragraphs.append(f"{text} The report, number {n}, was titled {title}.")
        length += len(paragraphs[-1]) + 2
        n += 1
    return "\n\n".join(paragraphs)


class FeedServer:
    """A real HTTP server on 127.0.0.1 serving one RSS feed built from ``items``; ETag-aware; can fail."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, datetime]] = []
        self.fail = False
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits += 1
                if server.fail:
                    self.send_response(500)
                    self.end_headers()
                    return
                body = server.rss().encode()
                etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.handler = Handler
        self.url = ""  # set while `serving`

    def add(self, n: int) -> None:
        base = datetime(2026, 11, 20, tzinfo=UTC)
        for title, text in STORIES[len(self.items) : len(self.items) + n]:
            self.items.append((title, text, base + timedelta(hours=len(self.items))))

    def rss(self) -> str:
        items = "".join(
            f"<item><title>{escape(t)}</title><link>http://news.invalid/{i}?utm_source=rss</link>"
            f"<guid>story-{i}</guid><pubDate>{format_datetime(d)}</pubDate>"
            f"<content:encoded>{escape(x)}</content:encoded></item>"
            for i, (t, x, d) in enumerate(self.items)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Local news</title>'
            f"<link>http://news.invalid/</link>{items}</channel></rss>"
        )


@contextmanager
def serving_feed() -> Iterator[FeedServer]:
    """A `FeedServer` serving on 127.0.0.1, its feed at ``.url``."""
    server = FeedServer()
    with serving(server.handler) as base:
        server.url = f"{base}/feed.xml"
        yield server

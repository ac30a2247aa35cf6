"""Chat commands as transcripts, through the real router, repository, engine and fetcher.

Each ``tests/data/transcripts/*.txt`` is a conversation::

    # a comment
    @as telegram -100 group member     who speaks next: platform, chat, [group], [admin|member]
    @private-networks off              user URLs may no longer reach 127.0.0.1
    @poll                              poll the due feeds (briefings get stored), no output
    > /subscribe {base}/feed.xml       a command; {base} is the local server, {long} 5000 letters
    Subscribed to …                    the expected reply, up to the next ``>`` or ``@`` line

Replies print as in the console chat (`bot.chat.render_reply`), with the local server's address written
``{base}`` and each post's bullets shown as one ``  • …`` line: the bullets' wording belongs to the
engine's tests, the transcripts check that a briefing has some. The speaker is a private-chat user of
Telegram unless ``@as`` says otherwise.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_context, build_engine
from bot.chat import chat_session, render_reply
from bot.models import Command, Post, Reply
from bot.poller import Poller
from bot.settings import Settings
from bot.sources.fetch import Fetcher
from handlers import register_all
from handlers.router import Context, Router
from tests.localhttp import serving

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
TRANSCRIPTS = sorted((DATA / "transcripts").glob("*.txt"))
LONG = "a" * 5000
SITE = b"""<!DOCTYPE html><html><head><title>Sample site</title>
<link rel="alternate" type="application/rss+xml" title="Sample" href="/feed.xml">
</head><body><p>Nothing to read here.</p></body></html>"""
SMALL_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Flaky feed</title><link>https://flaky.invalid/</link>
</channel></rss>"""
FILES = {  # route -> (body, Content-Type)
    "/feed.xml": ((ROOT / "seeds" / "feed.xml").read_bytes(), "application/rss+xml; charset=utf-8"),
    "/site.html": (SITE, "text/html; charset=utf-8"),
    "/article.html": ((DATA / "feeds" / "article.fr.html").read_bytes(), "text/html; charset=utf-8"),
}


# --- a local web server -------------------------------------------------------------------------


@dataclass
class Server:
    base: str = ""
    hits: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Handler(BaseHTTPRequestHandler):
    server_state: Server

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        state = self.server_state
        with state.lock:
            state.hits[self.path] = hits = state.hits.get(self.path, 0) + 1
        if self.path in FILES:
            self.send(200, *FILES[self.path])
        elif self.path == "/flaky.xml":  # a feed the first time, then down
            if hits == 1:
                self.send(200, SMALL_FEED, "application/rss+xml")
            else:
                self.send(503, b"down for maintenance", "text/plain")
        else:
            self.send(404, b"no route", "text/plain")

    def send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server()
    with serving(type("Bound", (Handler,), {"server_state": state})) as state.base:
        yield state


# --- the bot's parts ----------------------------------------------------------------------------

SETTINGS = Settings(allow_private_networks=True)
ENGINE = build_engine(SETTINGS)


def build_router() -> Router:
    return register_all(Router())


@pytest.fixture
async def ctx(repository: Any) -> AsyncIterator[Context]:
    """What the composition root would build, on the test's database; user URLs may reach 127.0.0.1."""
    async with Fetcher(allow_private_networks=True, local_files=False) as fetcher:
        yield build_context(repo=repository, engine=ENGINE, fetcher=fetcher, settings=SETTINGS)


# --- transcripts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A directive (``@…``) or a command (``> …``) with the reply expected after it."""

    line: str
    expected: str = ""


def read_transcript(path: Path) -> list[Step]:
    steps: list[Step] = []
    current: str | None = None
    lines: list[str] = []

    def close() -> None:
        if current is not None:
            steps.append(Step(current, "\n".join(lines).strip("\n")))

    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("# "):
            continue
        if raw.startswith(("> ", "@")):
            close()
            current, lines = raw, []
        elif current is not None:
            lines.append(raw)
        elif raw.strip():
            raise ValueError(f"{path.name}: text before the first command: {raw!r}")
    close()
    return steps


def shown(reply: Reply, *, base: str) -> str:
    """The reply as the transcripts write it: ``{base}`` for the server, each post's bullets as ``  • …``."""
    text = re.sub(r"(?m)^(  • .*\n?)+", "  • …\n", render_reply(reply)).rstrip("\n")
    return text.replace(base, "{base}")


async def play(path: Path, *, ctx: Context, server: Server) -> tuple[str, str]:
    """(actual, expected) conversation of one transcript, each as one string (readable pytest diffs)."""
    router = build_router()
    who: dict[str, Any] = {"platform": "telegram", "chat": "100", "is_group": False, "is_admin": False}
    actual: list[str] = []
    expected: list[str] = []
    async with AsyncExitStack() as stack:
        polling = await stack.enter_async_context(Fetcher(allow_private_networks=True))
        for step in read_transcript(path):
            words = step.line.split()
            if words[0] == "@as":
                platform, chat, *flags = words[1:]
                who = {
                    "platform": platform,
                    "chat": chat,
                    "is_group": "group" in flags,
                    "is_admin": "admin" in flags,
                }
            elif words[0] == "@private-networks" and words[1:] == ["off"]:
                guarded = await stack.enter_async_context(Fetcher(local_files=False))
                ctx = build_context(repo=ctx.repo, engine=ctx.engine, fetcher=guarded, settings=SETTINGS)
            elif words[0] == "@poll":
                poller = Poller(repo=ctx.repo, fetcher=polling, engine=ctx.engine, settings=SETTINGS)
                for feed in await ctx.repo.list_feeds(active_only=True):
                    await poller.poll(feed)
            elif words[0] == ">":
                text = step.line[2:].replace("{base}", server.base).replace("{long}", LONG)
                command = Command.parse(text, user="42", **who)
                assert command is not None, step.line
                reply = await router.dispatch(command, ctx)
                actual.append(f"{step.line}\n{shown(reply, base=server.base)}")
                expected.append(f"{step.line}\n{step.expected}")
            else:
                raise ValueError(f"{path.name}: unknown directive {step.line!r}")
    return "\n\n".join(actual), "\n\n".join(expected)


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
async def test_transcript(path: Path, ctx: Context, server: Server) -> None:
    actual, expected = await play(path, ctx=ctx, server=server)
    assert actual == expected


def test_transcripts_exist() -> None:
    names = {p.stem for p in TRANSCRIPTS}
    assert names >= {"help", "settings", "subscribe", "group", "brief", "private", "hostile"}


# --- what the transcripts cannot show -----------------------------------------------------------


async def test_brief_url_answers_the_pages_briefing(ctx: Context, server: Server) -> None:
    command = Command.parse(f"/brief {server.base}/article.html", platform="slack", chat="C1", user="U1")
    assert command is not None
    reply = await build_router().dispatch(command, ctx)
    post = reply.posts[0]
    actual = (reply.text, len(reply.posts), post.title, post.url, post.lang, post.bullets[-1].split(" : ")[0])
    expected = (
        None,
        1,
        "Grève des contrôleurs aériens : l'aéroport de Lyon perturbé",
        f"{server.base}/article.html",
        "fr",
        "Acteurs",
    )
    assert actual == expected
    assert (len(post.bullets) >= 2) == True  # noqa: E712 - the lead and at least the actors


async def test_a_crashing_handler_is_one_apology_and_a_log_line(
    ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    async def boom(command: Command, ctx: Context) -> Reply:
        raise RuntimeError("secret internals\nTraceback")

    router = Router()
    router.register("boom", boom)
    command = Command(platform="telegram", chat="1", user="2", name="boom")
    with caplog.at_level(logging.ERROR, logger="newsbrief.handlers"):
        reply = await router.dispatch(command, ctx)
    assert reply == Reply("Sorry, /boom failed on my side. Please try again later.")
    assert [r.message for r in caplog.records] == ["/boom from telegram:1 failed"]


def test_registering_a_name_twice_is_refused() -> None:
    router = build_router()
    with pytest.raises(ValueError, match="registered twice"):
        router.register("brief", router.routes["brief"].handler)


PARSED = [
    ("/brief", ("brief", ())),
    ("  /Brief@newsbrief_bot  Lavrov  Kim ", ("brief", ("Lavrov", "Kim"))),
    ("/digest\u000007:30", ("digest", ("07:30",))),  # NUL separates like a space
    ("/brief ab\u202ecd \u0007", ("brief", ("abcd",))),  # bidi override and bell dropped
    ("/", ("", ())),
]


@pytest.mark.parametrize(("text", "expected"), PARSED)
def test_command_parse(text: str, expected: tuple[str, tuple[str, ...]]) -> None:
    command = Command.parse(text, platform="telegram", chat="1", user="2")
    assert command is not None
    assert (command.name, command.args) == expected


def test_plain_text_is_not_a_command() -> None:
    assert Command.parse("hello /brief", platform="telegram", chat="1", user="2") is None


async def test_console_chat_session_reads_local_files(repository: Any) -> None:
    """The operator's console may brief a local file; the same path from a chat user is only words."""
    path = str(DATA / "articles" / "hostile-title.en.json")
    stdin = io.StringIO(f"hello\n\n/brief {path}\n/brief 0\n")
    stdout = io.StringIO()
    async with Fetcher(local_files=False) as fetcher:
        operator = build_context(
            repo=repository, engine=ENGINE, fetcher=fetcher, settings=SETTINGS, local_files=True
        )
        await chat_session(operator, build_router(), stdin=stdin, stdout=stdout)
        user = build_context(repo=repository, engine=ENGINE, fetcher=fetcher, settings=SETTINGS)
        from_chat = Command.parse(f"/brief {path}", platform="telegram", chat="1", user="2")
        assert from_chat is not None
        refused = await build_router().dispatch(from_chat, user)
    blocks = stdout.getvalue().split("\n\n")
    actual = (blocks[0], blocks[1].splitlines()[0], blocks[1].splitlines()[-1], blocks[2:], refused.posts)
    expected = (
        "Commands start with /. Send /help to see what I can do.",
        "Mayor & council <script>alert(1)</script> *clash* over _budget_",
        "  https://example.org/news/budget",
        ["Give a number of briefings from 1 to 20.", ""],
        (),
    )
    assert actual == expected


def test_render_reply_prints_text_then_posts_like_the_console_adapter() -> None:
    reply = Reply("Found:", posts=(Post(title="T", bullets=("a", "b"), url="https://x.test/1"), Post(None)))
    assert render_reply(reply) == "Found:\n\nT\n  • a\n  • b\n  https://x.test/1\n\n(untitled)"

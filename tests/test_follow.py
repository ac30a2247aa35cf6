"""Following actors and stories at ingest (issue 13), end to end: three feeds on a real local HTTP server,
the real engine, fetcher, poller and database (SQLite and PostgreSQL), the outbox to the console.

The articles (tests/data/follow/) are written for these tests:

- ``lavrov-role.fr.txt`` (Dépêche continentale): names Sergueï Lavrov once, then only « le chef de la
  diplomatie russe », who speaks;
- ``lavrov.en.txt`` (Capital Wire): "Lavrov" speaks;
- ``lavrov-backdrop.en.txt`` (Capital Wire): a ferry terminal; Sergei Lavrov is a backdrop mention, once,
  neither key actor nor speaker;
- ``lavrov-role-2.fr.txt`` (Gazette de l'Ouest): the same story as the first, in other words.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from bot.adapters.console import ConsoleAdapter
from bot.app import build_context, build_engine
from bot.digests import digest_now
from bot.models import Command
from bot.outbox import Outbox
from bot.poller import Poller
from bot.settings import Settings
from bot.sources.fetch import Fetcher
from bot.story_index import StoryIndex
from briefings.models import Article
from briefings.names import actor_key
from handlers import register_all
from handlers.router import Router
from tests.localhttp import send_body, serving

DATA = Path(__file__).resolve().parent / "data" / "follow"
NOW = datetime.now(UTC).replace(microsecond=0)
FEEDS = {  # path -> (outlet, article files)
    "/depeche.xml": ("Dépêche continentale", ["lavrov-role.fr.txt"]),
    "/wire.xml": ("Capital Wire", ["lavrov.en.txt", "lavrov-backdrop.en.txt"]),
    "/gazette.xml": ("Gazette de l'Ouest", ["lavrov-role-2.fr.txt"]),
}
TITLES = {f: (DATA / f).read_text(encoding="utf-8").split("\n", 1)[0] for _, fs in FEEDS.values() for f in fs}
FR, EN, BACKDROP, FR2 = (
    TITLES[f]
    for f in ("lavrov-role.fr.txt", "lavrov.en.txt", "lavrov-backdrop.en.txt", "lavrov-role-2.fr.txt")
)
SETTINGS = Settings(allow_private_networks=True)
ENGINE = build_engine(SETTINGS)


def rss(path: str) -> bytes:
    outlet, files = FEEDS[path]
    items = []
    for i, name in enumerate(files):
        title, _, body = (DATA / name).read_text(encoding="utf-8").partition("\n")
        link = f"https://{path.strip('/').removesuffix('.xml')}.invalid/{name}"
        items.append(
            f"<item><title>{escape(title)}</title><link>{link}</link><guid>{name}</guid>"
            f"<pubDate>{format_datetime(NOW - timedelta(hours=3 - i))}</pubDate>"
            f"<content:encoded>{escape(body.strip())}</content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(outlet)}</title><link>https://news.invalid/</link>{''.join(items)}"
        "</channel></rss>"
    ).encode()


class Feeds(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path in FEEDS:
            send_body(self, rss(self.path))
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def base() -> Iterator[str]:
    with serving(Feeds) as url:
        yield url


async def command(ctx: Any, chat: str, text: str, *, platform: str = "telegram") -> str:
    parsed = Command.parse(text, platform=platform, chat=chat, user="1")
    assert parsed is not None
    reply = await register_all(Router()).dispatch(parsed, ctx)
    return "\n".join([reply.text or "", *(b for p in reply.posts for b in (p.title or "", *p.bullets))])


async def test_follows_subscriptions_and_stories(repository: Any, base: str) -> None:
    feeds = {path: await repository.add_feed(base + path) for path in FEEDS}
    async with Fetcher(allow_private_networks=True) as fetcher:
        ctx = build_context(repo=repository, engine=ENGINE, fetcher=fetcher, settings=SETTINGS)
        # "follower" only follows Lavrov; "both" also subscribes to the wire; "subscriber" only subscribes
        assert (await command(ctx, "follower", "/follow Lavrov")).startswith("Following Lavrov")
        assert (await command(ctx, "both", "/follow Sergueï Lavrov")).startswith("Following")
        for chat, paths in {"both": ["/wire.xml"], "subscriber": ["/wire.xml", "/gazette.xml"]}.items():
            for path in paths:
                assert (await command(ctx, chat, f"/subscribe {base}{path}")).startswith("Subscribed")
        # the console reader gets the Gazette's posts and both French outlets' digest
        reader = await repository.upsert_channel("console", "reader")
        for path in ("/depeche.xml", "/gazette.xml"):
            await repository.subscribe(reader.id, feeds[path].id)

        for path in FEEDS:  # the Dépêche first: the Gazette's article joins its story
            # a poller per feed, as after a restart: its story index is seeded from the database
            poller = Poller(repo=repository, fetcher=fetcher, engine=ENGINE, settings=SETTINGS)
            result = await poller.poll(await repository.get_feed(feeds[path].id))
            assert (result.error, result.briefed) == (None, len(FEEDS[path][1]))

        pending = await repository.pending_deliveries(limit=100)
        received = Counter((d.channel.chat, (d.data or {}).get("title")) for d in pending)
        assert sorted(received.items()) == sorted(
            {
                ("follower", FR): 1,  # « le chef de la diplomatie russe » speaks, named once
                ("follower", EN): 1,  # "Lavrov" speaks
                ("follower", FR2): 1,
                ("both", EN): 1,  # subscribed and following: once
                ("both", BACKDROP): 1,  # as a subscriber; following alone would not get it
                ("both", FR): 1,
                ("both", FR2): 1,
                ("subscriber", EN): 1,
                ("subscriber", BACKDROP): 1,
                ("subscriber", FR2): 1,
                ("reader", FR): 1,
                ("reader", FR2): 1,
            }.items()
        )

        # one story for the two French articles, another for the English one
        stories = {
            row["title"]: row["story"] for row in await repository.stories_since(since=NOW - timedelta(1))
        }
        assert (stories[FR] == stories[FR2], stories[FR] != stories[EN], len(set(stories.values()))) == (
            True,
            True,
            3,
        )

        # the feed post of the second outlet says who reported it first; /brief says it too
        out = io.StringIO()
        outbox = Outbox(repo=repository, adapters={"console": ConsoleAdapter(stream=out)}, clock=lambda: NOW)
        assert await outbox.flush() == 2
        posts = [p for p in out.getvalue().split("\n\n") if p.strip()]
        assert [
            (p.splitlines()[0], [x.strip() for x in p.splitlines() if "reported" in x]) for p in posts
        ] == [
            (FR, []),
            (FR2, ["• Also reported by Dépêche continentale (2 sources)"]),
        ]
        brief = await command(ctx, "subscriber", "/brief")
        assert "Also reported by Dépêche continentale (2 sources)" in brief.splitlines()
        assert (await command(ctx, "subscriber", "/lang fr")).startswith("Je répondrai")
        brief = await command(ctx, "subscriber", "/brief")
        assert "Aussi chez Dépêche continentale (2 sources)" in brief.splitlines()

        # the digest groups by the stored story: the two French articles are one story with two sources
        digest = await digest_now(repository, await repository.get_channel_by_id(reader.id), NOW)
        assert [(p.title, p.bullets[-1].split(":")[0]) for p in digest] == [(f"1/1 · {FR}", "2 sources")]

        # unfollowing stops it
        assert (await command(ctx, "follower", "/unfollow lawrow")).startswith("No longer following Lavrov")
        follower = await repository.get_channel("telegram", "follower")
        assert await repository.follows(follower.id) == []
        assert actor_key("Lavrov") == actor_key("Sergueï Lavrov")


def stored(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(article row, briefing JSON) of one of tests/data/follow's articles, as the poller stores them."""
    title, _, body = (DATA / name).read_text(encoding="utf-8").partition("\n")
    url = f"https://news.invalid/{name}"
    briefing = ENGINE.brief(Article(text=body.strip(), title=title, url=url, source=url))
    row = {
        "entry_id": name,
        "url": url,
        "content_hash": None,
        "title": title,
        "published": NOW,
        "error": None,
    }
    return row, {**briefing.to_json(), "url": url}


async def test_instances_share_stories_through_the_database(repository: Any) -> None:
    """Two instances on one PostgreSQL database: the second takes in what the first stored (SQLite is one
    process's, with one index)."""
    if not repository.shared:
        pytest.skip("SQLite: one process, one story index")
    first, second = (StoryIndex(repo=repository, clock=lambda: NOW, catch_up_s=0) for _ in range(2))
    feed = await repository.add_feed("https://news.invalid/feed.xml")
    english_row, english = stored("lavrov.en.txt")
    await second.assign(english_row["url"], english)  # built before the first instance stores anything
    (row, data), (row2, data2) = stored("lavrov-role.fr.txt"), stored("lavrov-role-2.fr.txt")
    story = await first.assign(row["url"], data)
    await repository.add_briefed_article({**row, "feed_id": feed.id, "story_id": story}, data, now=NOW)
    assert await second.assign(row2["url"], data2) == story

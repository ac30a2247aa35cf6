"""Who said what: the actor index (storage, on SQLite and PostgreSQL) and ``/said`` (transcripts)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, inspect, text

from bot.app import build_context, build_engine
from bot.chat import render_reply
from bot.models import Command, SaidClaim
from bot.poller import Poller
from bot.settings import Settings
from bot.sources.fetch import Fetcher
from bot.storage.db import alembic_config, create_engine, open_database
from bot.storage.repository import SqlRepository
from briefings.names import actor_key
from handlers import register_all
from handlers.router import Router
from handlers.said import (
    MAX_CLAIM_CHARS,
    MAX_CLAIMS,
    MAX_LINES,
    Period,
    SaidAnswer,
    group_claims,
    parse_period,
    render_answer,
    said_answer,
    split_args,
)
from tests.cli import newsbrief
from tests.localhttp import send_body, serving

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
ENGINE = build_engine(Settings())  # loads its pipelines when it first briefs (the end-to-end test)


def actor(
    name: str, *aliases: str, role: str | None = None, mentions: int = 3, kind: str = "person"
) -> dict[str, Any]:
    return {
        "name": name,
        "kind": kind,
        "aliases": list(aliases),
        "role": role,
        "mentions": mentions,
        "salience": 0.5,
    }


def claim(speaker: str, text: str, *, kind: str = "statement", cue: str = "a déclaré") -> dict[str, Any]:
    return {
        "speaker": speaker,
        "speaker_role": None,
        "cue": cue,
        "text": text,
        "kind": kind,
        "evidence": {"start": 0, "end": 1},
    }


def briefing(
    title: str, actors: list[dict[str, Any]], claims: list[dict[str, Any]], *, lang: str = "fr"
) -> dict[str, Any]:
    return {
        "source": "feed",
        "lang": lang,
        "title": title,
        "actors": actors,
        "claims": claims,
        "bullets": [title],
    }


LAVROV = actor("Sergueï Lavrov", "Lavrov", role="le chef de la diplomatie russe")
PESKOV = actor("Dmitri Peskov", "Peskov", role="porte-parole du Kremlin")
BACKDROP = actor("Kim Jong-un", mentions=1)


async def store(
    repo: SqlRepository,
    n: int,
    data: dict[str, Any],
    *,
    published: datetime | None = T0,
    feed: str = "Le Monde",
) -> int:
    """Store one briefed article of feed ``feed`` the way the poller does; its article id."""
    feed_row = await repo.add_feed(f"https://{feed.replace(' ', '').lower()}.example/rss", title=feed)
    row = {
        "feed_id": feed_row.id,
        "entry_id": f"e{n}",
        "url": f"https://news.example/{n}",
        "content_hash": f"h{n}",
        "title": data["title"],
        "published": published,
    }
    article_id, _ = await repo.add_briefed_article(row, data, now=T0)
    assert article_id is not None
    return article_id


async def test_claims_are_found_under_every_form_of_the_speakers_name(repository: SqlRepository) -> None:
    await store(
        repository,
        1,
        briefing(
            "A", [LAVROV, BACKDROP], [claim("Sergueï Lavrov", "nous ne livrons pas d'armes", kind="denial")]
        ),
    )
    await store(
        repository,
        2,
        briefing("B", [PESKOV], [claim("Dmitri Peskov", "le Kremlin attend")]),
        published=T0 + timedelta(hours=1),
    )

    for name in (
        "Sergueï Lavrov",
        "Lavrov",
        "LAVROW",
        "Sergej Lawrow",
        "M. Lavrov",
        "le chef de la diplomatie russe",
    ):
        found = await repository.said(actor_key(name), since=T0 - WEEK, limit=10)
        assert [(c.name, c.text, c.kind, c.outlet) for c in found] == [
            ("Sergueï Lavrov", "nous ne livrons pas d'armes", "denial", "Le Monde")
        ], name
    assert await repository.said(actor_key("Kim Jong-un"), since=T0 - WEEK, limit=10) == []


async def test_said_is_newest_first_within_the_period_and_bounded(repository: SqlRepository) -> None:
    for n in range(5):
        data = briefing(f"T{n}", [LAVROV], [claim("Lavrov", f"claim {n}")])
        await store(repository, n, data, published=T0 - timedelta(days=n * 2))

    found = await repository.said(actor_key("Lavrov"), since=T0 - WEEK, limit=10)
    assert [c.text for c in found] == ["claim 0", "claim 1", "claim 2", "claim 3"]
    found = await repository.said(actor_key("Lavrov"), since=T0 - WEEK, limit=2)
    assert [c.text for c in found] == ["claim 0", "claim 1"]


async def test_an_article_without_date_is_dated_by_its_storing(repository: SqlRepository) -> None:
    await store(repository, 1, briefing("A", [LAVROV], [claim("Lavrov", "undated")]), published=None)

    found = await repository.said(actor_key("Lavrov"), since=T0 - timedelta(hours=1), limit=10)
    assert [(c.text, c.published) for c in found] == [("undated", T0)]


async def test_store_briefing_indexes_and_reindexing_sets_the_story(repository: SqlRepository) -> None:
    feed = await repository.add_feed("https://a.example/rss", title="A")
    article_id = await repository.add_article(
        feed_id=feed.id,
        entry_id="x",
        url="https://a.example/x",
        content_hash="x",
        title="X",
        published=T0,
        now=T0,
    )
    assert article_id is not None
    briefing_id = await repository.store_briefing(
        article_id, briefing("X", [PESKOV], [claim("Peskov", "non")]), now=T0
    )
    again = await repository.store_briefing(
        article_id, briefing("X", [PESKOV], [claim("Peskov", "non")]), now=T0
    )

    found = await repository.said(actor_key("Peskov"), since=T0 - WEEK, limit=10)
    assert (again, [(c.text, c.story_id) for c in found]) == (briefing_id, [("non", None)])
    rows = await repository.index_briefing(briefing_id, story_id="story-7")
    found = await repository.said(actor_key("Peskov"), since=T0 - WEEK, limit=10)
    assert (rows > 0, [(c.text, c.story_id) for c in found]) == (True, [("non", "story-7")])


async def test_closest_names_for_a_misspelt_or_unknown_actor(repository: SqlRepository) -> None:
    await store(repository, 1, briefing("A", [LAVROV], [claim("Lavrov", "x")]))
    await store(repository, 2, briefing("B", [actor("Anne Lavoisier")], [claim("Anne Lavoisier", "y")]))
    await store(repository, 3, briefing("C", [PESKOV], [claim("Peskov", "z")]))

    assert await repository.closest_actor_names(actor_key("Lavrof"), limit=3) == ["Sergueï Lavrov"]
    assert await repository.closest_actor_names(actor_key("Lavoisir"), limit=3) == ["Anne Lavoisier"]
    assert await repository.closest_actor_names(actor_key("Zorglub"), limit=3) == []
    assert await repository.closest_actor_names("", limit=3) == []


async def test_deleting_an_article_drops_its_index_rows(repository: SqlRepository) -> None:
    await store(repository, 1, briefing("A", [LAVROV], [claim("Lavrov", "x")]))
    feed = await repository.get_feed("https://lemonde.example/rss")
    assert feed is not None
    async with repository.engine.begin() as connection:
        await connection.execute(text("DELETE FROM articles"))

    assert await repository.said(actor_key("Lavrov"), since=T0 - WEEK, limit=10) == []


@pytest.mark.fresh_database  # migrations from an empty schema
async def test_the_migration_indexes_briefings_stored_before_it(
    database_url: str, database_connect_args: dict[str, Any]
) -> None:
    engine = create_engine(database_url, connect_args=database_connect_args)

    def upgrade_to(connection: Connection, revision: str) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(upgrade_to, "0005")
        await connection.execute(
            text(
                "INSERT INTO articles (id, url, title, published, fetched_at) VALUES (1, 'https://x.example/1', 'A', :t, :t)"
            ),
            {"t": T0.replace(tzinfo=None) if engine.dialect.name == "sqlite" else T0},
        )
    repo = await open_database(database_url, upgrade=False, connect_args=database_connect_args)
    async with repo.engine.begin() as connection:  # the briefing JSON as 0005 stored it
        await connection.execute(
            text(
                "INSERT INTO briefings (id, article_id, lang, title, data, created_at) VALUES (1, 1, 'fr', 'A', :d, :t)"
            ),
            {
                "d": json.dumps(briefing("A", [LAVROV], [claim("Lavrov", "avant")])),
                "t": T0.replace(tzinfo=None) if engine.dialect.name == "sqlite" else T0,
            },
        )
    await repo.close()
    await engine.dispose()

    repo = await open_database(database_url, connect_args=database_connect_args)
    found = await repo.said(actor_key("Sergueï Lavrov"), since=T0 - WEEK, limit=10)
    await repo.close()
    assert [(c.text, c.published, c.url) for c in found] == [("avant", T0, "https://x.example/1")]


@pytest.mark.fresh_database  # migrations from an empty schema
async def test_the_migration_goes_down_and_up_again(
    database_url: str, database_connect_args: dict[str, Any]
) -> None:
    engine = create_engine(database_url, connect_args=database_connect_args)

    def migrate(connection: Connection, step: Callable[[Config, str], None], revision: str) -> list[str]:
        config = alembic_config()
        config.attributes["connection"] = connection
        step(config, revision)
        return sorted(inspect(connection).get_table_names())

    async with engine.begin() as connection:
        up = await connection.run_sync(migrate, command.upgrade, "head")
        down = await connection.run_sync(migrate, command.downgrade, "0005")
        again = await connection.run_sync(migrate, command.upgrade, "head")
    await engine.dispose()

    assert ("actor_mentions" in up, "actor_mentions" in down, again) == (True, False, up)


# -- /said as transcripts (the console's rendering), in both languages ---------------------------------

NOW = T0 + timedelta(hours=6)
LE_MONDE, REUTERS, AFP = "Le Monde", "Reuters", "AFP"
DENIAL = "la Russie ne livre aucune arme à la Corée du Nord"
KIM = actor("Kim Jong-un", mentions=2)  # a key actor who says nothing


async def archive(repo: SqlRepository) -> None:
    """The same denial in three outlets (one a bit reworded, one in English), an accusation the day before,
    an old promise, Peskov, and Kim Jong-un and Daniel Okafor named but never quoted."""
    await store(
        repo,
        1,
        briefing("A", [LAVROV, KIM], [claim("Sergueï Lavrov", DENIAL, kind="denial", cue="a démenti")]),
        published=T0,
        feed=LE_MONDE,
    )
    await store(
        repo,
        2,
        briefing(
            "B",
            [LAVROV],
            [claim("Lavrov", "la Russie ne livre aucune arme à la Corée du Nord, a-t-il dit", kind="denial")],
        ),
        published=T0 - timedelta(hours=2),
        feed=AFP,
    )
    await store(
        repo,
        3,
        briefing(
            "C",
            [actor("Sergei Lavrov", "Lavrov")],
            [
                claim(
                    "Sergei Lavrov", "Russia delivers no weapons to North Korea", kind="denial", cue="denied"
                )
            ],
            lang="en",
        ),
        published=T0 - timedelta(hours=1),
        feed=REUTERS,
    )
    await store(
        repo,
        4,
        briefing(
            "D",
            [LAVROV],
            [
                claim(
                    "Lavrov",
                    "Washington attise les tensions dans la péninsule",
                    kind="accusation",
                    cue="a accusé",
                )
            ],
        ),
        published=T0 - timedelta(days=1),
        feed=LE_MONDE,
    )
    await store(
        repo,
        5,
        briefing(
            "E",
            [LAVROV],
            [claim("Lavrov", "la Russie reviendra à la table des négociations", kind="promise")],
        ),
        published=T0 - timedelta(days=20),
        feed=LE_MONDE,
    )
    await store(
        repo,
        6,
        briefing("F", [PESKOV], [claim("Peskov", "le Kremlin n'a pas été informé", kind="statement")]),
        published=T0 - timedelta(days=40),
        feed=AFP,
    )
    await store(repo, 7, briefing("G", [actor("Daniel Okafor", role="chair")], []), feed=REUTERS)


SAID_EN = [
    (
        "/said Lavrov",
        """Sergueï Lavrov: what was said in the last 7 days
  • 25 Nov 08:00 · denies: “la Russie ne livre aucune arme à la Corée du Nord” — 2 sources: Le Monde (https://news.example/1), AFP (https://news.example/2)
  • 25 Nov 07:00 · denies: “Russia delivers no weapons to North Korea” — Reuters (https://news.example/3)
  • 24 Nov 08:00 · accuses: “Washington attise les tensions dans la péninsule” — Le Monde (https://news.example/4)""",
    ),
    (
        "/said Sergej Lawrow 24h",
        """Sergueï Lavrov: what was said in the last 24 hours
  • 25 Nov 08:00 · denies: “la Russie ne livre aucune arme à la Corée du Nord” — 2 sources: Le Monde (https://news.example/1), AFP (https://news.example/2)
  • 25 Nov 07:00 · denies: “Russia delivers no weapons to North Korea” — Reuters (https://news.example/3)""",
    ),
    (  # the role finds him in the articles that link it to him (not Reuters')
        "/said le chef de la diplomatie russe 1w",
        """Sergueï Lavrov: what was said in the last week
  • 25 Nov 08:00 · denies: “la Russie ne livre aucune arme à la Corée du Nord” — 2 sources: Le Monde (https://news.example/1), AFP (https://news.example/2)
  • 24 Nov 08:00 · accuses: “Washington attise les tensions dans la péninsule” — Le Monde (https://news.example/4)""",
    ),
    (
        "/said Lavrov 30d",
        """Sergueï Lavrov: what was said in the last 30 days
  • 25 Nov 08:00 · denies: “la Russie ne livre aucune arme à la Corée du Nord” — 2 sources: Le Monde (https://news.example/1), AFP (https://news.example/2)
  • 25 Nov 07:00 · denies: “Russia delivers no weapons to North Korea” — Reuters (https://news.example/3)
  • 24 Nov 08:00 · accuses: “Washington attise les tensions dans la péninsule” — Le Monde (https://news.example/4)
  • 5 Nov 08:00 · promises: “la Russie reviendra à la table des négociations” — Le Monde (https://news.example/5)""",
    ),
    (
        "/said Peskov",
        "Dmitri Peskov said nothing in the last 7 days in the articles I briefed; the latest was on 16 Oct 08:00.",
    ),
    ("/said Kim Jong Un", "Kim Jong-un is named in the articles I briefed, but never quoted."),
    ("/said Okafor", "Daniel Okafor is named in the articles I briefed, but never quoted."),
    ("/said Lavrof", "No articles mention “Lavrof” yet. Closest names: Sergueï Lavrov."),
    ("/said Zorglub", "No articles mention “Zorglub” yet."),
    ("/said Lavrov 7x", "“7x” is not a period: use 24h, 7d, 30d or 2w (at most a year)."),
    ("/said Lavrov 0d", "“0d” is not a period: use 24h, 7d, 30d or 2w (at most a year)."),
    ("/said Lavrov 9999d", "“9999d” is not a period: use 24h, 7d, 30d or 2w (at most a year)."),
    ("/said", "Usage: /said <name> [24h | 7d | 30d], e.g. /said Lavrov 7d"),
    ('/said ""', "Usage: /said <name> [24h | 7d | 30d], e.g. /said Lavrov 7d"),
]

SAID_FR = [
    (
        "/said Sergueï Lavrov 2j",
        """Sergueï Lavrov : ses propos sur les 2 derniers jours
  • 25 nov. 09:00 · dément : « la Russie ne livre aucune arme à la Corée du Nord » — 2 sources : Le Monde (https://news.example/1), AFP (https://news.example/2)
  • 25 nov. 08:00 · dément : « Russia delivers no weapons to North Korea » — Reuters (https://news.example/3)
  • 24 nov. 09:00 · accuse : « Washington attise les tensions dans la péninsule » — Le Monde (https://news.example/4)""",
    ),
    (
        "/said Peskov",
        "Dmitri Peskov n'a rien dit sur les 7 derniers jours dans les articles que j'ai résumés ; ses derniers propos datent du 16 oct. 10:00.",
    ),
    ("/said Lavrof", "Aucun article ne mentionne encore « Lavrof ». Noms les plus proches : Sergueï Lavrov."),
    ("/said Lavrov 7x", "« 7x » n'est pas une période : utilisez 24h, 7j, 30j ou 2w (un an au plus)."),
    ("/said", "Usage : /said <nom> [24h | 7j | 30j], par exemple /said Lavrov 7j"),
]


async def transcript(repo: SqlRepository, steps: list[tuple[str, str]], *, chat: str) -> tuple[str, str]:
    """(actual, expected) replies of the commands, as the console prints them."""
    ctx = build_context(repo=repo, engine=ENGINE, fetcher=None, settings=Settings(), clock=lambda: NOW)  # type: ignore[arg-type]
    router = register_all(Router())
    actual, expected = [], []
    for typed, reply in steps:
        command = Command.parse(typed, platform="console", chat=chat, user="42")
        assert command is not None
        actual.append(f"> {typed}\n{render_reply(await router.dispatch(command, ctx))}")
        expected.append(f"> {typed}\n{reply}")
    return "\n\n".join(actual), "\n\n".join(expected)


async def test_said_transcript_in_english(repository: SqlRepository) -> None:
    await archive(repository)
    actual, expected = await transcript(repository, SAID_EN, chat="en")
    assert actual == expected


async def test_said_transcript_in_french(repository: SqlRepository) -> None:
    await archive(repository)
    channel = await repository.upsert_channel("console", "fr")
    await repository.update_channel(channel.id, language="fr", timezone="Europe/Paris")
    actual, expected = await transcript(repository, SAID_FR, chat="fr")
    assert actual == expected


async def test_said_output_is_bounded(repository: SqlRepository) -> None:
    for n in range(40):
        text = f"claim number {n} about subject{n} and topic{n} " + "x" * 500
        await store(
            repository,
            n,
            briefing(f"T{n}", [LAVROV], [claim("Lavrov", text)]),
            published=T0 - timedelta(minutes=n),
        )
    ctx = build_context(repo=repository, engine=ENGINE, fetcher=None, settings=Settings(), clock=lambda: NOW)  # type: ignore[arg-type]
    command = Command.parse("/said Lavrov", platform="console", chat="c", user="42")
    assert command is not None
    reply = await register_all(Router()).dispatch(command, ctx)

    (post,) = reply.posts
    assert (len(post.bullets), post.bullets[-1]) == (
        MAX_LINES + 1,
        "… and 25 more (a shorter period shows them)",
    )
    assert max(len(b) for b in post.bullets) < MAX_CLAIM_CHARS + 120


def test_a_capped_answer_says_there_are_more() -> None:
    claims = [
        said_claim(n, f"claim {n} about subject{n} and topic{n}", hours=n % 24) for n in range(MAX_CLAIMS)
    ]
    answer = SaidAnswer(
        "Lavrov", "sergei lavrov", "Lavrov", T0 - WEEK, lines=tuple(group_claims(claims)), capped=True
    )

    reply = render_answer(answer, lang="fr", period=Period(7, "d"), zone=ZoneInfo("UTC"))
    (post,) = reply.posts
    assert (
        post.bullets[-1]
        == f"… et plus de {MAX_CLAIMS - MAX_LINES} autres (une période plus courte les montre)"
    )


# -- newsbrief said ------------------------------------------------------------------------------------


async def test_the_cli_answers_in_text_and_json(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    hour_ago = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    repo = await open_database(url)
    await store(
        repo, 1, briefing("A", [LAVROV], [claim("Lavrov", DENIAL, kind="denial")]), published=hour_ago
    )
    await store(
        repo,
        2,
        briefing("B", [LAVROV], [claim("Lavrov", DENIAL, kind="denial")]),
        published=hour_ago,
        feed=AFP,
    )
    await repo.close()
    env = {"NEWSBRIEF_DATABASE_URL": url}

    text = await asyncio.to_thread(newsbrief, "said", "Sergueï Lavrov", "--since", "24h", env=env)
    as_json = await asyncio.to_thread(
        newsbrief, "said", "Lawrow", "--format", "json", "--lang", "fr", env=env
    )
    unknown = await asyncio.to_thread(newsbrief, "said", "Lavrof", env=env)
    bad = await asyncio.to_thread(newsbrief, "said", "Lavrov", "--since", "forever", env=env)

    assert (text.returncode, text.stdout.splitlines()[0]) == (
        0,
        "Sergueï Lavrov: what was said in the last 24 hours",
    )
    assert (
        "· denies: “la Russie ne livre aucune arme à la Corée du Nord” — 2 sources: Le Monde (https://news.example/1), AFP (https://news.example/2)"
        in text.stdout
    )
    data = json.loads(as_json.stdout)
    assert (data["name"], data["key"], len(data["claims"])) == ("Sergueï Lavrov", "sergei lavrov", 1)
    assert data["claims"][0] | {"published": None} == {
        "text": DENIAL,
        "kind": "denial",
        "cue": "a déclaré",
        "published": None,
        "story": None,
        "sources": [
            {"outlet": "Le Monde", "url": "https://news.example/1", "title": "A"},
            {"outlet": "AFP", "url": "https://news.example/2", "title": "B"},
        ],
    }
    assert (unknown.returncode, unknown.stdout.strip()) == (
        0,
        "No articles mention “Lavrof” yet. Closest names: Sergueï Lavrov.",
    )
    assert (bad.returncode, "Traceback" in bad.stderr, "'forever'" in bad.stderr) == (2, False, True)


# -- the pieces of /said, as tables ------------------------------------------------------------------------

PERIODS = [
    ("24h", Period(24, "h")),
    ("7d", Period(7, "d")),
    ("7j", Period(7, "d")),
    ("2W", Period(2, "w")),
    ("366d", Period(366, "d")),
    ("367d", None),
    ("0h", None),
    ("7", None),
    ("d7", None),
    ("7 days", None),
    ("1e9d", None),
    ("99999h", None),
]


@pytest.mark.parametrize(("typed", "expected"), PERIODS)
def test_parse_period(typed: str, expected: Period | None) -> None:
    assert parse_period(typed) == expected


ARGS = [
    (("Lavrov",), ("Lavrov", None)),
    (("Sergueï", "Lavrov", "7d"), ("Sergueï Lavrov", "7d")),
    (('"Sergueï', 'Lavrov"', "24h"), ("Sergueï Lavrov", "24h")),
    (("«", "Lavrov", "»"), ("Lavrov", None)),
    (("Lavrov", "7x"), ("Lavrov", "7x")),  # looks like a period: refused as one, not searched as a name
    (("7d",), ("7d", None)),
    (("Louis", "XIV"), ("Louis XIV", None)),
]


@pytest.mark.parametrize(("args", "expected"), ARGS)
def test_split_args(args: tuple[str, ...], expected: tuple[str, str | None]) -> None:
    assert split_args(args) == expected


def said_claim(
    n: int, text: str, *, story: str | None = None, hours: int = 0, outlet: str = "AFP"
) -> SaidClaim:
    return SaidClaim(
        name="Lavrov",
        text=text,
        kind="statement",
        cue="dit",
        published=T0 - timedelta(hours=hours),
        briefing_id=n,
        article_id=n,
        claim_no=0,
        story_id=story,
        url=f"https://news.example/{n}",
        outlet=outlet,
    )


ONE = "Moscou ne livrera aucune arme à Pyongyang cette année"
REWORDED = "Pyongyang ne recevra aucune arme de Moscou, assure le ministre"  # 4 of 9 words shared
GROUPS = [
    ([said_claim(1, ONE), said_claim(2, ONE, hours=1)], [[1, 2]]),
    ([said_claim(1, ONE), said_claim(2, REWORDED, hours=1)], [[1], [2]]),
    ([said_claim(1, ONE, story="s"), said_claim(2, REWORDED, story="s", hours=1)], [[1, 2]]),
    ([said_claim(1, ONE, story="s"), said_claim(2, REWORDED, story="t", hours=1)], [[1], [2]]),
    ([said_claim(2, "autre chose", hours=5), said_claim(1, ONE)], [[1], [2]]),  # newest first
]


@pytest.mark.parametrize(("claims", "expected"), GROUPS)
def test_group_claims(claims: list[SaidClaim], expected: list[list[int]]) -> None:
    lines = group_claims(claims)
    assert [[int(s.url.rsplit("/", 1)[-1]) for s in line.sources if s.url] for line in lines] == expected


# -- end to end: feeds polled by the real poller and engine, stories assigned at ingest -----------------

FOLLOW_DATA = Path(__file__).resolve().parent / "data" / "follow"  # articles written for issue 13's tests
OUTLETS = {  # path -> (outlet, article file)
    "/depeche.xml": ("Dépêche continentale", "lavrov-role.fr.txt"),
    "/gazette.xml": ("Gazette de l'Ouest", "lavrov-role-2.fr.txt"),
    "/wire.xml": ("Capital Wire", "lavrov.en.txt"),
}


class OutletFeeds(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path not in OUTLETS:
            self.send_response(404)
            self.end_headers()
            return
        outlet, name = OUTLETS[self.path]
        title, _, body = (FOLLOW_DATA / name).read_text(encoding="utf-8").partition("\n")
        published = format_datetime(datetime.now(UTC) - timedelta(hours=2))
        send_body(
            self,
            (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
                'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
                f"<channel><title>{escape(outlet)}</title><link>https://news.invalid/</link>"
                f"<item><title>{escape(title)}</title><link>https://{self.path[1:-4]}.invalid/{name}</link>"
                f"<guid>{name}</guid><pubDate>{published}</pubDate>"
                f"<content:encoded>{escape(body.strip())}</content:encoded></item></channel></rss>"
            ).encode(),
        )

    def log_message(self, *args: Any) -> None:
        pass


async def test_polled_articles_of_one_story_are_one_line_per_claim(repository: SqlRepository) -> None:
    settings = Settings(allow_private_networks=True)
    with serving(OutletFeeds) as base:
        async with Fetcher(allow_private_networks=True) as fetcher:
            for path in OUTLETS:  # the Dépêche first: the Gazette's article joins its story
                feed = await repository.add_feed(base + path)
                poller = Poller(repo=repository, fetcher=fetcher, engine=ENGINE, settings=settings)
                assert (await poller.poll(feed)).briefed == 1
    answer = await said_answer(repository, "Lavrov", since=datetime.now(UTC) - WEEK)
    by_role = await said_answer(repository, "le chef de la diplomatie russe", since=datetime.now(UTC) - WEEK)

    french = {"Dépêche continentale", "Gazette de l'Ouest"}
    both = [line for line in answer.lines if {s.outlet for s in line.sources} == french]
    assert (answer.name, len(both) >= 1) == ("Sergueï Lavrov", True)
    assert all(line.story_id is not None for line in both)  # grouped in the story given at ingest
    assert {s.outlet for line in answer.lines for s in line.sources} == french | {"Capital Wire"}
    # the role names him in the French articles only
    assert {s.outlet for line in by_role.lines for s in line.sources} == french

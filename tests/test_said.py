"""Who said what: the actor index (storage, on SQLite and PostgreSQL) and ``/said`` (transcripts)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from sqlalchemy import Connection, text

from bot.storage.db import alembic_config, create_engine, open_database
from bot.storage.repository import SqlRepository
from briefings.names import actor_key

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


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

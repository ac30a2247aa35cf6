"""``/said <actor> 7d`` on a large archive: 100,000 stored briefings, SQLite and PostgreSQL.

Usage: python bench/said.py [--briefings 100000] [--repeat 50] [--seed 13] [--pg-url URL] [--no-sqlite]

The five sample articles (``seeds/``) are briefed once by the real engine (not timed). ``--briefings``
stored briefings are made from them, published over the year before ``NOW``: every person gets a new name
(drawn from 60 first names × 2,000 made-up surnames, Zipf-distributed, so some names are everywhere and
most are rare), claims are reworded per story (the content words of a claim get the story's number, three
outlets per story tell it), and in 5 % of the copies of the Lavrov article Lavrov keeps his name, written
"Sergueï Lavrov", "Sergei Lavrov" or "Sergej Lawrow". They are stored as the repository stores them (the
articles, the briefing JSON, the actor index rows of `bot.storage.repository.index_rows`), in bulk.

Timed, ``--repeat`` times after 3 warm-up runs: `Repository.said` (the index query) and the whole answer of
``/said`` (`handlers.said.said_answer` + rendering: lookup, grouping, lines) for "Sergueï Lavrov" over 7
days, and for the most frequent made-up name (the worst case: it reads `MAX_CLAIMS` claims). Then the
query plan of the SQL `said` runs: SQLite's ``EXPLAIN QUERY PLAN`` and PostgreSQL's ``EXPLAIN ANALYZE``.
Target (issue 13): median ≤ 50 ms from SQLite and from PostgreSQL, an index scan.

PostgreSQL: ``--pg-url`` (default ``$NEWSBRIEF_TEST_DATABASE_URL``) in a schema of its own, dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.settings import DEFAULT_MAX_BULLETS, DEFAULT_PIPELINES
from bot.storage.db import open_database
from bot.storage.repository import SqlRepository, index_rows
from bot.storage.tables import ActorMention, ArticleRecord, BriefingRecord, Feed
from briefings.engine import LocalEngine
from briefings.loading import load_path
from briefings.names import actor_key
from handlers.said import MAX_CLAIMS, Period, render_answer, said_answer

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
YEAR = timedelta(days=365)
SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TARGET = "Sergueï Lavrov"
LAVROV_FORMS = ("Sergueï Lavrov", "Sergei Lavrov", "Sergej Lawrow")
LAVROV_SHARE = 0.05
OUTLETS_PER_STORY = 3
FEEDS = ("Le Monde", "Reuters", "AFP", "Le Figaro", "BBC News", "Libération", "The Guardian", "France 24")
FIRST_NAMES = (
    "Anna Marc Julie Pierre Sophie Ivan Olga Karim Fatima Hans Greta John Mary Paolo Giulia Carlos Lucia Ahmed "
    "Leila Kenji Yuki Wei Mei Amara Kofi Nadia Igor Elena Tomas Ingrid Lars Sven Ana Diego Rosa Omar Sara David "
    "Ruth Simon Claire Louis Emma Hugo Alice Paul Nora Felix Mila Oscar Vera Adam Eva Leon Iris Max Lea Noah Zoe"
).split()
SYLLABLES = (
    "ba be bo da de do fa fe ka ke ko la le lo ma me mo na ne no ra re ro sa se so ta te to va ve vo".split()
)
ENDINGS = ("", "ov", "ski", "ez", "ini", "son", "ard", "el")
_LONG_WORD = re.compile(r"\b(\w{5,})\b")


def briefed_seeds() -> list[dict[str, Any]]:
    engine = LocalEngine(pipelines=DEFAULT_PIPELINES, max_bullets=DEFAULT_MAX_BULLETS)
    paths = sorted(SEEDS.glob("*.txt"))
    return [engine.brief(load_path(p, source=p.name)).to_json() for p in paths]


def people(rng: random.Random, n: int = 2000) -> list[str]:
    surnames: set[str] = set()
    while len(surnames) < n:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))) + rng.choice(ENDINGS)
        surnames.add(word.capitalize())
    return [f"{rng.choice(FIRST_NAMES)} {s}" for s in sorted(surnames)]


def variant(seed: dict[str, Any], *, i: int, rng: random.Random, pick: Callable[[], str]) -> dict[str, Any]:
    """Briefing number ``i``: its people renamed, its claims reworded for its story (``i // 3``)."""
    story = i // OUTLETS_PER_STORY
    names: dict[str, str] = {}
    actors = []
    for actor in seed["actors"]:
        if actor["kind"] != "person":
            actors.append(actor)
            continue
        keep = actor["name"] == TARGET and rng.random() < LAVROV_SHARE
        new = rng.choice(LAVROV_FORMS) if keep else pick()
        for old in (actor["name"], *actor["aliases"]):
            names[old] = new
        actors.append({**actor, "name": new, "aliases": [new.rsplit(" ", 1)[-1]]})
    claims = [
        {
            **c,
            "speaker": names.get(c["speaker"], c["speaker"]),
            "text": _LONG_WORD.sub(lambda m: f"{m[1]}{story}", c["text"]),
        }
        for c in seed["claims"]
    ]
    return {**seed, "actors": actors, "claims": claims, "title": f"{seed['title']} ({story})"}


def archive(
    seeds: list[dict[str, Any]], n: int, *, seed: int
) -> Iterator[tuple[int, dict[str, Any], datetime]]:
    rng = random.Random(seed)
    pool = people(rng)
    weights = [1 / (rank + 1) for rank in range(len(pool))]  # Zipf: a few names everywhere, most rare
    cumulative = list(_accumulate(weights))

    def pick() -> str:
        return rng.choices(pool, cum_weights=cumulative)[0]

    story_time: dict[int, datetime] = {}
    for i in range(n):
        story = i // OUTLETS_PER_STORY
        when = story_time.setdefault(story, NOW - YEAR * rng.random())
        yield (
            i,
            variant(seeds[story % len(seeds)], i=i, rng=rng, pick=pick),
            when + timedelta(minutes=i % 3 * 17),
        )


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


async def load(repo: SqlRepository, seeds: list[dict[str, Any]], n: int, *, seed: int) -> tuple[float, int]:
    """Store the archive in bulk; (seconds, index rows)."""
    t = time.perf_counter()
    rows_total = 0
    async with repo.engine.begin() as conn:
        await conn.execute(
            insert(Feed),
            [
                {"id": k + 1, "url": f"https://feed{k}.example/rss", "title": title, "added_at": NOW}
                for k, title in enumerate(FEEDS)
            ],
        )
    batch: list[tuple[int, dict[str, Any], datetime]] = []

    async def flush() -> int:
        articles, briefings, mentions = [], [], []
        for i, data, when in batch:
            articles.append(
                {
                    "id": i + 1,
                    "feed_id": i % len(FEEDS) + 1,
                    "entry_id": f"e{i}",
                    "url": f"https://news{i % len(FEEDS)}.example/{i}",
                    "content_hash": f"h{i}",
                    "title": data["title"],
                    "published": when,
                    "fetched_at": when,
                }
            )
            briefings.append(
                {
                    "id": i + 1,
                    "article_id": i + 1,
                    "lang": data["lang"],
                    "title": data["title"],
                    "data": data,
                    "created_at": when,
                }
            )
            mentions.extend(index_rows(i + 1, i + 1, data, published_at=when))
        async with repo.engine.begin() as conn:
            await conn.execute(insert(ArticleRecord), articles)
            await conn.execute(insert(BriefingRecord), briefings)
            await conn.execute(insert(ActorMention), mentions)
        batch.clear()
        return len(mentions)

    for item in archive(seeds, n, seed=seed):
        batch.append(item)
        if len(batch) == 2000:
            rows_total += await flush()
    if batch:
        rows_total += await flush()
    async with repo.engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
    return time.perf_counter() - t, rows_total


def most_frequent_name(*, seed: int) -> str:
    """The made-up name of Zipf rank 1 (`archive` draws its pool first from the same seed)."""
    return people(random.Random(seed))[0]


async def timed(run: Callable[[], Coroutine[Any, Any, Any]], repeat: int) -> tuple[list[float], Any]:
    for _ in range(3):
        result = await run()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = await run()
        times.append((time.perf_counter() - t) * 1000)
    return times, result


def summary(times: list[float]) -> str:
    times = sorted(times)
    p90 = times[int(len(times) * 0.9) - 1]
    return f"median {statistics.median(times):.1f} ms, p90 {p90:.1f} ms, min {times[0]:.1f} ms"


async def explain(repo: SqlRepository, key: str) -> str:
    """The plan of the exact SQL `said` sends (captured from the driver call)."""
    captured: list[tuple[str, Any]] = []

    def capture(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        if "actor_mentions" in statement:
            captured.append((statement, parameters))

    event.listen(repo.engine.sync_engine, "before_cursor_execute", capture)
    try:
        await repo.said(key, since=NOW - timedelta(days=7), limit=MAX_CLAIMS)
    finally:
        event.remove(repo.engine.sync_engine, "before_cursor_execute", capture)
    statement, parameters = captured[0]
    prefix = "EXPLAIN QUERY PLAN " if repo.engine.dialect.name == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    async with repo.engine.connect() as conn:
        rows = (await conn.exec_driver_sql(prefix + statement, parameters)).all()
    return "\n".join("    " + " | ".join(str(c) for c in row) for row in rows)


async def ingest_cost(
    url: str, connect_args: dict[str, Any], seeds: list[dict[str, Any]], n: int, label: str
) -> None:
    """What the index adds to storing one briefing: ``n`` briefings stored one by one through
    `add_briefed_article` (one transaction each, as the poller does), with the index rows and without them
    (`repository._index` made a no-op for the second half: a bench-only switch), on a fresh database."""
    import bot.storage.repository as storage

    repo = await open_database(url, connect_args=connect_args)
    rng = random.Random(1)
    feed = await repo.add_feed("https://ingest.example/rss", title="Ingest")
    original = storage._index

    async def no_index(*args: Any, **kwargs: Any) -> int:
        return 0

    times: dict[str, list[float]] = {"with the index": [], "without": []}
    try:
        for i, (data, _when) in enumerate(
            (d, w) for _, d, w in archive(seeds, 2 * n, seed=rng.randint(0, 9))
        ):
            label_ = "with the index" if i % 2 == 0 else "without"  # interleaved: the same load for both
            storage._index = original if i % 2 == 0 else no_index
            row = {
                "feed_id": feed.id,
                "entry_id": f"i{i}",
                "url": f"https://ingest.example/{i}",
                "content_hash": f"i{i}",
                "title": data["title"],
                "published": NOW,
            }
            t = time.perf_counter()
            await repo.add_briefed_article(row, data, now=NOW)
            times[label_].append((time.perf_counter() - t) * 1000)
    finally:
        storage._index = original
        await repo.close()
    shown = "; ".join(f"{k}: {summary(v)}" for k, v in times.items())
    print(f"[{label}] storing one briefing ({n} each, interleaved): {shown}")


async def measure(
    repo: SqlRepository, seeds: list[dict[str, Any]], args: argparse.Namespace, label: str
) -> None:
    seconds, rows = await load(repo, seeds, args.briefings, seed=args.seed)
    print(
        f"\n[{label}] stored {args.briefings:,} briefings and {rows:,} index rows in {seconds:.0f} s (bulk, not timed below)"
    )
    since = NOW - timedelta(days=7)
    for who in (TARGET, most_frequent_name(seed=args.seed)):

        async def query(key: str = actor_key(who)) -> list[Any]:
            return await repo.said(key, since=since, limit=MAX_CLAIMS)

        query_times, claims = await timed(query, args.repeat)

        async def answer(who: str = who) -> Any:
            found = await said_answer(repo, who, since=since)
            return found, render_answer(found, lang="en", period=Period(7, "d"), zone=ZoneInfo("UTC"))

        answer_times, (found, reply) = await timed(answer, args.repeat)
        lines = len(found.lines)
        print(
            f"[{label}] /said {who} 7d: {len(claims)} claims, {lines} lines ({len(reply.posts[0].bullets) if reply.posts else 0} shown)"
        )
        print(f"[{label}]   Repository.said: {summary(query_times)}")
        print(f"[{label}]   whole answer:    {summary(answer_times)}")
    miss_times, names = await timed(
        lambda: repo.closest_actor_names(actor_key("Lavrof"), limit=3), max(5, args.repeat // 5)
    )
    print(f"[{label}] closest names of an unknown 'Lavrof' ({names}): {summary(miss_times)}")
    print(f"[{label}] plan of the said query:\n{await explain(repo, actor_key(TARGET))}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--briefings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--pg-url", default=os.environ.get("NEWSBRIEF_TEST_DATABASE_URL"))
    parser.add_argument("--no-sqlite", dest="sqlite", action="store_false")
    parser.add_argument(
        "--store", type=int, default=300, help="briefings stored one by one, with and without the index"
    )
    args = parser.parse_args()

    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {' '.join(platform.uname())}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print("load average before the run: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    t = time.perf_counter()
    seeds = briefed_seeds()
    print(f"sample articles: {len(seeds)}, briefed in {time.perf_counter() - t:.1f} s (not timed)")

    if args.sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            await ingest_cost(
                f"sqlite+aiosqlite:///{Path(tmp) / 'ingest.db'}", {}, seeds, args.store, "SQLite"
            )
            repo = await open_database(f"sqlite+aiosqlite:///{Path(tmp) / 'said.db'}")
            try:
                await measure(repo, seeds, args, "SQLite")
            finally:
                await repo.close()
    if args.pg_url:
        schema = f"bench_said_{secrets.token_hex(4)}"
        admin = create_async_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            await ingest_cost(
                args.pg_url, await _schema(admin, schema + "_i"), seeds, args.store, "PostgreSQL"
            )
            repo = await open_database(args.pg_url, connect_args={"server_settings": {"search_path": schema}})
            try:
                await measure(repo, seeds, args, "PostgreSQL")
            finally:
                await repo.close()
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}_i" CASCADE'))
            await admin.dispose()
    print("load average after the run: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


async def _schema(admin: Any, name: str) -> dict[str, Any]:
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{name}"'))
    return {"server_settings": {"search_path": name}}


if __name__ == "__main__":
    asyncio.run(main())

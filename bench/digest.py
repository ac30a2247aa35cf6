"""Digest speed: clustering, merging and ranking a day of stored briefings, and clustering quality.

Usage: python bench/digest.py [--articles 5000] [--repeat 5] [--seed 42]

The fixture corpus (tests/data/stories/, 36 articles, 12 gold stories) is briefed once by the real engine
(not timed); purity and completeness of the clustering are computed on it. Then ``--articles`` stored
briefings of the last 24 h are made from those briefings: each copy of the corpus is a new set of
stories (its names, numbers and most words get a suffix of their own, the same within a copy), and each
article gets a new URL, a timestamp in the last 24 h, shuffled bullets and sometimes one claim or
bullet fewer. Timed, as the digest would run: JSON decoding of the stored briefings, clustering all of
them, merging every story, ranking the top 8. Target (issue 5): ≤ 5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import statistics
import sys
import time
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.stories_corpus

from bot.settings import DEFAULT_MAX_BULLETS, DEFAULT_PIPELINES
from briefings.engine import LocalEngine
from briefings.stories import STOP_WORDS, StoryClusterer, merge_story, rank_stories
from tests.stories_corpus import load_corpus, purity_completeness, stored_briefings

NOW = datetime(2026, 11, 26, 20, 0, tzinfo=UTC)


def briefed_corpus() -> list[tuple[str, dict[str, Any]]]:
    """(gold story, stored briefing) for each article of the fixture corpus, briefed by the real engine."""
    corpus = load_corpus()
    stored = stored_briefings(
        LocalEngine(pipelines=DEFAULT_PIPELINES, max_bullets=DEFAULT_MAX_BULLETS), corpus
    )
    return [(a["story"], d) for a, d in zip(corpus, stored, strict=True)]


def cluster(items: Sequence[dict[str, Any]]) -> list[list[str]]:
    clusterer = StoryClusterer()
    for data in items:
        clusterer.add(data["url"], data)
    return clusterer.stories()


_WORD = re.compile(r"\w+")


def _renamed(word: str, copy: int) -> bool:
    """Whether a copy renames ``word``: four words in five, never a stop word."""
    return word.lower() not in STOP_WORDS and zlib.crc32(f"{word.lower()}{copy}".encode()) % 5 > 0


def variant(data: dict[str, Any], *, copy: int, rng: random.Random, when: datetime) -> dict[str, Any]:
    """A stored briefing of copy number ``copy``: a different story made from ``data`` (see the module
    docstring), published at ``when``."""
    tag = "qx" + "".join("abcdefghijklmnopqrstuvwxyz"[int(d)] for d in str(copy))

    def text(s: str | None) -> str | None:
        if s is None:
            return None
        return _WORD.sub(lambda m: m[0] + tag if _renamed(m[0], copy) else m[0], s)

    claims = [{**c, "speaker": text(c["speaker"]), "text": text(c["text"])} for c in data["claims"]]
    if claims and rng.random() < 0.3:
        claims.pop(rng.randrange(len(claims)))
    bullets = [text(b) for b in data["bullets"]]
    if len(bullets) > 2 and rng.random() < 0.3:
        bullets.pop(rng.randrange(1, len(bullets)))
    bullets[1:-1] = rng.sample(bullets[1:-1], k=len(bullets) - 2) if len(bullets) > 2 else bullets[1:-1]
    return {
        **data,
        "title": text(data["title"]),
        "actors": [
            {**a, "name": text(a["name"]), "aliases": [text(x) for x in a["aliases"]]} for a in data["actors"]
        ],
        "claims": claims,
        "bullets": bullets,
        "url": f"{data['url']}-{copy}",
        "published": when.isoformat(),
    }


def synthetic(corpus: list[tuple[str, dict[str, Any]]], n: int, *, seed: int) -> list[tuple[str, str]]:
    """``n`` (gold story, stored JSON) pairs of the last 24 h, in publication order."""
    rng = random.Random(seed)
    out: list[tuple[datetime, str, str]] = []
    copy = 0
    while len(out) < n:
        starts = {story: NOW - timedelta(hours=rng.uniform(3, 24)) for story, _ in corpus}
        for story, data in corpus[: n - len(out)]:
            when = min(starts[story] + timedelta(minutes=rng.uniform(0, 180)), NOW)
            item = variant(data, copy=copy, rng=rng, when=when)
            out.append((when, f"{story}#{copy}", json.dumps(item, ensure_ascii=False)))
        copy += 1
    out.sort(key=lambda t: t[0])
    return [(gold, raw) for _, gold, raw in out]


def digest(stored: Sequence[str]) -> dict[str, Any]:
    """The timed part: decode, cluster, merge, rank; the time of each step."""
    c0, t0 = time.process_time(), time.perf_counter()
    items = [json.loads(raw) for raw in stored]
    t1 = time.perf_counter()
    clusters = cluster(items)
    t2 = time.perf_counter()
    by_url = {d["url"]: d for d in items}
    stories = [
        merge_story([by_url[k] for k in keys], story_id=keys[0], max_bullets=DEFAULT_MAX_BULLETS)
        for keys in clusters
    ]
    t3 = time.perf_counter()
    top = rank_stories(stories, now=NOW, limit=8)
    t4 = time.perf_counter()
    return {
        "cpu": time.process_time() - c0,
        "decode": t1 - t0,
        "cluster": t2 - t1,
        "merge": t3 - t2,
        "rank": t4 - t3,
        "total": t4 - t0,
        "clusters": clusters,
        "top": top,
    }


async def end_to_end(stored: Sequence[tuple[str, str]], *, repeat: int) -> list[float]:
    """Store the day in a fresh SQLite database (one feed per outlet, one channel following them all),
    then time what the bot does for a digest: `bot.digests.digest_posts` — read the briefings back,
    decode, cluster, merge, rank, render the posts."""
    import tempfile

    from bot.digests import digest_posts
    from bot.storage.db import repository

    url = f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/digest.db"
    times = []
    async with repository(url) as repo:
        channel = await repo.upsert_channel("console", "desk")
        feeds: dict[str, int] = {}
        for n, (_, raw) in enumerate(stored):
            data = json.loads(raw)
            outlet = data.get("feed") or "outlet"
            if outlet not in feeds:
                feed = await repo.add_feed(f"https://{len(feeds)}.example/feed.xml", title=outlet)
                await repo.subscribe(channel.id, feed.id)
                feeds[outlet] = feed.id
            when = datetime.fromisoformat(data["published"])
            row = {
                "feed_id": feeds[outlet],
                "entry_id": str(n),
                "url": data["url"],
                "content_hash": str(n),
                "title": data.get("title"),
                "published": when,
            }
            await repo.add_briefed_article(row, data, now=when)
        for _ in range(repeat):
            t = time.perf_counter()
            posts = await digest_posts(repo, channel, since=NOW - timedelta(hours=24), now=NOW)
            times.append(time.perf_counter() - t)
        assert len(posts) == channel.digest_stories
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--no-end-to-end", dest="end_to_end", action="store_false", help="skip the timing through storage"
    )
    args = parser.parse_args()

    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {' '.join(platform.uname())}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print("load average before the run: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))

    t = time.perf_counter()
    corpus = briefed_corpus()
    print(
        f"fixture corpus: {len(corpus)} articles, {len({s for s, _ in corpus})} gold stories, "
        f"briefed in {time.perf_counter() - t:.1f} s (not timed below)"
    )
    gold = {d["url"]: story for story, d in corpus}
    clusters = cluster([d for _, d in corpus])
    purity, completeness = purity_completeness(clusters, gold)
    print(
        f"fixture clustering: {len(clusters)} clusters, purity {purity:.3f}, completeness {completeness:.3f}"
    )

    stored = synthetic(corpus, args.articles, seed=args.seed)
    runs = [digest([raw for _, raw in stored]) for _ in range(args.repeat)]
    last = runs[-1]
    gold = {json.loads(raw)["url"]: story for story, raw in stored}
    purity, completeness = purity_completeness(last["clusters"], gold)
    print(
        f"synthetic day: {len(stored)} stored briefings, {len(set(gold.values()))} gold stories, "
        f"{len(last['clusters'])} clusters, purity {purity:.3f}, completeness {completeness:.3f}"
    )
    for step in ("decode", "cluster", "merge", "rank", "total", "cpu"):
        times = [r[step] for r in runs]
        print(
            f"  {step:8} median {statistics.median(times):6.3f} s  (runs: {', '.join(f'{x:.3f}' for x in times)})"
        )
    best = statistics.median(r["total"] for r in runs)
    print(f"target ≤ 5 s: {'pass' if best <= 5 else 'FAIL'}")
    if args.end_to_end:
        times = asyncio.run(end_to_end(stored, repeat=args.repeat))
        print(
            f"end to end from SQLite (digest_posts): median {statistics.median(times):.3f} s "
            f"(runs: {', '.join(f'{x:.3f}' for x in times)}); target ≤ 5 s: "
            f"{'pass' if statistics.median(times) <= 5 else 'FAIL'}"
        )
    print("top stories:")
    for story in last["top"]:
        print(f"  {len(story.sources)} sources  {story.published:%H:%M}  {story.briefing.article.title}")


if __name__ == "__main__":
    main()

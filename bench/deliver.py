"""Delivery at scale: 10,000 briefings to 1,000 Telegram chats through the outbox, with 5 % of sends answered 429.

Usage: python bench/deliver.py [--chats 1000] [--per-chat 10] [--rate-limited 0.05] [--database-url URL]

The bot side is the real thing: `open_runtime` with the real `TelegramAdapter` (python-telegram-bot) and
`Outbox.flush`, on a fresh temporary SQLite database. The Telegram side is `tests/fake_telegram.py` on
127.0.0.1 (HTML entity validation, 429 with ``retry_after=1`` on a random ``--rate-limited`` fraction of
sendMessage calls). Half the chats are groups (negative ids), half private chats. Each chat follows its
own feed; its ``--per-chat`` briefings are stored and queued before the clock starts.

Checks, from what the fake accepted: every briefing delivered, none twice, each chat's in order; pacing:
≥ 1 s between two messages in one chat, ≤ 20 per minute in a group, ≤ 30 per second overall. Telegram's
overall limit makes ``briefings / 30`` seconds the fastest any compliant sender can go; the script prints
the time and its ratio to that floor.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import platform
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import open_runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage.db import repository  # noqa: E402
from tests.fake_telegram import TOKEN, FakeTelegram  # noqa: E402

TOLERANCE_S = 0.05  # the fake stamps arrival; network jitter may bring two sends this much closer


def chat_id(n: int) -> str:
    return str(-(1_000_000_000 + n)) if n % 2 else str(10_000 + n)


async def seed(database_url: str, *, chats: int, per_chat: int) -> int:
    now = datetime.now(UTC)
    queued = 0
    async with repository(database_url) as repo:
        for n in range(chats):
            channel = await repo.upsert_channel("telegram", chat_id(n))
            feed = await repo.add_feed(f"http://bench.invalid/{n}.xml")
            await repo.subscribe(channel.id, feed.id)
            rows = [
                {
                    "feed_id": feed.id,
                    "entry_id": f"{n}-{i}",
                    "url": f"http://bench.invalid/{n}/{i}",
                    "content_hash": f"{n}-{i}",
                    "title": f"Story {n}-{i}",
                    "published": now,
                }
                for i in range(per_chat)
            ]
            for i, article_id in enumerate(await repo.add_articles(rows, now=now)):
                assert article_id is not None
                data = {
                    "title": f"Story {n}-{i} <b>&</b> *_[]~ 東京 🎉",
                    "lang": "en",
                    "bullets": [f"Speaker {i}: claim number {i} of chat {n}.", "Key actors: A, B, C"],
                }
                briefing = await repo.store_briefing(article_id, data, now=now)
                queued += len(await repo.enqueue_deliveries(briefing, feed_id=feed.id, now=now))
    return queued


def check(fake: FakeTelegram, *, chats: int, per_chat: int) -> dict[str, float | int]:
    by_chat: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for message in fake.messages:
        by_chat[str(message.chat_id)].append((message.at, message.text.splitlines()[0]))
    missing = duplicates = disorder = 0
    min_gap = float("inf")
    group_max = 0
    for n in range(chats):
        sent = by_chat.get(chat_id(n), [])
        titles = [t.split(" <b>")[0].split(" &")[0] for _, t in sent]
        expected = [f"Story {n}-{i}" for i in range(per_chat)]
        got = [t.split(" ")[0] + " " + t.split(" ")[1] for t in titles]
        missing += len(set(expected) - set(got))
        duplicates += len(got) - len(set(got))
        disorder += got != sorted(got, key=lambda t: int(t.rsplit("-", 1)[1]))
        times = [at for at, _ in sent]
        min_gap = min([min_gap, *(b - a for a, b in itertools.pairwise(times))])
        if chat_id(n).startswith("-"):
            group_max = max(
                [group_max, *(bisect.bisect_left(times, t + 60) - i for i, t in enumerate(times))]
            )
    stamps = sorted(m.at for m in fake.messages)
    global_max = max(bisect.bisect_left(stamps, t + 1.0) - i for i, t in enumerate(stamps))
    return {
        "missing": missing,
        "duplicates": duplicates,
        "chats out of order": disorder,
        "min gap in a chat (s)": round(min_gap, 3),
        "max per minute in a group": group_max,
        "max per second overall": global_max,
    }


async def bench(args: argparse.Namespace) -> None:
    fake = await FakeTelegram(seed=7).start()
    fake.rate_limit(fraction=args.rate_limited, retry_after=1)
    database_url = args.database_url or f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/deliver.db"
    started = time.perf_counter()
    queued = await seed(database_url, chats=args.chats, per_chat=args.per_chat)
    print(f"seeded {queued} deliveries in {time.perf_counter() - started:.1f} s")
    settings = Settings(
        database_url=database_url,
        platforms=["telegram"],
        telegram_token=SecretStr(TOKEN),
        telegram_api_url=fake.base_url,
    )
    async with open_runtime(settings) as runtime:
        started = time.perf_counter()
        sent = 0
        while True:
            sent += await runtime.outbox.flush()
            if not await runtime.repo.pending_deliveries(limit=1):
                break
        elapsed = time.perf_counter() - started
    await fake.stop()
    floor = queued / 30
    rate_limited = sum(1 for method, status, _ in fake.rejected if status == 429)
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"date: {datetime.now(UTC):%Y-%m-%d}")
    print(f"delivered {sent} of {queued} briefings to {args.chats} chats in {elapsed:.1f} s")
    print(f"429 answers: {rate_limited}; accepted messages: {len(fake.messages)}")
    print(f"floor at 30 msg/s: {floor:.1f} s; ratio {elapsed / floor:.3f}")
    results = check(fake, chats=args.chats, per_chat=args.per_chat)
    for name, value in results.items():
        print(f"{name}: {value}")
    ok = (
        sent == queued == len(fake.messages)
        and results["missing"] == results["duplicates"] == results["chats out of order"] == 0
        and results["min gap in a chat (s)"] >= 1.0 - TOLERANCE_S
        and results["max per minute in a group"] <= 20
        and results["max per second overall"] <= 30
    )
    print("all delivered once, in order, pacing respected" if ok else "FAILED")
    if not ok:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=1000)
    parser.add_argument("--per-chat", type=int, default=10)
    parser.add_argument("--rate-limited", type=float, default=0.05)
    parser.add_argument("--database-url")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()

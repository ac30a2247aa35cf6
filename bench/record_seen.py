"""Recording a big feed's entries as seen: CPU of `SqlRepository.record_seen` per row.

Usage: python bench/record_seen.py [--rows 10000] [--database-url URL]

A fresh temporary SQLite database by default; with ``--database-url`` (PostgreSQL) a fresh schema,
dropped afterwards. Records ``--rows`` new entries of one feed, then the same rows again (all already
seen), and prints the CPU seconds (``time.process_time``: this process, where SQLAlchemy builds the
statements; the database server's own time is not counted) and the rows each call reported added.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.storage.db import open_database  # noqa: E402


async def measure(url: str, rows: int, connect_args: dict[str, Any]) -> None:
    repo = await open_database(url, connect_args=connect_args)
    try:
        feed = await repo.add_feed("http://news.invalid/big.xml")
        now = datetime.now(UTC)
        entries = [
            {
                "feed_id": feed.id,
                "entry_id": f"e{n}",
                "url": f"http://news.invalid/{n}",
                "content_hash": None,
                "title": f"Entry {n}",
                "published": now,
            }
            for n in range(rows)
        ]
        for label in ("new", "again"):
            start = time.process_time()
            added = await repo.record_seen(entries, now=now)
            cpu = time.process_time() - start
            print(
                f"{label:>5}: {rows} rows, {added} added, {cpu:.2f} CPU s ({1000 * cpu / rows:.3f} ms a row)"
            )
    finally:
        await repo.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if not args.database_url:
        with tempfile.TemporaryDirectory() as tmp:
            print("sqlite")
            await measure(f"sqlite+aiosqlite:///{tmp}/bench.db", args.rows, {})
        return
    schema = f"bench_{secrets.token_hex(6)}"
    admin = create_async_engine(args.database_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        print("postgresql")
        await measure(args.database_url, args.rows, {"server_settings": {"search_path": schema}})
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


if __name__ == "__main__":
    asyncio.run(main())

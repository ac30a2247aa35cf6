"""Peak memory of `newsbrief run --once` on a hostile feed: three 900 KB entries and one 2 MB entry.

Usage: python bench/hostile_rss.py [--max-article-chars 100000] [--runs 1]

A thread serves one RSS feed on 127.0.0.1: three entries of about 900 KB of plain news prose, one of 2 MB,
two ordinary ones (the sizes of issue 10, where one 900 KB entry took 2.9 GB and the 2 MB one raised
spaCy's E088 out of the poll). `newsbrief run --once` runs as a separate process on a fresh SQLite database
with the console platform; its peak RSS is its ``ru_maxrss`` (the largest resident set of the process, read
after it exits), its exit code and the number of briefings printed are checked.

Target (issue 10): exit 0, every entry briefed, peak RSS < 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.localhttp import STORIES, long_text, send_body, serving  # noqa: E402  (the same local server as the tests)


def feed() -> bytes:
    base = datetime(2026, 11, 20, tzinfo=UTC)
    entries = [
        (f"Huge report {n}", long_text(size, seed=n)) for n, size in enumerate((900_000,) * 3 + (2_000_000,))
    ]
    entries += [STORIES[4], STORIES[5]]
    items = "".join(
        f"<item><title>{escape(title)}</title><link>http://news.invalid/{n}</link><guid>bench-{n}</guid>"
        f"<pubDate>{format_datetime(base + timedelta(hours=n))}</pubDate>"
        f"<content:encoded>{escape(text)}</content:encoded></item>"
        for n, (title, text) in enumerate(entries)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Hostile</title>'
        f"<link>http://news.invalid/</link>{items}</channel></rss>"
    ).encode()


def run_once(url: str, *, max_article_chars: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBRIEF_")}
        env |= {
            "XDG_DATA_HOME": tmp,
            "PYTHONPATH": str(ROOT),
            "NEWSBRIEF_FEEDS": json.dumps([url]),
            "NEWSBRIEF_ALLOW_PRIVATE_NETWORKS": "true",
            "NEWSBRIEF_FIRST_POLL_ENTRIES": "10",
            "NEWSBRIEF_MAX_ARTICLE_CHARS": str(max_article_chars),
        }
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run", "--once"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp,
        )
        out, err = child.communicate()
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KB; the only child process
    return {
        "exit": child.returncode,
        "summary": err.strip().splitlines()[-1] if err.strip() else "",
        "cut_notes": out.count("Article cut:"),
        "peak_rss_mb": round(peak / 1024),
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-article-chars", type=int, default=100_000)
    args = parser.parse_args()
    body = feed()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            send_body(self, body)

        def log_message(self, *args: Any) -> None:
            pass

    with serving(Handler) as base:
        result = run_once(f"{base}/feed.xml", max_article_chars=args.max_article_chars)
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, feed {len(body) / 1e6:.1f} MB")
    print(json.dumps({"max_article_chars": args.max_article_chars, **result}))
    ok = result["exit"] == 0 and result["peak_rss_mb"] < 1024 and result["cut_notes"] == 4
    print("target (exit 0, 4 cut notes, peak RSS < 1 GB):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()

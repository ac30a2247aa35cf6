"""Scaling out (issue 12): articles briefed and delivered by 1 instance × 1 worker, 1 × 2 workers and
2 instances × 1 worker, on one PostgreSQL database.

Usage: NEWSBRIEF_TEST_DATABASE_URL=postgresql+asyncpg://… python bench/scale.py [--articles 2000]
       [--configs 1x1,1x2,2x1] [--rounds 2]

This machine's speed drifts by up to a third within minutes, so one sequence of the configurations says
little about their ratios: ``--rounds`` runs them in a balanced order (1x1, 1x2, 2x1, then 2x1, 1x2, 1x1,
and so on) and prints each round's times, CPU and ratios, then the ratios of the times summed over every
round with the smallest and largest of a single round.

Each configuration gets a fresh database (created next to the one the URL names, dropped after), a local
feed server with ``--articles`` new articles (the seed articles' paragraphs recombined, French and English,
as in bench/brief_speed.py; 50 per feed), one console channel following every feed, and real
``newsbrief run`` processes (stdout to /dev/null). The time is from starting the processes until the
database shows every delivery sent — pipeline loading included, as in a real start. Peak RSS (VmHWM) is
sampled from every process of the run: the instances, and their briefing workers. So are the CPU seconds
of the instances, the workers, the forkserver they are forked from (it loads their pipelines) and the
run's PostgreSQL server processes (what a loaded machine cannot
hide: wall times there measure the neighbours), and, with worker processes, how much of their time they
spent on a CPU, runnable but waiting for one, and idle with nothing to brief (schedstat).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from brief_speed import corpus  # noqa: E402
from sqlalchemy import make_url, text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from bot.storage.db import open_database  # noqa: E402
from tests.localhttp import send_body, serving  # noqa: E402

PER_FEED = 50


def feeds_handler(articles: list[tuple[str, str]]) -> type[BaseHTTPRequestHandler]:
    base = datetime(2026, 11, 20, tzinfo=UTC)

    class Feeds(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            feed = int(self.path.removeprefix("/feed/").removesuffix(".xml"))
            chunk = articles[feed * PER_FEED : (feed + 1) * PER_FEED]
            items = "".join(
                f"<item><title>{escape(title)}</title><link>http://news.invalid/{feed}/{n}</link>"
                f"<guid>f{feed}-{n}</guid><pubDate>{format_datetime(base + timedelta(minutes=n))}</pubDate>"
                f"<content:encoded>{escape(body)}</content:encoded></item>"
                for n, (title, body) in enumerate(chunk)
            )
            body = (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
                'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
                f"<title>Feed {feed}</title><link>http://news.invalid/</link>{items}</channel></rss>"
            ).encode()
            send_body(self, body)

        def log_message(self, *args: Any) -> None:
            pass

    return Feeds


def descendants(pids: list[int]) -> dict[int, int]:
    """The processes under ``pids`` (the instances' forkservers and briefing workers): pid → parent."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: dict[int, int] = {}
    frontier = list(pids)
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid and child not in found]
        found.update(dict.fromkeys(children, pid))
        frontier.extend(children)
    return found


def cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) ``pid`` has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sched_s(pid: int) -> tuple[float, float] | None:
    """Seconds ``pid`` (all its threads) has spent on a CPU, and runnable waiting for one (schedstat)."""
    run = wait = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            fields = (task / "schedstat").read_text().split()
            run, wait = run + int(fields[0]), wait + int(fields[1])
    except OSError:
        return None
    return run / 1e9, wait / 1e9


def pss_mb(pid: int) -> float | None:
    """``pid``'s proportional set size: its private pages, and its share of those it shares with others
    (workers forked with the pipelines loaded share their pages with the forkserver and each other)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def run_config(pg_url: str, articles: list[tuple[str, str]], *, instances: int, workers: int) -> dict:
    name = f"nb_scale_{secrets.token_hex(4)}"
    admin = create_async_engine(pg_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    feeds = (len(articles) + PER_FEED - 1) // PER_FEED
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with serving(feeds_handler(articles)) as base:
            repo = await open_database(url)
            channel = await repo.upsert_channel("console", "stdout")
            for feed in range(feeds):
                row = await repo.add_feed(f"{base}/feed/{feed}.xml")
                await repo.subscribe(channel.id, row.id)
            clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBRIEF_")}
            env = {
                **clean,
                "PYTHONPATH": str(ROOT),
                "NEWSBRIEF_DATABASE_URL": url,
                "NEWSBRIEF_PLATFORMS": '["console"]',
                "NEWSBRIEF_ALLOW_PRIVATE_NETWORKS": "true",
                "NEWSBRIEF_BRIEFING_WORKERS": str(workers),
                "NEWSBRIEF_FIRST_POLL_ENTRIES": str(PER_FEED),
                "NEWSBRIEF_POLL_TICK_S": "1",
                "NEWSBRIEF_OUTBOX_TICK_S": "1",
            }
            start = time.perf_counter()
            for _ in range(instances):
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "bot.cli", "run"],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                        env=env,
                        cwd=ROOT,
                    )
                )
            peaks: dict[int, float] = {}
            pss: dict[int, float] = {}
            cpu: dict[int, float] = {}
            sched: dict[int, tuple[tuple[float, float, float], tuple[float, float, float]]] = {}
            db_cpu: dict[int, float] = {}
            workers_seen: set[int] = set()
            helpers_seen: set[int] = set()  # the instances' children: forkserver, resource tracker
            sent = 0
            while sent < len(articles):
                await asyncio.sleep(1)
                tops = [p.pid for p in procs]
                tree = descendants(tops)
                for pid in [*tops, *tree]:
                    if (rss := peak_rss_mb(pid)) is not None:
                        peaks[pid] = max(rss, peaks.get(pid, 0))
                    if (proportional := pss_mb(pid)) is not None:
                        pss[pid] = max(proportional, pss.get(pid, 0))
                    if (used := cpu_s(pid)) is not None:
                        cpu[pid] = used
                    if (times := sched_s(pid)) is not None:
                        now = (time.perf_counter(), *times)
                        sched[pid] = (sched[pid][0] if pid in sched else now, now)
                # a briefing worker is a child of an instance's forkserver (a grandchild of the instance)
                workers_seen.update(pid for pid, parent in tree.items() if parent not in tops)
                helpers_seen.update(pid for pid, parent in tree.items() if parent in tops)
                async with repo.engine.connect() as connection:
                    sent = (
                        await connection.execute(
                            text("SELECT count(*) FROM deliveries WHERE status = 'sent'")
                        )
                    ).scalar_one()
                    backends = await connection.execute(
                        text("SELECT pid FROM pg_stat_activity WHERE datname = :name"), {"name": name}
                    )
                    for (pid,) in backends:  # the database's server processes (a local PostgreSQL)
                        if (used := cpu_s(pid)) is not None:
                            db_cpu[pid] = used
                if any(p.poll() is not None for p in procs):
                    raise RuntimeError("an instance exited")
            elapsed = time.perf_counter() - start
            await repo.close()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
    briefers = sorted(workers_seen) if workers > 1 else [p.pid for p in procs]
    tops = [p.pid for p in procs]
    wall = run = wait = 0.0
    for pid in briefers:  # from when each was first seen to its last sample
        (w0, r0, q0), (w1, r1, q1) = sched.get(pid, ((0, 0, 0), (0, 0, 0)))
        wall, run, wait = wall + w1 - w0, run + r1 - r0, wait + q1 - q0
    return {
        "on_cpu": run / wall if wall else 0.0,
        "waiting": wait / wall if wall else 0.0,
        "seconds": elapsed,
        "per_s": len(articles) / elapsed,
        "rss": [round(peaks.get(pid, 0)) for pid in briefers],
        "pss": [round(pss.get(pid, 0)) for pid in briefers],
        "cpu_instances": sum(cpu.get(pid, 0) for pid in tops),
        "cpu_workers": sum(cpu.get(pid, 0) for pid in workers_seen),
        # the forkserver loads the pipelines the workers are forked with: its CPU is the workers' too
        "cpu_forkserver": sum(cpu.get(pid, 0) for pid in helpers_seen),
        "cpu_db": sum(db_cpu.values()),
    }


def cpu_total(result: dict) -> float:
    return result["cpu_instances"] + result["cpu_workers"] + result["cpu_forkserver"] + result["cpu_db"]


def describe(config: str, result: dict) -> str:
    """One configuration's run: time, throughput, memory, CPU (and the workers' schedstat shares)."""
    instances, workers = (int(x) for x in config.split("x"))
    line = (
        f"{instances} instance(s) x {workers} worker(s): {result['seconds']:.1f} s, "
        f"{result['per_s']:.2f} articles/s, peak RSS per briefing process (MB): {result['rss']} "
        f"(PSS {result['pss']}); "
        f"CPU s: instances {result['cpu_instances']:.1f}, briefing workers {result['cpu_workers']:.1f}, "
        f"forkserver {result['cpu_forkserver']:.1f}, PostgreSQL {result['cpu_db']:.1f}, "
        f"total {cpu_total(result):.1f}"
    )
    if workers > 1:  # a worker is one thread; an instance briefing itself has several
        line += (
            f"; briefing workers on a CPU {result['on_cpu']:.0%} of the time, runnable but waiting for "
            f"one {result['waiting']:.0%}, idle (nothing to brief) "
            f"{1 - result['on_cpu'] - result['waiting']:.0%}"
        )
    return line


def ratios(seconds: dict[str, float]) -> dict[str, float]:
    """Throughput ratios from times: each configuration over the first of ``seconds`` (1x1 when run), and
    "2x1/1x2" (two instances over one with two workers) when both ran."""
    base = "1x1" if "1x1" in seconds else next(iter(seconds))
    out = {f"{config}/{base}": seconds[base] / time for config, time in seconds.items() if config != base}
    if "2x1" in seconds and "1x2" in seconds:
        out["2x1/1x2"] = seconds["1x2"] / seconds["2x1"]
    return out


def balanced(configs: list[str], rounds: int) -> list[list[str]]:
    """The configurations' order in each round: as given, then reversed, and so on (1x1, 1x2, 2x1, then
    2x1, 1x2, 1x1): a machine whose speed drifts within minutes favours none of them over the rounds."""
    return [configs if n % 2 == 0 else configs[::-1] for n in range(rounds)]


def summary(runs: list[dict[str, dict]]) -> list[str]:
    """Over every round: each configuration's summed time and CPU, the ratios of the summed times, and the
    smallest and largest ratio of a single round."""
    configs = list(runs[0])
    lines = [f"over {len(runs)} round(s):"]
    for config in configs:
        results = [run[config] for run in runs]
        times = [r["seconds"] for r in results]
        cpu = [cpu_total(r) for r in results]
        parts = {
            part: sum(r[f"cpu_{part}"] for r in results)
            for part in ("instances", "workers", "forkserver", "db")
        }
        lines.append(
            f"  {config}: {sum(times):.1f} s in all ({', '.join(f'{t:.1f}' for t in times)}); "
            f"CPU s {sum(cpu):.1f} in all ({', '.join(f'{c:.1f}' for c in cpu)}; instances "
            f"{parts['instances']:.1f}, briefing workers {parts['workers']:.1f}, "
            f"forkserver {parts['forkserver']:.1f}, PostgreSQL {parts['db']:.1f})"
        )
    per_round = [ratios({c: run[c]["seconds"] for c in configs}) for run in runs]
    overall = ratios({c: sum(run[c]["seconds"] for run in runs) for c in configs})
    for name, ratio in overall.items():
        each = [r[name] for r in per_round]
        lines.append(
            f"  {name}: {ratio:.2f}x (summed times); per round min {min(each):.2f}, max {max(each):.2f}"
        )
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--configs", default="1x1,1x2,2x1")
    parser.add_argument(
        "--rounds", type=int, default=2, help="rounds of every configuration, in alternating order"
    )
    args = parser.parse_args()
    pg_url = os.environ.get("NEWSBRIEF_TEST_DATABASE_URL")
    if not pg_url:
        sys.exit("error: set NEWSBRIEF_TEST_DATABASE_URL to a PostgreSQL URL (postgresql+asyncpg://…)")
    if args.rounds < 1:
        sys.exit("error: --rounds must be at least 1")
    articles = [
        ((a.text.split(".")[0][:80] or "Untitled") + f" #{n}", f"{a.text}\n\nRef {n}.")
        for n, (_, a) in enumerate(corpus(args.articles))
    ]
    configs = list(dict.fromkeys(args.configs.split(",")))
    print(f"{platform.python_version()} on {os.cpu_count()} cores; {len(articles)} articles")
    runs: list[dict[str, dict]] = []
    for number, order in enumerate(balanced(configs, args.rounds), 1):
        print(f"round {number} ({datetime.now(UTC):%H:%M:%S} UTC): {', '.join(order)}", flush=True)
        run: dict[str, dict] = {}
        for config in order:
            instances, workers = (int(x) for x in config.split("x"))
            run[config] = await run_config(pg_url, articles, instances=instances, workers=workers)
            print(f"  {describe(config, run[config])}", flush=True)
        run = {config: run[config] for config in configs}  # in the given order, whatever the round's
        runs.append(run)
        shares = ratios({config: result["seconds"] for config, result in run.items()})
        print(
            f"  round {number}: "
            + ", ".join(f"{name} {ratio:.2f}x" for name, ratio in shares.items())
            + "; CPU s "
            + ", ".join(f"{config} {cpu_total(result):.1f}" for config, result in run.items()),
            flush=True,
        )
    for line in summary(runs):
        print(line)


if __name__ == "__main__":
    asyncio.run(main())

"""Briefing on every core: a `BriefingEngine` that runs the settings' engine in worker processes.

Briefing is CPU-bound (spaCy), so one process briefs on one core. `PoolEngine` keeps ``workers`` processes
(``briefing_workers``, default: the number of cores), forked from a multiprocessing forkserver so none
inherits the parent's threads or sockets. The forkserver loads the engine and its pipelines once
(`start_forkserver`, `bot.worker_preload`) and every worker is forked from it with them loaded: no worker
imports spaCy or loads a pipeline again, their memory pages stay shared, and the instance itself never
imports spaCy (it only stores, sends and polls). `bot.cli` starts the forkserver before it imports the rest
of the bot, so the pipelines load while the bot starts; the first pool is made in a background thread, so
the bot's start never waits for them. Without forkserver (not on Linux/macOS) the workers are spawned and
each loads the engine itself.

- The poller's batches (`brief_many`) go to the workers in chunks of up to `CHUNK` articles, each chunk
  parsed in one ``nlp.pipe`` and sent back in one message (one article per task cost a round trip and a
  pickled answer per article, and spaCy's batching); a batch is cut into at least four chunks per worker,
  and one chunk waits ready behind the running ones (a worker that finishes never waits for the
  parent), so
- a chat user's ``/brief`` (`brief`) waits for at most those chunks, never behind a poller's whole batch.

A worker that dies (out of memory, killed) breaks the pool: the articles in flight fail with a
`BriefingError` naming them, and a new pool is started for the next ones.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from bot.protocols import BriefingEngine
from bot.settings import Settings
from briefings.engine import BriefingError
from briefings.models import Article, Briefing

log = logging.getLogger("newsbrief.workers")
CHUNK = 8  # articles per task at most
PRELOAD_ENV = "_NEWSBRIEF_FORKSERVER_ENGINE"  # the engine options the forkserver loads (JSON)

_engine: BriefingEngine | None = None  # the worker process's engine, built by `_start`


def engine_options(settings: Settings) -> dict[str, Any]:
    """What a worker needs to build the settings' engine (`bot.settings.Settings` fields)."""
    return {
        "engine": settings.engine,
        "pipelines": dict(settings.pipelines),
        "max_bullets": settings.max_bullets,
    }


def start_forkserver(options: dict[str, Any]) -> bool:
    """Start this process's forkserver (if it does not run yet) loading the engine of ``options`` once, in
    the background: the call does not wait for the load. False where there is no forkserver."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    # a worker re-runs the main module (`bot.cli`, or the ``newsbrief`` script that imports it): its
    # imports come with the fork too; the engine last, so gc.freeze covers everything before it
    multiprocessing.set_forkserver_preload(["bot.cli", "bot.workers", "bot.worker_preload"])
    os.environ[PRELOAD_ENV] = json.dumps(options, sort_keys=True)
    try:
        multiprocessing.forkserver.ensure_running()
    finally:  # the server has read it; the bot's other children need not see it
        del os.environ[PRELOAD_ENV]
    return True


def _start(options: dict[str, Any]) -> None:
    """A worker's initializer: the engine its forkserver loaded when it is the one of ``options``, else
    built and loaded now (spawned workers, another pool's options), before any article comes."""
    global _engine
    from bot import worker_preload

    if worker_preload.engine is not None and worker_preload.options == json.loads(json.dumps(options)):
        _engine = worker_preload.engine
    else:
        _engine = worker_preload.load(options)


def _brief(articles: list[Article], max_bullets: int | None) -> list[Briefing | BriefingError]:
    """Brief a chunk of articles in a worker, in one batch; if the batch raises, one by one, so that a
    failure comes back as the failing article's value (named like the poller's)."""
    assert _engine is not None, "worker not started"
    try:
        return list(_engine.brief_many(articles, max_bullets=max_bullets))
    except Exception as exc:
        if len(articles) > 1:
            return [result for article in articles for result in _brief([article], max_bullets)]
        name = articles[0].url or articles[0].title or articles[0].source
        return [BriefingError(f"{name}: briefing failed ({type(exc).__name__}: {exc})")]


def _context(options: dict[str, Any]) -> multiprocessing.context.BaseContext:
    """Forkserver, started (or restarted, had it died) with ``options`` loaded; else spawn."""
    return multiprocessing.get_context("forkserver" if start_forkserver(options) else "spawn")


class PoolEngine:
    """The engine built from ``options`` (`bot.settings.Settings` fields: engine, pipelines, max_bullets)
    in ``workers`` processes. Thread-safe; `close` stops the workers."""

    def __init__(self, *, options: dict[str, Any], languages: tuple[str, ...], workers: int) -> None:
        self.options, self.workers, self._languages = options, workers, languages
        self._lock = threading.Lock()
        # the poller's chunks queued or running: one a worker, and one more ready for the first to finish
        self._slots = threading.BoundedSemaphore(workers + 1)
        self._pool: ProcessPoolExecutor | None = None
        # starting a worker waits for the forkserver's pipelines: the first pool starts in the background
        self._first = threading.Thread(target=self._start_first, name="briefing-pool-start", daemon=True)
        self._first.start()

    def _start_first(self) -> None:
        with self._lock:
            if self._pool is None:
                self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        """Workers started now (an empty task each: the executor starts one per task submitted while none
        is idle), so they are ready while the bot starts and fetches its first feeds."""
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=_context(self.options),
            initializer=_start,
            initargs=(self.options,),
        )
        for _ in range(self.workers):
            pool.submit(_brief, [], None)
        return pool

    @property
    def languages(self) -> tuple[str, ...]:
        return self._languages

    def brief(self, article: Article, *, max_bullets: int | None = None) -> Briefing:
        [result] = self._results([article], self._submit([article], max_bullets))
        if isinstance(result, BriefingError):
            raise result
        return result

    def brief_many(
        self, articles: Iterable[Article], *, max_bullets: int | None = None
    ) -> Iterator[Briefing | BriefingError]:
        batch = list(articles)
        size = max(1, min(CHUNK, -(-len(batch) // (4 * self.workers))))  # four chunks a worker at least
        pending: deque[tuple[list[Article], Future[list[Briefing | BriefingError]]]] = deque()
        for start in range(0, len(batch), size):
            chunk = batch[start : start + size]
            self._slots.acquire()
            try:
                future = self._submit(chunk, max_bullets)
            except BaseException:
                self._slots.release()
                raise
            future.add_done_callback(lambda _: self._slots.release())
            pending.append((chunk, future))
            while pending and pending[0][1].done():
                yield from self._results(*pending.popleft())
        while pending:
            yield from self._results(*pending.popleft())

    def _submit(
        self, articles: list[Article], max_bullets: int | None
    ) -> Future[list[Briefing | BriefingError]]:
        self._first.join()
        with self._lock:
            if self._pool is None:  # the background start failed: tried again, here
                self._pool = self._new_pool()
            try:
                return self._pool.submit(_brief, articles, max_bullets)
            except BrokenProcessPool:
                log.error("a briefing worker died: starting %d new one(s)", self.workers)
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
                return self._pool.submit(_brief, articles, max_bullets)

    @staticmethod
    def _results(
        articles: list[Article], future: Future[list[Briefing | BriefingError]]
    ) -> list[Briefing | BriefingError]:
        try:
            return future.result()
        except BrokenProcessPool:
            return [
                BriefingError(f"{a.url or a.title or a.source}: briefing failed (its worker process died)")
                for a in articles
            ]

    def close(self) -> None:
        self._first.join()
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)

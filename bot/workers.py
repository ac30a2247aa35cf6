"""Briefing on every core: a `BriefingEngine` that runs the settings' engine in worker processes.

Briefing is CPU-bound (spaCy), so one process briefs on one core. `PoolEngine` keeps ``workers`` processes
(``briefing_workers``, default: the number of cores), started with forkserver (or spawn) so none inherits
the parent's threads or sockets; each builds the engine once (`bot.app.build_engine`) and loads its
pipelines before its first article. Articles go to the workers one at a time:

- the poller's batches (`brief_many`) keep at most two articles per worker queued or running, so
- a chat user's ``/brief`` (`brief`) waits for at most those, never behind a poller's whole batch.

A worker that dies (out of memory, killed) breaks the pool: the articles in flight fail with a
`BriefingError` naming them, and a new pool is started for the next ones.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from bot.protocols import BriefingEngine
from briefings.engine import BriefingError
from briefings.models import Article, Briefing

log = logging.getLogger("newsbrief.workers")

_engine: BriefingEngine | None = None  # the worker process's engine, built by `_start`


def _start(options: dict[str, Any]) -> None:
    """A worker's initializer: build the engine once and load its pipelines before any article comes."""
    global _engine
    from bot.app import build_engine
    from bot.settings import Settings

    _engine = build_engine(Settings(**options))
    load = getattr(_engine, "nlp", None)  # the local engine loads a pipeline on first use: now instead
    if load is not None:
        for lang in _engine.languages:
            load(lang)


def _brief(article: Article, max_bullets: int | None) -> Briefing | BriefingError:
    """Brief one article in a worker (its failure comes back as a value, named like the poller's)."""
    assert _engine is not None, "worker not started"
    try:
        [result] = _engine.brief_many([article], max_bullets=max_bullets)
    except Exception as exc:
        name = article.url or article.title or article.source
        return BriefingError(f"{name}: briefing failed ({type(exc).__name__}: {exc})")
    return result


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class PoolEngine:
    """The engine built from ``options`` (`bot.settings.Settings` fields: engine, pipelines, max_bullets)
    in ``workers`` processes. Thread-safe; `close` stops the workers."""

    def __init__(self, *, options: dict[str, Any], languages: tuple[str, ...], workers: int) -> None:
        self.options, self.workers, self._languages = options, workers, languages
        self._lock = threading.Lock()
        # the poller's articles queued or running: two per worker keeps each fed between articles
        self._slots = threading.BoundedSemaphore(2 * workers)
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=_context(), initializer=_start, initargs=(self.options,)
        )

    @property
    def languages(self) -> tuple[str, ...]:
        return self._languages

    def brief(self, article: Article, *, max_bullets: int | None = None) -> Briefing:
        result = self._result(article, self._submit(article, max_bullets))
        if isinstance(result, BriefingError):
            raise result
        return result

    def brief_many(
        self, articles: Iterable[Article], *, max_bullets: int | None = None
    ) -> Iterator[Briefing | BriefingError]:
        pending: deque[tuple[Article, Future[Briefing | BriefingError]]] = deque()
        for article in articles:
            self._slots.acquire()
            try:
                future = self._submit(article, max_bullets)
            except BaseException:
                self._slots.release()
                raise
            future.add_done_callback(lambda _: self._slots.release())
            pending.append((article, future))
            while pending and pending[0][1].done():
                yield self._result(*pending.popleft())
        while pending:
            yield self._result(*pending.popleft())

    def _submit(self, article: Article, max_bullets: int | None) -> Future[Briefing | BriefingError]:
        with self._lock:
            try:
                return self._pool.submit(_brief, article, max_bullets)
            except BrokenProcessPool:
                log.error("a briefing worker died: starting %d new one(s)", self.workers)
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
                return self._pool.submit(_brief, article, max_bullets)

    @staticmethod
    def _result(article: Article, future: Future[Briefing | BriefingError]) -> Briefing | BriefingError:
        try:
            return future.result()
        except BrokenProcessPool:
            name = article.url or article.title or article.source
            return BriefingError(f"{name}: briefing failed (its worker process died)")

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

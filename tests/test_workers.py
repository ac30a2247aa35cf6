"""Briefing in worker processes (`bot.workers.PoolEngine`, ``briefing_workers``): the same briefings as
in this process, a chat user's article served before the rest of the poller's batch, and the runtime
wired with it end to end."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.adapters.console import ConsoleAdapter
from bot.app import build_engine, open_runtime, run_once
from bot.settings import DEFAULT_PIPELINES, Settings
from bot.workers import PoolEngine
from briefings.models import Article
from tests.localhttp import STORIES, serving_feed

# English only: the articles here are English, and the forkserver loads every pipeline it is given
# (French alone is 4 s of CPU more); the sample feed in both languages is tests/test_scale_parts.py's
SETTINGS = Settings(briefing_workers=2, pipelines={"en": DEFAULT_PIPELINES["en"]})
OPTIONS = {"engine": "local", "pipelines": SETTINGS.pipelines, "max_bullets": SETTINGS.max_bullets}


@pytest.fixture(scope="module")
def pool() -> Iterator[PoolEngine]:
    engine = build_engine(SETTINGS)
    pool = PoolEngine(options=OPTIONS, languages=engine.languages, workers=2)
    yield pool
    pool.close()


def articles(n: int) -> list[Article]:
    return [
        Article(text=f"{text} Story {k}.", title=title, source=f"test:{k}", lang="en")
        for k, (title, text) in enumerate((STORIES * (n // len(STORIES) + 1))[:n])
    ]


def test_workers_brief_as_this_process_does(pool: PoolEngine) -> None:
    batch = articles(21)  # in seven chunks of three, given back in order
    here = [b.to_json() for b in build_engine(SETTINGS).brief_many(batch)]  # type: ignore[union-attr]
    there = [b.to_json() for b in pool.brief_many(batch)]  # type: ignore[union-attr]
    assert there == here
    assert pool.brief(batch[0]).to_json() == here[0]


def test_a_users_article_is_not_queued_behind_the_pollers_batch(pool: PoolEngine) -> None:
    # eight chunks of a page or so: when the first is back, at most four are queued (a chunk a worker and
    # one ready), so the user's article goes in ahead of three or more; twelve longer articles in six
    # chunks left one behind it, and a run where it finished first failed (12 < 12)
    batch = [replace(a, text=" ".join([a.text] * 12)) for a in articles(30)]
    done: list[object] = []
    started = threading.Event()

    def poll() -> None:
        for result in pool.brief_many(batch):
            done.append(result)
            started.set()

    poller = threading.Thread(target=poll)
    poller.start()
    assert started.wait(120)
    user = Article(text="The mayor said the bridge would open in May.", title="Bridge", source="user")
    assert pool.brief(user).bullets
    briefed_before_the_user = len(done)
    poller.join()
    assert len(done) == len(batch)
    assert briefed_before_the_user < len(batch)


async def test_the_runtime_briefs_in_worker_processes(tmp_path: object) -> None:
    out = io.StringIO()
    with serving_feed() as feed:
        feed.add(3)
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path}/n.db",
            feeds=[feed.url],
            allow_private_networks=True,
            briefing_workers=2,
            pipelines=SETTINGS.pipelines,
        )
        async with open_runtime(settings, adapters={"console": ConsoleAdapter(stream=out)}) as rt:
            assert isinstance(rt.poller.engine, PoolEngine)
            (result,) = await run_once(rt)
    assert (result.briefed, result.queued) == (3, 3)
    assert "Rail line to be electrified" in out.getvalue()

"""Shared fixtures: ``database_url`` runs a test on SQLite and, when NEWSBRIEF_TEST_DATABASE_URL is set, PostgreSQL.

Each test gets a database of its own at the head revision, with no rows (``@pytest.mark.fresh_database``:
an empty one, no tables): on SQLite a copy of a file migrated once per worker, on PostgreSQL a schema of its
own (an earlier test's, emptied) — open it with ``open_database(database_url,
connect_args=database_connect_args)`` so parallel runs never collide.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

pytest_plugins = ["tests.fake_telegram", "tests.fake_slack"]  # the fake_telegram and fake_slack fixtures

PG_URL = os.environ.get("NEWSBRIEF_TEST_DATABASE_URL")
ZYGOTE_ENV = "TESTS_ZYGOTE"  # the socket of the run's zygote (tests/forks.py), when there is one


def pytest_configure(config: pytest.Config) -> None:
    """Runtimes built by tests brief in this process (their pipelines loaded once per run) unless a test
    asks for worker processes itself (``briefing_workers``, tests/test_workers.py).

    With pytest-xdist, the workers are forked from a zygote that imported the bot and loaded the
    pipelines once (tests/forks.py): each worker would otherwise spend seconds of CPU on the same."""
    os.environ.setdefault("NEWSBRIEF_BRIEFING_WORKERS", "1")
    tx = config.getoption("tx", None) or []
    if hasattr(config, "workerinput") or config.getoption("dist", "no") == "no" or tx != ["popen"] * len(tx):
        return
    from bot.settings import DEFAULT_PIPELINES
    from tests.forks import Zygote

    where = Path(tempfile.mkdtemp(prefix="newsbrief-zygote-"))
    zygote = Zygote(where / "socket", pipelines=tuple(DEFAULT_PIPELINES.values()))
    config.add_cleanup(lambda: (zygote.close(), shutil.rmtree(where, ignore_errors=True)))
    os.environ[ZYGOTE_ENV] = zygote.path  # for the workers' own forks (tests/test_instances.py)
    stand_in = Path(__file__).parent / "forks.py"
    config.option.tx = [f"popen//python={sys.executable} {stand_in} {zygote.path}"] * len(tx)


# -- Which tests run where (pytest-xdist) --------------------------------------------------------------
# pytest-xdist 3.8 on pytest 9 ignores ``xdist_group`` marks (pytest-dev/pytest-xdist#1386: the group
# suffix its workers add to the node ids no longer reaches the controller, and ``--dist loadgroup``
# silently deals the tests round-robin), so the grouping lives here, in a scheduler of our own.
#
# A chain's tests run one after another on one worker, in the table's order. The multi-instance tests
# (several `newsbrief run` processes on one database with real leases, tests/test_instances.py) are two
# chains, each started first on a worker of its own, so that no two of them share a worker's time; the
# briefing pools (tests/test_workers.py: one pool for the module) are a chain on whichever worker is free,
# and so are the modules whose fixtures brief articles (dealt test by test, each worker would brief them).
# Then the tests that take the most CPU, so that the run does not end waiting on one of them; then the
# rest, one at a time to whichever worker has fewer than two tests in hand.


@dataclass(frozen=True, slots=True)
class Chain:
    tests: tuple[str, ...]  # node ids or their prefixes (a module, a test function's parameters)
    worker: int | None = None  # started first on this worker (modulo the number of workers)


CHAINS: dict[str, Chain] = {
    "instances-a": Chain(
        (
            "tests/test_instances.py::test_three_instances_post_every_article_once_in_order_and_survive_a_sigkill_mid_send",
            "tests/test_instances.py::test_two_long_polling_instances_have_one_poller_and_the_other_takes_over_when_it_dies",
        ),
        worker=0,
    ),
    "instances-b": Chain(
        (
            "tests/test_instances.py::test_a_group_gets_at_most_20_messages_a_minute_across_a_takeover_of_the_sending",
            "tests/test_instances.py::test_a_digest_due_while_two_instances_run_is_sent_once_per_chat",
        ),
        worker=1,
    ),
    "pools": Chain(("tests/test_workers.py",)),
    # modules whose module-scoped fixtures brief articles (a corpus, the seed): set up once, not per worker
    "stories": Chain(("tests/test_stories.py",)),
    "engine": Chain(("tests/test_engine.py",)),
}
EARLY = (  # CPU seconds (or processes of their own) each: dealt first
    "tests/test_hostile.py::test_the_event_loop_runs_while_a_large_feed_is_parsed",
    "tests/test_hostile.py::test_forty_thousand_keys_and_parameters_stay_under_the_parameter_limit",
    "tests/test_hostile.py::test_three_900_kb_entries_and_a_2_mb_entry_run_once_exits_0_and_everything_is_delivered",
    "tests/test_run.py::test_a_delivery_killed_between_pending_and_sent_arrives_exactly_once",
    "tests/test_run.py::test_a_digest_killed_after_message_two_of_three_sends_only_the_third_after_restart",
    "tests/test_hostile.py::test_a_chat_users_brief_of_a_huge_page_is_cut_before_the_nlp_and_says_so",
    "tests/test_scale_parts.py::test_an_instance_with_workers_briefs_as_one_without_and_never_imports_spacy",
    "tests/test_scale_parts.py::test_workers_are_forked_with_the_engine_their_forkserver_loaded",
)


def _matches(nodeid: str, prefix: str) -> bool:
    return nodeid == prefix or nodeid.startswith((f"{prefix}::", f"{prefix}["))


def chain_of(nodeid: str) -> tuple[str, int] | None:
    """The chain ``nodeid`` belongs to and its place in it, or ``None``."""
    for name, chain in CHAINS.items():
        for place, prefix in enumerate(chain.tests):
            if _matches(nodeid, prefix):
                return name, place
    return None


def run_order(nodeid: str) -> tuple[int, int, int]:
    """Sort key: the chains (in the table's order), then `EARLY`, then the rest as collected."""
    chained = chain_of(nodeid)
    if chained is not None:
        return 0, list(CHAINS).index(chained[0]), chained[1]
    early = [n for n, prefix in enumerate(EARLY) if _matches(nodeid, prefix)]
    return (1, early[0], 0) if early else (2, 0, 0)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: run_order(item.nodeid))  # stable: the rest keep their order


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`ChainScheduling` for ``-n N`` (xdist's ``--dist load``, the default); any other ``--dist`` as asked."""
    if config.getvalue("dist") != "load":
        return None
    from tests.scheduling import ChainScheduling

    return ChainScheduling(config, log, chain_of=chain_of, pinned={n: c.worker for n, c in CHAINS.items()})


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(not PG_URL, reason="NEWSBRIEF_TEST_DATABASE_URL is not set"),
        ),
    ]
)
def database_kind(request: pytest.FixtureRequest) -> str:
    return request.param


# This worker's PostgreSQL schemas whose test is over, at the head revision and emptied (TRUNCATE … RESTART
# IDENTITY): the next test takes one instead of creating a schema and running every migration in it (about
# 0.25 s of CPU between the server and this process, 120 times a run). A test whose schema is not left at
# head with exactly the head's tables gets its schema dropped; ``@pytest.mark.fresh_database`` asks for a new,
# empty one (the migration tests).
_SPARE_SCHEMAS: list[str] = []


@cache
def _head() -> tuple[str | None, frozenset[str]]:
    """The head revision and the tables a database at head holds."""
    from alembic.script import ScriptDirectory

    from bot.storage.db import alembic_config
    from bot.storage.tables import Base

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    return head, frozenset(Base.metadata.tables) | {"alembic_version"}


async def _emptied_for_reuse(connection: Any, schema: str) -> bool:
    """Empty ``schema`` if it is at head with the head's tables; false (left as it is) otherwise."""
    head, head_tables = _head()
    found = "SELECT tablename FROM pg_tables WHERE schemaname = :s"
    tables = set((await connection.execute(text(found), {"s": schema})).scalars())
    if tables != head_tables:
        return False
    version = (await connection.execute(text(f'SELECT version_num FROM "{schema}".alembic_version'))).all()
    if version != [(head,)]:
        return False
    await connection.execute(text(_emptying(schema)))
    return True


def _emptying(schema: str) -> str:
    """One statement emptying ``schema``'s tables (children first) and restarting its sequences: what
    ``TRUNCATE … RESTART IDENTITY`` does, for less of the server's time on tables this small (a truncation
    makes new files for each table and index: 52 → 36 ms of server CPU per PostgreSQL test, measured)."""
    from bot.storage.tables import Base

    deletes = "".join(f'DELETE FROM "{schema}"."{t.name}"; ' for t in reversed(Base.metadata.sorted_tables))
    restarts = (
        "PERFORM setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE c.relkind = 'S' AND n.nspname = '{schema}';"
    )
    return f"DO $$ BEGIN {deletes}{restarts} END $$"


@pytest.fixture
async def database_connect_args(
    database_kind: str, request: pytest.FixtureRequest
) -> AsyncIterator[dict[str, Any]]:
    """Driver options for ``open_database``: on PostgreSQL, a search_path to a schema of this test alone —
    empty, or (see `_SPARE_SCHEMAS`) an earlier test's, at head and emptied."""
    if database_kind != "postgresql":
        yield {}
        return
    fresh = request.node.get_closest_marker("fresh_database") is not None
    admin = create_async_engine(PG_URL or "", isolation_level="AUTOCOMMIT")
    try:
        if _SPARE_SCHEMAS and not fresh:
            schema = _SPARE_SCHEMAS.pop()
        else:
            schema = f"t_{secrets.token_hex(6)}"
            async with admin.connect() as connection:
                await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield {"server_settings": {"search_path": schema}}
        async with admin.connect() as connection:
            if await _emptied_for_reuse(connection, schema):
                _SPARE_SCHEMAS.append(schema)
            else:
                await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        await admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _drop_spare_schemas() -> Iterator[None]:
    """The spare schemas go when this worker's tests are over."""
    yield
    if not _SPARE_SCHEMAS:
        return

    async def drop() -> None:
        admin = create_async_engine(PG_URL or "", isolation_level="AUTOCOMMIT")
        try:
            async with admin.connect() as connection:
                for schema in _SPARE_SCHEMAS:
                    await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        finally:
            await admin.dispose()

    asyncio.run(drop())
    _SPARE_SCHEMAS.clear()


@pytest.fixture(scope="session")
def _sqlite_at_head(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to head once per worker, copied for each test (running every migration
    on a new file cost each SQLite test about 80 ms of CPU)."""
    from bot.storage.db import open_database

    path = tmp_path_factory.mktemp("sqlite-head") / "newsbrief.db"

    async def migrate() -> None:
        await (await open_database(f"sqlite+aiosqlite:///{path}")).close()

    asyncio.run(migrate())
    return path


@pytest.fixture
def database_url(
    database_kind: str, database_connect_args: dict[str, Any], tmp_path: Path, request: pytest.FixtureRequest
) -> str:
    """A database of this test at head with no rows (``fresh_database``: empty): a SQLite file in
    ``tmp_path``, or the PostgreSQL URL (see `database_connect_args`)."""
    if database_kind == "postgresql":
        return PG_URL or ""
    path = tmp_path / "newsbrief.db"
    if request.node.get_closest_marker("fresh_database") is None:
        shutil.copyfile(request.getfixturevalue("_sqlite_at_head"), path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def repository(database_url: str, database_connect_args: dict[str, Any]) -> AsyncIterator[Any]:
    """An open, migrated `bot.storage.SqlRepository` on ``database_url``; closed after the test."""
    from bot.storage.db import open_database

    repo = await open_database(database_url, connect_args=database_connect_args)
    yield repo
    await repo.close()


class PlainPipeline:
    """A pipeline as `spacy.load` gives it, run on the components the engine loaded (`load_pipeline`):
    without the engine's paragraph component and, on a text where it could split a token, without its
    elided-quote infix. The weights are the engine's, so a process loads each package once (seconds)."""

    def __init__(self, nlp: Any) -> None:
        self.nlp = nlp
        self.vocab = nlp.vocab
        self._plain_tokenizer: Any = None

    def tokenizer(self, text: str) -> Any:
        """The engine's tokenizer where its extra infix finds nothing (it then splits exactly as the
        package's own), else a copy without the infix (built on first need: a copy takes seconds)."""
        from briefings.engine import ELIDED_QUOTE

        if re.search(ELIDED_QUOTE, text) is None:
            return self.nlp.tokenizer(text)
        if self._plain_tokenizer is None:
            self._plain_tokenizer = type(self.nlp.tokenizer)(self.vocab)
            self._plain_tokenizer.from_bytes(self.nlp.tokenizer.to_bytes())
            pattern = self._plain_tokenizer.infix_finditer.__self__.pattern
            self._plain_tokenizer.infix_finditer = re.compile(
                pattern.replace(f"|{ELIDED_QUOTE}", "")
            ).finditer
        return self._plain_tokenizer(text)

    def __call__(self, text: str) -> Any:
        from briefings.engine import PARAGRAPHS

        return self.nlp(self.tokenizer(text), disable=[PARAGRAPHS])


@pytest.fixture(scope="session")
def nlps() -> dict[str, Any]:
    """The plain spaCy pipelines of the settings, by language, loaded once per test run (as `spacy.load`
    gives them: without the engine's paragraph component, see `PlainPipeline`). Test modules that need raw
    parses share them instead of loading their own."""
    from bot.settings import DEFAULT_PIPELINES
    from briefings.engine import load_pipeline

    return {lang: PlainPipeline(load_pipeline(name)) for lang, name in DEFAULT_PIPELINES.items()}

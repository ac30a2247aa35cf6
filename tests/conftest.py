"""Shared fixtures: ``database_url`` runs a test on SQLite and, when NEWSBRIEF_TEST_DATABASE_URL is set, PostgreSQL.

On PostgreSQL each test gets a fresh schema, dropped afterwards; open it with
``open_database(database_url, connect_args=database_connect_args)`` so parallel runs never collide.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

pytest_plugins = ["tests.fake_telegram", "tests.fake_slack"]  # the fake_telegram and fake_slack fixtures

PG_URL = os.environ.get("NEWSBRIEF_TEST_DATABASE_URL")


def pytest_configure(config: pytest.Config) -> None:
    """Runtimes built by tests brief in this process (their pipelines loaded once per run) unless a test
    asks for worker processes itself (``briefing_workers``, tests/test_workers.py)."""
    os.environ.setdefault("NEWSBRIEF_BRIEFING_WORKERS", "1")


# Tests that start processes of their own, each loading spaCy, run first, a module on one xdist worker (its
# tests one after another), so that the other worker's tests fill the time they spend waiting: the instance
# tests (several `newsbrief run` on one database, with real leases: never two of them at once) and the
# briefing pools (tests/test_workers.py: one pool for the module, not one a worker).
FIRST = {"test_instances.py": "instances", "test_workers.py": "pools"}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups (``--dist loadgroup``)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in FIRST:
            item.add_marker(pytest.mark.xdist_group(FIRST[item.path.name]))
    order = list(FIRST)
    items.sort(key=lambda item: order.index(item.path.name) if item.path.name in FIRST else len(order))


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


@pytest.fixture
async def database_connect_args(database_kind: str) -> AsyncIterator[dict[str, Any]]:
    """Driver options for ``open_database``: on PostgreSQL, a search_path to a fresh schema of this test."""
    if database_kind != "postgresql":
        yield {}
        return
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_async_engine(PG_URL or "", isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield {"server_settings": {"search_path": schema}}
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        await admin.dispose()


@pytest.fixture
def database_url(database_kind: str, database_connect_args: dict[str, Any], tmp_path: Path) -> str:
    """An empty database: a SQLite file in ``tmp_path``, or the PostgreSQL URL (see `database_connect_args`)."""
    if database_kind == "postgresql":
        return PG_URL or ""
    return f"sqlite+aiosqlite:///{tmp_path / 'newsbrief.db'}"


@pytest.fixture
async def repository(database_url: str, database_connect_args: dict[str, Any]) -> AsyncIterator[Any]:
    """An open, migrated `bot.storage.SqlRepository` on ``database_url``; closed after the test."""
    from bot.storage.db import open_database

    repo = await open_database(database_url, connect_args=database_connect_args)
    yield repo
    await repo.close()


@pytest.fixture(scope="session")
def nlps() -> dict[str, Any]:
    """The plain spaCy pipelines of the settings, by language, loaded once per test run (as `spacy.load`
    gives them: without the engine's paragraph component). Test modules that need raw parses share them
    instead of loading their own (a load takes seconds)."""
    import spacy

    from bot.settings import DEFAULT_PIPELINES

    return {lang: spacy.load(name) for lang, name in DEFAULT_PIPELINES.items()}

"""Opening the database: engine settings, the default location, and Alembic upgrades run from code.

Supported back ends: SQLite (``sqlite+aiosqlite://``, the default, in the user data directory) and
PostgreSQL (``postgresql+asyncpg://``). No ``alembic.ini`` is needed: the migrations ship inside the package.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import platformdirs
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, event, make_url, text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.settings import DEFAULT_MAX_BULLETS
from bot.storage.repository import SqlRepository

SUPPORTED_DIALECTS = ("sqlite", "postgresql")
SQLITE_BUSY_TIMEOUT_MS = 60_000  # many feeds polled at once queue for the single SQLite writer


def default_database_url() -> str:
    """``sqlite+aiosqlite`` URL of ``newsbrief.db`` in the user data directory (created if missing)."""
    directory = Path(platformdirs.user_data_dir("newsbrief"))
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{directory / 'newsbrief.db'}"


def create_engine(url: str, *, connect_args: dict[str, Any] | None = None) -> AsyncEngine:
    """The async engine for ``url``; on SQLite every connection gets WAL, foreign keys and a busy timeout.

    ``connect_args`` go to the driver, e.g. ``{"server_settings": {"search_path": "myschema"}}`` for asyncpg.
    """
    engine = create_async_engine(url, connect_args=connect_args or {})
    if engine.dialect.name not in SUPPORTED_DIALECTS:
        raise ValueError(f"unsupported database {engine.dialect.name!r} in {url!r}: use SQLite or PostgreSQL")
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


class DatabaseUnavailable(ConnectionError):
    """The database cannot be opened (unreachable, missing, refused); one line naming it (no password)."""


def describe_url(url: str) -> str:
    """``url`` as it may be shown: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("@")[-1]


async def open_database(
    url: str,
    *,
    upgrade: bool = True,
    connect_args: dict[str, Any] | None = None,
    max_bullets: int = DEFAULT_MAX_BULLETS,
) -> SqlRepository:
    """The repository over ``url``, after ``alembic upgrade head`` unless ``upgrade`` is false.

    ``max_bullets`` is the operator's setting, for the channels that have not chosen their own.

    A database that cannot be reached or opened raises `DatabaseUnavailable`.
    """
    try:
        engine = create_engine(url, connect_args=connect_args)
    except (ArgumentError, ImportError) as exc:
        raise DatabaseUnavailable(
            f"database {describe_url(url)}: unusable URL ({describe_error(exc)})"
        ) from None
    if engine.dialect.name == "sqlite" and (name := engine.url.database) and name != ":memory:":
        if not Path(name).parent.is_dir():  # checked first: aiosqlite fails noisily on a missing directory
            await engine.dispose()
            raise DatabaseUnavailable(f"database {describe_url(url)}: no directory {Path(name).parent}")
    try:
        if upgrade:
            await _upgrade(engine)
    except (OSError, SQLAlchemyError, TimeoutError) as exc:
        await engine.dispose()
        raise DatabaseUnavailable(
            f"database {describe_url(url)}: cannot open it ({describe_error(exc)})"
        ) from None
    except BaseException:
        await engine.dispose()
        raise
    return SqlRepository(engine, max_bullets=max_bullets)


def describe_error(exc: BaseException) -> str:
    """An error (a database one too) on one line: the driver's own message on one line, without SQLAlchemy's "(driver.Error)" prefix and links."""
    text = str(getattr(exc, "orig", None) or exc).split("\n")[0]
    return " ".join(text.split()) or type(exc).__name__


@asynccontextmanager
async def repository(
    url: str | None = None,
    *,
    connect_args: dict[str, Any] | None = None,
    max_bullets: int = DEFAULT_MAX_BULLETS,
) -> AsyncIterator[SqlRepository]:
    """`open_database` on ``url`` (default: `default_database_url`), closed when the block ends."""
    repo = await open_database(
        url or default_database_url(), connect_args=connect_args, max_bullets=max_bullets
    )
    try:
        yield repo
    finally:
        await repo.close()


async def upgrade_database(url: str, *, connect_args: dict[str, Any] | None = None) -> str:
    """Run ``alembic upgrade head`` on ``url`` (``newsbrief db upgrade``); returns the revision now current."""
    engine = create_engine(url, connect_args=connect_args)
    try:
        return await _upgrade(engine)
    finally:
        await engine.dispose()


def alembic_config() -> Config:
    """Alembic settings pointing at the migrations shipped in this package; no ``alembic.ini`` read."""
    config = Config()
    config.set_main_option("script_location", "bot.storage:migrations")
    return config


MIGRATION_LOCK = 0x6E657773  # PostgreSQL advisory lock key: instances starting together migrate in turn


async def _upgrade(engine: AsyncEngine) -> str:
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # held until this transaction (the migration) ends
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        return await connection.run_sync(_upgrade_sync)


def _upgrade_sync(connection: Connection) -> str:
    config = alembic_config()
    config.attributes["connection"] = connection  # env.py migrates on this connection
    command.upgrade(config, "head")
    revision = MigrationContext.configure(connection).get_current_revision()
    if revision is None:
        raise RuntimeError("alembic upgrade finished without a current revision")
    return revision


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(
        "PRAGMA synchronous=NORMAL"
    )  # safe in WAL mode: a power cut loses recent commits, never corrupts
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()

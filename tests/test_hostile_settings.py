"""Bad settings and an unreachable database, as an operator meets them: `newsbrief` run in-process (and once as a real process),
one line on stderr naming the file or setting, no traceback, a non-zero exit. A database outage while
running is one logged line per failure with its retry delay.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url

from bot.app import survive
from bot.outbox import Outbox
from bot.storage.db import open_database
from tests.cli import Ran
from tests.cli import newsbrief as run_cli
from tests.conftest import PG_URL
from tests.test_outbox import Clock, Relay

ROOT = Path(__file__).resolve().parent.parent


def newsbrief(*args: str, cwd: Path, **env: str) -> Ran:
    """``newsbrief ARGS…`` in-process (typer's CliRunner), with its data directory under ``cwd``."""
    return run_cli(*args, cwd=cwd, env={"XDG_DATA_HOME": str(cwd / "data"), **env})


def newsbrief_process(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``newsbrief ARGS…`` as a real process, for what only the real entry point shows."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBRIEF_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**clean, "XDG_DATA_HOME": str(cwd / "data"), "PYTHONPATH": str(ROOT), **env},
        timeout=120,
    )


def one_line_error(result: Ran | subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("command", [["brief", "-"], ["feeds", "list"], ["run", "--once"]])
def test_a_corrupt_settings_file_is_one_line_naming_it(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "newsbrief.toml").write_text("poll_interval_s = 60\nplatforms = [console]\n")
    line = one_line_error(newsbrief(*command, cwd=tmp_path))
    assert line == "error: newsbrief.toml: not valid TOML (Invalid value (at line 2, column 14))"


def test_the_real_process_says_one_line_for_a_corrupt_settings_file(tmp_path: Path) -> None:
    (tmp_path / "newsbrief.toml").write_text("poll_interval_s = 60\nplatforms = [console]\n")
    line = one_line_error(newsbrief_process("feeds", "list", cwd=tmp_path))
    assert line == "error: newsbrief.toml: not valid TOML (Invalid value (at line 2, column 14))"


def test_an_ill_typed_setting_is_one_line_naming_the_file_and_the_setting(tmp_path: Path) -> None:
    (tmp_path / "custom.toml").write_text('poll_interval_s = "often"\n')
    line = one_line_error(newsbrief("--config", "custom.toml", "feeds", "list", cwd=tmp_path))
    assert line.startswith("error: custom.toml: setting 'poll_interval_s': ")
    assert "'often'" in line
    env_line = one_line_error(newsbrief("feeds", "list", cwd=tmp_path, NEWSBRIEF_MAX_BULLETS="many"))
    assert env_line.startswith("error: NEWSBRIEF_MAX_BULLETS: setting 'max_bullets': ")


def test_a_missing_config_file_is_an_error_not_the_defaults(tmp_path: Path) -> None:
    line = one_line_error(newsbrief("--config", str(tmp_path / "nope.toml"), "feeds", "list", cwd=tmp_path))
    assert line == f"error: {tmp_path / 'nope.toml'}: no such settings file"
    env_line = one_line_error(
        newsbrief("feeds", "list", cwd=tmp_path, NEWSBRIEF_CONFIG=str(tmp_path / "gone.toml"))
    )
    assert env_line == f"error: {tmp_path / 'gone.toml'}: no such settings file"


def test_a_missing_token_file_is_one_line_naming_the_variable(tmp_path: Path) -> None:
    missing = tmp_path / "secrets" / "token"
    line = one_line_error(
        newsbrief("feeds", "list", cwd=tmp_path, NEWSBRIEF_TELEGRAM_TOKEN_FILE=str(missing))
    )
    assert line == (
        f"error: NEWSBRIEF_TELEGRAM_TOKEN_FILE={missing}: cannot read the token file (No such file or directory)"
    )


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("postgresql+asyncpg://postgres:hunter2@127.0.0.1:1/newsbrief", "cannot open it ("),
        ("sqlite+aiosqlite:///{tmp}/no/such/dir/newsbrief.db", "no directory {tmp}/no/such/dir"),
        ("mysql://db.invalid/newsbrief", "unusable URL ("),
    ],
)
def test_an_unreachable_or_missing_database_is_one_line_naming_it(tmp_path: Path, url: str, why: str) -> None:
    url = url.format(tmp=tmp_path)
    for command in (["feeds", "list"], ["status"], ["run", "--once"]):
        line = one_line_error(newsbrief(*command, cwd=tmp_path, NEWSBRIEF_DATABASE_URL=url))
        shown = make_url(url).render_as_string(hide_password=True)
        assert line.startswith(f"error: database {shown}: {why.format(tmp=tmp_path)}")
        assert "hunter2" not in line


@pytest.mark.skipif(not PG_URL, reason="NEWSBRIEF_TEST_DATABASE_URL is not set")
def test_a_missing_postgresql_database_is_one_line_naming_it(tmp_path: Path) -> None:
    url = make_url(PG_URL or "").set(database="newsbrief_no_such_db").render_as_string(hide_password=False)
    line = one_line_error(newsbrief("feeds", "list", cwd=tmp_path, NEWSBRIEF_DATABASE_URL=url))
    assert line.endswith('cannot open it (database "newsbrief_no_such_db" does not exist)')


def test_status_shows_the_deliveries_by_state(tmp_path: Path) -> None:
    result = newsbrief("status", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "feeds: 0 active (0 failing), 0 deactivated",
        "deliveries: 0 pending, 0 sent, 0 failed, 0 dropped",
        "instances alive: 0",
    ]


@pytest.mark.skipif(not PG_URL, reason="NEWSBRIEF_TEST_DATABASE_URL is not set")
@pytest.mark.parametrize("database_kind", ["postgresql"])  # a schema of its own (conftest), through the relay
async def test_a_database_outage_while_running_is_one_line_per_failure_with_the_retry_delay(
    caplog: pytest.LogCaptureFixture, database_connect_args: dict[str, Any]
) -> None:
    pg = make_url(PG_URL or "")
    relay = Relay(pg.port or 5432)
    await relay.up()
    url = pg.set(port=relay.port).render_as_string(hide_password=False)
    repo = await open_database(url, connect_args=database_connect_args)
    outbox = Outbox(repo=repo, adapters={}, clock=Clock())
    caplog.set_level(logging.INFO, logger="newsbrief")
    try:
        await survive("outbox", 5, outbox.flush)
        assert caplog.records == []
        await relay.down()
        for _ in range(3):
            await survive("outbox", 5, outbox.flush)
        await relay.up()
        await survive("outbox", 5, outbox.flush)  # back: no more lines
    finally:
        await repo.close()
        await relay.down()
    records: list[Any] = caplog.records
    assert len(records) == 3
    for record in records:
        assert record.exc_info is None
        message = record.getMessage()
        assert "\n" not in message
        assert message.startswith("outbox: database or network unavailable (")
        assert message.endswith("; retrying in 5 s")


async def test_a_failed_daily_job_says_when_it_runs_again(caplog: pytest.LogCaptureFixture) -> None:
    async def digest() -> None:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    caplog.set_level(logging.INFO, logger="newsbrief")
    await survive("digest of channel 7", None, digest)
    [record] = caplog.records
    assert record.exc_info is None
    assert record.getMessage() == (
        "digest of channel 7: database or network unavailable "
        "([Errno 111] Connect call failed ('127.0.0.1', 5432)); next try at its next scheduled time"
    )

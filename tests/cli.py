"""``newsbrief`` run in-process through typer's `CliRunner`: the same command line, no new interpreter,
so spaCy's pipelines load once per test run instead of once per command."""

from __future__ import annotations

import logging
import os
from contextlib import chdir
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app


@dataclass(frozen=True)
class Ran:
    """What a command printed and how it ended (the shape of `subprocess.CompletedProcess`)."""

    returncode: int
    stdout: str
    stderr: str


def newsbrief(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, stdin: str | None = None
) -> Ran:
    """``newsbrief ARGS…`` with only ``env``'s ``NEWSBRIEF_*`` variables (others unset), in ``cwd``. It briefs
    in this process, as every runtime of the test run does (conftest), unless ``env`` sets
    ``NEWSBRIEF_BRIEFING_WORKERS``: by default a pool would start a process a core, each loading spaCy."""
    environment: dict[str, str | None] = {k: None for k in os.environ if k.startswith("NEWSBRIEF_")}
    environment["NEWSBRIEF_BRIEFING_WORKERS"] = "1"
    environment.update(env or {})
    logger = logging.getLogger("newsbrief")  # the CLI points it at its stderr: put it back afterwards
    saved = (logger.handlers[:], logger.level, logger.propagate)
    try:
        with chdir(cwd or Path.cwd()):
            result = CliRunner().invoke(app, list(args), input=stdin, env=environment, catch_exceptions=False)
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved
    return Ran(result.exit_code, result.stdout, result.stderr)

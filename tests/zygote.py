"""Real ``newsbrief`` processes without each paying the bot's imports: a process that imports the bot once,
then forks each command asked of it (tests/test_instances.py starts nine ``newsbrief run`` instances, each
importing SQLAlchemy, Alembic, python-telegram-bot… for two seconds of CPU, and three of them spaCy).

A forked command is a process of its own, as ``python -m bot.cli`` would be: its own pid, environment,
working directory, database connections and event loop, its output in a log file, and it can be sent
SIGTERM or SIGKILL. It starts with the modules already imported — as the bot's own briefing workers do,
forked from their forkserver — and reads its settings from the environment it is given, at run time.

The protocol, over the zygote's stdin and stdout: a JSON line per command (``args``, ``env``, ``cwd``,
``log``, and ``pipelines`` to load before forking, once per zygote), answered by the child's pid. The
zygote reaps its children; the test side watches each through a pidfd (`Forked`), which also makes its
signals go to that process and no other. The zygote ends, killing what is left, when its stdin closes.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import traceback
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = (
    "bot.cli",
    "bot.app",
    "bot.adapters.telegram",
    "bot.storage.db",
    "alembic.command",
    "alembic.runtime.migration",
)


class Forked:
    """A command forked by the zygote: `asyncio.subprocess.Process`'s ``returncode``, ``send_signal`` and
    ``wait``, through a pidfd (the process is the zygote's child, not ours). ``returncode`` is -1 once it
    has ended (the zygote, not this process, learns its exit status)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._fd = os.pidfd_open(pid)
        except ProcessLookupError:  # ended (and reaped) already
            self._fd, self.returncode = -1, -1

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            signal.pidfd_send_signal(self._fd, sig)

    async def wait(self) -> int:
        if self.returncode is None:
            ended = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().add_reader(self._fd, lambda: ended.done() or ended.set_result(None))
            try:
                await ended
            finally:
                asyncio.get_running_loop().remove_reader(self._fd)
            self.returncode = -1
            os.close(self._fd)
        return self.returncode


class Zygote:
    """The test side: ``spawn`` forks a command in the zygote process started by the constructor."""

    def __init__(self, env: dict[str, str]) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env={**env, "PYTHONPATH": str(ROOT)},
            text=True,
        )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._to: IO[str] = self._proc.stdin
        self._from: IO[str] = self._proc.stdout
        ready = self._from.readline()
        if ready != "ready\n":
            raise RuntimeError(f"the zygote did not start: {ready!r}")

    def spawn(
        self, *args: str, env: dict[str, str], cwd: Path, log: Path, pipelines: tuple[str, ...] = ()
    ) -> Forked:
        log.write_bytes(b"")  # there (empty) as soon as this returns
        request = {"args": args, "env": env, "cwd": str(cwd), "log": str(log), "pipelines": pipelines}
        self._to.write(json.dumps(request) + "\n")
        self._to.flush()
        answer = self._from.readline()
        if not answer.strip().isdigit():
            raise RuntimeError(f"the zygote did not fork: {answer!r}")
        return Forked(int(answer))

    def close(self) -> None:
        self._to.close()
        self._proc.wait(timeout=60)


# -- the zygote process ----------------------------------------------------------------------------------


def _run_child(request: dict[str, Any], control: tuple[int, int]) -> None:
    """In the forked child: become ``newsbrief ARGS`` and never return."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        for fd in control:
            os.close(fd)
        log = os.open(request["log"], os.O_WRONLY | os.O_APPEND)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["newsbrief", *request["args"]]
        from bot.cli import app

        app()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(code)


_alive: set[int] = set()  # forked and not yet reaped: these pids cannot have been reused


def _reap(*_: object) -> None:
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _alive.discard(pid)


def main() -> None:
    control = (os.dup(0), os.dup(1))  # requests in, pids out; fds 0 and 1 become /dev/null
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    requests = os.fdopen(control[0], "r", encoding="utf-8")
    answers = os.fdopen(control[1], "w", encoding="utf-8", buffering=1)
    import importlib

    for name in IMPORTS:
        importlib.import_module(name)
    from briefings.engine import load_pipeline

    signal.signal(signal.SIGCHLD, _reap)
    answers.write("ready\n")
    for line in requests:
        request = json.loads(line)
        for name in request["pipelines"]:
            load_pipeline(name)  # cached: loaded once, inherited by every later child
        sys.stdout.flush()
        sys.stderr.flush()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})  # reaped only once it is in _alive
        pid = os.fork()
        if pid == 0:
            _run_child(request, control)
        _alive.add(pid)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        answers.write(f"{pid}\n")
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    for pid in _alive:
        os.kill(pid, signal.SIGKILL)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
    for pid in list(_alive):
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()

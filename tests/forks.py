"""Python processes forked from one that imported the bot and loaded its pipelines once (a zygote), for the
test run's own processes: pytest-xdist's workers (tests/conftest.py) and the ``newsbrief run`` instances of
tests/test_instances.py. Each would otherwise import SQLAlchemy, Alembic, python-telegram-bot… and load
spaCy's pipelines for itself: seconds of CPU per process, most of a worker's fixed cost.

A forked command is a process of its own, as ``python ARGS`` would be: its own pid, standard streams (the
descriptors the client passes), environment, working directory, database connections and event loop; it
can be sent SIGTERM or SIGKILL. It starts with the modules already imported and the pipelines loaded, as
the bot's briefing workers do (forked from their forkserver), and reads its settings at run time.

The zygote serves a Unix socket, one connection per command: the client sends a JSON line (``args`` after
the interpreter — ``-m module …`` or ``-c code …`` —, ``env``, ``cwd``) with its stdin, stdout and stderr
descriptors; the zygote answers with the child's pid, then with ``exit CODE`` when the child has ended.
`serve` is the zygote; `spawn` the client; ``python -m tests.forks SOCKET ARGS…`` stands for
``python ARGS…`` (xdist starts it as a worker's interpreter) and exits with the child's code.
"""

from __future__ import annotations

import asyncio
import json
import os
import runpy
import selectors
import signal
import socket
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# what a worker or an instance imports anyway: loaded once in the zygote
IMPORTS = (
    "bot.cli",
    "bot.app",
    "bot.adapters.telegram",
    "bot.adapters.slack",
    "bot.storage.db",
    "handlers",
    "alembic.command",
    "alembic.runtime.migration",
    "trafilatura",  # imported by the bot on its first page
    "pytest",  # not its plugins: pytest would warn that it cannot rewrite their asserts
)


# -- the client side -------------------------------------------------------------------------------------


def spawn(
    path: str, args: list[str], *, env: dict[str, str], cwd: Path, fds: tuple[int, int, int]
) -> tuple[int, socket.socket]:
    """Fork ``python ARGS`` in the zygote serving ``path`` with ``fds`` as its standard streams: its pid,
    and the connection on which ``exit CODE`` arrives when it ends."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    request = json.dumps({"args": args, "env": env, "cwd": str(cwd)}).encode() + b"\n"
    socket.send_fds(connection, [request], list(fds))
    answer = _line(connection)
    if not answer.isdigit():
        raise RuntimeError(f"the zygote did not fork: {answer!r}")
    return int(answer), connection


def _line(connection: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(1)
        if not chunk:
            break
        data += chunk
    return data.decode().strip()


class Forked:
    """A command forked by the zygote, with what the tests use of `asyncio.subprocess.Process`:
    ``returncode`` (``None`` while it runs), ``send_signal`` (through a pidfd: to that process and no
    other) and ``wait``."""

    def __init__(self, pid: int, connection: socket.socket) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._connection = connection
        try:
            self._fd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # ended already: `wait` reads how
            self._fd = None

    def send_signal(self, sig: int) -> None:
        if self.returncode is None and self._fd is not None:
            try:
                signal.pidfd_send_signal(self._fd, sig)
            except ProcessLookupError:  # it has ended, and `wait` will say so
                pass

    async def wait(self) -> int:
        if self.returncode is None:
            answer = await asyncio.to_thread(_line, self._connection)
            self.returncode = int(answer.removeprefix("exit ")) if answer.startswith("exit ") else -1
            self._connection.close()
            if self._fd is not None:
                os.close(self._fd)
        return self.returncode


class Zygote:
    """A zygote process serving ``path`` (started by the constructor, ready when it returns)."""

    def __init__(self, path: Path, *, pipelines: tuple[str, ...] = ()) -> None:
        self.path = str(path)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.forks", "--serve", self.path, *pipelines],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            text=True,
        )
        assert self._proc.stdout is not None
        ready = self._proc.stdout.readline()
        if ready != "ready\n":
            raise RuntimeError(f"the zygote did not start: {ready!r}")

    def close(self) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=60)


# -- the zygote ------------------------------------------------------------------------------------------


def _run(request: dict[str, Any], fds: list[int]) -> None:
    """In the forked child: become ``python ARGS`` with ``fds`` as stdin, stdout, stderr; never return."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        sys.stdin = open(0, encoding="utf-8", closefd=False)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False, buffering=1)
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False, buffering=1)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        args = [a for a in request["args"] if a not in ("-u", "-B")]
        if args[0] == "-m":
            sys.argv = [args[1], *args[2:]]
            runpy.run_module(args[1], run_name="__main__", alter_sys=True)
        elif args[0] == "-c":
            sys.argv = ["-c", *args[2:]]
            exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__"})
        else:
            raise ValueError(f"unsupported arguments: {args}")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)


def serve(path: str, pipelines: list[str]) -> None:
    """The zygote: import, load ``pipelines``, then fork a child per connection until SIGTERM."""
    import importlib

    for name in IMPORTS:
        importlib.import_module(name)
    from briefings.engine import load_pipeline

    for name in pipelines:
        load_pipeline(name)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    parent = os.getppid()  # a test run killed outright leaves no zygote behind: it stops when orphaned
    waiting: dict[int, socket.socket] = {}  # pid -> the connection its exit code goes to
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    print("ready", flush=True)
    while not stopping and os.getppid() == parent:
        for _key, _events in selector.select(timeout=0.05):
            connection, _ = listener.accept()
            message, fds, _flags, _address = socket.recv_fds(connection, 1 << 16, 3)
            request = json.loads(message)
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                for other in [listener, connection, *waiting.values()]:
                    other.close()
                _run(request, fds)
            for fd in fds:
                os.close(fd)
            waiting[pid] = connection
            connection.sendall(f"{pid}\n".encode())
        _reap(waiting, block=False)
    for pid in waiting:
        os.kill(pid, signal.SIGKILL)
    _reap(waiting, block=True)
    listener.close()
    os.unlink(path)


def _reap(waiting: dict[int, socket.socket], *, block: bool) -> None:
    while waiting:
        pid, status = os.waitpid(-1, 0 if block else os.WNOHANG)
        if pid == 0:
            return
        connection = waiting.pop(pid, None)
        if connection is not None:
            try:
                connection.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
            except OSError:
                pass
            connection.close()


def stand_in(path: str, args: list[str]) -> int:
    """``python ARGS`` run by the zygote on this process's streams (ready: `Zygote` waited for it); its exit
    code."""
    _pid, connection = spawn(path, args, env=dict(os.environ), cwd=Path.cwd(), fds=(0, 1, 2))
    answer = _line(connection)
    return int(answer.removeprefix("exit ")) if answer.startswith("exit ") else 1


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(stand_in(sys.argv[1], sys.argv[2:]))

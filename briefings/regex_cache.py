"""A disk cache of the very long regular expressions that loading a pipeline compiles.

Importing spaCy's French language data compiles one pattern of 1.45 million characters (the tokenizer's
``token_match``, its hyphenated and elided exceptions): about 3 s of CPU in every process that loads
French — the bot, each ``newsbrief brief``, the workers' forkserver, each test worker. ``re`` keeps no
compiled code between processes, and no library does, so this module keeps the code ``re`` compiled for
such a pattern in a file, keyed by the pattern, its flags and the exact interpreter, and hands ``re`` the
stored code on the next load (10 ms). It works through CPython's ``re._compiler`` (3.11 and later, whose
``compile`` it wraps while a pipeline loads); on any other interpreter, or when anything about the cache
fails, ``re`` compiles as it always does.
"""

from __future__ import annotations

import array
import contextlib
import hashlib
import json
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

MIN_CHARS = 100_000  # shorter patterns compile in milliseconds: left to ``re``

try:  # CPython 3.11+: the pure-Python compiler in front of the C engine
    import _sre  # type: ignore[import-not-found]
    from re import _compiler, _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - other interpreters compile as they always do
    _compiler = None

_lock = threading.Lock()
_users = 0
_original: Callable[..., Any] | None = None


def _key(pattern: str, flags: int) -> str:
    stamp = f"{sys.version}|{sys.implementation.cache_tag}|{_sre.MAGIC}|{_sre.CODESIZE}|{flags}|"
    return hashlib.sha256((stamp + pattern).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _load(path: Path) -> tuple[dict[str, Any], list[int]] | None:
    try:
        header, _, body = path.read_bytes().partition(b"\n")
        meta = json.loads(header)
        code = array.array("I")
        code.frombytes(body)
    except (OSError, ValueError):
        return None
    return (meta, code.tolist()) if len(code) == meta.get("length") else None


def _store(path: Path, meta: dict[str, Any], code: list[int]) -> None:
    with contextlib.suppress(OSError, OverflowError):
        path.parent.mkdir(parents=True, exist_ok=True)
        body = array.array("I", code).tobytes()
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as file:
            file.write(json.dumps({**meta, "length": len(code)}).encode() + b"\n" + body)
        os.replace(file.name, path)  # whole or not at all, whoever else writes it


def _compile(
    pattern: Any, flags: int = 0, *, directory: Path, min_chars: int, original: Callable[..., Any]
) -> Any:
    """``re._compiler.compile``, with the code of a long string pattern read from, or written to, ``directory``."""
    if not isinstance(pattern, str) or len(pattern) < min_chars:
        return original(pattern, flags)
    path = directory / f"{_key(pattern, flags)}.sre"
    stored = _load(path)
    if stored is None:
        parsed = _parser.parse(pattern, flags)
        meta = {"flags": parsed.state.flags, "groups": parsed.state.groups, "names": parsed.state.groupdict}
        code = _compiler._code(parsed, flags)
        _store(path, meta, code)
    else:
        meta, code = stored
    groupindex: dict[str, int] = meta["names"]
    indexgroup: list[str | None] = [None] * meta["groups"]
    for name, index in groupindex.items():
        indexgroup[index] = name
    return _sre.compile(
        pattern, flags | meta["flags"], code, meta["groups"] - 1, groupindex, tuple(indexgroup)
    )


def default_directory() -> Path:
    """Where the compiled code is kept: ``NEWSBRIEF_CACHE_DIR``, else the user's cache directory."""
    from platformdirs import user_cache_dir

    return Path(os.environ.get("NEWSBRIEF_CACHE_DIR") or user_cache_dir("newsbrief")) / "regex"


@contextlib.contextmanager
def cached_regexes(directory: Path | None = None, *, min_chars: int = MIN_CHARS) -> Iterator[None]:
    """While inside, ``re`` takes the code of patterns of ``min_chars`` or more from ``directory`` (by
    default `default_directory`) and stores there what it had to compile. Nests and works across threads:
    the wrapper stays until the last user leaves (the first user's directory and size hold until then)."""
    global _users, _original
    if _compiler is None:
        yield
        return
    with _lock:
        if _users == 0:
            _original = _compiler.compile
            place = directory or default_directory()
            _compiler.compile = partial(_compile, directory=place, min_chars=min_chars, original=_original)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                _compiler.compile = _original

"""`briefings.regex_cache`: a long pattern's compiled code is stored once and read back on the next
compile, matches exactly as ``re``'s own, and any trouble with the cache falls back to ``re``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefings import regex_cache
from briefings.regex_cache import MIN_CHARS, cached_regexes

compiler = pytest.importorskip("re._compiler")

# the tests cache patterns of MIN_TEST_CHARS or more (the real threshold's patterns take 0.1 s and more)
MIN_TEST_CHARS = 2_000
LONG = r"(?i)w\d{1,5}x[a-zé]+(?:-\d)?|" + "|".join(f"zz{n}q" for n in range(400))
OTHER = r"v\d{1,5}y[a-z]+|" + "|".join(f"yy{n}q" for n in range(400))
SAMPLES = ["w12xabc", "W8999XÉté-4", "w1x", "w77xé-7", "zz123q", "ZZ399Q", "zz400q", "v12yabc", "yy7q", ""]


def matches(pattern: re.Pattern[str]) -> list[str | None]:
    return [m.group(0) if (m := pattern.match(s)) else None for s in SAMPLES]


def test_the_patterns_are_long_enough_to_be_cached_and_the_real_threshold_is_far_above() -> None:
    assert (len(LONG) >= MIN_TEST_CHARS, len(OTHER) >= MIN_TEST_CHARS, MIN_CHARS > 20 * MIN_TEST_CHARS) == (
        True,
        True,
        True,
    )


def test_a_long_pattern_is_stored_then_read_back_and_matches_as_re_does(tmp_path: Path) -> None:
    plain = compiler.compile(LONG, 0)
    with cached_regexes(tmp_path, min_chars=MIN_TEST_CHARS):
        first = compiler.compile(LONG, 0)  # compiled, stored
        stored = sorted(p.name for p in tmp_path.iterdir())
        second = compiler.compile(LONG, 0)  # read back
    assert len(stored) == 1
    for got in (first, second):
        assert (got.pattern, got.flags, got.groups, matches(got)) == (
            plain.pattern,
            plain.flags,
            plain.groups,
            matches(plain),
        )


def test_the_stored_code_is_what_is_used(tmp_path: Path) -> None:
    """Proof that the file is read: OTHER's code put under LONG's name makes LONG match as OTHER does."""
    with cached_regexes(tmp_path, min_chars=MIN_TEST_CHARS):
        compiler.compile(OTHER, 0)
        [other_file] = list(tmp_path.iterdir())
        compiler.compile(LONG, 0)
        [long_file] = [p for p in tmp_path.iterdir() if p != other_file]
        long_file.write_bytes(other_file.read_bytes())
        swapped = compiler.compile(LONG, 0)
    assert matches(swapped) == matches(re.compile(OTHER))


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_file_is_compiled_again_and_rewritten(tmp_path: Path, damage: str) -> None:
    with cached_regexes(tmp_path, min_chars=MIN_TEST_CHARS):
        compiler.compile(LONG, 0)
        [stored] = list(tmp_path.iterdir())
        whole = stored.read_bytes()
        stored.write_bytes({"truncate": whole[:-4], "garbage": b"\x00\xff" * 50, "empty": b""}[damage])
        again = compiler.compile(LONG, 0)
    assert (matches(again), stored.read_bytes()) == (matches(re.compile(LONG)), whole)


def test_a_cache_that_cannot_be_written_still_compiles(tmp_path: Path) -> None:
    blocker = tmp_path / "a file, not a directory"
    blocker.write_text("x")
    with cached_regexes(blocker / "regex", min_chars=MIN_TEST_CHARS):
        got = compiler.compile(LONG, 0)
    assert matches(got) == matches(re.compile(LONG))


def test_short_patterns_and_flags_go_to_re_and_the_wrapper_leaves_with_its_last_user(tmp_path: Path) -> None:
    original = compiler.compile
    with (
        cached_regexes(tmp_path, min_chars=MIN_TEST_CHARS),
        cached_regexes(tmp_path, min_chars=MIN_TEST_CHARS),
    ):
        assert compiler.compile is not original
        short = compiler.compile(r"\d+", re.ASCII)
        ignored = compiler.compile(LONG, re.ASCII)  # other flags: another entry
    assert (compiler.compile is original, short.flags & re.ASCII != 0) == (True, True)
    assert (len(list(tmp_path.iterdir())), matches(ignored)) == (1, matches(re.compile(LONG, re.ASCII)))
    assert regex_cache._users == 0

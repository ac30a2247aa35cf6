"""Answers kept across documents beside the language data they come from (a gazetteer, a grammar)."""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Memo(Generic[K, V]):
    """A bounded dict of answers kept across docs (words recur from one article to the next).

    Once it holds more than ``limit`` answers, `current` hands out a new empty dict instead: a reader still
    holding the old one (a doc being read) keeps its own, so nothing is removed under it.
    """

    __slots__ = ("_answers", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._answers: dict[K, V] = {}

    def current(self) -> dict[K, V]:
        """The dict to read and fill now."""
        if len(self._answers) > self.limit:
            self._answers = {}
        return self._answers

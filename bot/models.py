"""Frozen records of the runtime that are not storage rows: what handlers return and adapters send."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Post:
    """A platform-neutral message: a title, bullets and a link. Adapters format and escape it."""

    title: str | None
    bullets: tuple[str, ...] = ()
    url: str | None = None
    lang: str | None = None

    @classmethod
    def from_briefing_json(cls, data: dict[str, Any], *, url: str | None = None) -> Post:
        """The post for a stored briefing (the JSON of ``newsbrief brief --format json``)."""
        return cls(
            title=data.get("title"),
            bullets=tuple(data.get("bullets") or ()),
            url=url or data.get("url"),
            lang=data.get("lang"),
        )


@dataclass(frozen=True, slots=True)
class Address:
    """Where a post goes on a platform: a chat/channel id and, optionally, a thread or forum topic."""

    platform: str
    chat: str
    thread: str | None = None

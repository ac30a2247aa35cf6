"""The frozen data model of a briefing: what the engine reads and what it produces.

Everything the rest of newsbrief (CLI, storage, chat adapters) sees of an article's analysis is one
of these records; spaCy objects never leave ``briefings/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

ActorKind = Literal["person", "organization", "country", "place", "group"]
ClaimKind = Literal["statement", "quote", "denial", "accusation", "estimate", "promise", "warning"]


@dataclass(frozen=True, slots=True)
class Article:
    """One news article as the engine reads it.

    ``text`` is the body only (no title); claim evidence offsets index into it. ``lang`` is an ISO
    639-1 code or ``None`` when it is still to be detected. ``source`` names where it came from
    (a path, a URL, "-" for stdin, a feed id).
    """

    text: str
    title: str | None = None
    url: str | None = None
    lang: str | None = None
    published: datetime | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class Actor:
    """A person, organisation, country, place or group, merged over all its mentions.

    ``name`` is the canonical (fullest) form; ``aliases`` the other surface forms seen; ``role``
    a title or apposition ("porte-parole du Kremlin"); ``salience`` in [0, 1], higher is more central.
    """

    name: str
    kind: ActorKind
    aliases: tuple[str, ...] = ()
    role: str | None = None
    mentions: int = 1
    salience: float = 0.0


@dataclass(frozen=True, slots=True)
class Claim:
    """Something an actor said, denied, accused, estimated, promised or warned.

    ``text`` is the condensed content (a verbatim span of the article for quotes);
    ``start``/``end`` are the character offsets of that content in ``Article.text``.
    """

    speaker: str
    cue: str
    text: str
    kind: ClaimKind
    start: int
    end: int
    speaker_role: str | None = None


@dataclass(frozen=True, slots=True)
class Briefing:
    """The engine's output for one article: ranked actors, claims in text order, and bullets."""

    article: Article
    actors: tuple[Actor, ...]
    claims: tuple[Claim, ...]
    bullets: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The JSON object printed by ``newsbrief brief --format json`` and stored by the bot."""
        return {
            "source": self.article.source,
            "lang": self.article.lang,
            "title": self.article.title,
            "actors": [
                {**asdict(a), "aliases": list(a.aliases), "salience": round(a.salience, 4)}
                for a in self.actors
            ],
            "claims": [
                {
                    "speaker": c.speaker,
                    "speaker_role": c.speaker_role,
                    "cue": c.cue,
                    "text": c.text,
                    "kind": c.kind,
                    "evidence": {"start": c.start, "end": c.end},
                }
                for c in self.claims
            ],
            "bullets": list(self.bullets),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Briefing:
        """The briefing of a ``to_json()`` object, as storage keeps it (with "url" and optionally
        "published", ISO 8601). The article's text is not stored: it comes back empty."""
        published = data.get("published")
        return cls(
            article=Article(
                text="",
                title=data.get("title"),
                url=data.get("url"),
                lang=data.get("lang"),
                published=datetime.fromisoformat(published) if published else None,
                source=data.get("source") or "",
            ),
            actors=tuple(
                Actor(
                    name=a["name"],
                    kind=a["kind"],
                    aliases=tuple(a.get("aliases", ())),
                    role=a.get("role"),
                    mentions=a.get("mentions", 1),
                    salience=a.get("salience", 0.0),
                )
                for a in data.get("actors", ())
            ),
            claims=tuple(
                Claim(
                    speaker=c["speaker"],
                    cue=c["cue"],
                    text=c["text"],
                    kind=c["kind"],
                    start=c.get("evidence", {}).get("start", 0),
                    end=c.get("evidence", {}).get("end", 0),
                    speaker_role=c.get("speaker_role"),
                )
                for c in data.get("claims", ())
            ),
            bullets=tuple(data.get("bullets", ())),
        )

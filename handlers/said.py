"""/said: what an actor said over a period, across every article the bot has briefed.

- ``/said <name> [period]``: the claims whose speaker is that actor (any spelling the actor index knows:
  "Sergueï Lavrov", "Lavrov", "Lawrow", « le chef de la diplomatie russe » when an article linked the
  role to him), newest first, one line per claim: its date, its stance (denies, accuses, promises…), the
  claim, and its source with a link. The same claim reported by several outlets is one line with
  "3 sources" (claims of one story with similar words, or, before stories are known, similar words alone).
- The period is ``24h``, ``7d``, ``2w`` (``7j`` in French too), 7 days by default, at most a year.
- An actor nobody quoted yet gets "no article mentions X yet" and the closest names the index knows.

The answer is bounded: at most `MAX_CLAIMS` claims read, `MAX_LINES` lines shown, each claim cut at
`MAX_CLAIM_CHARS`. `said_answer` is shared with ``newsbrief said`` (the CLI).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models import Command, Post, Reply, SaidClaim
from bot.protocols import Repository
from briefings.names import actor_key
from briefings.stories import jaccard, term_set
from handlers.messages import message
from handlers.router import Context, Router, language_of, shorten

MAX_PERIOD = timedelta(days=366)
MAX_CLAIMS = 500  # claims read from the index for one answer
MAX_LINES = 15
MAX_CLAIM_CHARS = 240
MAX_SOURCES_SHOWN = 3
CLOSEST_NAMES = 3
SAME_CLAIM = 0.5  # word overlap (Jaccard) of two claims that are one claim
SAME_CLAIM_IN_STORY = 0.3  # … when both are known to be in the same story
_PERIOD = re.compile(r"(\d{1,4})\s*([hdjw])", re.IGNORECASE)
_LOOKS_LIKE_PERIOD = re.compile(r"\d[\w.,]*")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_QUOTES = "\"'“”«»‘’„"
_TRAILING = " ,;:–—-"  # a verbatim quote's own punctuation before the cue ("…pressure," he said)


def register(router: Router) -> None:
    router.register("said", said)


@dataclass(frozen=True, slots=True)
class Source:
    """An article that reports a claim: its outlet (the feed's title, else the site), link and title."""

    outlet: str
    url: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class SaidLine:
    """One claim of the answer, with every article that reports it (newest first)."""

    text: str
    kind: str
    cue: str
    published: datetime
    sources: tuple[Source, ...]
    story_id: str | None = None


@dataclass(frozen=True, slots=True)
class SaidAnswer:
    """What ``/said`` found: the actor's name as the articles write it, its lines (all of them, newest
    first), and when there are none, the date of its latest claim before the period or the closest names."""

    query: str
    key: str
    name: str
    since: datetime
    lines: tuple[SaidLine, ...] = ()
    capped: bool = False  # `MAX_CLAIMS` claims were read: there are more in the period
    latest: datetime | None = None
    mentioned: bool = False
    closest: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """``newsbrief said --format json``: the actor, the period's start, each claim with its sources,
        and when there is none, the latest claim's date or the closest names."""
        return {
            "query": self.query,
            "key": self.key,
            "name": self.name,
            "since": self.since.isoformat(),
            "claims": [
                {
                    "text": line.text,
                    "kind": line.kind,
                    "cue": line.cue,
                    "published": line.published.isoformat(),
                    "story": line.story_id,
                    "sources": [{"outlet": s.outlet, "url": s.url, "title": s.title} for s in line.sources],
                }
                for line in self.lines
            ],
            "capped": self.capped,
            "latest": self.latest.isoformat() if self.latest else None,
            "closest": list(self.closest),
        }


@dataclass(frozen=True, slots=True)
class Period:
    """A period as typed: ``n`` hours (``h``), days (``d``) or weeks (``w``)."""

    n: int
    unit: str

    @property
    def span(self) -> timedelta:
        return timedelta(**{_UNITS[self.unit]: self.n})


DEFAULT_PERIOD = Period(7, "d")


def parse_period(text: str) -> Period | None:
    """``"24h"``, ``"7d"``, ``"7j"`` (jours), ``"2w"``; ``None`` when it is not one, is 0, or exceeds `MAX_PERIOD`."""
    match = _PERIOD.fullmatch(text.strip())
    if not match:
        return None
    unit = match[2].lower().replace("j", "d")
    period = Period(int(match[1]), unit)
    return period if timedelta(0) < period.span <= MAX_PERIOD else None


def split_args(args: Sequence[str]) -> tuple[str, str | None]:
    """(the name, the period as typed or ``None``): a last word starting with a digit is the period."""
    if len(args) > 1 and _LOOKS_LIKE_PERIOD.fullmatch(args[-1]):
        return " ".join(args[:-1]).strip(_QUOTES + " "), args[-1]
    return " ".join(args).strip(_QUOTES + " "), None


async def said_answer(repo: Repository, query: str, *, since: datetime) -> SaidAnswer:
    """Look ``query`` up in the actor index: its claims since ``since``, grouped (`group_claims`)."""
    key = actor_key(query)
    claims = await repo.said(key, since=since, limit=MAX_CLAIMS) if key else []
    if claims:
        name = max(Counter(c.name for c in claims).items(), key=lambda pair: (pair[1], pair[0]))[0]
        lines = tuple(group_claims(claims))
        return SaidAnswer(query, key, name, since, lines=lines, capped=len(claims) >= MAX_CLAIMS)
    earlier = await repo.said(key, since=_EPOCH, limit=1) if key else []
    if earlier:
        return SaidAnswer(query, key, earlier[0].name, since, latest=earlier[0].published, mentioned=True)
    if key and (indexed := await repo.indexed_name(key)):
        return SaidAnswer(query, key, indexed, since, mentioned=True)
    closest = await repo.closest_actor_names(key, limit=CLOSEST_NAMES) if key else []
    return SaidAnswer(query, key, query, since, closest=tuple(closest))


def group_claims(claims: Sequence[SaidClaim]) -> list[SaidLine]:
    """One line per claim, newest first: claims with nearly the same words (`SAME_CLAIM`, or
    `SAME_CLAIM_IN_STORY` when both are in one story) are one line with all their sources, one per
    article (at one time, the article stored first comes first). A claim joins the first line it is
    close to; only lines sharing a word with it (or its very text) are compared."""
    groups: list[tuple[frozenset[str], set[str], list[SaidClaim]]] = []
    by_word: dict[str, list[int]] = {}
    by_text: dict[str, int] = {}
    for claim in sorted(claims, key=lambda c: (-c.published.timestamp(), c.article_id, c.claim_no)):
        words = term_set(claim.text)
        candidates = {g for w in words for g in by_word.get(w, ())}
        if claim.text in by_text:
            candidates.add(by_text[claim.text])
        for index in sorted(candidates):
            group_words, stories, members = groups[index]
            threshold = SAME_CLAIM_IN_STORY if claim.story_id in stories else SAME_CLAIM
            if claim.text == members[0].text or jaccard(words, group_words) >= threshold:
                members.append(claim)
                if claim.story_id is not None:
                    stories.add(claim.story_id)
                break
        else:
            by_text.setdefault(claim.text, len(groups))
            for word in words:
                by_word.setdefault(word, []).append(len(groups))
            groups.append((words, set() if claim.story_id is None else {claim.story_id}, [claim]))
    return [_line(members) for _, _, members in groups]


def _line(members: list[SaidClaim]) -> SaidLine:
    first = members[0]  # the newest
    seen: set[int] = set()
    sources = []
    for claim in members:
        if claim.article_id not in seen:
            seen.add(claim.article_id)
            sources.append(Source(outlet=_outlet(claim), url=claim.url, title=claim.title))
    story = next((m.story_id for m in members if m.story_id is not None), None)
    return SaidLine(first.text, first.kind, first.cue, first.published, tuple(sources), story)


def _outlet(claim: SaidClaim) -> str:
    if claim.outlet:
        return claim.outlet
    try:
        host = urlsplit(claim.url or "").hostname or ""
    except ValueError:
        host = ""
    return host.removeprefix("www.") or "?"


async def said(command: Command, ctx: Context) -> Reply:
    channel = await ctx.channel(command)
    lang = language_of(channel)
    query, period_text = split_args(command.args)
    if not query:
        return Reply(message(lang, "said_usage"))
    period = DEFAULT_PERIOD if period_text is None else parse_period(period_text)
    if period is None:
        return Reply(message(lang, "said_period", period=shorten(period_text or "", 20)))
    answer = await said_answer(ctx.repo, query, since=ctx.clock() - period.span)
    zone = _zone(channel.timezone if channel else "UTC")
    return render_answer(answer, lang=lang, period=period, zone=zone)


def render_answer(answer: SaidAnswer, *, lang: str, period: Period, zone: ZoneInfo) -> Reply:
    """The answer as a reply: a post titled with the actor and the period, one bullet per line (at most
    `MAX_LINES`, then how many more), or one sentence when there is nothing to show."""
    span = describe_period(period, lang=lang)
    name = shorten(answer.name, 80)
    if not answer.lines:
        if answer.latest is not None:
            latest = format_date(answer.latest, lang=lang, zone=zone)
            return Reply(message(lang, "said_quiet", name=name, period=span, date=latest))
        if answer.mentioned:
            return Reply(message(lang, "said_not_quoted", name=name))
        text = message(lang, "said_unknown", name=shorten(answer.query, 80))
        if answer.closest:
            text += " " + message(
                lang, "said_closest", names=", ".join(shorten(n, 60) for n in answer.closest)
            )
        return Reply(text)
    bullets = [line_text(line, lang=lang, zone=zone) for line in answer.lines[:MAX_LINES]]
    if (more := len(answer.lines) - MAX_LINES) > 0:
        bullets.append(message(lang, "said_more_capped" if answer.capped else "said_more", n=more))
    title = message(lang, "said_title", name=name, period=span)
    return Reply(posts=(Post(title=title, bullets=tuple(bullets), url=None, lang=lang),))


def line_text(line: SaidLine, *, lang: str, zone: ZoneInfo) -> str:
    """``25 Nov 14:05 · denies: “…” — Le Monde (https://…)``, in the chat's language."""
    stance = message(lang, f"stance.{line.kind}", default=message(lang, "stance.statement"))
    claim = message(lang, "said_quote", text=shorten(line.text.rstrip(_TRAILING), MAX_CLAIM_CHARS))
    listed = ", ".join(
        f"{shorten(s.outlet, 60)} ({s.url})" if s.url else shorten(s.outlet, 60)
        for s in line.sources[:MAX_SOURCES_SHOWN]
    )
    if len(line.sources) > 1:
        listed = message(lang, "said_sources", n=len(line.sources), list=listed)
    date = format_date(line.published, lang=lang, zone=zone)
    return message(lang, "said_line", date=date, stance=stance, claim=claim, sources=listed)


def format_date(when: datetime, *, lang: str, zone: ZoneInfo) -> str:
    """``25 Nov 14:05`` / ``25 nov. 14:05`` in the chat's time zone."""
    local = when.astimezone(zone)
    month = message(lang, "said_months").split()[local.month - 1]
    return f"{local.day} {month} {local:%H:%M}"


def describe_period(period: Period, *, lang: str) -> str:
    """``the last 7 days``, ``the last hour`` (``les 7 derniers jours`` …), in the unit typed."""
    key = f"said_unit.{period.unit}" + (".1" if period.n == 1 else "")
    return message(lang, key, n=period.n)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")

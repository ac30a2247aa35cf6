"""Stories: the same news reported by several outlets, clustered, merged into one briefing, and ranked.

Contract:

- Input is a *stored briefing*: the dict of `Briefing.to_json()` plus "url", and optionally "published"
  (ISO 8601) and "feed" (the outlet's title), as storage keeps it. The articles' full text is not needed.
- ``StoryClusterer.add(key, data)`` puts one stored briefing in a story as it arrives and returns the
  story's id (the key of its first article). Briefings are compared by the content words of their title,
  lead, claims and actor names (casefolded, accents and punctuation stripped, French and English stop
  words dropped) and by their key actors; MinHash LSH finds the candidates, exact similarity decides.
  Languages are kept apart: a story in French and the same story in English are two stories.
- ``merge_story(items)`` is one `Story`: its briefing with the actors merged across articles ("Lavrov"
  and "Sergueï Lavrov" are one actor), the claims of all sources (the same speaker saying nearly the same
  thing counts once, keeping all its sources), bullets for the story, and its sources.
- ``rank_stories(stories, limit=, now=)`` is a digest's stories, best first: more sources, more recent,
  more salient actors, and no actor leading more than ``max_per_actor`` of them while others are left.
"""

from __future__ import annotations

import importlib.util
import math
import random
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from briefings.actors import norm, words
from briefings.models import Actor, Article, Briefing, Claim
from briefings.render import LABELS, claim_bullet, labels, shorten

StoredBriefing = Mapping[str, Any]

# ---------------------------------------------------------------------------------------------- words

_NOT_ALNUM = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})
_PUNCTUATION = str.maketrans({c: " " for c in "!\"'(),.:;?[]«»‘’“”…"})


def fold(text: str) -> str:
    """``text`` casefolded, without accents: "Sergueï À l’Élysée" -> "serguei a l'elysee"."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return text.encode("ascii", "ignore").decode()


def spacy_stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for ``lang``, read from its ``spacy/lang/<lang>/stop_words.py`` without importing
    spaCy (an instance whose briefing runs in worker processes never loads it: importing
    ``spacy.lang.fr.stop_words`` imports spaCy and the whole French language data, seconds of CPU)."""
    spec = importlib.util.find_spec("spacy")  # a top-level package: found, not imported
    if spec is None or spec.origin is None:
        raise ImportError("spaCy is not installed")
    path = Path(spec.origin).parent / "lang" / lang / "stop_words.py"
    source = importlib.util.spec_from_file_location(f"_spacy_{lang}_stop_words", path)
    assert source is not None and source.loader is not None, path
    module = importlib.util.module_from_spec(source)
    source.loader.exec_module(module)  # a plain module: sets STOP_WORDS, imports nothing
    return frozenset(module.STOP_WORDS)


STOP_WORDS = frozenset(fold(w) for w in spacy_stop_words("fr") | spacy_stop_words("en"))


def _term(word: str) -> str:
    return word[:-1] if len(word) > 4 and word[-1] == "s" else word


def terms(text: str) -> list[str]:
    """The content words of ``text`` in order: folded, without punctuation, stop words or single letters,
    a plural "s" dropped ("grèves" -> "greve")."""
    return [_term(w) for w in fold(text).translate(_NOT_ALNUM).split() if len(w) > 1 and w not in STOP_WORDS]


def term_set(text: str) -> frozenset[str]:
    """The set of `terms` of ``text`` (faster than building the list)."""
    return frozenset(
        _term(w) for w in set(fold(text).translate(_NOT_ALNUM).split()) - STOP_WORDS if len(w) > 1
    )


_LABEL_WORDS = frozenset(t for lab in LABELS.values() for v in lab.values() for t in terms(v))


def shingles(data: StoredBriefing) -> frozenset[str]:
    """The words a stored briefing is compared by: its title, first bullet (the gist of the lead; the others
    repeat claims and actors), claims and actor names, less the bullet labels ("Key actors") and the
    outlet's own name (it leaks in through datelines)."""
    parts = [
        data.get("title") or "",
        *data.get("bullets", ())[:1],
        *(c["text"] for c in data.get("claims", ())),
        *(a["name"] for a in data.get("actors", ())),
    ]
    return term_set("\n".join(parts)) - _LABEL_WORDS - term_set(data.get("feed") or "")


def actor_key(name: str, kind: str) -> str:
    """What identifies an actor across articles: a person's surname, another actor's normalised name."""
    key = norm(name)
    return key.rsplit(" ", 1)[-1] if kind == "person" else key


def key_actors(data: StoredBriefing, *, top: int = 5) -> frozenset[str]:
    """The keys of a stored briefing's ``top`` actors, the outlet itself left out."""
    feed = norm(data.get("feed") or "")
    return frozenset(
        actor_key(a["name"], a["kind"]) for a in data.get("actors", ())[:top] if norm(a["name"]) != feed
    )


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared) if shared else 0.0


# ---------------------------------------------------------------------------------------------- clustering


_PRIME = (1 << 61) - 1  # the hashes are (a * h + b) mod this prime, h a word's CRC-32, a and b < 2**31


class _BandIndex:
    """MinHash LSH over sets of words: a set's signature is the least of each of ``num_perm`` hashes over
    its words (two sets agree on one with a probability of their Jaccard similarity), cut into ``bands``
    bands; the sets whose signature agrees with a query's on at least one whole band are its candidates.

    Written here rather than taken from datasketch (whose `MinHashLSH` does the same): datasketch imports
    SciPy for a parameter search not used here, a second of every start of the bot and of each of its
    processes. NumPy (a dependency of spaCy) is imported when the first index is made.
    """

    def __init__(self, *, num_perm: int, bands: int, seed: int = 1) -> None:
        import numpy

        self._np = numpy
        chosen = random.Random(seed)  # the same hashes in every process and run
        self._a = numpy.array([chosen.randrange(1, 1 << 31) for _ in range(num_perm)], dtype=numpy.uint64)
        self._b = numpy.array([chosen.randrange(0, 1 << 31) for _ in range(num_perm)], dtype=numpy.uint64)
        self._rows = num_perm // bands
        self._tables: list[dict[bytes, list[str]]] = [{} for _ in range(bands)]

    def bands(self, words: Iterable[str]) -> list[bytes]:
        """The band keys of the signature of ``words`` (an empty set's are those of every empty set)."""
        numpy = self._np
        hashes = numpy.fromiter((zlib.crc32(w.encode()) for w in words), dtype=numpy.uint64)
        if hashes.size:
            signature = ((numpy.outer(hashes, self._a) + self._b) % numpy.uint64(_PRIME)).min(axis=0)
        else:
            signature = numpy.full(self._a.shape, _PRIME, dtype=numpy.uint64)
        rows = self._rows
        return [signature[i * rows : (i + 1) * rows].tobytes() for i in range(len(self._tables))]

    def insert(self, key: str, bands: Sequence[bytes]) -> None:
        for table, band in zip(self._tables, bands, strict=True):
            table.setdefault(band, []).append(key)

    def query(self, bands: Sequence[bytes]) -> set[str]:
        """The keys inserted with a band in common with ``bands``."""
        found: set[str] = set()
        for table, band in zip(self._tables, bands, strict=True):
            found.update(table.get(band, ()))
        return found


@dataclass(frozen=True, slots=True)
class _Sketch:
    words: frozenset[str]
    actors: frozenset[str]


@dataclass(kw_only=True)
class StoryClusterer:
    """Groups stored briefings into stories, incrementally, as they arrive.

    A briefing joins the story it is most similar to when that similarity is at least ``threshold``,
    else it starts a new story. Similarity to a story is the best over its first ``sample`` articles of
    ``(1 - actor_weight) * word Jaccard + actor_weight * shared key actors`` (the share of the smaller
    set of ``top_actors`` keys). Candidate stories are first those sharing two key actors with the article
    (an actor in more than ``common_actor`` stories is too common to say anything); when none is similar
    enough, those MinHash LSH finds by words (``num_perm`` permutations in ``bands`` bands: an article
    with a word Jaccard of 0.3 is found 94 % of the time with the defaults). Each language has its own
    indexes; only a story's first ``sample`` articles are indexed, so the cost of an article does not grow
    with the day's.
    """

    threshold: float = 0.2
    num_perm: int = 64
    bands: int = 32
    actor_weight: float = 0.2
    top_actors: int = 5
    sample: int = 2
    common_actor: int = 50
    _lsh: dict[str, _BandIndex] = field(default_factory=dict, init=False, repr=False)
    _by_actor: dict[tuple[str, str], set[str]] = field(default_factory=dict, init=False, repr=False)
    _story_of: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _members: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)
    _order: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _sample: dict[str, list[_Sketch]] = field(default_factory=dict, init=False, repr=False)

    def add(self, key: str, data: StoredBriefing) -> str:
        """Put the stored briefing ``data`` (identified by ``key``, e.g. its URL) in a story; return the
        story's id. Adding a key again changes nothing and returns its story."""
        if key in self._story_of:
            return self._story_of[key]
        lang = data.get("lang") or ""
        sketch = _Sketch(words=shingles(data), actors=key_actors(data, top=self.top_actors))
        if lang not in self._lsh:
            self._lsh[lang] = _BandIndex(num_perm=self.num_perm, bands=self.bands)
        lsh, bands = self._lsh[lang], None
        story = self._most_similar(sketch, self._sharing_actors(lang, sketch.actors))
        if story is None:
            bands = lsh.bands(sketch.words)
            story = self._most_similar(sketch, {self._story_of[k] for k in lsh.query(bands)})
        story = story or key
        self._story_of[key] = story
        self._order.setdefault(story, len(self._order))
        self._members.setdefault(story, []).append(key)
        kept = self._sample.setdefault(story, [])
        if len(kept) < self.sample:
            kept.append(sketch)
            lsh.insert(key, bands if bands is not None else lsh.bands(sketch.words))
            for actor in sketch.actors:
                self._by_actor.setdefault((lang, actor), set()).add(story)
        return story

    def _most_similar(self, sketch: _Sketch, stories: set[str]) -> str | None:
        """The story of ``stories`` most similar to ``sketch`` if similar enough (the oldest on a tie)."""
        best, best_score = None, self.threshold
        for story in sorted(stories, key=self._order.__getitem__):
            score = max(self.similarity(sketch, other) for other in self._sample[story])
            if score > best_score or (score == best_score and best is None):
                best, best_score = story, score
        return best

    def _sharing_actors(self, lang: str, actors: frozenset[str]) -> set[str]:
        """The stories sharing at least two key actors with an article."""
        counts: Counter[str] = Counter()
        for actor in actors:
            stories = self._by_actor.get((lang, actor), ())
            if len(stories) <= self.common_actor:
                counts.update(stories)
        return {story for story, n in counts.items() if n >= 2}

    def similarity(self, a: _Sketch, b: _Sketch) -> float:
        """The similarity of two articles (see the class docstring), in [0, 1]."""
        small = min(len(a.actors), len(b.actors))
        shared = len(a.actors & b.actors) / small if small else 0.0
        return (1 - self.actor_weight) * jaccard(a.words, b.words) + self.actor_weight * shared

    def stories(self) -> list[list[str]]:
        """The keys of each story, stories in order of their first article, articles in order added."""
        return [list(keys) for keys in self._members.values()]


# ---------------------------------------------------------------------------------------------- merging


@dataclass(frozen=True, slots=True)
class Source:
    """One article of a story: where to read it."""

    title: str | None
    url: str
    outlet: str | None = None
    published: datetime | None = None


@dataclass(frozen=True, slots=True)
class Story:
    """One story across outlets.

    ``briefing`` is the merged briefing: actors merged across articles (salience averaged over the
    sources, so actors every outlet names come first), claims of all sources with the most reported first,
    bullets for the story. Its article has no text; its claims' offsets are those in the first source
    that reported them. ``sources`` are in order of publication; ``claim_sources[i]`` are the indexes in
    ``sources`` of the articles that reported ``briefing.claims[i]``.
    """

    id: str
    briefing: Briefing
    sources: tuple[Source, ...]
    claim_sources: tuple[tuple[int, ...], ...]

    @property
    def published(self) -> datetime | None:
        """When the story was last reported."""
        return self.briefing.article.published

    @property
    def lead_actor(self) -> str | None:
        """The key (see `actor_key`) of the story's most salient actor."""
        actors = self.briefing.actors
        return actor_key(actors[0].name, actors[0].kind) if actors else None


def merge_story(items: Sequence[StoredBriefing], *, max_bullets: int, story_id: str | None = None) -> Story:
    """One `Story` from the stored briefings of its articles (see the module docstring); ``story_id``
    defaults to the URL of the first item, as `StoryClusterer` names stories."""
    if not items:
        raise ValueError("merge_story needs at least one stored briefing")
    story_id = story_id or items[0]["url"]
    pairs = sorted(
        ((d, Briefing.from_json(d)) for d in items), key=lambda p: _timestamp(p[1].article.published)
    )
    ordered, briefings = [d for d, _ in pairs], [b for _, b in pairs]
    sources = tuple(
        Source(title=d.get("title"), url=d["url"], outlet=d.get("feed"), published=b.article.published)
        for d, b in zip(ordered, briefings, strict=True)
    )
    outlets = {norm(s.outlet) for s in sources if s.outlet}
    actors, canonical = merge_actors(briefings)
    actors = [a for a in actors if norm(a.name) not in outlets]
    claims, credits = merge_claims(briefings, canonical=canonical, actors=actors)
    main = briefings[_central(ordered)]
    article = Article(
        text="",
        title=main.article.title,
        url=main.article.url,
        lang=main.article.lang,
        published=max((s.published for s in sources if s.published), default=None),
        source=story_id,
    )
    briefing = Briefing(article=article, actors=tuple(actors), claims=tuple(claims))
    bullets = story_bullets(briefing, lead=_lead(main), max_bullets=max_bullets)
    return Story(
        id=story_id,
        briefing=replace(briefing, bullets=tuple(bullets)),
        sources=sources,
        claim_sources=tuple(credits),
    )


def _timestamp(published: datetime | None) -> float:
    return published.timestamp() if published else math.inf


@dataclass(slots=True)
class _ActorGroup:
    kind: str
    names: dict[str, int] = field(default_factory=dict)
    word_sets: list[frozenset[str]] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    roles: dict[str, int] = field(default_factory=dict)
    mentions: int = 0
    salience: float = 0.0

    def takes(self, name: str) -> bool:
        """Whether ``name``'s words are all in one of this actor's names ("Lavrov" in "Sergueï Lavrov")."""
        ws = words(name)
        return self.kind != "country" and any(ws <= other for other in self.word_sets)

    def add(self, actor: Actor) -> None:
        self.names[actor.name] = self.names.get(actor.name, 0) + 1
        self.word_sets.append(words(actor.name))
        for alias in actor.aliases:
            self.names.setdefault(alias, 0)
            self.word_sets.append(words(alias))
        self.kinds[actor.kind] = self.kinds.get(actor.kind, 0) + 1
        if actor.role:
            self.roles[actor.role] = self.roles.get(actor.role, 0) + 1
        self.mentions += actor.mentions
        self.salience += actor.salience

    def actor(self, *, sources: int) -> Actor:
        name = max(self.names, key=lambda n: (len(words(n)), self.names[n], len(n)))
        return Actor(
            name=name,
            kind=max(self.kinds, key=self.kinds.__getitem__),  # type: ignore[arg-type]
            aliases=tuple(sorted(n for n in self.names if n != name)),
            role=max(self.roles, key=self.roles.__getitem__) if self.roles else None,
            mentions=self.mentions,
            salience=self.salience / sources,
        )


def merge_actors(briefings: Sequence[Briefing]) -> tuple[list[Actor], dict[str, str]]:
    """The actors of several briefings as one list, most salient first (salience averaged over the
    briefings), and every surface form's canonical name (keys normalised with `briefings.actors.norm`).

    Fullest names first; a form whose words are all in a fuller name already seen ("Lavrov" in "Sergueï
    Lavrov") is that actor, except a country's one-word name, which is never part of another name.
    """
    groups: list[_ActorGroup] = []
    index: dict[str, _ActorGroup] = {}
    for actor in sorted((a for b in briefings for a in b.actors), key=lambda a: -len(words(a.name))):
        keys = [norm(f) for f in (actor.name, *actor.aliases)]
        group = next((index[k] for k in keys if k in index), None)
        if group is None and actor.kind != "country":
            group = max((g for g in groups if g.takes(actor.name)), key=lambda g: g.mentions, default=None)
        if group is None:
            group = _ActorGroup(kind=actor.kind)
            groups.append(group)
        group.add(actor)
        for k in keys:
            index.setdefault(k, group)
    merged = sorted(
        (g.actor(sources=len(briefings)) for g in groups), key=lambda a: (-a.salience, -a.mentions)
    )
    canonical = {norm(n): a.name for a in merged for n in (a.name, *a.aliases)}
    return merged, canonical


@dataclass(slots=True)
class _Said:
    claim: Claim
    sources: set[int]
    content: frozenset[str] | None = None

    @property
    def words(self) -> frozenset[str]:
        if self.content is None:
            self.content = frozenset(self.claim.text.casefold().translate(_PUNCTUATION).split()) - STOP_WORDS
        return self.content


def merge_claims(
    briefings: Sequence[Briefing], *, canonical: Mapping[str, str], actors: Sequence[Actor], same: float = 0.6
) -> tuple[list[Claim], list[tuple[int, ...]]]:
    """The claims of all briefings with speakers put under their canonical names, each with the indexes of
    the briefings that reported it. Two claims of the same speaker whose words (casefolded, without
    punctuation or stop words) overlap by at least ``same`` (Jaccard) are one claim: the first wording is
    kept, with all its sources. Most reported first, then by the speaker's salience, then in order of
    appearance."""
    roles = {a.name: a.role for a in actors}
    salience = {a.name: a.salience for a in actors}
    kept: list[_Said] = []
    by_speaker: dict[str, list[_Said]] = {}
    for i, briefing in enumerate(briefings):
        for c in briefing.claims:
            speaker = canonical.get(norm(c.speaker), c.speaker)
            role = roles.get(speaker) or c.speaker_role
            new = _Said(Claim(speaker, c.cue, c.text, c.kind, c.start, c.end, role), {i})
            said = by_speaker.setdefault(norm(speaker), [])
            match = next((k for k in said if jaccard(k.words, new.words) >= same), None)
            if match:
                match.sources.add(i)
            else:
                said.append(new)
                kept.append(new)
    order = sorted(
        range(len(kept)), key=lambda j: (-len(kept[j].sources), -salience.get(kept[j].claim.speaker, 0.0), j)
    )
    return [kept[j].claim for j in order], [tuple(sorted(kept[j].sources)) for j in order]


def _central(items: Sequence[StoredBriefing]) -> int:
    """The index of the item sharing most key actors with the others, the first reported of those (its
    title and lead speak for the story)."""
    if len(items) < 3:
        return 0
    keys = [key_actors(d) for d in items[:8]]
    return max(range(len(keys)), key=lambda i: (sum(len(keys[i] & k) for k in keys), -i))


# "LYON, 24 nov. (Dépêche Continentale) — ": a dateline, periods allowed (render's gist stops at them)
_DATELINE = re.compile(r"^[^\n()]{0,40}\([^()\n]{2,40}\)\s*[—–-]+\s*")


def _lead(briefing: Briefing) -> str | None:
    """The gist bullet of a stored briefing (its first bullet, unless that is a claim or the actors line),
    else its title."""
    lang = briefing.article.lang
    first = briefing.bullets[0] if briefing.bullets else None
    not_gist = {claim_bullet(c, lang=lang) for c in briefing.claims}
    if first and first not in not_gist and not first.startswith(labels(lang)["actors"]):
        return _DATELINE.sub("", first)
    return briefing.article.title


def story_bullets(briefing: Briefing, *, lead: str | None, max_bullets: int) -> list[str]:
    """The bullets of a merged story: its lead, its claims in the briefing's order (most reported first),
    at most two per speaker, and a line of key actors; at most ``max_bullets`` in all."""
    lang = briefing.article.lang
    lab = labels(lang)
    names = [a.name for a in briefing.actors[:8]]
    head = [shorten(lead)] if lead else []
    room = max(0, max_bullets - len(head) - (1 if names else 0))
    claims: list[str] = []
    per_speaker: Counter[str] = Counter()
    for claim in briefing.claims:
        if len(claims) >= room:
            break
        if per_speaker[claim.speaker] < 2 and len(claim.text.split()) >= 3:
            per_speaker[claim.speaker] += 1
            claims.append(claim_bullet(claim, lang=lang))
    tail = [shorten(f"{lab['actors']}{lab['colon']}{', '.join(names)}")] if names else []
    return [*head, *claims, *tail][:max_bullets]


# ---------------------------------------------------------------------------------------------- ranking


def story_score(story: Story, *, now: datetime, half_life: timedelta = timedelta(hours=12)) -> float:
    """A story's worth in a digest, in [0, 1]: half from its number of sources (5 and more count as 5),
    0.3 from its recency (halved every ``half_life``), 0.2 from the salience of its three key actors."""
    top = story.briefing.actors[:3]
    salience = sum(a.salience for a in top) / 3
    base = _base_score(len(story.sources), story.published, now=now, half_life=half_life)
    return base + 0.2 * min(salience, 1.0)


def score_bound(
    sources: int, published: datetime | None, *, now: datetime, half_life: timedelta = timedelta(hours=12)
) -> float:
    """The highest `story_score` a story of ``sources`` articles last reported at ``published`` can have,
    known before merging it: lets a digest merge only the stories that can make its top."""
    return _base_score(sources, published, now=now, half_life=half_life) + 0.2


def _base_score(sources: int, published: datetime | None, *, now: datetime, half_life: timedelta) -> float:
    count = math.log1p(min(sources, 5)) / math.log1p(5)
    age = max((now - published).total_seconds(), 0.0) if published else math.inf
    return 0.5 * count + 0.3 * 0.5 ** (age / half_life.total_seconds())


def rank_stories(
    stories: Iterable[Story],
    *,
    limit: int = 8,
    now: datetime,
    max_per_actor: int = 2,
    penalty: float = 0.25,
    half_life: timedelta = timedelta(hours=12),
) -> list[Story]:
    """The ``limit`` best stories for a digest, best first (see `story_score`).

    Diversity: stories are chosen one at a time, and a story whose lead actor already leads
    ``max_per_actor`` chosen stories has its score multiplied by ``penalty``, so one actor does not fill
    the digest while other stories are left. ``now`` must be comparable with the stories' timestamps.
    """
    pool = [(story_score(s, now=now, half_life=half_life), s) for s in stories]
    pool.sort(key=lambda p: p[0], reverse=True)
    chosen: list[Story] = []
    leads: Counter[str] = Counter()

    def adjusted(i: int) -> tuple[float, int]:
        score, story = pool[i]
        lead = story.lead_actor
        return (score * penalty if lead and leads[lead] >= max_per_actor else score), -i

    while pool and len(chosen) < limit:
        story = pool.pop(max(range(len(pool)), key=adjusted))[1]
        chosen.append(story)
        if story.lead_actor:
            leads[story.lead_actor] += 1
    return chosen

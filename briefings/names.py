"""Actor name keys: one string per way of naming an actor, equal across accents, case and transliterations.

`actor_key` turns any name a user types or an article prints into the key the actor index stores
("Sergueï Lavrov", "SERGEI LAVROV", "Sergej Lawrow" → ``"sergei lavrov"``); `actor_keys` gives every key of
a briefing's `Actor` (its name, aliases, surname alone for a person, and the role the article linked to it).

A key is built in three steps, each one documented rule, no guessing:

1. **Spelling**: Unicode NFKD with the combining marks dropped (é → e, ï → i, ğ → g, й → и), letters that
   do not decompose spelled out (ß → ss, ø → o, ł → l, æ → ae, œ → oe, ı → i, đ → d, þ → th), then
   ``casefold``. Apostrophes, hyphens, dots and any other punctuation separate words ("Jean-Luc" and
   "Jean Luc", "O'Neill" and "O Neill" are one key); spaces are collapsed.
2. **Words**: a leading determiner written in lower case ("le Kremlin", "the Kremlin", "l'Élysée", but not
   the "Le" of "Le Pen") and leading courtesy titles ("M.", "Mme", "Mr", "Dr") go while a word is left
   after them; an actor is the same with or without them.
3. **Transliteration endings** of Slavic names, applied to each word of five letters or more, because the
   same Cyrillic ending is written differently by the German, French, Polish and English systems:
   ``-ow``/``-off`` → ``-ov`` (Lawrow, Romanoff), ``-ew``/``-eff`` → ``-ev`` (Medwedew), ``-skyy``/``-skyi``/
   ``-skiy``/``-skij``/``-skyj``/``-ski`` → ``-sky`` (Zelenskyy, Selenskyj, Zelenski), ``-ey``/``-ej`` → ``-ei``
   (Sergey, Sergej), ``-iy``/``-ij`` → ``-y`` (Dmitriy, Dmitrij → Dmitry … only after a consonant).

Forms that no rule can relate (Poutine/Putin, Xi/习近平, Erdoğan's French and German spellings are handled by
step 1, but "Kadhafi"/"Gaddafi" are not) come from the shipped table ``lexicons/name_forms.toml``: every form
of one actor maps to the key of its first form. The table is looked up with the key of the whole name, so a
surname alone that the table lists ("Poutine") gives the full canonical key too.

Everything here is pure and bounded: a name longer than `MAX_NAME_CHARS` is cut before it is read.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from briefings.models import Actor, Briefing

MAX_NAME_CHARS = 200
# The key actors of a briefing: the first of its actors' ranking (the render's actors line,
# `briefings.render.KEY_ACTORS`, not imported: that module loads the gazetteer) named at least twice.
KEY_ACTORS = 8
KEY_ACTOR_MENTIONS = 2

MentionRole = Literal["speaker", "key_actor"]

# Letters NFKD leaves alone: their usual Latin spelling.
_SPELLED = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "ss",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ı": "i",
        "đ": "d",
        "Đ": "d",
        "þ": "th",
        "Þ": "th",
        "ð": "d",
        "Ð": "d",
    }
)
_NOT_WORD = re.compile(r"[\W_]+")
# (ending, replacement), longest first; a word keeps its first matching ending only.
_ENDINGS: tuple[tuple[str, str], ...] = (
    ("skyy", "sky"),
    ("skyi", "sky"),
    ("skiy", "sky"),
    ("skij", "sky"),
    ("skyj", "sky"),
    ("ski", "sky"),
    ("off", "ov"),
    ("eff", "ev"),
    ("ow", "ov"),
    ("ew", "ev"),
    ("ey", "ei"),
    ("ej", "ei"),
)
_CONSONANT_IY = re.compile(r"(?<=[bcdfghklmnprstvz])i[yj]$")
_MIN_TRANSLITERATED = 5


def spelling(text: str) -> str:
    """Step 1: accents and case gone, punctuation turned into single spaces ("Sergueï  Lavrov" → "serguei lavrov")."""
    text = unicodedata.normalize("NFKD", text[:MAX_NAME_CHARS].translate(_SPELLED))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().translate(_SPELLED)
    return " ".join(_NOT_WORD.sub(" ", text).split())


def _transliterated(word: str) -> str:
    if len(word) < _MIN_TRANSLITERATED or not word.isascii():
        return word
    for ending, replacement in _ENDINGS:
        if word.endswith(ending):
            return word[: -len(ending)] + replacement
    return _CONSONANT_IY.sub("y", word)


def actor_key(name: str) -> str:
    """The index key of ``name`` as a user types it or an article prints it ("" for no letters at all)."""
    forms = _forms()
    key = _plain_key(name, forms)
    return forms.canonical.get(key, key)


def surname(name: str) -> str | None:
    """A person's surname as written: the last word, with the particles before it ("de Gaulle",
    "von der Leyen", "Le Pen"); ``None`` for a one-word name."""
    words = name.split()
    if len(words) < 2:
        return None
    start = len(words) - 1
    particles = _forms().particles
    while start > 1 and spelling(words[start - 1]) in particles:
        start -= 1
    return " ".join(words[start:])


def actor_keys(actor: Actor) -> frozenset[str]:
    """Every key of a briefing's actor: its name, its aliases, a person's surname alone (from the name and
    from each alias), and the role the article linked to it ("porte-parole du Kremlin"). Empty keys are
    left out."""
    names = [actor.name, *actor.aliases]
    if actor.kind == "person":
        names.extend(s for n in (actor.name, *actor.aliases) if (s := surname(n)))
    if actor.role:
        names.append(actor.role)
    return frozenset(k for n in names if (k := actor_key(n)))


class _Forms:
    """The shipped table, read once: form key → canonical key, and the words steps 2 and 3 need."""

    def __init__(self, raw: dict[str, Any]) -> None:
        determiners, titles, particles = (_words(raw, k) for k in ("determiners", "titles", "particles"))
        self.determiner = re.compile(
            "^(?:" + "|".join(re.escape(str(d)) for d in determiners) + r")(?:\s+|['’](?=\w))"
        )
        self.dropped = frozenset(spelling(str(w)) for w in titles)
        self.particles = frozenset(spelling(str(w)) for w in particles)
        self.canonical: dict[str, str] = {}

    def add(self, forms: list[str], plain: dict[str, str]) -> None:
        first = plain[forms[0]]
        for form in forms:
            key = plain[form]
            if self.canonical.get(key, first) != first:
                raise ValueError(
                    f"lexicons/name_forms.toml: {form!r} is a form of both {self.canonical[key]!r} and {first!r}"
                )
            self.canonical[key] = first


def _words(raw: dict[str, Any], name: str) -> list[str]:
    words = raw.get(name, [])
    if not isinstance(words, list):
        raise ValueError(f"lexicons/name_forms.toml: {name!r} is a list of words")
    return [str(w) for w in words]


@cache
def _forms() -> _Forms:
    text = (resources.files("briefings") / "lexicons" / "name_forms.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    forms = _Forms(raw)
    for entry in raw.get("actor", []):
        names = [str(n) for n in entry.get("forms", [])]
        if not names:
            raise ValueError("lexicons/name_forms.toml: an [[actor]] without forms")
        forms.add(names, {n: _plain_key(n, forms) for n in names})
    return forms


def _plain_key(name: str, forms: _Forms) -> str:
    """Steps 1 to 3, without the table."""
    name = name[:MAX_NAME_CHARS].strip()
    if (determiner := forms.determiner.match(name)) and name[determiner.end() :].strip():
        name = name[determiner.end() :]
    words = spelling(name).split()
    while len(words) > 1 and words[0] in forms.dropped:
        words = words[1:]
    return " ".join(_transliterated(w) for w in words)


@dataclass(frozen=True, slots=True)
class Mention:
    """One row of the actor index: the actor with key ``key`` speaks claim number ``claim`` of a briefing
    (``role`` "speaker"), or is one of its key actors (``role`` "key_actor", ``claim`` ``None``). ``name``
    is the actor as the briefing names it (its canonical name, or the speaker as written when no actor
    of the briefing is that speaker)."""

    key: str
    role: MentionRole
    name: str
    claim: int | None = None


def mentions(briefing: Briefing) -> tuple[Mention, ...]:
    """The actor index rows of a briefing: each claim under every key of its speaker (`actor_keys` when the
    speaker is one of the briefing's actors, else the key of the speaker as written), and every key of each
    key actor. A backdrop mention (named once, never speaking) is neither. Sorted, without repeats."""
    by_name = {n: actor for actor in briefing.actors for n in (actor.name, *actor.aliases)}
    rows: set[Mention] = set()
    for number, claim in enumerate(briefing.claims):
        actor = by_name.get(claim.speaker)
        keys = actor_keys(actor) if actor else frozenset({actor_key(claim.speaker)})
        name = actor.name if actor else claim.speaker
        rows.update(Mention(key, "speaker", name[:MAX_NAME_CHARS], number) for key in keys if key)
    for actor in briefing.actors[:KEY_ACTORS]:
        if actor.mentions >= KEY_ACTOR_MENTIONS:
            rows.update(Mention(key, "key_actor", actor.name[:MAX_NAME_CHARS]) for key in actor_keys(actor))
    return tuple(sorted(rows, key=lambda m: (m.role, -1 if m.claim is None else m.claim, m.key)))


def table_keys(prefixes: Iterable[str]) -> frozenset[str]:
    """The canonical keys of the shipped table that have a form with a word starting with one of
    ``prefixes`` (so "lavrof" finds "sergei lavrov" through "lavrov")."""
    wanted = tuple(p for p in prefixes if p)
    if not wanted:
        return frozenset()
    return frozenset(
        canonical
        for form, canonical in _forms().canonical.items()
        if any(w.startswith(wanted) for w in form.split())
    )


def closest_keys(key: str, candidates: Iterable[str], *, limit: int, cutoff: float = 0.6) -> list[str]:
    """The ``candidates`` closest to ``key``, best first, at most ``limit``: the similarity of the whole keys,
    or of their last words (a surname typed alone, a first name missing), whichever is higher; below
    ``cutoff`` is not close. ``key`` itself, when a candidate, is first."""
    last = key.rsplit(" ", 1)[-1]
    scored = []
    for candidate in set(candidates):
        if candidate == key:
            scored.append((2.0, candidate))
            continue
        whole = SequenceMatcher(None, key, candidate).ratio()
        surname = SequenceMatcher(None, last, candidate.rsplit(" ", 1)[-1]).ratio()
        if (score := max(whole, surname)) >= cutoff:
            scored.append((score, candidate))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [candidate for _, candidate in scored[:limit]]

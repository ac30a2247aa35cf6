"""Key actors of an article, as pure functions over a spaCy `Doc`.

Contract: ``extract_actors(doc, lang=, title=, gazetteer=load_gazetteer(lang))`` returns an `ActorTable`:
the article's people, organisations, countries, places and groups, each merged over all its mentions.

- Mentions come from NER, cleaned (determiners, honorifics and possessives stripped; entities glued across
  a line break split), with noise removed (boilerplate words, pronouns, lower-case spans, role phrases tagged
  as names), plus gazetteer names NER missed. A party or group named by a plural noun (NORP: "the Tories",
  "Republicans") is a group actor; a nationality adjective is not.
- A place standing for a country or institution (Pyongyang, le Kremlin, the White House) is that country.
- Merging: a form whose words are a subset of a fuller form's ("Lavrov" ⊂ "Sergueï Lavrov"), an acronym
  of a fuller name, or a gazetteer alias, is the same actor; the canonical name is the fullest form used.
- Roles come from appositions and titles next to a person ("Le porte-parole du Kremlin, Dmitri Peskov").
- ``table.resolve(text)`` maps any surface form, metonym or role phrase ("le porte-parole") to its actor.
- ``table.ranked(speaker_counts=)`` orders actors by salience: mentions, first position, title, lead,
  and the claims they make; a place, or a country that is never the subject or agent of a verb nor
  speaks (the backdrop: "in France"), ranks below who acts. A named speaker of claims is an actor even
  when NER missed it ("Harbour Voices"), cut it ("Générations" for "Générations futures") or saw it with a
  title ("Professor Rothwell" is Nancy Rothwell), before ranking.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from briefings.memo import Memo
from briefings.models import Actor, ActorKind

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

KINDS: dict[str, ActorKind] = {
    "PER": "person",
    "PERSON": "person",
    "ORG": "organization",
    "LOC": "place",
    "GPE": "place",
    "NORP": "group",
    "MISC": "group",
}
OPTIONAL_LABELS = frozenset({"NORP", "MISC"})  # kept only when the gazetteer knows them
DETERMINERS = re.compile(r"^(?:(?:le|la|les|the|du|des|de la|au|aux)\s+|(?:de l|l|d)['’]\s*)+", re.IGNORECASE)
POSSESSIVE = re.compile(r"(?:'s|')$")
PARTICLE_WORD = re.compile(r"(?<![\w'’])(?:Le|La)\s+[A-ZÀ-Ý][\w'’-]*")
# "Le Pen", "Le Maire", "La Fontaine": a capitalised Le/La before one capitalised word is part of the name
PARTICLE_NAME = re.compile(r"^(?:Le|La)\s+([A-ZÀ-Ý][^\W\d_]*(?:-[A-ZÀ-Ý][^\W\d_]*)?)$")
GLUED_NEXT = re.compile(r"(?<=[a-zà-ÿ])(?:[LD]'|[\"«»“”])")
GLUED_TITLE = re.compile(r"^([^\W\d_]{1,4})\.(?=[A-ZÀ-Ý])")
DETERMINER_WORDS = frozenset("the le la les l' a an un une".split())
PREPOSITIONS = frozenset(
    "of for to at in from with by on de du des d' au aux a pour par chez sur dans".split()
)
LEAD_CHARS = 400
SURFACES_MAX = 50_000  # cleaned forms a gazetteer keeps across docs; all forgotten past it (`Memo`)
KINDS_MAX = 200_000  # words whose collective kind (or none) a gazetteer keeps across docs; likewise
MAX_NAME_WORDS = 8
MODIFIERS = frozenset(
    "ancien ancienne ex haut haute nouveau nouvelle former senior top chief deputy vice".split()
)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """A language's actor knowledge, kept as data in ``briefings/lexicons/{lang}_actors.toml``."""

    countries: frozenset[str]
    metonyms: Mapping[str, str]  # normalised surface -> canonical name
    aliases: Mapping[str, str]  # normalised alias -> canonical name
    noise: frozenset[str]
    roles: frozenset[str]
    titles: frozenset[str]
    names: Mapping[str, str] = field(default_factory=dict)  # normalised canonical -> canonical
    pattern: re.Pattern[str] | None = None  # gazetteer names, metonyms, aliases as written (name_matches)
    collectives: Mapping[str, ActorKind] = field(default_factory=dict)  # "gouvernement" -> organization
    locatives: frozenset[str] = frozenset()  # prepositions that introduce a place ("in", « à »)
    # the [grammar] word sets of the lexicon ("demonstratives", "complements", "clause_openers" …), normalised
    grammar: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # answers kept across docs: a text's clean surface (`clean_surface`), a string id's collective kind
    surfaces: Memo[str, str] = field(
        default_factory=lambda: Memo(SURFACES_MAX), init=False, repr=False, compare=False
    )
    kinds: Memo[int, ActorKind | None] = field(
        default_factory=lambda: Memo(KINDS_MAX), init=False, repr=False, compare=False
    )

    def words(self, name: str) -> frozenset[str]:
        """The [grammar] word set ``name``, normalised."""
        return self.grammar.get(name, frozenset())

    def canonical(self, surface: str) -> str | None:
        key = norm(surface)
        return self.metonyms.get(key) or self.aliases.get(key) or self.names.get(key)

    def kind_of(self, name: str) -> ActorKind | None:
        return "country" if norm(name) in self.countries else None


@cache
def load_gazetteer(lang: str) -> Gazetteer:
    """The built-in gazetteer of ``lang`` (an empty one for a language without a file)."""
    try:
        raw = tomllib.loads(
            (resources.files("briefings") / "lexicons" / f"{lang}_actors.toml").read_text("utf-8")
        )
    except FileNotFoundError:
        raw = {}
    countries = [str(c) for c in raw.get("countries", [])]
    metonyms = {norm(k): str(v) for k, v in raw.get("metonyms", {}).items()}
    aliases = {norm(a): str(canon) for canon, forms in raw.get("aliases", {}).items() for a in forms}
    targets = {*countries, *metonyms.values(), *raw.get("aliases", {})}
    return Gazetteer(
        countries=frozenset(norm(c) for c in countries),
        metonyms=metonyms,
        aliases=aliases,
        noise=frozenset(norm(w) for w in raw.get("noise", {}).get("words", [])),
        roles=frozenset(norm(w) for w in raw.get("roles", {}).get("nouns", [])),
        titles=frozenset(norm(w) for w in raw.get("titles", {}).get("words", [])),
        names={norm(t): t for t in targets},
        locatives=frozenset(w.lower() for w in raw.get("grammar", {}).get("locatives", [])),
        grammar={
            k: frozenset(norm(str(w)) for w in v)
            for k, v in raw.get("grammar", {}).items()
            if isinstance(v, list)
        },
        collectives={norm(w): kind for kind, nouns in raw.get("collectives", {}).items() for w in nouns},
        pattern=_names_pattern(
            [*targets, *raw.get("metonyms", {}), *(a for v in raw.get("aliases", {}).values() for a in v)]
        ),
    )


def _names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for the gazetteer's names as written (longest first), to find those NER missed; a match
    counts only where no word comes right before it (`name_matches`)."""
    forms = sorted({n for n in names if len(n) > 2}, key=len, reverse=True)
    if not forms:
        return None
    return re.compile(r"(" + "|".join(re.escape(n) for n in forms) + r")(?![\w-])")


_NAME_BEFORE = re.compile(r"[\w'’-]")  # a character a name does not follow


def name_matches(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of a `_names_pattern` in ``text`` with no word right before them, in text order and not
    overlapping — as ``finditer`` with a lookbehind would give them, but the regex engine skips ahead to a
    name's first letter instead of trying the lookbehind at every character (about 6 times faster)."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        if m.start() > 0 and _NAME_BEFORE.match(text, m.start() - 1):
            pos = m.start() + 1  # not a match here: look again from the next character
            continue
        yield m
        pos = m.end()


TEXT_KEY, ENTS_KEY = "newsbrief_text", "newsbrief_ents"


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per doc (spaCy rebuilds it from every token on each access)."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def doc_ents(doc: Doc) -> tuple[Span, ...]:
    """``doc.ents``, built once per doc (spaCy rebuilds the spans on each access)."""
    ents = doc.user_data.get(ENTS_KEY)
    if ents is None:
        ents = doc.user_data[ENTS_KEY] = tuple(doc.ents)
    return ents


@lru_cache(maxsize=1 << 16)
def norm(text: str) -> str:
    """Accent-, case- and apostrophe-insensitive form used to compare names."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'")).encode("ascii", "ignore").decode()
    return " ".join(text.lower().split())


@lru_cache(maxsize=1 << 16)
def words(text: str) -> frozenset[str]:
    """The words of a name, singular ("Tories" and "Tory" share "tory")."""
    return frozenset(_singular(w) for w in re.split(r"[\s\-.]+", norm(text)) if w)


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def plural_word(form: str) -> bool:
    """A one-word plural (after determiners) ("Europeans", "Republicans"): a group of people, not the longer name its singular
    modifies ("European Union", "Republican Party")."""
    form = DETERMINERS.sub("", norm(form)).rstrip(".")  # "C." (an initial for a surname) is no plural
    ws = words(form)
    return len(ws) == 1 and form not in ws


def _abbreviates(short: str, full: str) -> bool:
    """ "Lib Dems" abbreviates "Liberal Democrats": as many words, each a prefix (3+ letters) of its match."""
    a, b = norm(short).split(), norm(full).split()
    return (
        len(a) == len(b) > 1
        and a != b
        and all(len(x) >= 3 and y.startswith(x.rstrip("s")) for x, y in zip(a, b, strict=True))
    )


@dataclass(frozen=True, slots=True)
class Mention:
    """One cleaned entity mention: ``text`` is ``doc.text[start:end]``."""

    text: str
    kind: ActorKind
    start: int
    end: int
    canonical: str | None = None  # set when the gazetteer knows the form
    acts: bool = False  # the subject or agent of a verb (not a backdrop)
    located: bool = False  # after a locative preposition ("in Suva", « à Béthune »)
    venue: bool = False  # whom something is told or where it is said ("told BBC Radio", "speaking to X")
    owner: str | None = None  # the named body an unnamed one belongs to ("la direction de [Malta Air]")


@dataclass
class _Cluster:
    names: Counter[str]
    kinds: Counter[str]
    first: int
    mentions: int = 0
    canonical: str | None = None
    role: str | None = None
    in_title: bool = False
    lead_subject: bool = False
    acts: bool = False
    located: bool = False
    venues: int = 0  # mentions that are only where something was said (`Mention.venue`)
    variants: set[str] = field(default_factory=set)  # other forms speakers used, never the name

    @property
    def name(self) -> str:
        if self.canonical:
            return self.canonical
        if len(self.names) == 1:  # (most actors are named one way)
            return next(iter(self.names))
        return max(self.names, key=lambda n: (len(n.split()), len(n), self.names[n]))

    @property
    def kind(self) -> ActorKind:
        if self.kinds.get("country"):
            return "country"
        if (
            self.kinds.get("person")
            and len(self.name.split()) > 1
            and self.kinds["person"] * 2 >= sum(self.kinds.values())
        ):
            return "person"
        kind = self.kinds.most_common(1)[0][0]
        # NER takes companies and buildings for places: a place is where something happens ("in X"), and a
        # name written twice never so is not one
        named_twice = self.mentions >= 2
        return "organization" if kind == "place" and named_twice and not self.located else kind  # type: ignore[return-value]


@dataclass
class ActorTable:
    """The merged actors of one article; see the module docstring."""

    clusters: list[_Cluster]
    gazetteer: Gazetteer
    text_length: int = 1
    text: str = ""
    _index: dict[str, _Cluster] = field(default_factory=dict)
    # resolve's answers (claims repeat their speakers); emptied whenever a cluster changes
    _resolved: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for c in self.clusters:
            for n in (c.name, *c.names):
                self._index.setdefault(norm(n), c)

    def resolve(self, text: str) -> str | None:
        """The canonical actor name ``text`` refers to (a name, alias, metonym or role phrase), else None."""
        if text not in self._resolved:
            self._resolved[text] = self._resolve(text)
        return self._resolved[text]

    def _resolve(self, text: str) -> str | None:
        surface = clean_surface(text, self.gazetteer)
        if not surface:
            return None
        name = self._resolve_surface(surface)
        titled = _title_gender(text)
        cluster = self._index.get(norm(name)) if titled is not None and name is not None else None
        if cluster is not None and _cluster_gender(cluster) not in (None, titled):
            # "Mrs. Trump" is Melania Trump, never Donald Trump: the person of that name and gender, if any
            same = [c for c in self.clusters if _cluster_gender(c) == titled and _has_words(c, surface)]
            return max(same, key=lambda c: c.mentions).name if same else None
        return name

    def _resolve_surface(self, surface: str) -> str | None:
        key = norm(surface)
        if key in self._index:
            return self._index[key].name
        canonical = self.gazetteer.canonical(surface)
        if canonical:
            return self._index[norm(canonical)].name if norm(canonical) in self._index else canonical
        found = self._by_words(surface)
        if found:
            return found.name
        return self._by_role(surface) or self._inside(surface)

    def _inside(self, phrase: str) -> str | None:
        """The actor named as the head of a longer phrase, persons first: the name ends the phrase or an
        apposition or a complement follows it ("Le porte-parole de X, John Kirby", "the residents' group Harbour
        Voices", "John Kirby, the spokesman", "Ann Lee of Acme Bank"). A name that modifies another noun ("the Trump campaign", "Clinton
        aides") or follows a preposition ("le porte-parole du Kremlin") is not the speaker."""
        n = norm(phrase).rstrip(" .,;:")
        hits = []
        for c in self.clusters:
            for name in (c.name, *c.names):
                key = norm(name)
                if len(name) <= 2 or name[:1].islower() or key not in n:  # "campaign" is not named
                    continue
                for m in _word_pattern(key).finditer(n):
                    before = n[: m.start()].split()[-3:]
                    while before[-1:] and (
                        before[-1] in self.gazetteer.titles or before[-1].rstrip(".") in self.gazetteer.titles
                    ):
                        before = before[:-1]  # « l'avocat de M. Guéant »: the title belongs to the name
                    if before[-1:] and before[-1] in DETERMINER_WORDS:
                        before = before[:-1]
                    if before[-1:] and before[-1] in PREPOSITIONS:
                        continue
                    after = n[m.end() :].lstrip()
                    if not after or after[:1] in (",", "(") or after.split()[0] in PREPOSITIONS:
                        hits.append((c.kind != "person", m.start(), c))
        return min(hits, key=lambda h: h[:2])[2].name if hits else None

    def role_of(self, name: str) -> str | None:
        cluster = self._index.get(norm(name))
        return cluster.role if cluster else None

    def ranked(self, *, speaker_counts: Mapping[str, int] | None = None) -> list[Actor]:
        """Actors by salience (in [0, 1]), most salient first. A speaker of claims is an actor even when
        NER found no mention of it (see `_speakers`)."""
        speaker_counts = speaker_counts or {}
        clusters = self.clusters + self._speakers(speaker_counts)
        rows = []  # (score, cluster, name, kind): a cluster's properties worked out once, nothing changes now
        for c in clusters:
            name, kind = c.name, c.kind
            claims = sum(speaker_counts.get(n, 0) for n in {name, *c.names, *c.variants})
            rows.append((self._score(c, claims, name, kind), c, name, kind))
        top = max((r[0] for r in rows), default=1.0) or 1.0
        rows.sort(key=lambda r: (-r[0], r[1].first))
        return [
            Actor(
                name=name,
                kind=kind,
                aliases=tuple(sorted(n for n in {*c.names, *c.variants} if n != name)),
                role=c.role,
                mentions=c.mentions,
                salience=round(s / top, 4),
            )
            for s, c, name, kind in rows
        ]

    def _speakers(self, speaker_counts: Mapping[str, int]) -> list[_Cluster]:
        """An actor for each named speaker no actor stands for ("Harbour Voices", "Générations futures"):
        a proper name of capitalised words, or written at least twice in the article, or making two
        claims; as often mentioned as it is written,
        first placed where it first is; or the fuller name of the one actor it extends (`_extended`) when no
        other speaker extends it too ("le ministère de la Santé" and "le ministère de l'Intérieur" are two).
        A description ("the spokeswoman"), a pronoun, a noise word, or a phrase around another actor's name
        ("la direction de Bridgestone") is none."""
        found: list[_Cluster] = []
        self._resolved.clear()  # the clusters change below
        named = [
            n for n in speaker_counts if norm(n) not in self._index and norm(n) not in self.gazetteer.noise
        ]
        demonstratives = self.gazetteer.words("demonstratives")
        named = [n for n in named if _named(n, demonstratives=demonstratives)]
        extends = {n: self._extended(n) for n in named}
        for described in named:
            claims = speaker_counts[described]
            name = _described_name(described)  # "fertility expert Lord Winston" -> "Lord Winston"
            known = self._by_words(clean_surface(name, self.gazetteer)) if name != described else None
            if known is not None:  # "the spokesman John Kirby" is John Kirby
                known.variants.add(described)
                continue
            fuller = extends[described]
            if fuller is not None and sum(c is fuller for c in extends.values()) == 1:
                fuller.names[name] += 0  # NER cut the name: "Générations" for "Générations futures"
                continue
            titled = self._titled(name)
            if titled is not None:  # "Professor Rothwell" is Nancy Rothwell
                titled.variants.add(name)
                continue
            if self._names_one(name):
                continue
            written = self.text.count(name)
            proper = len(name.split()) > 1 and all(w[:1].isupper() for w in name.split())  # "Lord Winston"
            if max(written, claims) < 2 and not proper:
                continue
            found.append(
                _Cluster(
                    names=Counter({name: 1}),
                    kinds=Counter({self._kind_of_speaker(name): 1}),
                    first=self.text.find(name) if written else self.text_length,
                    mentions=max(written, 1),
                    acts=True,
                    variants={described} - {name},
                )
            )
        return found

    def _extended(self, name: str) -> _Cluster | None:
        """The actor whose name ``name`` extends by one or two lower-case words that are no function words
        ("Générations" -> "Générations futures"), the unnamed body whose noun ``name`` completes ("ministère"
        -> "ministère de la Santé"), or the actor whose name ``name`` runs on past a hyphen ("Ahn Chan" ->
        "Ahn Chan-il")."""
        ws = name.split()
        for cut in (1, 2):
            head, tail = " ".join(ws[:-cut]), ws[-cut:]
            cluster = self._index.get(norm(head)) if head else None
            if cluster and all(w[:1].islower() and norm(w) not in FUNCTION_WORDS for w in tail):
                return cluster
        complement = len(ws) > 2 and norm(ws[1]) in self.gazetteer.words("complements")
        noun = self._index.get(norm(ws[0])) if complement else None
        if noun is not None and noun.name.islower():  # "le ministère" is "le ministère de la Santé"
            return noun
        hyphen = name.rfind("-")  # "Ahn Chan" for "Ahn Chan-il"
        return self._index.get(norm(name[:hyphen])) if hyphen > 0 and " " in name[:hyphen] else None

    def _titled(self, name: str) -> _Cluster | None:
        """The person ``name`` is with its leading titles and role words left out ("Professor Rothwell",
        "Chairperson Donna Brazile")."""
        ws = name.split()
        while len(ws) > 1 and (norm(ws[0]) in self.gazetteer.titles or norm(ws[0]) in self.gazetteer.roles):
            ws = ws[1:]
        found = self._by_words(" ".join(ws)) if len(ws) < len(name.split()) else None
        return found if found is not None and found.kind == "person" else None

    def _names_one(self, phrase: str) -> bool:
        """Whether ``phrase`` holds the name of a known actor ("la direction de Bridgestone")."""
        ws = words(phrase)
        return any(
            words(n) <= ws
            for c in self.clusters
            for n in (c.name, *c.names)
            if n[:1].isupper() and len(n) > 2
        )

    def _kind_of_speaker(self, name: str) -> ActorKind:
        """A plural is a group; a role or a title ("the spokeswoman", "Lord Winston") a person; else a known
        collective, or a body."""
        ws = norm(DETERMINERS.sub("", name)).split()
        if plural_word(name):
            return "group"
        if ws and (ws[0] in self.gazetteer.roles | self.gazetteer.titles or ws[-1] in self.gazetteer.roles):
            return "person"  # "the spokeswoman", "Lord Winston"
        return next((k for w in ws if (k := self.gazetteer.collectives.get(w))), "organization")

    def _score(self, c: _Cluster, claims: int, name: str, kind: ActorKind) -> float:
        """Mentions (with diminishing returns), title, lead and lead subject, position, claims made; a
        place, or a country that neither acts nor speaks (a backdrop), counts for less."""
        position = 1.0 - min(c.first / self.text_length, 1.0)
        score = (
            2.0 * math.log2(1 + c.mentions)
            + 2.0 * c.in_title
            + 1.5 * (c.first < LEAD_CHARS)
            + 3.0 * c.lead_subject
            + position
            + 1.5 * min(claims, 4)
        )
        unnamed = name[:1].islower() and not claims  # "the government said": a body that speaks acts
        backdrop = kind in ("place", "country") and not c.acts and not claims
        venue = c.venues == c.mentions and not claims  # a channel interviewing, no actor of the story
        return (
            score
            * (0.5 if kind == "place" or venue else 0.8 if unnamed else 1.0)
            * (0.6 if backdrop else 1.0)
        )

    def _by_words(self, surface: str) -> _Cluster | None:
        ws = words(surface)
        if not ws:
            return None
        plural = plural_word(surface)
        hits = [
            c
            for c in self.clusters
            if any(ws <= words(n) and not (plural and len(words(n)) > 1) for n in (c.name, *c.names))
        ]
        persons = [c for c in hits if c.kind == "person"] or hits
        return max(persons, key=lambda c: c.mentions) if persons else None

    def _by_role(self, phrase: str) -> str | None:
        ws = words(phrase)
        if (
            not ws
            or len(ws) > MAX_NAME_WORDS
            or not (ws & self.gazetteer.roles or _has_role(phrase, self.gazetteer))
        ):
            return None
        hits = [c for c in self.clusters if c.role and ws <= words(c.role)]
        return max(hits, key=lambda c: c.mentions).name if hits else None


def extract_actors(doc: Doc, *, lang: str, title: str | None, gazetteer: Gazetteer) -> ActorTable:
    """The actors of ``doc`` (see the module docstring); ``lang`` is the article's language."""
    mentions = sorted(_acting(doc, _mentions(doc, gazetteer), gazetteer), key=lambda m: m.start)
    clusters = _merge(mentions, gazetteer, lead=_lead_subject(doc))
    if title:
        for c in clusters:
            c.in_title = any(_mentioned(n, title) for n in (c.name, *c.names))
    text = doc_text(doc)
    table = ActorTable(clusters=clusters, gazetteer=gazetteer, text_length=max(len(text), 1), text=text)
    for (start, end), role in _roles(doc, gazetteer):
        name = table.resolve(text[start:end])
        target = table._index.get(norm(name)) if name else None
        if target is not None and target.role is None and target.kind == "person":
            target.role = role
            table._resolved.clear()  # a role phrase may now resolve to it
    return table


def _lead_subject(doc: Doc) -> tuple[int, int]:
    """Character span of the grammatical subject of the article's first real sentence (its protagonist)."""
    for sent in doc.sents:
        if sum(t.is_alpha for t in sent) < 6:
            continue
        for t in sent:
            if t.dep_ in {"nsubj", "nsubj:pass", "nsubjpass"} and t.head.dep_ == "ROOT":
                sub = list(t.subtree)
                return sub[0].idx, sub[-1].idx + len(sub[-1].text)
        break
    return (0, 0)


def _described_name(phrase: str) -> str:
    """The name a lower-case description leads to ("fertility expert Lord Winston" -> "Lord Winston"): its
    words from the first capitalised one that no preposition or determiner introduces; else ``phrase``."""
    ws = phrase.split()
    if not ws or not ws[0][:1].islower():
        return phrase
    for i, w in enumerate(ws[1:], start=1):
        if w[:1].isupper():
            return phrase if norm(ws[i - 1]) in FUNCTION_WORDS else " ".join(ws[i:])
    return phrase


def _named(phrase: str, *, demonstratives: frozenset[str]) -> bool:
    """Whether ``phrase`` holds a name: a capitalised word after its first ("fertility expert Lord
    Winston", "ministère de l'Agriculture"), or a capitalised first word that is no determiner ("Harbour
    Voices", "Générations futures")."""
    ws = [re.sub(r"^[ldLD]['’]", "", w) for w in DETERMINERS.sub("", " ".join(phrase.split())).split()]
    return bool(ws) and (
        any(w[:1].isupper() for w in ws[1:]) or (ws[0][:1].isupper() and norm(ws[0]) not in demonstratives)
    )


FUNCTION_WORDS = PREPOSITIONS | DETERMINER_WORDS | frozenset("et and or ou".split())


@lru_cache(maxsize=1 << 12)
def _word_pattern(key: str) -> re.Pattern[str]:
    """``key`` as a whole word of a normalised phrase (compiled once)."""
    return re.compile(rf"(?<![\w'-]){re.escape(key)}(?![\w'-])")


def _mentioned(name: str, title: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(norm(name))}(?!\w)", norm(title)) is not None


# ---------------------------------------------------------------------------------------------- mentions


def clean_surface(text: str, gazetteer: Gazetteer) -> str:
    """A name without determiners, honorifics, possessive or edge punctuation ("M. Lavrov's" -> "Lavrov"), nor
    what scraped text glued to it ("Emmanuel GrégoireL'" -> "Emmanuel Grégoire")."""
    known = gazetteer.surfaces.current()
    found = known.get(text)
    if found is None:
        found = known[text] = _clean_surface(text, gazetteer)
    return found


def _clean_surface(text: str, gazetteer: Gazetteer) -> str:
    text = " ".join(text.replace("’", "'").split()).strip(' ,.;:!?()[]«»"“”-–—')
    particle = PARTICLE_NAME.match(text)
    if not (particle and gazetteer.canonical(particle.group(1)) is None):  # "Le Kremlin" is "Kremlin"
        text = DETERMINERS.sub("", text)
    glued_next = GLUED_NEXT.search(text)  # "GrégoireL'", 'Mediapart"Je': the next sentence glued on
    if glued_next:
        text = text[: glued_next.start()]
    text = POSSESSIVE.sub("", text).strip()
    glued = GLUED_TITLE.match(text)  # "M.Dumont": a title glued to the name by a lost space
    if glued and {norm(glued.group(1)), norm(glued.group(1)) + "."} & gazetteer.titles:
        text = f"{glued.group(0)} {text[glued.end() :]}"
    parts = text.split()
    while len(parts) > 1 and norm(parts[0]) in gazetteer.titles:
        parts = parts[1:]
    return " ".join(parts)


def _mentions(doc: Doc, gazetteer: Gazetteer) -> Iterator[Mention]:
    covered: list[tuple[int, int]] = []
    text = doc_text(doc)
    for ent in doc_ents(doc):
        kind = KINDS.get(ent.label_)
        if kind is None or _event(ent):
            continue
        for start, end in _pieces(ent):
            if kind == "person" and len(ent) == 1:
                start = _first_name(ent, gazetteer)
            group = _group_noun(ent)
            if group:  # "Liberal Democrats" when NER took only "Democrats"
                start = min([start, *(t.idx for t in ent.root.lefts if _name_modifier(t))])
            optional = ent.label_ in OPTIONAL_LABELS and not group
            after_role = kind == "organization" and _after_role(ent, gazetteer)
            mention = _mention(
                text, start, end, kind, optional=optional, gazetteer=gazetteer, after_role=after_role
            )
            if mention is not None:
                covered.append((start, end))
                yield mention
    yield from _gazetteer_mentions(text, covered, gazetteer)
    yield from _proper_noun_mentions(doc, covered, gazetteer)
    yield from _collective_mentions(doc, covered, gazetteer)


YEAR = re.compile(r"(?:19|20)\d\d")


def _event(ent: Span) -> bool:
    """A name with its year ("Mondial-2022", "the 2012 Olympics", "l'Euro 2016") is an event, not an actor."""
    doc = ent.doc
    near = [doc[ent.start - 1]] if ent.start > 0 else []
    near += [doc[ent.end]] if ent.end < len(doc) else []
    return YEAR.search(ent.text) is not None or any(
        YEAR.fullmatch(t.text) and t.head.i in range(ent.start, ent.end) for t in near
    )


def _group_noun(ent: Span) -> bool:
    """A NORP entity naming people as a plural noun ("the Tories", "Republicans") is a group
    actor; the adjective or modifier ("Russian officials", "a Democrat senator") is not."""
    root = ent.root
    return (
        ent.label_ == "NORP"
        and root.pos_ in {"PROPN", "NOUN"}
        and "Plur" in root.morph.get("Number", [])
        and root.dep_ not in {"amod", "compound", "nmod"}
    )


def _name_modifier(token: Token) -> bool:
    """A capitalised word modifying a group name as part of it ("Liberal" in "Liberal Democrats")."""
    return (
        token.dep_ in {"compound", "amod"}
        and token.text[:1].isupper()
        and token.i > 0
        and not token.is_sent_start
    )


SUBJECTS = frozenset({"nsubj", "nsubjpass", "nsubj:pass", "obl:agent", "agent", "csubj"})


def _acting(doc: Doc, mentions: Iterable[Mention], gazetteer: Gazetteer) -> Iterator[Mention]:
    """``mentions`` with ``acts`` set where the mention is the subject or the agent of a verb, or part of
    one ("X and Y said", "le syndicat X a demandé"): someone who acts, not a backdrop; and ``located``
    where a locative preposition of the gazetteer's language introduces it ("in Suva", « à Béthune »)."""
    for m in mentions:
        span = doc.char_span(m.start, m.end, alignment_mode="expand")
        if span is not None and len(span) and _located(span, gazetteer):
            m = replace(m, located=True)
        root = span.root if span is not None and len(span) else None
        while (
            root is not None
            and root.head is not root
            and (
                root.dep_ in {"conj", "appos", "flat", "flat:name"}
                or (root.dep_ in {"nmod", "compound"} and root.head.i == root.i - 1)  # "the union Unite"
            )
        ):
            root = root.head
        acts = root is not None and (
            root.dep_ in SUBJECTS or (root.dep_ == "pobj" and root.head.dep_ == "agent")
        )
        if root is not None and not acts and _venue(root, gazetteer):
            m = replace(m, venue=True)
        yield replace(m, acts=acts) if acts else m


def _venue(root: Token, gazetteer: Gazetteer) -> bool:
    """Whether a mention headed by ``root`` is only whom something is told or where it is said: the object
    of a verb of telling ("told BBC Radio", "told Newsnight the plan was dead"), or the object of a
    preposition after one ("speaking to the World Service")."""
    if root.dep_ not in ("poss", "pobj", "dobj", "dative", "iobj", "obj"):
        return False
    verbs = gazetteer.words("venue_verbs")
    if not verbs:
        return False
    if root.dep_ == "poss" and root.head.i != root.i:  # "told the BBC's World Service": the BBC too
        root = root.head
        while root.dep_ == "compound" and root.head.i != root.i:
            root = root.head
    head = root.head
    if root.dep_ == "pobj" and head.dep_ == "prep":
        head = head.head
    elif root.dep_ not in ("dobj", "dative", "iobj", "obj"):
        return False
    return head.pos_ in ("VERB", "AUX") and head.lemma_.lower() in verbs


def _located(span: Span, gazetteer: Gazetteer) -> bool:
    """Whether a locative preposition comes before ``span``, past its determiner ("in the Hague")."""
    i = span.start - 1
    if i >= 0 and span.doc[i].pos_ == "DET":
        i -= 1
    return i >= 0 and span.doc[i].lower_ in gazetteer.locatives


def _collective_mentions(doc: Doc, covered: list[tuple[int, int]], gazetteer: Gazetteer) -> Iterator[Mention]:
    """Unnamed collective actors: "le gouvernement", "les grévistes", "le parquet national antiterroriste"."""
    strings, collectives = doc.vocab.strings, gazetteer.collectives
    # no Python token object per word, and each distinct word looked up once across docs (by string id)
    orths = doc.to_array("ORTH").tolist()
    kinds = gazetteer.kinds.current()
    for o in set(orths).difference(kinds):
        kinds[o] = collectives.get(norm(strings[o]))
    for i, orth in enumerate(orths):
        kind = kinds[orth]
        if kind is None:
            continue
        t = doc[i]
        if t.pos_ != "NOUN" or not (_definite(t) or _generic_subject(t)):
            continue
        end = t
        for r in t.rights:
            if r.dep_ == "amod" and r.i == end.i + 1 and r.pos_ == "ADJ":
                end = r
        start = _possessor(t) or t  # "the prime minister's office" is named with its possessor
        start_char, end_char = start.idx, end.idx + len(end.text)
        if any(s < end_char and start_char < e for s, e in covered):
            continue
        yield Mention(t.doc[start.i : end.i + 1].text, kind, start_char, end_char, owner=_owner(t))


GENITIVES = frozenset({"de", "du", "d'", "d’", "of"})


def _owner(noun: Token) -> str | None:
    """The name completing an unnamed body's noun ("la direction de Malta Air", "the board of Acme"):
    whose management, board or office it is."""
    for r in noun.rights:
        if r.dep_ == "prep" and r.lower_ in GENITIVES:  # English hangs the name under its preposition
            r = next((k for k in r.children if k.dep_ == "pobj"), r)
        elif not (r.dep_ == "nmod" and any(k.dep_ == "case" and k.lower_ in GENITIVES for k in r.children)):
            continue
        if r.ent_type_ and r.text[:1].isupper():
            lo, hi = ent_bounds(r)
            return r.doc[lo:hi].text
        return None
    return None


def ent_bounds(tok: Token) -> tuple[int, int]:
    """Token span of the named entity ``tok`` belongs to (``tok`` alone outside entities), read from the
    IOB tags around it rather than from ``doc.ents``, which spaCy rebuilds on each access."""
    doc = tok.doc
    if tok.ent_iob_ == "O" or not tok.ent_type_:
        return tok.i, tok.i + 1
    lo, hi = tok.i, tok.i + 1
    while lo > 0 and doc[lo].ent_iob_ == "I":
        lo -= 1
    while hi < len(doc) and doc[hi].ent_iob_ == "I":
        hi += 1
    return lo, hi


def _definite(noun: Token) -> bool:
    """A definite article or a possessor before ``noun`` ("le parquet", "the minister's office")."""
    return any(c.lower_ in DEFINITE for c in noun.children) or _possessor(noun) is not None


def _possessor(noun: Token) -> Token | None:
    """The first word of the common noun possessing ``noun`` ("prime" in "the prime minister's office"),
    past its determiner; None for a pronoun ("its office") or a name (an actor of its own)."""
    for c in noun.children:
        if c.dep_ == "poss" and c.i < noun.i and c.pos_ == "NOUN":
            words = [w for w in c.subtree if w.dep_ != "det" and w.i < c.i + 1]
            return words[0] if words else c
    return None


def _generic_subject(noun: Token) -> bool:
    """A plural with no determiner as a verb's subject: people in general who act ("Scientists have
    warned", "About 500 officials are accused")."""
    return (
        noun.dep_ in SUBJECTS
        and "Plur" in noun.morph.get("Number", [])
        and not any(c.dep_ in {"det", "poss", "nmod:poss"} for c in noun.children)
    )


DEFINITE = frozenset({"le", "la", "les", "l'", "l’", "du", "des", "au", "aux", "the"})


ACTOR_LABELS = frozenset(KINDS) - OPTIONAL_LABELS
NOT_NAMES = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"})


def _proper_noun_mentions(
    doc: Doc, covered: list[tuple[int, int]], gazetteer: Gazetteer
) -> Iterator[Mention]:
    """Runs of capitalised proper nouns NER left out or mislabelled ("Harbour Voices" as a work of art).

    A one-word run counts only when the word recurs; runs of honorifics, noise words or dates never count.
    """
    runs: list[tuple[int, int]] = []
    strings = doc.vocab.strings
    propn, excluded = strings["PROPN"], {strings[label] for label in ACTOR_LABELS | NOT_NAMES}
    # one list per attribute, no Python token object per word
    pos, orth, ent_type = doc.to_array(["POS", "ORTH", "ENT_TYPE"]).T.tolist()
    for i in [i for i, p in enumerate(pos) if p == propn]:
        if ent_type[i] in excluded or not strings[orth[i]][:1].isupper():
            continue
        if runs and runs[-1][1] == i:  # the run goes on
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    counts = Counter(doc[a:b].text for a, b in runs)
    counts.update(t.text for e in doc_ents(doc) if KINDS.get(e.label_) == "person" for t in e if t.is_alpha)
    for a, b in runs:
        span = doc[a:b]
        ws = [norm(t.text) for t in span]
        if any(w in gazetteer.titles or w in gazetteer.noise or w in gazetteer.roles for w in ws):
            continue
        if any(s < span.end_char and span.start_char < e for s, e in covered) or _event(span):
            continue
        if len(span) == 1 and (counts[span.text] < 2 or not span[0].is_alpha or len(span.text) < 3):
            continue
        covered.append((span.start_char, span.end_char))
        glued = GLUED_NEXT.search(span.text)  # "Emmanuel GrégoireL'affaire": the next sentence glued on
        name = span.text[: glued.start()] if glued else span.text
        yield Mention(name, "organization", span.start_char, span.start_char + len(name))


def _first_name(ent: Span, gazetteer: Gazetteer) -> int:
    """Where a one-word person name really starts: NER often leaves out a first name ("Siegfried Hecker")."""
    if ent.start == 0:
        return ent.start_char
    prev = ent.doc[ent.start - 1]
    if (
        prev.pos_ == "PROPN"
        and prev.text.istitle()
        and prev.is_alpha
        and not prev.ent_type_
        and not prev.whitespace_.count("\n")
        and norm(prev.text) not in gazetteer.titles | gazetteer.noise
        and gazetteer.canonical(prev.text) is None
    ):
        return prev.idx
    return ent.start_char


def _pieces(ent: Span) -> Iterator[tuple[int, int]]:
    """The entity's character span, split where NER glued it across a line break."""
    start = ent.start_char
    for part in re.split(r"(\n+)", ent.text):
        if part and not part.startswith("\n"):
            yield start, start + len(part)
        start += len(part)


def _mention(
    text: str,
    start: int,
    end: int,
    kind: ActorKind,
    *,
    optional: bool,
    gazetteer: Gazetteer,
    after_role: bool = False,
) -> Mention | None:
    raw = text[start:end]
    surface = clean_surface(raw, gazetteer)
    if not surface:
        return None
    offset = raw.replace("’", "'").find(surface)
    if offset >= 0:
        start, end = start + offset, start + offset + len(surface)
    canonical = gazetteer.canonical(surface)
    if canonical:
        return Mention(surface, gazetteer.kind_of(canonical) or kind, start, end, canonical)
    # "Économie Bruno Le Maire", "RN Jordan Bardella": NER took a word too many before a person's name; a
    # body's name ends in a person's only after a role ("le ministre de l'[Économie Bruno Le Maire]")
    named = _person_inside(surface) if kind in ("person", "place") or after_role else surface
    if named != surface:
        start, end, surface, kind = end - len(named), end, named, "person"
    if optional or _is_noise(surface, text, kind, gazetteer):
        return None
    if kind == "place" and gazetteer.kind_of(surface):
        kind = "country"
    return Mention(surface, kind, start, end)


def _after_role(ent: Span, gazetteer: Gazetteer) -> bool:
    """Whether a role noun and its preposition come right before ``ent`` ("la cheffe du [Parti X Anne
    Roy]", "the leader of [Party X Anne Roy]"): the entity completes the role and names its holder."""
    doc, i = ent.doc, ent.start - 1
    while i >= 0 and ent.start - i <= 3 and (doc[i].pos_ in {"ADP", "DET"} or doc[i].lower_ in {"l'", "l’"}):
        i -= 1
    return i < ent.start - 1 and i >= 0 and norm(doc[i].text) in gazetteer.roles


def _person_inside(surface: str) -> str:
    """``surface`` (a person or a place to NER) without the words NER glued before a person's name: an
    acronym ("RN Jordan Bardella"), or the end of a role ("[ministre de l']Économie Bruno Le Maire") before
    a common first name."""
    ws = surface.split()
    if len(ws) >= 3 and ws[0].isupper() and ws[0].isalpha() and 2 <= len(ws[0]) <= 5 and ws[1][:1].isupper():
        return " ".join(ws[1:])
    first = next((i for i, w in enumerate(ws) if norm(w.split("-", 1)[0]) in first_names()), None)
    if first and len(ws) - first >= 2 and all(w[:1].isupper() for w in ws[first : first + 2]):
        return " ".join(ws[first:])
    return surface


@cache
def _genders() -> tuple[dict[str, str], dict[str, str]]:
    """Titles and first names of a known gender (``lexicons/first_names.toml``), normalised -> "m" / "f"."""
    raw = tomllib.loads((resources.files("briefings") / "lexicons" / "first_names.toml").read_text("utf-8"))
    pick = {"masculine": "m", "feminine": "f"}
    titles = {norm(w): pick[k] for k, ws in raw.get("titles", {}).items() for w in ws}
    names = {norm(w): pick[k] for k, ws in raw.get("names", {}).items() for w in ws}
    return titles, names


def _title_gender(text: str) -> str | None:
    """The gender a title opening ``text`` (past a determiner) gives: "Mrs. Trump" -> "f"."""
    ws = norm(DETERMINERS.sub("", text.strip())).split()
    return _genders()[0].get(ws[0]) if len(ws) > 1 else None


def _cluster_gender(c: _Cluster) -> str | None:
    """The gender the first name in an actor's names says ("Donald Trump" -> "m"), whatever NER tagged it;
    None when unknown or mixed."""
    names = _genders()[1]
    found = {names[w[0]] for n in c.names if len(w := norm(n).split()) > 1 and w[0] in names}
    return found.pop() if len(found) == 1 else None


def _has_words(c: _Cluster, surface: str) -> bool:
    ws = words(surface)
    return any(ws <= words(n) for n in c.names)


@cache
def first_names() -> frozenset[str]:
    """Common first names (``lexicons/first_names.toml``), normalised."""
    raw = tomllib.loads((resources.files("briefings") / "lexicons" / "first_names.toml").read_text("utf-8"))
    return frozenset(norm(n) for names in raw.get("names", {}).values() for n in names)


def _is_noise(surface: str, text: str, kind: ActorKind, gazetteer: Gazetteer) -> bool:
    tokens = surface.split()
    if norm(surface) in gazetteer.noise or (not surface[0].isupper() and not surface[0].isdigit()):
        return True
    if not any(ch.isalpha() for ch in surface) or len(tokens) > MAX_NAME_WORDS:
        return True
    if kind == "person" and _has_role(PARTICLE_WORD.sub("", surface), gazetteer):  # not "Le Maire"
        return True
    if len(tokens) > 1 and sum(t[0].islower() for t in tokens) * 2 > len(tokens):
        return True  # a clause or a description tagged as a name
    if len(tokens) == 1 and (kind == "person" or (surface.isupper() and len(surface) > 5)):
        # a capitalised common word (sentence-initial verb, "Covid") or a sub-heading in capitals
        # ("ALLÉGATIONS") appears lower-case elsewhere
        lower = surface.lower()
        return lower in text and re.search(rf"(?<![\w'’]){re.escape(lower)}(?!\w)", text) is not None
    return False


def _has_role(phrase: str, gazetteer: Gazetteer) -> bool:
    return _role_pattern(gazetteer.roles).search(norm(phrase)) is not None


@cache
def _role_pattern(roles: frozenset[str]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(r) for r in sorted(roles, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])")


def _gazetteer_mentions(text: str, covered: list[tuple[int, int]], gazetteer: Gazetteer) -> Iterator[Mention]:
    """Capitalised gazetteer names (countries, metonyms) that NER missed."""
    if gazetteer.pattern is None:
        return
    for m in name_matches(gazetteer.pattern, text):
        if any(s < m.end() and m.start() < e for s, e in covered) or not m.group(1)[0].isupper():
            continue
        canonical = gazetteer.canonical(m.group(1)) or m.group(1)
        covered.append((m.start(), m.end()))
        yield Mention(
            m.group(1), gazetteer.kind_of(canonical) or "organization", m.start(), m.end(), canonical
        )


# ---------------------------------------------------------------------------------------------- merging


def _merge(mentions: list[Mention], gazetteer: Gazetteer, *, lead: tuple[int, int]) -> list[_Cluster]:
    """Mentions grouped into actors; ``lead`` is the span of the lead sentence's subject."""
    clusters: list[_Cluster] = []
    by_key: dict[str, _Cluster] = {}  # normalised form -> its actor
    forms: Counter[str] = Counter(m.canonical or m.text for m in mentions)
    order = sorted(forms, key=lambda f: (-len(words(f)), -forms[f]))
    for form in order:
        key = norm(form)
        country = gazetteer.kind_of(form) == "country"  # "France" is not the radio "France Inter"
        cluster = by_key.get(key) or _containing(form, clusters, country=country) or _expanded(form, clusters)
        if cluster is None:
            cluster = _Cluster(names=Counter(), kinds=Counter(), first=10**9)
            clusters.append(cluster)
        cluster.names[form] += 0
        by_key[key] = cluster
    for m in mentions:
        cluster = by_key[norm(m.canonical or m.text)]
        cluster.names[m.text] += 1
        if m.canonical:
            cluster.canonical = cluster.canonical or m.canonical
            cluster.names[m.canonical] += 0
        cluster.kinds[m.kind] += 1
        cluster.mentions += 1
        cluster.first = min(cluster.first, m.start)
        cluster.lead_subject |= lead[0] <= m.start < lead[1]
        cluster.acts |= m.acts
        cluster.located |= m.located
        cluster.venues += m.venue
    for c in clusters:
        if c.canonical is None and gazetteer.kind_of(c.name):
            c.kinds["country"] += 1
    _join_owners(mentions, by_key, gazetteer)
    return [c for c in clusters if c.mentions]


def _join_owners(mentions: list[Mention], by_key: dict[str, _Cluster], gazetteer: Gazetteer) -> None:
    """An unnamed body written once with the organisation it belongs to ("la direction de Malta Air") is
    that organisation wherever the article names it so ("la direction menace de …"): its mentions join the
    owner's, when it has one owner and that owner is an organisation (not the place it sits in: "le parquet
    de Paris")."""
    owners: dict[int, set[str]] = {}
    bodies: dict[int, _Cluster] = {}
    for m in mentions:
        if m.owner is not None:
            body = by_key[norm(m.canonical or m.text)]
            owners.setdefault(id(body), set()).add(norm(clean_surface(m.owner, gazetteer)))
            bodies[id(body)] = body
    for key, names in owners.items():
        body = bodies[key]
        owner = by_key.get(next(iter(names))) if len(names) == 1 else None
        if owner is None or owner is body or owner.kind != "organization" or not body.name[:1].islower():
            continue
        owner.canonical = owner.canonical or owner.name  # still named as it is named
        owner.names.update(body.names)
        owner.kinds["organization"] += body.mentions
        owner.mentions += body.mentions
        owner.first = min(owner.first, body.first)
        owner.acts |= body.acts
        owner.lead_subject |= body.lead_subject
        for form in list(body.names):
            by_key[norm(form)] = owner
        body.mentions = 0


def _containing(form: str, clusters: list[_Cluster], *, country: bool = False) -> _Cluster | None:
    """The cluster with a fuller name that contains all the words of ``form`` ("Lavrov" in "Sergueï Lavrov");
    a ``country`` only joins a cluster of a name the gazetteer knows (not "France Info" for "France")."""
    ws, plural = words(form), plural_word(form)
    clusters = [c for c in clusters if c.canonical or not country]
    hits = [
        c
        for c in clusters
        if any(
            ws <= words(n) and not (plural and len(words(n)) > 1 and not _same_word(form, n))
            for n in c.names
            if not _is_country_form(n, c)
        )
    ]
    return max(hits, key=lambda c: sum(c.names.values())) if len(hits) >= 1 else None


def _same_word(form: str, name: str) -> bool:
    """Whether the one word ``form`` is written as such in ``name``: a surname ending in -s ("Stevens" in
    "Gary Stevens"), not a plural whose singular modifies the name ("Europeans", "European Union")."""
    return norm(form) in norm(name).split()


def _is_country_form(name: str, cluster: _Cluster) -> bool:
    return cluster.canonical is not None and len(words(name)) == 1


def _expanded(form: str, clusters: list[_Cluster]) -> _Cluster | None:
    """The cluster whose name ``form`` is the acronym of ("CIA" for "Central Intelligence Agency")."""
    if len(norm(form).split()) > 1:  # (one word abbreviates nothing and is no abbreviation)
        for c in clusters:
            if any(_abbreviates(form, n) or _abbreviates(n, form) for n in c.names):
                return c
    if not (form.isupper() and 2 <= len(form) <= 6 and form.isalpha()):
        return None
    for c in clusters:
        for n in c.names:
            initials = "".join(w[0] for w in n.split() if w[0].isupper())
            if initials == form:
                return c
    return None


# ---------------------------------------------------------------------------------------------- roles


def _roles(doc: Doc, gazetteer: Gazetteer) -> Iterator[tuple[tuple[int, int], str]]:
    """(person span, role) from appositions and titles next to person entities."""
    for ent in doc_ents(doc):
        if KINDS.get(ent.label_) != "person":
            continue
        role = _role_after(ent, gazetteer) or _role_before(ent, gazetteer)
        if role:
            yield (ent.start_char, ent.end_char), role


def _role_phrase(tokens: list, gazetteer: Gazetteer) -> str | None:
    while tokens and (tokens[0].pos_ == "DET" or tokens[0].lower_ in {"l'", "l’", "a", "an", "the"}):
        tokens = tokens[1:]
    while tokens and tokens[-1].is_punct:
        tokens = tokens[:-1]
    possessive = [i for i, t in enumerate(tokens) if t.tag_ == "POS" or t.lower_ in {"'s", "’s"}]
    if possessive:
        tokens = tokens[possessive[-1] + 1 :]  # "the company's chief executive" -> "chief executive"
    if not tokens or len(tokens) > 12 or any(t.pos_ in {"VERB", "AUX", "PRON"} for t in tokens):
        return None
    phrase = tokens[0].doc[tokens[0].i : tokens[-1].i + 1].text
    lowered = [norm(t.text) for t in tokens]
    first = next((i for i, w in enumerate(lowered) if w not in MODIFIERS), 0)
    starts = any(" ".join(lowered[first:]).startswith(r) for r in gazetteer.roles if " " in r)
    if not (starts or lowered[first] in gazetteer.roles or lowered[-1] in gazetteer.roles):
        return None
    return phrase


def _role_after(ent: Span, gazetteer: Gazetteer) -> str | None:
    """ "Dmitri Peskov, porte-parole du Kremlin," / "John Kirby, the NSC spokesman,"."""
    doc = ent.doc
    i = ent.end
    if i >= len(doc) or doc[i].text not in {",", "("}:
        return None
    tokens = []
    for t in doc[i + 1 : i + 16]:
        if t.text in {",", ".", ";", ")", ":", "«", "»", '"', "“", "”"} or t.is_sent_start:
            break
        tokens.append(t)
    return _role_phrase(tokens, gazetteer)


def _role_before(ent: Span, gazetteer: Gazetteer) -> str | None:
    """ "Le porte-parole du Kremlin, Dmitri Peskov" / "le chercheur Siegfried Hecker" / "Foreign Minister X"."""
    doc = ent.doc
    i = ent.start - 1
    comma = i >= 0 and doc[i].text == ","
    if comma:
        i -= 1
    tokens: list[Token] = []
    while i >= 0 and len(tokens) < 12:
        t = doc[i]
        hyphen = t.text == "-" and i > 0 and not doc[i - 1].whitespace_ and not t.whitespace_  # "co-chairman"
        if (
            (t.is_punct and not hyphen)
            or t.pos_ in {"VERB", "AUX", "PRON", "SCONJ", "CCONJ"}
            or t.ent_type_ == ent.label_
        ):
            break
        tokens.insert(0, t)
        if (t.pos_ == "DET" and t.lower_ not in {"la"}) or t.is_sent_start:
            break
        i -= 1
    return _role_phrase(tokens, gazetteer)

"""A language as the claim rules read it: reporting cues with their stance, and the language's grammar.

Both are data, one pair of files per language in ``briefings/lexicons/``: ``{lang}_cues.toml`` (reporting
verbs and nouns by stance, source phrases, pronouns, negations, modals …) and ``{lang}_grammar.toml``
(function words, and the dependency, entity and tag labels its spaCy pipeline gives). Adding a language
means adding those two files.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

LETTERS = re.compile(r"[^\W\d_]+")
STANCES = ("statement", "estimate", "promise", "warning", "accusation", "denial")  # weakest first


@dataclass(frozen=True, slots=True)
class Grammar:
    """A language's function words and its parser's labels (see ``{lang}_grammar.toml`` for each)."""

    non_speakers: frozenset[str] = frozenset()
    relatives: frozenset[str] = frozenset()
    content_marks: frozenset[str] = frozenset()
    contrast: frozenset[str] = frozenset()
    temporal: frozenset[str] = frozenset()
    sequence: frozenset[str] = frozenset()
    definite: frozenset[str] = frozenset()
    former: frozenset[str] = frozenset()
    genitive: frozenset[str] = frozenset()
    noun_links: frozenset[str] = frozenset()
    others: frozenset[str] = frozenset()
    agent_words: frozenset[str] = frozenset()
    infinitive_marks: frozenset[str] = frozenset()
    latter: frozenset[str] = frozenset()
    former_of_two: frozenset[str] = frozenset()
    paragraph_openers: frozenset[str] = frozenset()
    elisions: Mapping[str, str] = field(default_factory=dict)
    subjects: frozenset[str] = frozenset()
    objects: frozenset[str] = frozenset()
    prep_objects: frozenset[str] = frozenset()
    prepositions: frozenset[str] = frozenset()
    prep_clauses: frozenset[str] = frozenset()
    relative_clauses: frozenset[str] = frozenset()
    passive_aux: frozenset[str] = frozenset()
    agent: frozenset[str] = frozenset()
    possessives: frozenset[str] = frozenset()
    np_left: frozenset[str] = frozenset()
    np_right: frozenset[str] = frozenset()
    name_parts: frozenset[str] = frozenset()
    expletive_subjects: frozenset[str] = frozenset()
    existential: frozenset[str] = frozenset()
    attributes: frozenset[str] = frozenset()
    oblique_arguments: frozenset[str] = frozenset()
    obliques: frozenset[str] = frozenset()
    adverbials: frozenset[str] = frozenset()
    persons: frozenset[str] = frozenset()
    times: frozenset[str] = frozenset()
    past_participle_tags: frozenset[str] = frozenset()
    gerund_tags: frozenset[str] = frozenset()
    finite_tags: frozenset[str] = frozenset()

    def norm(self, word: str) -> str:
        """``word`` in lower case with a straight apostrophe, an elided pronoun written out ("s'" -> se)."""
        w = word.lower().replace("’", "'")
        return self.elisions.get(w, w)


@dataclass(frozen=True, slots=True)
class Cues:
    """A language's reporting lexicon: verb and noun lemmas with their stance, and marker words."""

    lang: str
    verbs: Mapping[
        str, tuple[tuple[tuple[str, ...], str], ...]
    ]  # lemma -> ((required dependents, stance), ...)
    nouns: Mapping[str, str]
    sources: tuple[tuple[str, ...], ...]
    negations: frozenset[str]
    singular: frozenset[str]
    plural: frozenset[str]
    neuter: frozenset[str]
    skip: frozenset[str]
    object_verbs: frozenset[str]
    unreflexive: frozenset[str] = frozenset()
    modals: frozenset[str] = frozenset()
    source_nouns: frozenset[str] = frozenset()
    light_verbs: frozenset[str] = frozenset()
    evidence_verbs: frozenset[str] = frozenset()
    inverted: frozenset[str] = frozenset()
    opening_sources: frozenset[str] = frozenset()
    said_nouns: frozenset[str] = frozenset()
    possessive: frozenset[str] = frozenset()
    author_marks: frozenset[str] = frozenset()
    standard_nouns: frozenset[str] = frozenset()  # « selon la classification de … »: a rule, not a source
    masculine: frozenset[str] = frozenset()
    feminine: frozenset[str] = frozenset()
    impersonal: frozenset[str] = frozenset()
    content_preps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # "call" -> ("for",)
    quote_links: frozenset[str] = frozenset()  # words linking two quotations of one speaker (« même si »)
    continuations: frozenset[str] = frozenset()  # cues of a speaker who already spoke (« a ajouté »)
    unpassive: frozenset[str] = frozenset()  # cues whose passive agent does something else: « soutenu par »
    bare_incise: bool = False  # an incise may follow its clause with no comma (« … cher estime le journal »)
    impersonal_sources: frozenset[str] = frozenset()
    hedge_adverbs: Mapping[str, str] = field(default_factory=dict)  # "reportedly" -> "unnamed reports"
    hedge_passives: Mapping[str, str] = field(default_factory=dict)  # say ("is said to") -> description
    hedge_conditional: str = ""  # the description of a claim made in the hedging conditional mood
    hedge_hypothesis: frozenset[str] = frozenset()  # words making that conditional a hypothesis (« si »)
    grammar: Grammar = field(default_factory=Grammar)

    @property
    def pronouns(self) -> frozenset[str]:
        """The pronouns a speaker can be, to resolve to an antecedent."""
        return self.singular | self.plural | self.neuter

    def pronoun_word(self, text: str) -> str:
        """A token read as a pronoun: « -il », « il.- », « -il.La » (the next sentence glued on in scraped
        text) -> il: the first run of letters."""
        found = LETTERS.search(self.grammar.norm(text))
        return found.group() if found else ""


def _read(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("briefings").joinpath(f"lexicons/{name}.toml").read_text("utf-8"))


@cache
def load_cues(lang: str) -> Cues:
    """The cue lexicon of ``lang`` ("fr", "en"), read once from the package's TOML data."""
    raw = _read(f"{lang}_cues")
    verbs: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for stance in STANCES:  # stronger stances are listed first for each lemma
        for entry in raw["verbs"].get(stance, []):
            lemma, *extra = entry.split()
            verbs.setdefault(lemma, []).insert(0, (tuple(extra), stance))
    for options in verbs.values():
        options.sort(key=lambda o: -len(o[0]))  # multi-word entries are tried before the bare verb
    nouns = {n: s for s in STANCES for n in raw.get("nouns", {}).get(s, [])}
    m = raw["markers"]
    hedges = raw.get("hedges", {})
    return Cues(
        lang=lang,
        verbs={k: tuple(v) for k, v in verbs.items()},
        nouns=nouns,
        sources=tuple(tuple(s.split()) for s in m["sources"]),
        negations=frozenset(m["negations"]),
        singular=frozenset(m["singular"]),
        plural=frozenset(m["plural"]),
        neuter=frozenset(m.get("neuter", [])),
        skip=frozenset(m.get("skip", [])),
        object_verbs=frozenset(m.get("object_verbs", [])),
        unreflexive=frozenset(m.get("unreflexive", [])),
        modals=frozenset(m.get("modals", [])),
        source_nouns=frozenset(m.get("source_nouns", [])),
        light_verbs=frozenset(m.get("light_verbs", [])),
        evidence_verbs=frozenset(m.get("evidence_verbs", [])),
        inverted=frozenset(m.get("inverted", [])),
        opening_sources=frozenset(m.get("opening_sources", [])),
        said_nouns=frozenset(m.get("said_nouns", [])),
        possessive=frozenset(m.get("possessive", [])),
        author_marks=frozenset(m.get("author_marks", [])),
        standard_nouns=frozenset(m.get("standard_nouns", [])),
        masculine=frozenset(m.get("masculine", [])),
        feminine=frozenset(m.get("feminine", [])),
        impersonal=frozenset(m.get("impersonal", [])),
        content_preps={k: tuple(v) for k, v in m.get("content_preps", {}).items()},
        quote_links=frozenset(m.get("quote_links", [])),
        continuations=frozenset(m.get("continuations", [])),
        unpassive=frozenset(m.get("unpassive", [])),
        bare_incise=bool(m.get("bare_incise", False)),
        impersonal_sources=frozenset(m.get("impersonal_sources", [])),
        hedge_adverbs=dict(hedges.get("adverbs", {})),
        hedge_passives=dict(hedges.get("passives", {})),
        hedge_conditional=hedges.get("conditional", ""),
        hedge_hypothesis=frozenset(hedges.get("hypothesis", [])),
        grammar=load_grammar(lang),
    )


@dataclass(frozen=True, slots=True)
class Genders:
    """Titles and first names of a known gender (``lexicons/first_names.toml``), lower case."""

    titles: Mapping[str, str]  # "mme" -> "f"
    names: Mapping[str, str]  # "agnès" -> "f"

    def of(self, word: str, *, title: bool = False) -> str | None:
        """ "m", "f" or None for a title (``title=True``) or a first name (a compound one by its first part)."""
        w = word.lower().replace("’", "'")
        if title:
            return self.titles.get(w)
        return self.names.get(w) or (self.names.get(w.split("-", 1)[0]) if "-" in w else None)


@cache
def load_genders() -> Genders:
    raw = _read("first_names")
    pick = {"masculine": "m", "feminine": "f"}
    return Genders(
        titles={w: pick[k] for k, words in raw["titles"].items() for w in words},
        names={w: pick[k] for k, words in raw["names"].items() for w in words},
    )


@cache
def languages() -> tuple[str, ...]:
    """The languages that have a grammar file in ``lexicons/``."""
    names = (f.name for f in resources.files("briefings").joinpath("lexicons").iterdir())
    return tuple(sorted(n.removesuffix("_grammar.toml") for n in names if n.endswith("_grammar.toml")))


@cache
def load_grammar(lang: str) -> Grammar:
    """The grammar of ``lang`` from ``lexicons/{lang}_grammar.toml``."""
    raw = _read(f"{lang}_grammar")
    words, labels = dict(raw.get("words", {})), dict(raw.get("labels", {}))
    elisions = {k.replace("’", "'"): v for k, v in words.pop("elisions", {}).items()}
    words["agent_words"] = words.pop("agent", [])
    names = set(Grammar.__dataclass_fields__)
    unknown = (set(words) | set(labels)) - names
    if unknown:
        raise ValueError(f"lexicons/{lang}_grammar.toml: unknown entries {sorted(unknown)}")
    return Grammar(elisions=elisions, **{k: frozenset(v) for k, v in (words | labels).items()})

"""Attributed claims ("who said what") in French and English news, as pure functions over a spaCy `Doc`.

Contract: ``extract_attributions(doc, cues=load_cues(lang))`` yields `Attribution` records in text order.
Every record's ``text == doc.text[start:end]`` and its speaker mention is ``doc.text[speaker_start:
speaker_end]`` (the antecedent when the speaker was a pronoun). Four passes, all linear in the doc:

1. direct quotes, found on the character offsets of quote marks (« » “ ” ‹ › " ") and attributed to a
   reporting verb after them (« … », a déclaré X) or before them (X said: "…"); a quote with no cue
   inherits the last speaker of the previous two sentences;
2. reported speech: a reporting verb of the lexicon, not negated, with a subject (or passive agent) and a
   complement clause, infinitive or object (X a déclaré que …, X denied the claims, …, officials said);
3. source phrases: selon X / d'après X / according to X, and "accusations selon lesquelles …";
4. pronoun speakers resolved to the nearest preceding subject or speaker of compatible number (never one
   inside the claim itself; in an adverbial clause, the person named just before), and role
   descriptions ("le ministre", "the co-chairman") resolved to the name the same role introduced nearby.

The lexicons (``briefings/lexicons/{lang}_cues.toml``) map cue lemmas to a stance: statement, denial,
accusation, warning, promise, estimate. Direct quotes are of kind "quote" unless their cue is stronger.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from briefings.actors import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

STANCES = ("statement", "estimate", "promise", "warning", "accusation", "denial")  # weakest first
SUBJECTS = frozenset({"nsubj", "nsubj:pass", "nsubjpass"})
NP_LEFT = frozenset(
    {"det", "amod", "nummod", "compound", "poss", "nmod:poss", "flat:name", "flat", "quantmod", "nmod"}
)
NP_RIGHT = frozenset(
    {"amod", "nmod", "flat:name", "flat", "compound", "conj", "cc", "fixed", "nummod", "pobj"}
)
NON_SPEAKERS = frozenset(
    "je j' j’ tu nous vous on i we you me moi ce c' c’ cela ça ceci this that which who qui que".split()
)
RELATIVES = frozenset({"qui", "que", "who", "which", "that", "lequel", "laquelle", "lesquels", "lesquelles"})
OPENERS = {"«": "»", "“": "”", "‹": "›", "„": "“", '"': '"'}
QUOTE_PAIRS = frozenset(k + v for k, v in OPENERS.items())
QUOTE_MARKS = re.compile(r'[«»“”‹›„"]|\n')
SENTENCE_END = frozenset({".", "!", "?", "…", "...", "?!"})
EDGE_PUNCT = frozenset({",", ".", ";", ":", "—", "–", "-", "!", "?", "…", "(", ")"})
CLOSERS = frozenset({"»", "”", "›"})
MARKS = frozenset("«»“”‹›„\"'")
CONTENT_MARKS = frozenset({"que", "qu'", "qu’", "that"})
CONTRAST = frozenset({"but", "yet", "mais", "though", "although", "while", "whereas", "tandis"})
# a dateline opening a paragraph: "WASHINGTON (AP) — ", "Washington (AFP) – ", "PARIS, 12 mai (Reuters) - "
DATELINE = re.compile(
    r"(?m)^[ \t]*(?:[A-Z][A-Z'’.-]+(?:\s+[A-Z][A-Z'’.-]+)*(?:,\s*[\w.]+(?:\s+[\w.]+)?)?\s*(?:\([^()\n]{1,25}\))?"
    r"|[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+)*(?:,\s*[\w.]+(?:\s+[\w.]+)?)?\s*\([A-Z][^()\n]{0,24}\))\s*[—–-]{1,2}\s+"
)
GENITIVE = frozenset({"de", "du", "des", "d'", "of"})
NOUN_LINKS = frozenset({"that", "que", "qu'", "of"})  # "reports that …", "ses accusations of …"
MIN_QUOTE_WORDS = 4
FLOAT_SENTENCES = 2


@dataclass(frozen=True, slots=True)
class Attribution:
    """One attributed claim: ``speaker`` said ``text`` (``doc.text[start:end]``) through ``cue``."""

    speaker: str
    speaker_start: int
    speaker_end: int
    cue: str
    kind: str
    start: int
    end: int
    text: str


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
    skip_words: frozenset[str]
    unreflexive: frozenset[str] = frozenset()
    modals: frozenset[str] = frozenset()
    source_nouns: frozenset[str] = frozenset()
    light_verbs: frozenset[str] = frozenset()
    evidence_verbs: frozenset[str] = frozenset()


@cache
def load_cues(lang: str) -> Cues:
    """The cue lexicon of ``lang`` ("fr", "en"), read once from the package's TOML data."""
    raw = tomllib.loads(
        resources.files("briefings").joinpath(f"lexicons/{lang}_cues.toml").read_text("utf-8")
    )
    verbs: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for stance in STANCES:  # stronger stances are listed first for each lemma
        for entry in raw["verbs"].get(stance, []):
            lemma, *extra = entry.split()
            verbs.setdefault(lemma, []).insert(0, (tuple(extra), stance))
    for options in verbs.values():
        options.sort(key=lambda o: -len(o[0]))  # multi-word entries are tried before the bare verb
    nouns = {n: s for s in STANCES for n in raw.get("nouns", {}).get(s, [])}
    m = raw["markers"]
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
        skip_words=frozenset(m.get("time_words", [])),
        unreflexive=frozenset(m.get("unreflexive", [])),
        modals=frozenset(m.get("modals", [])),
        source_nouns=frozenset(m.get("source_nouns", [])),
        light_verbs=frozenset(m.get("light_verbs", [])),
        evidence_verbs=frozenset(m.get("evidence_verbs", [])),
    )


@dataclass(frozen=True, slots=True)
class _Raw:
    """An attribution before pronoun resolution: token spans [start, end) into the doc."""

    speaker: tuple[int, int] | None  # None: a floating quote, to inherit the last speaker
    cue: str
    kind: str
    start: int  # content char offsets
    end: int
    at: int = -1  # char offset of the cue
    source: bool = False  # a "selon X" / "according to X" phrase rather than a verb
    quote: bool = False  # the content is a quotation


class _Ctx:
    """Per-doc precomputed indexes (one linear pass each)."""

    def __init__(self, doc: Doc, cues: Cues) -> None:
        self.doc, self.cues = doc, cues
        self.text = doc_text(doc)  # Doc.text is rebuilt on every access: read it once
        self.quotes = _quote_spans(self.text)
        self.in_quote = bytearray(len(doc))
        # token attributes read as arrays: iterating a Doc builds a Python object per token
        rows = doc.to_array(["IDX", "LOWER", "LEMMA", "POS", "DEP", "ORTH", "SPACY"]).tolist()
        strings, memo = doc.vocab.strings, {}
        self.sent = _sentence_ids([strings[r[5]] for r in rows], [r[6] for r in rows])
        starts = [r[0] for r in rows]
        for qs, qe in self.quotes:
            for i in range(bisect_left(starts, qs), bisect_left(starts, qe + 1)):
                self.in_quote[i] = 1
        self.starts = starts
        self.lowers = [memo.get(r[1]) or memo.setdefault(r[1], _norm(strings[r[1]])) for r in rows]
        self.lemmas = [memo.get(-r[2]) or memo.setdefault(-r[2], strings[r[2]].lower()) for r in rows]
        self.pos = [r[3] for r in rows]  # spaCy symbol ids
        self.deps = [strings[r[4]] if r[4] else "" for r in rows]
        self.dateline = bytearray(len(doc))
        for m in DATELINE.finditer(self.text):
            for i in range(bisect_left(starts, m.start()), bisect_left(starts, m.end())):
                self.dateline[i] = 1

    def past_dateline(self, tok: Token | None) -> Token | None:
        """``tok``, or when it is a dateline ("WASHINGTON (AP) — President X said") the name after it."""
        if tok is None or not self.dateline[tok.i]:
            return tok
        return next(
            (
                t
                for t in tok.doc[tok.i : tok.i + 12]
                if not self.dateline[t.i]
                and (t.head.i == tok.i or (t.head.i == tok.head.i and t.dep_ in SUBJECTS))
            ),
            None,
        )

    def token_at(self, char: int) -> int:
        return max(0, min(len(self.doc) - 1, bisect_left(self.starts, char + 1) - 1))

    def sentence_bounds(self, i: int) -> tuple[int, int]:
        s, lo, hi = self.sent[i], i, i
        while lo > 0 and self.sent[lo - 1] == s:
            lo -= 1
        while hi + 1 < len(self.doc) and self.sent[hi + 1] == s:
            hi += 1
        return lo, hi + 1


def extract_attributions(doc: Doc, *, cues: Cues) -> Iterator[Attribution]:
    """The attributed claims of ``doc`` in text order (see the module docstring for the contract)."""
    if not len(doc):
        return
    ctx = _Ctx(doc, cues)
    used: set[int] = set()
    try:
        raws = [*_quote_claims(ctx, used), *_verb_claims(ctx, used), *_source_claims(ctx), *_noun_claims(ctx)]
        yield from _finish(ctx, raws)
    finally:
        doc.user_data.pop(STANCE_KEY, None)


# ---------------------------------------------------------------------------------------------- segmentation


def _sentence_ids(texts: list[str], spaced: list[int]) -> list[int]:
    """Sentence number of each token (``texts``, ``spaced``: its text and whether a space follows it):
    breaks after . ! ? (and closing marks after them) and at newlines.

    Deliberately ignores spaCy's own boundaries, which split at « and at commas before inverted verbs.
    """
    ids, n, last = [0] * len(texts), 0, len(texts) - 1
    for i, text in enumerate(texts):
        ids[i] = n
        if i == last:
            break
        nxt = texts[i + 1]
        if "\n" in text or (not nxt.strip() and "\n" in nxt):
            n += 1
        elif text in SENTENCE_END or (text in CLOSERS and i and texts[i - 1] in SENTENCE_END):
            if (
                nxt not in CLOSERS
                and not (nxt == '"' and not spaced[i])
                and nxt not in EDGE_PUNCT
                and not nxt[:1].islower()
            ):
                n += 1
    return ids


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """(opening mark, closing mark) char offsets of outer quotations; unmatched marks are ignored, a
    quotation still open at a paragraph break ends there."""
    spans: list[tuple[int, int]] = []
    open_at, want = -1, ""
    for m in QUOTE_MARKS.finditer(text):
        ch, i = m.group(), m.start()
        if ch == "\n":
            if open_at >= 0 and want != '"' and i - open_at > 1:
                spans.append((open_at, i))
            open_at = -1
        elif open_at >= 0 and ch == want == '"' and _opens(text, i) and text[i - 2 : i - 1] in SENTENCE_END:
            # "First sentence. "Second one" — a new paragraph-style quotation opens: the first ends here
            spans.append((open_at, i - 1))
            open_at = i
        elif open_at >= 0 and ch == want:
            spans.append((open_at, i))
            open_at = -1
        elif ch in OPENERS and (open_at < 0 or ch == text[open_at]):
            open_at, want = i, OPENERS[ch]
    return spans


def _opens(text: str, i: int) -> bool:
    """Whether the straight quote mark at ``i`` can only open a quotation (space before, a word after)."""
    return (i == 0 or text[i - 1].isspace()) and i + 1 < len(text) and text[i + 1].isalnum()


# ------------------------------------------------------------------------------------------------ helpers


def _stance(tok: Token, cues: Cues) -> str | None:
    """The stance of a reporting verb token, or None when it is not a (positive) reporting cue."""
    if tok.pos_ not in ("VERB", "AUX") and tok.dep_ not in ("ROOT", "parataxis", "ccomp", "conj"):
        return None
    options = cues.verbs.get(tok.lemma_.lower()) or cues.verbs.get(tok.text.lower())
    if not options:
        return None
    memo = tok.doc.user_data.setdefault(STANCE_KEY, {})  # asked several times per cue; dropped after
    if tok.i not in memo:
        memo[tok.i] = _cue_stance(tok, cues, options)
    return memo[tok.i]


STANCE_KEY = "newsbrief.stance"


def _cue_stance(tok: Token, cues: Cues, options: tuple[tuple[tuple[str, ...], str], ...]) -> str | None:
    kids = [_norm(c.text) for c in tok.children]
    if any(k in cues.negations for k in kids) or _unasserted(tok, kids, cues):
        return None
    kids += [c.lemma_.lower() for c in tok.children]  # "a fait valoir": valoir with faire
    for extra, stance in options:
        if all(w in kids for w in extra):
            return stance
    return None


def _unasserted(tok: Token, kids: list[str], cues: Cues) -> bool:
    """Whether a cue verb asserts nothing here: a pronominal form with another meaning ("s'annonce
    compliqué", "s'ajouter aux attaques"), a modal or future infinitive ("devrait en dire plus", "will
    announce"), or a bare past participle describing a noun ("le réacteur, prévu de longue date")."""
    lemma = tok.lemma_.lower()
    if lemma in cues.unreflexive and "se" in kids:
        return True
    if any(c.dep_.startswith("aux") and c.lower_ in cues.modals for c in tok.children):
        return True
    if "Inf" in tok.morph.get("VerbForm") and tok.head.lemma_.lower() in cues.modals and tok.head.i < tok.i:
        return True
    participle = tok.tag_ == "VBN" or (
        "Part" in tok.morph.get("VerbForm") and "Past" in tok.morph.get("Tense")
    )
    return (
        participle
        and tok.dep_ in ("acl", "amod")
        and not any(c.dep_.startswith("aux") for c in tok.children)
        and _agent(tok) is None
    )


def _norm(word: str) -> str:
    w = word.lower().replace("’", "'")
    return {"s'": "se", "m'": "me", "t'": "te", "n't": "n't"}.get(w, w)


def _np(tok: Token) -> tuple[int, int]:
    """Token span of the short noun phrase headed by ``tok`` (no relative clauses; determiners of names
    stripped); an apposed name replaces a role noun."""
    if tok.pos_ == "NOUN":
        names = [c for c in tok.children if c.dep_ == "appos" and c.pos_ == "PROPN" and c.i > tok.i]
        persons = [c for c in names if c.ent_type_ in ("PER", "PERSON")]  # "L'eurodéputé LREM Pascal Canfin"
        if persons or names:  # the fullest name: "La députée Verte Anne Morel" -> "Anne Morel"
            tok = max(persons or names, key=lambda c: (sum(1 for _ in c.subtree), -c.i))
    if tok.pos_ == "PRON":
        return tok.i, tok.i + 1
    lo = hi = tok.i
    for c in tok.children:
        if not (c.dep_ in (NP_LEFT if c.i < tok.i else NP_RIGHT) or (c.dep_ == "prep" and c.lower_ == "of")):
            continue
        if c.dep_ == "conj" and c.lower_ in ("autres", "others"):
            continue  # "l'ONU et d'autres", "the UN and others": the one named
        if (
            c.dep_ == "nmod"
            and c.i > tok.i
            and any(k.dep_ == "case" and _norm(k.text) not in GENITIVE for k in c.children)
        ):
            continue  # "le ministre dans un entretien au Parisien": a circumstance, not part of the name
        sub = list(c.subtree)
        if any(s.dep_ in ("acl:relcl", "relcl") for s in sub):
            sub = [s for s in sub if s.i <= tok.i or s.i <= c.i]
        lo, hi = min(lo, sub[0].i), max(hi, sub[-1].i)
    doc = tok.doc
    if hi - lo > 14:
        lo, hi = min((c.i for c in tok.lefts), default=tok.i), tok.i
    while lo < tok.i and (doc[lo].is_punct or (tok.pos_ == "PROPN" and doc[lo].pos_ in ("DET", "ADP"))):
        lo += 1
    while hi > tok.i and (doc[hi].is_punct or _temporal(doc[hi])):  # "Agnès Buzyn dimanche"
        hi -= 1
    if tok.ent_type_ and tok.ent_iob_ != "O":  # the whole name, whatever the parser made of it
        e_lo, e_hi = _ent_bounds(tok)
        if e_hi - e_lo <= 6:
            lo, hi = min(lo, e_lo), max(hi, e_hi - 1)
    while lo > 0 and _glued(doc[lo - 1], doc[lo]):  # "co-chairman", "porte-parole"
        lo -= 1
    while hi + 1 < len(doc) and _glued(doc[hi], doc[hi + 1]):
        hi += 1
    return lo, hi + 1


def _ent_bounds(tok: Token) -> tuple[int, int]:
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


def _glued(a: Token, b: Token) -> bool:
    """Whether tokens ``a`` and ``b`` belong to one written word joined by a hyphen ("co-chairman")."""
    doc = a.doc
    if a.whitespace_ or (not b.text[:1].isalnum() and b.text != "-"):
        return False
    if a.text == "-":  # "co" "-" "chairman": the hyphen must itself follow a word
        return a.i > 0 and not doc[a.i - 1].whitespace_ and doc[a.i - 1].text[-1:].isalnum()
    if b.text == "-":
        return (
            a.text[-1:].isalnum()
            and not b.whitespace_
            and b.i + 1 < len(doc)
            and doc[b.i + 1].text[:1].isalnum()
        )
    return (a.text.endswith("-") and a.text[:1].isalnum()) or (
        b.text.startswith("-") and a.text[-1:].isalnum()
    )


def _agent(v: Token) -> Token | None:
    """The passive agent of ``v`` introduced by par / by ("soupçonné par l'ONU"; not "prévu de longue date")."""
    for c in v.children:
        if c.dep_ == "obl:agent" and any(k.dep_ == "case" and k.lower_ == "par" for k in c.children):
            return c
        if c.dep_ == "agent" and c.lower_ == "by":
            return next((g for g in c.children if g.dep_ == "pobj"), None)
    return None


def _subject(v: Token, cues: Cues, depth: int = 0) -> Token | None:
    """Who speaks through verb ``v``: its passive agent, else its subject (the antecedent of a relative
    pronoun, the subject of the governing verb for conjoined verbs, infinitives and participles)."""
    agent = _agent(v)
    if agent is not None:
        return agent
    kids = [g for c in v.children for g in ((c, *c.children) if _norm(c.text) in cues.skip else (c,))]
    subs = [
        c
        for c in kids
        if (c.dep_ in SUBJECTS or c.text[:1] == "-") and _norm(c.text) not in cues.skip and not c.is_punct
    ]
    if any(c.dep_ in ("aux:pass", "auxpass") for c in v.children):
        return None  # "X is expected to", "il a été nommé": the subject is not the source
    if subs:
        s = next((s for s in subs if s.pos_ == "PROPN"), subs[0])
        if s.lower_ in RELATIVES and v.dep_ in ("acl:relcl", "relcl") and v.head.pos_ in ("NOUN", "PROPN"):
            return v.head
        if s.lower_ in RELATIVES and s.i > 0 and s.doc[s.i - 1].text == ",":
            antecedent = _relative_antecedent(s)  # "…, which showed" hung on the main verb by the parser
            if antecedent is not None:
                return antecedent
        if s.lower_ not in RELATIVES and s.pos_ != "SCONJ":
            return s
    sequel = (v.dep_ == "pcomp" and v.head.lower_ in SEQUENCE) or (
        v.dep_ == "advcl" and any(k.lower_ in SEQUENCE for k in v.children if k.dep_ == "mark")
    )
    if depth < 3 and sequel:  # "X told Y that P, before noting that …" / "X a dit que P, avant de préciser
        h = v.head.head if v.dep_ == "pcomp" else v.head  # que …": the cue's subject, wherever the parser
        while h.dep_ == "ccomp" and h.head is not h and _stance(h.head, cues) is not None:  # hung it in P
            h = h.head
        return _subject(h, cues, depth + 1) if h.pos_ in ("VERB", "AUX") else None
    if depth < 3 and v.dep_ in ("conj", "xcomp", "advcl") and v.head is not v:
        return _subject(v.head, cues, depth + 1)
    if depth < 3 and v.dep_ == "acl" and _gerund(v) and v.head.dep_ in ("obj", "dobj"):
        return _subject(v.head.head, cues, depth + 1)  # "issued a statement accusing X": who issued it
    return None


def _relative_antecedent(rel: Token) -> Token | None:
    """The noun a relative pronoun after a comma stands for, past a time phrase ("figures earlier this
    month, which showed …"), when the parser attached its clause elsewhere."""
    doc, j = rel.doc, rel.i - 2
    while j >= 0 and (_temporal(doc[j]) or doc[j].pos_ in ("ADV", "DET")):
        j -= 1
    if j < 0 or doc[j].pos_ not in ("NOUN", "PROPN") or doc[j].ent_type_ in ("DATE", "TIME"):
        return None
    t = doc[j]
    while t.dep_ in ("compound", "flat", "flat:name") and t.head.i > t.i:
        t = t.head
    return t


def _after_subject(v: Token, cues: Cues, stop: int) -> Token | None:
    """Inverted subject after the verb (« … », a déclaré X / ont rapporté les médias / said X)."""
    for c in v.rights:
        if (
            c.i < stop
            and c.dep_ in (*SUBJECTS, "obj", "dobj", "expl:subj")
            and _norm(c.text) not in cues.skip
            and not _temporal(c)
        ):
            return c
    for t in v.doc[v.i + 1 : stop]:
        if (
            _norm(t.text) in cues.skip
            or t.pos_ in ("DET", "ADV", "AUX", "ADP")
            or t.ent_type_ in ("DATE", "TIME")
        ):
            continue
        if t.dep_ in ("obl:mod", "npadvmod", "advmod") or t.lower_ in cues.skip_words or _temporal(t):
            continue
        if t.dep_.startswith("obl") or any(c.dep_ == "case" for c in t.children) or t.head.pos_ == "ADP":
            continue  # a prepositional phrase between verb and subject: "a déclaré sur BFMTV X"
        if t.pos_ in ("PROPN", "NOUN", "PRON"):
            return t
        break
    return None


TEMPORAL = frozenset(
    """lundi mardi mercredi jeudi vendredi samedi dimanche hier aujourd'hui demain matin soir soirée
    semaine mois année an veille lendemain monday tuesday wednesday thursday friday saturday sunday
    yesterday today tomorrow morning evening night week month year""".split()
)


def _temporal(t: Token) -> bool:
    return t.ent_type_ in ("DATE", "TIME") or t.lower_ in TEMPORAL


def _takes_object(v: Token, cues: Cues) -> bool:
    """Whether the object of ``v`` is what is said: stance verbs, and statement verbs listed as such."""
    return _stance(v, cues) != "statement" or v.lemma_.lower() in cues.object_verbs


def _initial_name(ctx: _Ctx, v: Token) -> Token | None:
    """The name opening the sentence of ``v`` ("X, professeur à …, a déclaré que"), when the parser lost it
    as subject; only for an active verb in the sentence's main clause."""
    lo, _ = ctx.sentence_bounds(v.i)
    misparsed = (
        v.dep_ == "xcomp" and v.head.pos_ in ("PROPN", "NOUN") and v.head.i < v.i
    )  # verb under its subject
    if (v.dep_ != "ROOT" and not misparsed) or any(c.dep_ in ("aux:pass", "auxpass") for c in v.children):
        return None
    if misparsed:
        return None if ctx.in_quote[v.head.i] else v.head
    for t in ctx.doc[lo : min(v.i, lo + 3)]:
        if t.pos_ == "PROPN" and t.ent_type_ and not ctx.in_quote[t.i]:
            while t.dep_ in ("flat:name", "flat", "compound") and t.head.i < t.i:
                t = t.head
            return t
    return None


def _cue_text(v: Token, text: str) -> str:
    lo = min([v.i, *(c.i for c in v.lefts if c.dep_.startswith("aux"))])
    doc = v.doc
    return text[doc[lo].idx : v.idx + len(v)]


def _trim(ctx: _Ctx, lo: int, hi: int) -> tuple[int, int] | None:
    """Char span of tokens [lo, hi) without edge punctuation, a leading que/that and quote marks only when
    they enclose everything; None when fewer than two words remain."""
    doc = ctx.doc
    while lo < hi and (
        doc[lo].text in EDGE_PUNCT
        or doc[lo].is_space
        or doc[lo].lower_ in ("que", "qu'", "qu’", "that")
        or ctx.dateline[lo]
    ):
        lo += 1
    while hi > lo and (doc[hi - 1].text in EDGE_PUNCT or doc[hi - 1].is_space):
        hi -= 1
    if hi - lo < 2:
        return None
    start, end = doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1])
    text = ctx.text
    if text[start] in OPENERS and not any(text[start] + c in QUOTE_PAIRS for c in text[start + 1 : end]):
        start += 1  # a stray opening mark
        while start < end and text[start].isspace():
            start += 1
    if (
        text[start] in MARKS
        and text[end - 1] in MARKS
        and not any(q in text[start + 1 : end - 1] for q in '«»“”"')
    ):
        start, end = start + 1, end - 1
    return (start, end) if end > start else None


# ------------------------------------------------------------------------------------------------- passes


def _quote_claims(ctx: _Ctx, used: set[int]) -> Iterator[_Raw]:
    text = ctx.text
    for qs, qe in ctx.quotes:
        start, end = qs + 1, qe
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if len(text[start:end].split()) < MIN_QUOTE_WORDS or _title(text[start:end]):
            continue
        first, last = ctx.token_at(qs), ctx.token_at(qe)
        found = _quote_cue(ctx, first, last)
        if found is None:
            yield _Raw(None, "", "quote", start, end, quote=True)
            continue
        v, speaker, stance = found
        if v.i < first:
            content, _ = _content(ctx, v)
            if content is not None and content[0] < qs < content[1]:
                continue  # X said most regions grew at a "modest pace": the reported clause is the claim
        used.add(v.i)
        kind = "quote" if stance == "statement" else stance
        yield _Raw(_np(speaker), _cue_text(v, ctx.text), kind, start, end, v.idx, quote=True)


def _title(quoted: str) -> bool:
    """Whether quoted text is a title in title case ("Failure to Adjust: How Americans Got Left Behind")."""
    words = [w for w in quoted.split() if len(w) > 3]
    return len(words) >= 4 and sum(w[:1].isupper() for w in words) >= 0.7 * len(words)


def _quote_cue(ctx: _Ctx, first: int, last: int) -> tuple[Token, Token, str] | None:
    """The reporting verb and speaker of the quotation whose marks are tokens ``first`` and ``last``."""
    doc, cues = ctx.doc, ctx.cues
    after: list[int] = []
    i = last + 1
    ended = last > 0 and doc[last - 1].text in SENTENCE_END  # "… Wales." The Lib Dems accuse: no cue
    if ended and i < len(doc) and doc[i].text[:1].isupper():
        i = len(doc)
    while i < len(doc) and len(after) < 10 and not ctx.in_quote[i] and ctx.sent[i] <= ctx.sent[last] + 1:
        if (
            "\n" in doc[i].text
            or (
                doc[i].text in SENTENCE_END  # « … ». a déclaré X: a stray full stop before a lower-case cue
                and not (i == last + 1 and i + 1 < len(doc) and doc[i + 1].text[:1].islower())
            )
        ):
            break
        after.append(i)
        i += 1
    before: list[int] = []
    i = first - 1
    while i >= 0 and len(before) < 30 and not ctx.in_quote[i] and ctx.sent[i] >= ctx.sent[first] - 1:
        if doc[i].text in SENTENCE_END or "\n" in doc[i].text:
            break
        before.append(i)
        i -= 1
    for window in (after, before):
        for j in window:
            tok = doc[j]
            stance = _stance(tok, cues)
            if stance is None:
                continue
            speaker = _subject(tok, cues)
            if speaker is None or ctx.in_quote[speaker.i]:
                speaker = _after_subject(tok, cues, len(doc))
            speaker = ctx.past_dateline(speaker)
            if speaker is not None and not ctx.in_quote[speaker.i]:
                return tok, speaker, stance
    return None


def _verb_claims(ctx: _Ctx, used: set[int]) -> Iterator[_Raw]:
    doc, cues = ctx.doc, ctx.cues
    for i, (lemma, lower) in enumerate(zip(ctx.lemmas, ctx.lowers, strict=True)):
        if (lemma not in cues.verbs and lower not in cues.verbs) or i in used or ctx.in_quote[i]:
            continue
        v = doc[i]
        stance = _stance(v, cues)
        if stance is None or (_gerund(v) and v.dep_ == "conj" and not _gerund(v.head)):
            continue  # "accused X of telling lies and then attacking them": part of the accusation
        content, inverted = _content(ctx, v)
        if content is None:
            continue
        speaker = _subject(v, cues, 3 if inverted else 0)  # an inverted cue has its own subject or none
        if inverted and (speaker is None or speaker.i < v.i) and any(c.dep_ in SUBJECTS for c in v.rights):
            speaker = next(c for c in v.rights if c.dep_ in SUBJECTS)  # « … », a dit X: X, whatever precedes
        if speaker is None and inverted:
            speaker = _after_subject(v, cues, ctx.sentence_bounds(v.i)[1])
        if speaker is None and not inverted:
            speaker = _initial_name(ctx, v)
        speaker = ctx.past_dateline(speaker)
        if (speaker is None or ctx.in_quote[speaker.i]) and _gerund(v) and doc[v.i - 1].text == ",":
            # « … », a-t-il ironisé, affirmant que …: the participle speaks for the cue before it
            yield _Raw(None, _cue_text(v, ctx.text), stance, *content, v.idx)
            continue
        if speaker is None or ctx.in_quote[speaker.i]:
            continue
        sp = _np(speaker)
        if sp[0] <= ctx.token_at(content[0]) < sp[1]:
            continue
        quoted = any(  # said the bridge would "cut commuting times in half": a (partial) direct quote
            content[0] <= qs and qe <= content[1] and len(ctx.text[qs:qe].split()) >= MIN_QUOTE_WORDS
            for qs, qe in ctx.quotes
        )
        kind = "quote" if quoted and stance == "statement" else stance
        yield _Raw(sp, _cue_text(v, ctx.text), kind, *content, v.idx)


def _content(ctx: _Ctx, v: Token) -> tuple[tuple[int, int] | None, bool]:
    """Char span of what verb ``v`` reports, and whether it precedes the verb (inverted construction)."""
    doc, kids = ctx.doc, list(v.children)
    kids += [g for c in kids if _temporal(c) for g in c.children if g.dep_ in ("obj", "dobj")]  # misparse:
    # "a réclamé vendredi un référendum" with the object under "vendredi"
    s_lo, s_hi = ctx.sentence_bounds(v.i)
    inverted = _inverted_span(ctx, v, s_lo, s_hi)
    if inverted is not None:
        return inverted, True
    controller = _controller(v)
    if _agent(v) is not None and controller is not None:  # "X collapsed after being rejected by Y": X
        span = _trim(ctx, *_np(controller))
        if span is not None:
            return span, False
    if _agent(v) is not None:  # X est soupçonné par Y de … / was denied by Y: the whole passive clause,
        sub = list(v.subtree)  # with the noun a relative clause describes ("une côte qui est soupçonnée")
        lo = v.head.left_edge.i if v.dep_ in ("acl:relcl", "relcl") and v.head.i < v.i else sub[0].i
        span = _trim(ctx, max(lo, s_lo), min(sub[-1].i + 1, s_hi))
        if span is not None:
            return span, False
    order = (("ccomp",), ("advcl",), ("xcomp",), ("obj", "dobj"), ("obl:arg",))
    stance = _stance(v, ctx.cues)
    if stance == "accusation":  # accuse X of …: the object and what follows
        order = (("obj", "dobj"), *order)
    for deps in order:
        for c in kids:
            if c.dep_ not in deps or (c.i < v.i and deps != ("ccomp",)):
                continue
            if deps == ("advcl",) and c.left_edge.lower_ not in CONTENT_MARKS:
                continue  # only "considère, elle, qu'un référendum …" parsed as an adverbial clause
            if deps == ("obj", "dobj") and (
                not _takes_object(v, ctx.cues) or (stance == "statement" and _gerund(v))
            ):
                continue  # "Confirmant cet appel, X …" / "Reporting its results, …" are narration
            lo = c.left_edge.i
            while lo < c.i and (
                doc[lo].dep_ in ("mark", "case") or doc[lo].text in EDGE_PUNCT or doc[lo].lower_ == "to"
            ):
                lo += 1
            hi = c.right_edge.i + 1
            if deps == ("obj", "dobj") and hi < s_hi and _finite(doc[hi]) and doc[hi].head.i != v.i:
                clause = doc[hi].head if doc[hi].dep_.startswith("aux") else doc[hi]  # misparsed "worry his
                hi = max(
                    hi, clause.right_edge.i + 1
                )  # rhetoric will hurt …": the object is a clause's subject
            if c.i > v.i:  # trailing dependents of the verb ("accused X of Y"), up to a coordinated verb
                for r in v.rights:
                    if r.i <= c.i or r.dep_ == "punct":
                        continue
                    if r.dep_ in ("conj", "cc", "parataxis") or _reporting_clause(r, ctx.cues):
                        break  # "…, before noting that …": a claim of its own
                    hi = max(hi, r.right_edge.i + 1)
            for r in c.rights:  # "that P, before noting that Q" with "before" hung on P's verb
                if _reporting_clause(r, ctx.cues):
                    hi = min(hi, r.left_edge.i)
            hi = _contrast_cut(ctx, c, lo, hi)
            span = _trim(ctx, max(lo, s_lo), min(hi, s_hi))
            if span is not None:
                return span, c.i < v.i
    for t in doc[v.i + 1 : min(v.i + 6, s_hi)]:  # misparsed "X considère, elle, qu'un référendum …"
        if t.lower_ in CONTENT_MARKS and t.head.i > t.i:
            span = _trim(ctx, t.i, min(t.head.right_edge.i + 1, s_hi))
            if span is not None:
                return span, False
        if not (t.is_punct or t.pos_ in ("PRON", "ADV")):
            break
    # « … », ont rapporté X / the plant will close, officials said: the content precedes the cue
    lo = s_lo
    left = min([v.i, *(c.i for c in v.lefts if c.dep_.startswith("aux") or c.dep_ in SUBJECTS)])
    if left > lo and doc[left - 1].text == ",":
        if v.dep_ == "parataxis" and v.head.i < v.i:
            lo = max(lo, v.head.left_edge.i)
        return _trim(ctx, lo, left - 1), True
    return None, False


def _controller(v: Token) -> Token | None:
    """The subject a subjectless passive participle after before / after / avant / après speaks of ("the
    deal collapsed after being rejected by X", "le projet a été abandonné après avoir été rejeté par X")."""
    if any(c.dep_ in SUBJECTS for c in v.children):
        return None
    if v.dep_ == "pcomp" and v.head.lower_ in SEQUENCE:
        h = v.head.head
    elif v.dep_ == "advcl" and any(k.lower_ in SEQUENCE for k in v.children if k.dep_ in ("mark", "case")):
        h = v.head
    else:
        return None
    return next((c for c in h.children if c.dep_ in SUBJECTS and c.pos_ in ("NOUN", "PROPN")), None)


def _inverted_span(ctx: _Ctx, v: Token, s_lo: int, s_hi: int) -> tuple[int, int] | None:
    """Content of an inverted cue, "…, a toutefois estimé la ministre X" / "…, said Alden": a comma right
    before the verb group, a speaker right after the verb, and no reported clause after it. The parser
    often hangs such a verb anywhere (a subject or object on the wrong side), so only the surface counts."""
    doc, cues = ctx.doc, ctx.cues
    if _gerund(v) or "Inf" in v.morph.get("VerbForm"):
        return None  # "…, menaçant les villages": a participle clause, not an inversion
    j = v.i - 1
    while j > s_lo and (doc[j].pos_ in ("AUX", "ADV") or _norm(doc[j].text) in cues.skip):
        j -= 1
    if j <= s_lo + 1 or doc[j].text != ",":
        return None
    if any(c.i > v.i and (c.dep_ == "ccomp" or c.lower_ in CONTENT_MARKS) for c in v.children):
        return None
    nxt = v.i + 1
    while nxt < s_hi and (doc[nxt].pos_ == "ADV" or _temporal(doc[nxt]) or _norm(doc[nxt].text) in cues.skip):
        nxt += 1
    if nxt >= s_hi or doc[nxt].pos_ not in ("DET", "PROPN", "NOUN") or ctx.in_quote[nxt]:
        return None
    head = doc[nxt] if doc[nxt].pos_ != "DET" else doc[nxt].head
    if head.i < v.i or head.pos_ not in ("PROPN", "NOUN") or head.head.i != v.i:
        return None
    return _trim(ctx, s_lo, j)


def _finite(t: Token) -> bool:
    """A finite verb or auxiliary ("will", "has", "est")."""
    return t.pos_ in ("VERB", "AUX") and (
        t.tag_ in ("MD", "VBZ", "VBP", "VBD") or "Fin" in t.morph.get("VerbForm")
    )


def _gerund(v: Token) -> bool:
    """A present participle without auxiliary ("Reconnaissant …, X" / "Reporting its results, X")."""
    present = "Part" in v.morph.get("VerbForm") and "Pres" in v.morph.get("Tense")
    return (present or v.tag_ == "VBG") and not any(c.dep_.startswith("aux") for c in v.children)


SEQUENCE = frozenset({"before", "after", "avant", "après"})


def _reporting_clause(r: Token, cues: Cues) -> bool:
    """Whether dependent ``r`` is a cue of its own introduced by before / after ("…, before noting that …",
    "…, avant de rappeler que …"): a claim of its own, not part of the content it follows."""
    if r.lower_ in SEQUENCE:
        verbs = [g for g in r.children if g.pos_ in ("VERB", "AUX")]
    elif any(k.lower_ in SEQUENCE for k in r.children if k.dep_ in ("mark", "case", "prep")):
        verbs = [r]
    else:
        return False
    return any(
        _stance(g, cues) is not None and any(k.lower_ in CONTENT_MARKS for k in g.subtree) for g in verbs
    )


def _contrast_cut(ctx: _Ctx, c: Token, lo: int, hi: int) -> int:
    """End of the reported clause ``c``: before a clause coordinated by "but"/"mais" that has its own
    subject, or one that carries its own attribution ("…, but the FBI said …")."""
    for t in ctx.doc[lo:hi]:
        if t.dep_ != "conj" or t.i <= c.i or not (lo <= t.head.i < hi):
            continue
        own_subject = any(k.dep_ in SUBJECTS or k.dep_ == "expl" for k in t.children)
        ccs = [k for k in t.children if k.dep_ == "cc" and k.i < t.i]
        contrast = any(k.lower_ in CONTRAST for k in ccs)
        if own_subject and (contrast or _stance(t, ctx.cues)):
            cut = min([t.left_edge.i, *(k.i for k in ccs)])
            while cut > lo and ctx.doc[cut - 1].is_punct:
                cut -= 1
            return cut
    return hi


def _source_claims(ctx: _Ctx) -> Iterator[_Raw]:
    doc, cues = ctx.doc, ctx.cues
    lowers = ctx.lowers
    for seq in cues.sources:
        n = len(seq)
        for i in range(len(doc) - n + 1):
            if lowers[i] != seq[0] or tuple(lowers[i : i + n]) != seq or ctx.in_quote[i]:
                continue
            last = doc[i + n - 1]
            noun = last.head if last.dep_ in ("case", "fixed") and last.head.i > last.i else None
            noun = noun or next((c for c in last.children if c.dep_ in ("pobj", "obl", "obj")), None)
            if noun is None and i + n < len(doc):
                noun = doc[i + n]
            if noun is None:
                continue
            cue = ctx.text[doc[i].idx : last.idx + len(last)]
            if noun.lower_ in RELATIVES:
                yield from _selon_lesquelles(ctx, noun, cue)
                continue
            sp = _np(noun)
            lo, hi = ctx.sentence_bounds(i)
            head_part = _trim(ctx, lo, i) if i - lo > 1 else None
            after = max(sp[1], noun.right_edge.i + 1)  # never the source's own relative clause
            tail_part = _trim(ctx, after, hi) if after < hi else None
            parts = [p for p in (head_part, tail_part) if p]
            if not parts:
                continue
            content = max(parts, key=lambda p: p[1] - p[0])
            yield _Raw(sp, cue, "statement", *content, doc[i].idx, True)


def _selon_lesquelles(ctx: _Ctx, rel: Token, cue: str) -> Iterator[_Raw]:
    """… des accusations selon lesquelles P: who made the accusations claims P (see `_noun_speaker`)."""
    clause = rel.head
    noun = clause.head if clause.dep_ in ("acl:relcl", "relcl", "acl") else None
    if noun is None:
        return
    speaker = _noun_speaker(ctx, noun)
    if speaker is None:
        return
    content = _trim(ctx, rel.i + 1, clause.right_edge.i + 1)
    if content is None:
        return
    cue = f"{cue} {rel.text}"
    stance = ctx.cues.nouns.get(noun.lemma_.lower(), "statement")
    yield _Raw(_np(speaker), cue, stance, *content, rel.idx)


def _noun_claims(ctx: _Ctx) -> Iterator[_Raw]:
    """Claims introduced by a noun: "reports that P" (or "reports P" with "that" left out), "Clinton's
    allegations that P", "his warnings that P", "la promesse que P", and "X's allegations of P" for
    accusations and denials."""
    doc, cues = ctx.doc, ctx.cues
    for i in range(len(doc) - 2):
        stance = cues.nouns.get(ctx.lemmas[i]) or cues.nouns.get(ctx.lowers[i])
        if stance is None or (
            ctx.lowers[i + 1] not in NOUN_LINKS and ctx.deps[i] not in ("dobj", "obj", "pobj")
        ):
            continue
        n = doc[i]
        if ctx.in_quote[i] or n.pos_ not in ("NOUN", "VERB"):
            continue
        nxt = doc[i + 1]
        clause = _complement_clause(n)
        if nxt.lower_ in CONTENT_MARKS and nxt.dep_ == "mark" and nxt.head.i > nxt.i:
            lo, hi = nxt.i + 1, nxt.head.right_edge.i + 1
        elif clause is not None:
            lo, hi = nxt.i, clause.right_edge.i + 1
        elif nxt.lower_ == "of" and stance in ("accusation", "denial") and _possessor(n) is not None:
            lo, hi = nxt.i + 1, nxt.right_edge.i + 1
        else:
            continue
        speaker = _noun_speaker(ctx, n)
        s_lo, s_hi = ctx.sentence_bounds(n.i)
        content = _trim(ctx, max(lo, s_lo), min(hi, s_hi))
        if speaker is None or content is None or ctx.in_quote[speaker.i]:
            continue
        yield _Raw(
            _np(speaker) if speaker is not n else _np(n),
            ctx.text[n.idx : nxt.idx + len(nxt)] if clause is None else n.text,
            stance,
            *content,
            n.idx,
        )


def _complement_clause(noun: Token) -> Token | None:
    """A clause right after ``noun`` that says what it reports, with "that" left out ("reports the party
    repaid £500,000 to X"): its subject comes first and it has an object of its own, which a relative
    clause ("reports the party published") lacks."""
    for c in noun.rights:
        if c.dep_ not in ("acl", "relcl", "acl:relcl") or c.left_edge.i != noun.i + 1:
            continue
        subject = any(k.dep_ in SUBJECTS and k.left_edge.i == noun.i + 1 for k in c.lefts)
        if subject and any(k.dep_ in ("dobj", "obj") for k in c.children):
            return c
    return None


def _possessor(noun: Token) -> Token | None:
    """The possessor of ``noun``: "Clinton's", "his", "sa", "leurs"."""
    for c in noun.children:
        if c.dep_ in ("poss", "nmod:poss") or (c.pos_ == "DET" and "Yes" in c.morph.get("Poss")):
            return c
    return None


def _noun_speaker(ctx: _Ctx, noun: Token) -> Token | None:
    """Who makes the accusation, report or promise ``noun``: a named possessor ("Clinton's allegations");
    a source noun itself ("newspaper reports that", "des informations selon lesquelles"); else the subject
    of the verb that makes it ("X a lancé des accusations", "the candidate continued his warnings") —
    never of a verb that rejects it ("X denied claims that": X does not claim); else a possessive pronoun
    ("his warnings that"), resolved like a subject pronoun."""
    cues = ctx.cues
    poss = _possessor(noun)
    if poss is not None and poss.pos_ in ("PROPN", "NOUN"):
        return poss
    if poss is None and (noun.lemma_.lower() in cues.source_nouns or noun.lower_ in cues.source_nouns):
        return noun
    governor = noun.head
    if poss is None and noun.dep_ == "attr" and any(c.dep_ == "expl" for c in governor.children):
        return noun  # "there are predictions that P": unnamed predictions
    if (
        noun.dep_ in ("obj", "dobj")
        and governor.pos_ in ("VERB", "AUX")
        and _stance(governor, cues) != "denial"
    ):
        if governor.lemma_.lower() in cues.light_verbs or poss is not None:
            return _subject(governor, cues) or poss
    return poss


# --------------------------------------------------------------------------------------- resolution, output


def _finish(ctx: _Ctx, raws: list[_Raw]) -> Iterator[Attribution]:
    doc, cues = ctx.doc, ctx.cues
    antecedents: list[tuple[int, tuple[int, int], str, str]] | None = None  # built when a pronoun needs them
    keys: list[int] = []
    resolved: list[tuple[_Raw, tuple[int, int]]] = []
    for raw in sorted(raws, key=lambda r: r.start):
        span = raw.speaker
        if span is None:
            if any(
                r.start <= raw.start and raw.end <= r.end + 1 for r in raws if not r.quote and r is not raw
            ):
                continue  # a quoted fragment of a reported clause: the clause is the claim
            prev = resolved[-1] if resolved else None
            qs = ctx.sent[ctx.token_at(raw.start)]
            if prev is None or qs - ctx.sent[ctx.token_at(prev[0].end - 1)] > FLOAT_SENTENCES:
                continue
            if raw.cue and (
                prev[0].at < 0 or ctx.sent[ctx.token_at(raw.at)] != ctx.sent[ctx.token_at(prev[0].at)]
            ):
                continue  # a participle inherits only from a cue of its own sentence
            resolved.append((replace(raw, cue=raw.cue or prev[0].cue), prev[1]))
            continue
        word = _norm(doc[span[0]].text)
        if span[1] - span[0] == 1 and word in cues.singular | cues.plural | cues.neuter:
            found = _adverbial_antecedent(ctx, doc[span[0]]) if word in cues.singular else None
            if found is None and antecedents is None:
                antecedents = _antecedents(ctx, raws)
                keys = [a[0] for a in antecedents]
            found = found or _resolve(ctx, word, doc[span[0]].idx, antecedents or [], keys, raw)
            if found is None:
                continue
            span = found
        elif span[1] - span[0] == 1 and word in NON_SPEAKERS:
            continue
        span = _described(ctx, span, resolved) or span
        resolved.append((raw, span))
    resolved = [(r, sp) for r, sp in resolved if not _nested(ctx, r, sp, resolved)]
    seen: list[tuple[str, int, int]] = []
    for raw, span in sorted(resolved, key=lambda r: (r[0].start, r[0].start - r[0].end)):
        s, e = doc[span[0]].idx, doc[span[1] - 1].idx + len(doc[span[1] - 1])
        speaker = ctx.text[s:e]
        if any(k == speaker and ks <= raw.start and raw.end <= ke for k, ks, ke in seen):
            continue
        seen.append((speaker, raw.start, raw.end))
        yield Attribution(speaker, s, e, raw.cue, raw.kind, raw.start, raw.end, ctx.text[raw.start : raw.end])


def _adverbial_antecedent(ctx: _Ctx, pron: Token) -> tuple[int, int] | None:
    """He/il in an adverbial clause ("… repaid Lord Ashcroft after he predicted a defeat") refers to the
    nearest person named before it in the same sentence, whatever that person's role in the clause."""
    verb = pron.head
    if (
        pron.dep_ not in SUBJECTS
        or verb.dep_ not in ("advcl", "acl", "acl:relcl", "relcl")
        or not any(c.dep_ == "mark" for c in verb.children)
    ):
        return None
    lo, _ = ctx.sentence_bounds(pron.i)
    for t in reversed(ctx.doc[lo : pron.i]):
        if t.ent_type_ in ("PER", "PERSON") and not ctx.in_quote[t.i]:
            return _ent_bounds(t)
    return None


DESCRIPTION_WINDOW = 8  # sentences searched back for the named holder of a role ("le ministre")


def _described(
    ctx: _Ctx, span: tuple[int, int], resolved: list[tuple[_Raw, tuple[int, int]]]
) -> tuple[int, int] | None:
    """The named person a definite role description refers to, when the article says it nearby:

    - the nearest earlier mention of the same role noun next to a person's name ("le ministre de
      l'Action publique Gérald Darmanin" … "le ministre a accusé" / "Tory co-chairman Liam Fox" … "The
      Tory co-chairman said");
    - for a former role or a role "of" someone else ("l'ancien ministre de François Hollande", "the
      former adviser to X"), the person who spoke just before — the name inside would mislead.
    """
    doc, roles = ctx.doc, _roles(ctx.cues.lang)
    tokens = doc[span[0] : span[1]]
    head = next((t for t in tokens if not span[0] <= t.head.i < span[1] or t.head is t), tokens[0])
    while head.i + 1 < span[1] and _glued(head, doc[head.i + 1]):  # "co-leader": the last piece
        head = doc[head.i + 1]
    if head.pos_ != "NOUN" or (
        _actors_norm(head.lemma_) not in roles and _actors_norm(head.text) not in roles
    ):
        return None
    if any(t.ent_type_ in ("PER", "PERSON") and t.i <= head.i for t in tokens):
        return None
    names = [t for t in tokens if t.ent_type_ in ("PER", "PERSON")]
    lemma, first_sent = head.lemma_.lower(), ctx.sent[span[0]] - DESCRIPTION_WINDOW
    former = _former(head)
    for t in reversed(doc[max(0, span[0] - 400) : span[0]]):
        if ctx.sent[t.i] < first_sent:
            break
        if t.lemma_.lower().rsplit("-", 1)[-1] != lemma or ctx.in_quote[t.i] or _former(t) != former:
            continue  # "l'ancien ministre" is not "la ministre de la Transition"
        if (
            head.morph.get("Gender")
            and t.morph.get("Gender")
            and head.morph.get("Gender") != t.morph.get("Gender")
        ):
            continue
        name = _name_near(t)
        if name is not None:
            return name
    epithet = (  # "le leader syndicaliste", "the veteran senator": no office "of" anything
        _norm(tokens[0].text) in DEFINITE
        and any(t.pos_ == "ADJ" or t.dep_ in ("amod", "compound") for t in tokens)
        and not any(t.lower_ in GENITIVE or t.pos_ == "ADP" for t in tokens)
    )
    if (names or former or epithet) and resolved:
        prev_raw, prev_span = resolved[-1]
        if names or former:
            near = ctx.sent[span[0]] - ctx.sent[ctx.token_at(prev_raw.start)] <= 2
        else:  # an epithet refers back to whoever spoke in the sentence before
            near = ctx.sent[span[0]] - ctx.sent[ctx.token_at(max(prev_raw.at, prev_raw.start))] <= 1
        if near and any(t.ent_type_ in ("PER", "PERSON") for t in doc[prev_span[0] : prev_span[1]]):
            return prev_span
    return None


DEFINITE = frozenset({"le", "la", "l'", "the"})
FORMER = frozenset({"ancien", "ancienne", "ex", "former", "ex-", "anciens"})


def _former(head: Token) -> bool:
    """Whether role noun ``head`` is qualified as former ("l'ancien ministre", "the ex-director")."""
    doc, i = head.doc, head.i - 1
    while (
        i >= 0 and (doc[i].pos_ in ("ADJ", "PROPN", "NOUN", "DET") or doc[i].text == "-") and head.i - i <= 4
    ):
        if _norm(doc[i].text) in FORMER:
            return True
        if doc[i].pos_ == "DET":
            break
        i -= 1
    return False


def _name_near(t: Token) -> tuple[int, int] | None:
    """A person's name that a role noun ``t`` introduces ("le ministre X", "X, the minister")."""
    doc = t.doc
    for u in doc[t.i + 1 : t.i + 10]:
        if u.ent_type_ in ("PER", "PERSON"):
            return _ent_bounds(u)
        if u.pos_ in ("VERB", "AUX", "PRON") or u.text in SENTENCE_END or u.text in MARKS:
            break
    j = t.i - 1
    while j >= 0 and (doc[j].pos_ in ("DET", "ADJ") or doc[j].text == ","):
        j -= 1
    if j >= 0 and doc[j].ent_type_ in ("PER", "PERSON") and j < t.i - 1:
        return _ent_bounds(doc[j])
    return None


@cache
def _roles(lang: str) -> frozenset[str]:
    from briefings.actors import load_gazetteer

    return frozenset(r for r in load_gazetteer(lang).roles if " " not in r)


def _actors_norm(word: str) -> str:
    from briefings.actors import norm

    return norm(word)


def _nested(
    ctx: _Ctx, raw: _Raw, span: tuple[int, int], resolved: list[tuple[_Raw, tuple[int, int]]]
) -> bool:
    """Whether ``raw`` only restates part of another claim: a source phrase whose content carries its own
    attributed verb ("Selon l'agence, X a déclaré que …"), a cue inside the content of a claim by the
    same speaker ("X accused Y of lying and attacking Z"), or a thing that "shows" inside what someone
    argues ("X argued that the documents show P": X argues, the documents say nothing)."""
    doc = ctx.doc
    thing = (
        raw.at >= 0
        and doc[ctx.token_at(raw.at)].lemma_.lower() in ctx.cues.evidence_verbs
        and not any(t.ent_type_ or t.pos_ in ("PROPN", "PRON") for t in doc[span[0] : span[1]])
    )
    for other, other_span in resolved:
        if other is raw or other.at < 0:
            continue
        if raw.source and not other.source and raw.start <= other.at < raw.end:
            return True
        inside = not raw.source and not raw.quote and other.start <= raw.at < other.end
        if inside and (other_span == span or (thing and not other.source and not other.quote)):
            return True
    return False


def _antecedents(ctx: _Ctx, raws: list[_Raw]) -> list[tuple[int, tuple[int, int], str, str]]:
    """Candidate antecedents in text order: (char offset, token span, number, is a person: yes/maybe/no)."""
    doc, cands = ctx.doc, {}
    speakers = {r.speaker for r in raws if r.speaker}
    spans = set(speakers)
    nominal = {doc.vocab.strings["PROPN"], doc.vocab.strings["NOUN"]}  # part-of-speech symbol ids
    for i, (pos, dep) in enumerate(zip(ctx.pos, ctx.deps, strict=True)):
        if pos not in nominal or ctx.in_quote[i] or dep not in SUBJECTS:
            continue
        t = doc[i]
        spans.add(_np(t))
        for c in t.children:  # "BA's profits … it expects": the possessor
            if c.dep_ in ("poss", "nmod:poss") and c.pos_ == "PROPN":
                spans.add(_np(c))
    for lo, hi in spans:
        head = next((t for t in doc[lo:hi] if not lo <= t.head.i < hi or t.head is t), doc[lo])
        if head.pos_ == "PRON":
            continue
        plural = "Plur" in head.morph.get("Number") or any(c.dep_ == "conj" for c in head.children)
        if any(t.ent_type_ in ("PER", "PERSON") for t in doc[lo:hi]) or (
            head.pos_ == "NOUN" and _actors_norm(head.lemma_) in _roles(ctx.cues.lang)
        ):
            person = "yes"
        elif head.pos_ == "NOUN" and (lo, hi) in speakers:
            person = "maybe"  # "the survey said" / "the union said": it or he/she
        else:
            person = "no"
        cands[lo] = (doc[lo].idx, (lo, hi), "plural" if plural else "singular", person)
    return sorted(cands.values())


def _resolve(ctx: _Ctx, word: str, at: int, ants: list, keys: list[int], raw: _Raw) -> tuple[int, int] | None:
    """The antecedent of pronoun ``word`` at char ``at``: the nearest earlier candidate of its number,
    a person for il/elle/he/she, never one inside the claim's own content."""
    cues = ctx.cues
    i = bisect_left(keys, at) - 1
    for off, span, number, person in (ants[j] for j in range(i, max(-1, i - 40), -1)):
        if raw.start <= off < raw.end:
            continue
        if word in cues.plural and number == "plural":
            return span
        if word in cues.singular and number == "singular" and person != "no":
            return span
        if word in cues.neuter and number == "singular" and person != "yes":
            return span
    return None

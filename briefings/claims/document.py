"""The per-document index every pass reads (`Ctx`), and the record a pass yields (`Raw`)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from briefings.actors import doc_text
from briefings.claims.lexicon import Cues
from briefings.claims.text import DATELINE, EDGE_PUNCT, quote_spans, sentence_ids, unquote
from briefings.memo import Memo

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


@dataclass(frozen=True, slots=True)
class Raw:
    """An attribution before pronoun resolution: token spans [start, end) into the doc."""

    speaker: tuple[int, int] | None  # None: a floating quote, to inherit the last speaker
    cue: str
    kind: str
    start: int  # content char offsets
    end: int
    at: int = -1  # char offset of the cue
    source: bool = False  # a "selon X" / "according to X" phrase rather than a verb
    quote: bool = False  # the content is a quotation
    bound: int = -1  # a source inside a relative clause: where a claim around it ends (the relative's start)


CUE_AUX_WINDOW = 4  # tokens before a cue verb where its auxiliaries are ("a toutefois estimé")


FORMS_MAX = 60_000  # strings whose text, normalised form or lemma are kept (per language, each); see `Memo`


@cache
def _memos(lang: str) -> tuple[Memo[int, str], Memo[int, str], Memo[int, str]]:
    """Where ``lang``'s word forms are kept across docs (its one grammar: `load_grammar` is cached)."""
    return Memo(FORMS_MAX), Memo(FORMS_MAX), Memo(FORMS_MAX)


def _forms(
    doc: Doc, cues: Cues, orth: list[int], lower: list[int], lemma: list[int], dep: list[int]
) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """Dicts from string ids (hashes, the same in every doc) to the text, the `Grammar.norm` form and the
    lower-case lemma, kept for the cues' language across docs: each word is looked up once, not per token."""
    g = cues.grammar
    texts, lowers, lemmas = (memo.current() for memo in _memos(cues.lang))
    strings = doc.vocab.strings
    for h in {*orth, *dep}.difference(texts):
        texts[h] = strings[h]
    for h in set(lower).difference(lowers):
        lowers[h] = g.norm(strings[h])
    for h in set(lemma).difference(lemmas):
        lemmas[h] = strings[h].lower()
    return texts, lowers, lemmas


class Ctx:
    """Per-doc precomputed indexes (one linear pass each)."""

    def __init__(self, doc: Doc, cues: Cues) -> None:
        self.doc, self.cues, self.g = doc, cues, cues.grammar
        self.text = doc_text(doc)  # Doc.text is rebuilt on every access: read it once
        self.quotes = quote_spans(self.text)
        self.in_quote = bytearray(len(doc))
        # token attributes read as arrays: iterating a Doc builds a Python object per token
        # (one list per attribute; each string's forms are kept across docs, see `_forms`)
        starts, lower, lemma, pos, dep, orth, spaced = doc.to_array(
            ["IDX", "LOWER", "LEMMA", "POS", "DEP", "ORTH", "SPACY"]
        ).T.tolist()
        texts, lowers, lemmas = _forms(doc, cues, orth, lower, lemma, dep)
        self.sent = sentence_ids(list(map(texts.__getitem__, orth)), spaced)
        for qs, qe in self.quotes:
            for i in range(bisect_left(starts, qs), bisect_left(starts, qe + 1)):
                self.in_quote[i] = 1
        self.starts = starts
        self.lowers = list(map(lowers.__getitem__, lower))
        self.lemmas = list(map(lemmas.__getitem__, lemma))
        self.pos = pos  # spaCy symbol ids
        self.deps = [texts[h] if h else "" for h in dep]
        self.memo: dict[str, Any] = {}  # what a later step works out once for the whole doc
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
                and (t.head.i == tok.i or (t.head.i == tok.head.i and t.dep_ in self.g.subjects))
            ),
            None,
        )

    def token_at(self, char: int) -> int:
        return max(0, min(len(self.doc) - 1, bisect_left(self.starts, char + 1) - 1))

    def sentence_bounds(self, i: int) -> tuple[int, int]:
        s = self.sent[i]  # sentence numbers never decrease (`sentence_ids`): a sentence is found by bisection
        return bisect_left(self.sent, s, 0, i), bisect_right(self.sent, s, i)

    def trim(self, lo: int, hi: int) -> tuple[int, int] | None:
        """Char span of tokens [lo, hi) without edge punctuation, a leading que/that and quote marks only
        when they enclose everything; None when fewer than two words remain."""
        doc = self.doc
        while lo < hi and (
            doc[lo].text in EDGE_PUNCT
            or doc[lo].is_space
            or doc[lo].lower_ in self.g.content_marks
            or self.dateline[lo]
        ):
            lo += 1
        while hi > lo and (doc[hi - 1].text in EDGE_PUNCT or doc[hi - 1].is_space):
            hi -= 1
        if hi - lo < 2:
            return None
        return unquote(self.text, doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1]))

    def cue_text(self, v: Token) -> str:
        """The cue as written: the verb with its auxiliaries before it ("a déclaré", "has denied")."""
        near = v.i - CUE_AUX_WINDOW  # an auxiliary hung on the verb from inside a quotation is not its own
        lo = min(
            [
                v.i,
                *(
                    c.i
                    for c in v.lefts
                    if c.dep_.startswith("aux") and c.i >= near and not self.in_quote[c.i]
                ),
            ]
        )
        return self.text[self.doc[lo].idx : v.idx + len(v)]

"""Small questions asked of the parse: noun-phrase spans, names, agents, verb forms.

Every label and function word comes from the language's `Grammar` (``g``); nothing here knows a language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefings.actors import ent_bounds
from briefings.claims.lexicon import Grammar

if TYPE_CHECKING:
    from spacy.tokens import Token

MAX_NP_TOKENS = 14  # longer phrases are cut back to the head and what precedes it
MAX_NAME_TOKENS = 6


def is_person(t: Token, g: Grammar) -> bool:
    return t.ent_type_ in g.persons


def temporal(t: Token, g: Grammar) -> bool:
    """A date or time: an entity of that kind, or a time word ("lundi", "yesterday")."""
    return t.ent_type_ in g.times or t.lower_ in g.temporal


NP_KEY = "newsbrief.np"  # per-doc memo in doc.user_data, dropped when extraction ends


def np(tok: Token, g: Grammar) -> tuple[int, int]:
    """Token span of the short noun phrase headed by ``tok`` (no relative clauses; determiners of names
    stripped); an apposed name replaces a role noun."""
    memo = tok.doc.user_data.setdefault(NP_KEY, {})  # asked of a subject by several passes
    key = (tok.i, id(g))
    found = memo.get(key)
    if found is None:
        found = memo[key] = _np(tok, g)
    return found


def _np(tok: Token, g: Grammar) -> tuple[int, int]:
    tok = apposed_name(tok, g) or tok
    if tok.pos_ == "PRON":
        return tok.i, tok.i + 1
    lo = hi = tok.i
    # what follows a comma or a circumstance describes, it does not name: "le député de Paris, regrettant
    # …", "le chef du parti sur France Inter et Franceinfo"
    stop = next((c.left_edge.i for c in tok.rights if c.text == "," or _circumstance(c, g)), len(tok.doc))
    for c in tok.children:
        if not _in_np(tok, c, g) or c.left_edge.i >= stop:
            continue
        sub = list(c.subtree)
        if any(s.dep_ in g.relative_clauses for s in sub):
            sub = [s for s in sub if s.i <= tok.i or s.i <= c.i]
        end = sub[-1].i if c.i < tok.i else _name_end(c, sub[-1].i, g)
        lo, hi = min(lo, sub[0].i), max(hi, end)
    return _np_edges(tok, lo, hi, g)


def _name_end(c: Token, last: int, g: Grammar) -> int:
    """The last token of right dependent ``c``'s subtree (ending at ``last``) that still names: before a
    comma, a time, or a circumstance hung deeper ("le chef de file du parti sur France Inter", "le député
    de Paris, regrettant …", "the head of the agency in an interview")."""
    doc = c.doc
    for t in doc[c.i + 1 : last + 1]:
        circumstance = (t.dep_ == "case" and t.head.dep_ == "nmod") or t.dep_ in g.prepositions
        if t.text == "," or temporal(t, g) or (circumstance and g.norm(t.text) not in g.genitive):
            return t.i - 1
    return last


def apposed_name(tok: Token, g: Grammar) -> Token | None:
    """The fullest name apposed to role noun ``tok`` ("La députée Verte Anne Morel" -> "Anne Morel"),
    a person's name first ("L'eurodéputé LREM Pascal Canfin")."""
    if tok.pos_ != "NOUN":
        return None
    names = [c for c in tok.children if c.dep_ == "appos" and c.pos_ == "PROPN" and c.i > tok.i]
    persons = [c for c in names if is_person(c, g)]
    if not (persons or names):
        return None
    return max(persons or names, key=lambda c: (sum(1 for _ in c.subtree), -c.i))


def _in_np(tok: Token, c: Token, g: Grammar) -> bool:
    """Whether dependent ``c`` of ``tok`` belongs to its short noun phrase."""
    if not (
        c.dep_ in (g.np_left if c.i < tok.i else g.np_right)
        or (c.dep_ in g.prepositions and c.lower_ in g.genitive)
    ):
        return False
    if c.dep_ == "conj" and c.lower_ in g.others:
        return False  # "l'ONU et d'autres", "the UN and others": the one named
    return not (c.i > tok.i and _circumstance(c, g))


def _circumstance(c: Token, g: Grammar) -> bool:
    """A dependent that says where or how, not who: "le ministre dans un entretien au Parisien"."""
    return c.dep_ == "nmod" and any(k.dep_ == "case" and g.norm(k.text) not in g.genitive for k in c.children)


def _np_edges(tok: Token, lo: int, hi: int, g: Grammar) -> tuple[int, int]:
    """Tokens [lo, hi] around head ``tok``: cut when too long, without edge punctuation, determiners of
    names or a trailing time ("Agnès Buzyn dimanche"), widened to the whole entity and hyphenated words."""
    doc = tok.doc
    if hi - lo > MAX_NP_TOKENS:
        lo, hi = min((c.i for c in tok.lefts), default=tok.i), tok.i
    while lo < tok.i and (
        doc[lo].is_punct or temporal(doc[lo], g) or (tok.pos_ == "PROPN" and doc[lo].pos_ in ("DET", "ADP"))
    ):
        lo += 1  # "on Tuesday Mr Ebbers": the name
    while hi > tok.i and (doc[hi].is_punct or temporal(doc[hi], g)):
        hi -= 1
    if tok.ent_type_ and tok.ent_iob_ != "O":  # the whole name, whatever the parser made of it
        e_lo, e_hi = ent_bounds(tok)
        if e_hi - e_lo <= MAX_NAME_TOKENS:
            lo, hi = min(lo, e_lo), max(hi, e_hi - 1)
    while lo > 0 and glued(doc[lo - 1], doc[lo]):  # "co-chairman", "porte-parole"
        lo -= 1
    while hi + 1 < len(doc) and glued(doc[hi], doc[hi + 1]):
        hi += 1
    return lo, hi + 1


def glued(a: Token, b: Token) -> bool:
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


def agent(v: Token, g: Grammar) -> Token | None:
    """The passive agent of ``v`` introduced by par / by ("soupçonné par l'ONU"; not "prévu de longue
    date"): the agent noun, whether the preposition hangs under it or above it."""
    for c in v.children:
        if c.dep_ not in g.agent:
            continue
        if any(k.dep_ == "case" and k.lower_ in g.agent_words for k in c.children):
            return c
        if c.lower_ in g.agent_words:
            return next((k for k in c.children if k.dep_ in g.prep_objects), None)
    return None


def passive(v: Token, g: Grammar) -> bool:
    """Whether ``v`` has a passive auxiliary ("is expected", "a été nommé")."""
    return any(c.dep_ in g.passive_aux for c in v.children)


def finite(t: Token, g: Grammar) -> bool:
    """A finite verb or auxiliary ("will", "has", "est")."""
    return t.pos_ in ("VERB", "AUX") and (t.tag_ in g.finite_tags or "Fin" in t.morph.get("VerbForm", []))


def gerund(v: Token, g: Grammar) -> bool:
    """A present participle without auxiliary ("Reconnaissant …, X" / "Reporting its results, X")."""
    present = "Part" in v.morph.get("VerbForm", []) and "Pres" in v.morph.get("Tense", [])
    return (present or v.tag_ in g.gerund_tags) and not any(c.dep_.startswith("aux") for c in v.children)


def past_participle(v: Token, g: Grammar) -> bool:
    return v.tag_ in g.past_participle_tags or (
        "Part" in v.morph.get("VerbForm", []) and "Past" in v.morph.get("Tense", [])
    )


def possessor(noun: Token, g: Grammar) -> Token | None:
    """The possessor of ``noun``: "Clinton's", "his", "sa", "leurs"."""
    for c in noun.children:
        if c.dep_ in g.possessives or (c.pos_ == "DET" and "Yes" in c.morph.get("Poss", [])):
            return c
    return None


def name_head(t: Token, g: Grammar) -> Token:
    """The head of the multi-word name ``t`` is part of."""
    while t.dep_ in g.name_parts and t.head is not t:
        t = t.head
    return t

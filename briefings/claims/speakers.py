"""Who speaks through a cue verb: its subject or passive agent, an inverted subject, or a name the parser
lost; the subject of a clause a subjectless verb depends on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefings.claims.document import Ctx
from briefings.claims.lexicon import Cues, Grammar
from briefings.claims.stance import stance
from briefings.claims.syntax import agent, gerund, name_head, np, passive, temporal

if TYPE_CHECKING:
    from spacy.tokens import Token

MAX_CLIMB = 3  # governing verbs climbed to find the subject of a participle or coordinated verb


def subject(v: Token, cues: Cues, depth: int = 0) -> Token | None:
    """Who speaks through verb ``v``: its passive agent, else its subject (the antecedent of a relative
    pronoun, the subject of the governing verb for conjoined verbs, infinitives and participles)."""
    g = cues.grammar
    found = agent(v, g)
    if found is not None:
        return found
    if passive(v, g):
        return None  # "X is expected to", "il a été nommé": the subject is not the source
    found = _own_subject(v, cues)
    if found is not None or depth >= MAX_CLIMB:
        return found
    if sequel(v, g):  # "X told Y that P, before noting that …" / "X a dit que P, avant de préciser
        h = v.head.head if v.dep_ in g.prep_clauses else v.head  # que …": the cue's subject, wherever
        while h.dep_ == "ccomp" and h.head is not h and stance(h.head, cues) is not None:  # the parser
            h = h.head  # hung it in P
        return subject(h, cues, depth + 1) if h.pos_ in ("VERB", "AUX") else None
    if v.dep_ in ("conj", "xcomp", "advcl") and v.head is not v:
        return subject(_participle_governor(v, cues), cues, depth + 1)
    if v.dep_ == "acl" and gerund(v, g) and v.head.dep_ in g.objects:
        return subject(v.head.head, cues, depth + 1)  # "issued a statement accusing X": who issued it
    return None


def inverted_pronoun(v: Token, cues: Cues) -> Token | None:
    """The subject pronoun written onto verb ``v`` or its auxiliary (« répond-il », « poursuivent-ils »,
    « a-t-on appris »), whatever pieces the tokenizer cut it into (a hyphen, a « -t- », punctuation glued
    after it in scraped text) and whatever the parser made of them."""
    doc = v.doc
    for host in (v, *(c for c in v.lefts if c.dep_.startswith("aux"))):
        j = host.i + 1
        while j < len(doc) and j <= host.i + 4 and not doc[j - 1].whitespace_:
            word = cues.pronoun_word(doc[j].text)
            if word in cues.inverted:
                return doc[j]
            if word not in ("", "t"):
                break
            j += 1
    return None


def speaker_span(tok: Token, cues: Cues) -> tuple[int, int]:
    """Token span of speaker ``tok``: a pronoun alone, else its short noun phrase."""
    if cues.pronoun_word(tok.text) in cues.pronouns | cues.inverted:
        return tok.i, tok.i + 1
    return np(tok, cues.grammar)


def _participle_governor(v: Token, cues: Cues) -> Token:
    """The verb whose subject a participle after a comma speaks for: "X told the court that P, saying
    Q" / '"P," X told the court, saying Q' / « X a dit que P, rappelant que Q » — X, even when the parser
    hung the participle on P's verb."""
    h = v.head
    if not (gerund(v, cues.grammar) and v.i > 0 and v.doc[v.i - 1].text == ","):
        return h
    while h.dep_ == "ccomp" and h.head is not h and h.head.i < v.i and stance(h.head, cues) is not None:
        h = h.head
    if stance(h, cues) is None and h.dep_ not in ("ROOT", "conj"):
        # « X a annoncé le retrait du traité qui permet P, accusant Y de … » hung in the object's relative
        # clause: the participle after the comma speaks for the cue above it, else the main clause
        while h.head is not h and stance(h, cues) is None:
            h = h.head
    # '"P," he told the court, saying Q' with the cue hung on P's verb: the cue
    inverted = [c for c in h.children if c.dep_ in ("parataxis", "ccomp") and c.i < v.i and stance(c, cues)]
    return inverted[-1] if inverted else h


def _own_subject(v: Token, cues: Cues) -> Token | None:
    """The subject among ``v``'s own dependents (past « a-t-il »'s -t-), or what a relative subject
    stands for."""
    g = cues.grammar
    inverted = inverted_pronoun(v, cues)
    if inverted is not None:
        return inverted
    kids = [k for c in v.children for k in ((c, *c.children) if g.norm(c.text) in cues.skip else (c,))]
    subs = [  # a day or a date the parser took for a subject (« Vendredi, le quotidien X s'est dit ») is none
        c
        for c in kids
        if (c.dep_ in g.subjects or c.text[:1] == "-")
        and g.norm(c.text) not in cues.skip
        and not c.is_punct
        and not temporal(c, g)
    ]
    if not subs:
        return None
    s = next((s for s in subs if s.pos_ == "PROPN"), subs[0])
    if s.lower_ in g.relatives and v.dep_ in g.relative_clauses and v.head.pos_ in ("NOUN", "PROPN"):
        return v.head
    if s.lower_ in g.relatives and s.i > 0 and s.doc[s.i - 1].text == ",":
        antecedent = _relative_antecedent(s, g)  # "…, which showed" hung on the main verb by the parser
        if antecedent is not None:
            return antecedent
    if s.lower_ not in g.relatives and s.pos_ != "SCONJ":
        return s
    return None


def sequel(v: Token, g: Grammar) -> bool:
    """Whether ``v`` is introduced by before / after / avant / après."""
    return (v.dep_ in g.prep_clauses and v.head.lower_ in g.sequence) or (
        v.dep_ == "advcl" and any(k.lower_ in g.sequence for k in v.children if k.dep_ == "mark")
    )


def _relative_antecedent(rel: Token, g: Grammar) -> Token | None:
    """The noun a relative pronoun after a comma stands for, past a time phrase ("figures earlier this
    month, which showed …"), when the parser attached its clause elsewhere."""
    doc, j = rel.doc, rel.i - 2
    while j >= 0 and (temporal(doc[j], g) or doc[j].pos_ in ("ADV", "DET")):
        j -= 1
    if j < 0 or doc[j].pos_ not in ("NOUN", "PROPN") or doc[j].ent_type_ in g.times:
        return None
    return name_head(doc[j], g)


def after_subject(v: Token, cues: Cues, stop: int) -> Token | None:
    """Inverted subject after the verb (« … », a déclaré X / ont rapporté les médias / said X)."""
    g = cues.grammar
    labels = g.subjects | g.objects | g.expletive_subjects
    for c in v.rights:
        if "Acc" in c.morph.get("Case", []):
            return None  # "told him about it": an object pronoun is whom it is told, never who tells
        if c.i < stop and c.dep_ in labels and g.norm(c.text) not in cues.skip:
            if not temporal(c, g):
                return c
            # « a estimé mardi 2 juin Paul Girard »: the name the parser hung on the date
            name = next(
                (
                    k
                    for k in c.children
                    if (k.dep_ == "appos" or k.dep_ in g.name_parts) and k.pos_ == "PROPN"
                ),
                None,
            )
            if name is not None:
                return name
    for t in v.doc[v.i + 1 : stop]:
        if g.norm(t.text) in cues.skip or t.pos_ in ("DET", "ADV", "AUX", "ADP") or t.ent_type_ in g.times:
            continue
        if (
            t.dep_ in g.adverbials
            or temporal(t, g)
            or (t.like_num and t.i + 1 < len(t.doc) and temporal(t.doc[t.i + 1], g))
        ):
            continue  # « a dit jeudi 14 mars X »
        if t.dep_ in g.obliques or any(c.dep_ == "case" for c in t.children) or t.head.pos_ == "ADP":
            continue  # a prepositional phrase between verb and subject: "a déclaré sur BFMTV X"
        if t.pos_ in ("PROPN", "NOUN", "PRON"):
            return t
        break
    return None


def initial_name(ctx: Ctx, v: Token) -> Token | None:
    """The name opening the sentence of ``v`` ("X, professeur à …, a déclaré que"), when the parser lost it
    as subject; only for an active verb in the sentence's main clause."""
    lo, _ = ctx.sentence_bounds(v.i)
    misparsed = (
        v.dep_ == "xcomp" and v.head.pos_ in ("PROPN", "NOUN") and v.head.i < v.i
    )  # verb under its subject
    if (v.dep_ != "ROOT" and not misparsed) or passive(v, ctx.g):
        return None
    if misparsed:
        return None if ctx.in_quote[v.head.i] else v.head
    for t in ctx.doc[lo : min(v.i, lo + 3)]:
        if t.pos_ == "PROPN" and t.ent_type_ and not ctx.in_quote[t.i]:
            return name_head(t, ctx.g)
    return None


def controller(v: Token, cues: Cues) -> Token | None:
    """The subject a subjectless passive participle after before / after / avant / après speaks of ("the
    deal collapsed after being rejected by X", "le projet a été abandonné après avoir été rejeté par X")."""
    g = cues.grammar
    if any(c.dep_ in g.subjects for c in v.children):
        return None
    if v.dep_ in g.prep_clauses and v.head.lower_ in g.sequence:
        h = v.head.head
    elif v.dep_ == "advcl" and any(k.lower_ in g.sequence for k in v.children if k.dep_ in ("mark", "case")):
        h = v.head
    else:
        return None
    return next((c for c in h.children if c.dep_ in g.subjects and c.pos_ in ("NOUN", "PROPN")), None)

"""Pass 5, hedged claims: what the article reports without naming its source — "X reportedly did Y",
"X is said to have done Y", « X aurait démissionné » (the journalistic conditional). The claim is the
clause with its subject and the hedge word in it; its speaker is the unnamed description the lexicon gives
for that hedge ("unnamed reports", « sources non nommées »), which the article does not write, so these
come out as `Attribution` records with an empty speaker span at the hedge.

A hedge inside another claim (« Selon X, Y aurait … », "X said Y allegedly sent …") is part of that claim,
not one of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from briefings.claims.document import Ctx
from briefings.claims.documents import opening_document
from briefings.claims.resolve import Attribution
from briefings.claims.syntax import agent, passive

if TYPE_CHECKING:
    from spacy.tokens import Token


def hedge_claims(ctx: Ctx, others: Iterable[Attribution]) -> Iterator[Attribution]:
    """Hedged claims of ``ctx.doc`` not inside (or the same as) one of the ``others``."""
    cues = ctx.cues
    if not (cues.hedge_adverbs or cues.hedge_passives or cues.hedge_conditional):
        return
    taken = [(o.start, o.end) for o in others]
    adverbs, passives, conditional = cues.hedge_adverbs, cues.hedge_passives, cues.hedge_conditional
    for i, (lower, lemma, dep) in enumerate(zip(ctx.lowers, ctx.lemmas, ctx.deps, strict=True)):
        if ctx.in_quote[i] or not (
            lower in adverbs or lemma in passives or (conditional and dep == "ROOT")
        ):  # (what `_hedge` looks at first: no token object for the other words)
            continue
        found = _hedge(ctx, ctx.doc[i])
        if found is None:
            continue
        (lo, hi), cue, speaker, kind = found
        at = ctx.doc[i].idx
        if any(s <= at < e or (s <= lo and hi <= e) for s, e in taken):
            continue
        author = opening_document(ctx, i)  # "In a study by X, Y is said to …": X's words
        if author is not None:
            s_at, e_at = ctx.doc[author[0]].idx, ctx.doc[author[1] - 1].idx + len(ctx.doc[author[1] - 1])
            yield Attribution(ctx.text[s_at:e_at], s_at, e_at, cue, kind, lo, hi, ctx.text[lo:hi])
            continue
        yield Attribution(speaker, at, at, cue, kind, lo, hi, ctx.text[lo:hi])


def _hedge(ctx: Ctx, t: Token) -> tuple[tuple[int, int], str, str, str] | None:
    """(content span, cue, speaker description, kind) of hedge token ``t``, or None."""
    cues = ctx.cues
    lower, lemma = ctx.lowers[t.i], ctx.lemmas[t.i]
    if lower in cues.hedge_adverbs and t.dep_ == "advmod" and _subject(ctx, t.head) is not None:
        span = _clause(ctx, t.head, t.i)
        return None if span is None else (span, t.text, cues.hedge_adverbs[lower], "statement")
    if lemma in cues.hedge_passives and passive(t, ctx.g) and agent(t, ctx.g) is None:
        inf = next((c for c in t.rights if c.dep_ == "xcomp"), None)
        subj = next((c for c in t.lefts if c.dep_ in ctx.g.subjects), None)
        if inf is None or subj is None or (subj.pos_ == "PRON" and subj.lower_ == "it"):
            return None
        span = _span(ctx, t, subj.left_edge.i, inf.right_edge.i + 1)
        options = cues.verbs.get(lemma, ())
        kind = options[-1][1] if options else "statement"
        cue = ctx.text[ctx.doc[subj.right_edge.i + 1].idx : t.idx + len(t)]
        return None if span is None else (span, cue.strip(" ,"), cues.hedge_passives[lemma], kind)
    if cues.hedge_conditional and t.dep_ == "ROOT" and _conditional(ctx, t):
        aux = next(c for c in t.lefts if "Cnd" in (c.morph.get("Mood", None) or []))
        span = _clause(ctx, t, aux.i)
        return None if span is None else (span, f"{aux.text} {t.text}", cues.hedge_conditional, "statement")
    return None


def _conditional(ctx: Ctx, v: Token) -> bool:
    """« X aurait démissionné » / « elle serait partie »: a compound past in the conditional, in a main
    clause with a subject that names someone, and nothing making it a hypothesis (« si », « sans »,
    « à moins »), a modal (« aurait pu ») or an impersonal verb (« il aurait fallu »)."""
    cues, g = ctx.cues, ctx.g
    if (
        v.pos_ != "VERB"
        or ctx.lemmas[v.i] in cues.modals
        or "Part" not in (v.morph.get("VerbForm", None) or [])
    ):
        return False
    if not any(c.dep_.startswith("aux") and "Cnd" in (c.morph.get("Mood", None) or []) for c in v.lefts):
        return False
    subj = next((c for c in v.lefts if c.dep_ in g.subjects), None)
    if subj is None or (subj.pos_ == "PRON" and subj.lower_ not in cues.singular | cues.plural):
        return False
    lo, hi = ctx.sentence_bounds(v.i)
    return not any(
        ctx.doc[j].lower_ in cues.hedge_hypothesis or ctx.lemmas[j] in cues.modals or ctx.in_quote[j]
        for j in range(lo, hi)
    )


def _subject(ctx: Ctx, v: Token) -> Token | None:
    """The subject of verb ``v`` written before it ("the driver allegedly ran"; not "the leak purportedly
    coming from": a participle describing a noun reports nothing)."""
    if v.pos_ not in ("VERB", "AUX"):
        return None
    return next((c for c in v.lefts if c.dep_ in ctx.g.subjects), None)


def _clause(ctx: Ctx, v: Token, hedge: int) -> tuple[int, int] | None:
    """Char span of the clause of ``v`` from its subject (or the hedge word) to its last dependent before a
    coordinated clause with a subject of its own ("…, and the party agreed")."""
    g = ctx.g
    subj = _subject(ctx, v)
    lo = min(hedge, subj.left_edge.i if subj is not None else hedge)
    hi = v.i + 1
    for c in v.rights:
        if c.dep_ == "conj" and any(k.dep_ in g.subjects for k in c.children):
            break
        if c.dep_ not in ("cc", "punct"):
            hi = c.right_edge.i + 1
    return _span(ctx, v, lo, hi)


def _span(ctx: Ctx, v: Token, lo: int, hi: int) -> tuple[int, int] | None:
    s_lo, s_hi = ctx.sentence_bounds(v.i)
    return ctx.trim(max(lo, s_lo), min(hi, s_hi))

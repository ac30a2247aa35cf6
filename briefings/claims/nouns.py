"""Pass 4, claims introduced by a noun: "reports that P" (or "reports P" with "that" left out),
"Clinton's allegations that P", "his warnings that P", "la promesse que P", and "X's allegations of P"
for accusations and denials."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from briefings.claims.document import Ctx, Raw
from briefings.claims.lexicon import Grammar
from briefings.claims.speakers import subject
from briefings.claims.stance import stance
from briefings.claims.syntax import np, possessor

if TYPE_CHECKING:
    from spacy.tokens import Token


def noun_claims(ctx: Ctx) -> Iterator[Raw]:
    doc, cues, g = ctx.doc, ctx.cues, ctx.g
    governed = g.objects | g.prep_objects
    for i in range(len(doc) - 2):
        found = cues.nouns.get(ctx.lemmas[i]) or cues.nouns.get(ctx.lowers[i])
        if found is None or (ctx.lowers[i + 1] not in g.noun_links and ctx.deps[i] not in governed):
            continue
        n = doc[i]
        if ctx.in_quote[i] or n.pos_ not in ("NOUN", "VERB"):
            continue
        nxt = doc[i + 1]
        clause = _complement_clause(n, g)
        bounds = _reported(n, nxt, clause, found, ctx)
        if bounds is None:
            continue
        speaker = noun_speaker(ctx, n)
        s_lo, s_hi = ctx.sentence_bounds(n.i)
        span = ctx.trim(max(bounds[0], s_lo), min(bounds[1], s_hi))
        if speaker is None or span is None or ctx.in_quote[speaker.i]:
            continue
        yield Raw(
            np(speaker, g) if speaker is not n else np(n, g),
            ctx.text[n.idx : nxt.idx + len(nxt)] if clause is None else n.text,
            found,
            *span,
            n.idx,
        )


def _reported(n: Token, nxt: Token, clause: Token | None, found: str, ctx: Ctx) -> tuple[int, int] | None:
    """Token span of what noun ``n`` reports: a « que » / "that" clause, a clause with "that" left out, or
    for an accusation or denial with a possessor, what follows "of"."""
    g = ctx.g
    if nxt.lower_ in g.content_marks and nxt.dep_ == "mark" and nxt.head.i > nxt.i:
        return nxt.i + 1, nxt.head.right_edge.i + 1
    if clause is not None:
        return nxt.i, clause.right_edge.i + 1
    if n.i in (nxt.head.i, nxt.head.head.i) and nxt.lower_ in ctx.cues.content_preps.get(
        n.lemma_.lower(), ()
    ):
        return nxt.i + 1, n.right_edge.i + 1  # "calls for an inquiry", "for X to be done": what is asked
    of = nxt.lower_ in g.noun_links and nxt.lower_ not in g.content_marks  # "X's allegations of P"
    if of and found in ("accusation", "denial") and possessor(n, g) is not None:
        return nxt.i + 1, nxt.right_edge.i + 1
    return None


def _complement_clause(noun: Token, g: Grammar) -> Token | None:
    """A clause right after ``noun`` that says what it reports, with "that" left out ("reports the party
    repaid £500,000 to X"): its subject comes first and it has an object of its own, which a relative
    clause ("reports the party published") lacks."""
    for c in noun.rights:
        if (c.dep_ != "acl" and c.dep_ not in g.relative_clauses) or c.left_edge.i != noun.i + 1:
            continue
        has_subject = any(k.dep_ in g.subjects and k.left_edge.i == noun.i + 1 for k in c.lefts)
        if has_subject and any(k.dep_ in g.objects for k in c.children):
            return c
    return None


def noun_speaker(ctx: Ctx, noun: Token) -> Token | None:
    """Who makes the accusation, report or promise ``noun``: a named possessor ("Clinton's allegations");
    a source noun itself ("newspaper reports that", "des informations selon lesquelles"); else the subject
    of the verb that makes it ("X a lancé des accusations", "the candidate continued his warnings") —
    never of a verb that rejects it ("X denied claims that": X does not claim); else a possessive pronoun
    ("his warnings that"), resolved like a subject pronoun. A possessor that is the subject's own ("X
    repeated his party's calls for") leaves the call to that subject."""
    cues, g = ctx.cues, ctx.g
    poss = possessor(noun, g)
    own = poss is not None and any(c.dep_ in g.possessives and c.pos_ == "PRON" for c in poss.children)
    if poss is not None and poss.pos_ in ("PROPN", "NOUN") and not own:
        return poss
    if poss is None and (noun.lemma_.lower() in cues.source_nouns or noun.lower_ in cues.source_nouns):
        return noun
    governor = noun.head
    if poss is None and noun.dep_ in g.attributes and any(c.dep_ in g.existential for c in governor.children):
        return noun  # "there are predictions that P": unnamed predictions
    if noun.dep_ in g.objects and governor.pos_ in ("VERB", "AUX") and stance(governor, cues) != "denial":
        if governor.lemma_.lower() in cues.light_verbs or poss is not None:
            return subject(governor, cues) or poss
    return poss

"""Pass 2, reported speech: a reporting verb of the lexicon, not negated, with a subject (or passive agent)
and a complement clause, infinitive or object (X a déclaré que …, X denied the claims, …, officials said)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from briefings.claims.content import content
from briefings.claims.document import Ctx, Raw
from briefings.claims.speakers import (
    MAX_CLIMB,
    after_subject,
    initial_name,
    inverted_pronoun,
    speaker_span,
    subject,
)
from briefings.claims.stance import stance
from briefings.claims.syntax import gerund
from briefings.claims.text import MIN_QUOTE_WORDS

if TYPE_CHECKING:
    from spacy.tokens import Token


def verb_claims(ctx: Ctx, used: set[int]) -> Iterator[Raw]:
    """Claims of the cue verbs outside quotations that the quote pass did not take (``used``)."""
    doc, cues, g = ctx.doc, ctx.cues, ctx.g
    for i, (lemma, lower) in enumerate(zip(ctx.lemmas, ctx.lowers, strict=True)):
        if (lemma not in cues.verbs and lower not in cues.verbs) or i in used or ctx.in_quote[i]:
            continue
        v = doc[i]
        found = stance(v, cues)
        if found is None or (gerund(v, g) and v.dep_ == "conj" and not gerund(v.head, g)):
            continue  # "accused X of telling lies and then attacking them": part of the accusation
        span, inverted = content(ctx, v)
        span = span or _prep_content(ctx, v)
        if span is None:
            continue
        speaker = _speaker(ctx, v, inverted)
        if inverted and speaker is not None and span[0] <= speaker.idx < min(span[1], v.idx):
            # « La réforme, estime le quotidien, coûtera cher »: the subject the parser found is inside what
            # is said; the speaker is the one after the verb
            speaker = after_subject(v, cues, ctx.sentence_bounds(v.i)[1]) or speaker
        if (speaker is None or ctx.in_quote[speaker.i]) and gerund(v, g) and doc[v.i - 1].text == ",":
            # « … », a-t-il ironisé, affirmant que …: the participle speaks for the cue before it
            yield Raw(None, ctx.cue_text(v), found, *span, v.idx)
            continue
        if speaker is None or ctx.in_quote[speaker.i]:
            continue
        sp = speaker_span(speaker, cues)
        if sp[0] <= ctx.token_at(span[0]) < sp[1]:
            continue
        quoted = any(  # said the bridge would "cut commuting times in half": a (partial) direct quote
            span[0] <= qs and qe <= span[1] and len(ctx.text[qs:qe].split()) >= MIN_QUOTE_WORDS
            for qs, qe in ctx.quotes
        )
        kind = "quote" if quoted and found == "statement" else found
        yield Raw(sp, ctx.cue_text(v), kind, *span, v.idx)


def impersonal_claims(ctx: Ctx) -> Iterator[Raw]:
    """« P, a-t-on appris de source policière » / « P, peut-on lire dans le communiqué »: a verb of learning
    or reading (the lexicon's ``impersonal``) with « on » written onto it, after the clause it reports —
    the source named after it says P."""
    doc, cues = ctx.doc, ctx.cues
    for i, lemma in enumerate(ctx.lemmas):
        if lemma not in cues.impersonal or ctx.in_quote[i]:
            continue
        v = doc[i]
        host = v.head if v.dep_ == "xcomp" and v.head.i < v.i else v  # « peut-on lire »
        pron = inverted_pronoun(host, cues)
        if pron is None or cues.pronoun_word(pron.text) != "on":
            continue
        s_lo, s_hi = ctx.sentence_bounds(i)
        first = min([host.i, *(c.i for c in host.lefts if c.dep_.startswith("aux"))])
        if first <= s_lo or doc[first - 1].text != ",":
            continue
        source = _named_source(ctx, v.i + 1, s_hi)
        span = ctx.trim(s_lo, first - 1)
        if source is not None and span is not None:
            cue = ctx.text[doc[first].idx : v.idx + len(v)]
            yield Raw(speaker_span(source, cues), cue, "statement", *span, v.idx)


def _prep_content(ctx: Ctx, v: Token) -> tuple[int, int] | None:
    """What a cue asks for or warns against through its preposition ("called for an inquiry into the deal",
    "warned against cuts"): the object of a preposition the lexicon pairs with the verb (``content_preps``)."""
    preps = ctx.cues.content_preps.get(ctx.lemmas[v.i], ())
    for c in v.rights:
        if ctx.lowers[c.i] in preps and c.dep_ in ctx.g.prepositions:
            obj = next((k for k in c.children if k.dep_ in ctx.g.prep_objects | ctx.g.prep_clauses), None)
            if obj is not None:
                s_lo, s_hi = ctx.sentence_bounds(v.i)
                return ctx.trim(max(obj.left_edge.i, s_lo), min(obj.right_edge.i + 1, s_hi))
    return None


def _named_source(ctx: Ctx, lo: int, hi: int) -> Token | None:
    """The first noun after a source preposition (« de source policière », « auprès du parquet », « dans le
    communiqué ») in tokens [lo, hi), past a date or a time (« mercredi 29 novembre »)."""
    marked = False
    for t in ctx.doc[lo:hi]:
        if ctx.in_quote[t.i]:
            return None
        if ctx.lowers[t.i] in ctx.cues.impersonal_sources:
            marked = True
        elif marked and t.pos_ in ("NOUN", "PROPN"):
            return t
    return None


def _speaker(ctx: Ctx, v: Token, inverted: bool) -> Token | None:
    """The speaker of cue ``v``; an inverted cue (« … », a dit X) has its own subject after it or none."""
    cues, g = ctx.cues, ctx.g
    speaker = subject(v, cues, MAX_CLIMB if inverted else 0)
    if inverted and (speaker is None or speaker.i < v.i) and any(c.dep_ in g.subjects for c in v.rights):
        speaker = next(c for c in v.rights if c.dep_ in g.subjects)  # X, whatever precedes
    if speaker is None and inverted:
        speaker = after_subject(v, cues, ctx.sentence_bounds(v.i)[1])
    if speaker is None and not inverted:
        speaker = initial_name(ctx, v)
    return ctx.past_dateline(speaker)

"""Pass 3, source phrases: selon X / d'après X / according to X (the content is the longer side of the
sentence), and "des accusations selon lesquelles P" (whoever makes the accusations claims P)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from briefings.actors import ent_bounds
from briefings.claims.document import Ctx, Raw
from briefings.claims.lexicon import Cues
from briefings.claims.nouns import noun_speaker
from briefings.claims.speakers import speaker_span
from briefings.claims.stance import stance
from briefings.claims.syntax import is_person, np, possessor

if TYPE_CHECKING:
    from spacy.tokens import Token


def source_claims(ctx: Ctx) -> Iterator[Raw]:
    doc, cues, g = ctx.doc, ctx.cues, ctx.g
    lowers = ctx.lowers
    for seq in cues.sources:
        n = len(seq)
        for i in range(len(doc) - n + 1):
            if lowers[i] != seq[0] or tuple(lowers[i : i + n]) != seq or ctx.in_quote[i]:
                continue
            last = doc[i + n - 1]
            noun = _source_noun(last, g.prep_objects | g.objects)
            if (
                noun is None
                or ctx.lemmas[noun.i] in cues.standard_nouns
                or ctx.lowers[noun.i] in cues.standard_nouns
            ):
                continue  # « selon la classification de l'UE »: how, not who says
            cue = ctx.text[doc[i].idx : last.idx + len(last)]
            if noun.lower_ in g.relatives:
                yield from _selon_qui(ctx, i, noun, cue) or _selon_lesquelles(ctx, noun, cue)
                continue
            sp = speaker_span(author(noun, ctx) or noun, cues)
            comma = next((k for k in range(i + n, sp[1]) if doc[k].text == ","), None)
            if comma is not None and comma > sp[0]:
                sp = (
                    sp[0],
                    comma,
                )  # « selon le journal, toutes les négociations »: the source ends at a comma
            lo, hi = ctx.sentence_bounds(i)
            head_part = ctx.trim(lo, i) if i - lo > 1 else None
            after = (
                sp[1] if comma is not None else max(sp[1], noun.right_edge.i + 1)
            )  # never its own relative
            tail_part = ctx.trim(after, hi) if after < hi else None
            parts = [p for p in (head_part, tail_part) if p]
            if not parts:
                continue
            span = max(parts, key=lambda p: p[1] - p[0])
            before = i - 1
            while before > lo and doc[before].pos_ == "ADV":  # « , toujours selon le Suisse, »
                before -= 1
            if head_part and tail_part and doc[before].text == "," and doc[after].text == ",":
                # « Le plan aurait échoué, selon X, à cause de … »: set off by commas inside the sentence, the
                # source speaks for all of it
                span = (head_part[0], tail_part[1])
            relative = _relative_before(ctx, i, lo) if tail_part else None
            if relative is not None and tail_part:
                # « une association qui est, selon lui, "une officine" »: the source speaks for what the
                # relative clause says, and a claim around it ends before the relative
                yield Raw(sp, cue, "statement", *tail_part, doc[i].idx, True, bound=doc[relative].idx)
                continue
            yield Raw(sp, cue, "statement", *span, doc[i].idx, True)


def _relative_before(ctx: Ctx, i: int, lo: int) -> int | None:
    """The relative pronoun whose clause's verb the source phrase at token ``i`` follows (« qui est, selon
    lui, », « qui mène selon lui », "which, according to them, is") inside what a cue verb before it
    reports (« X a accusé Y de soutenir Z, qui est, selon lui, P »), else None. In the journalist's own
    sentence (« Le plan aurait échoué à cause de Z, qui aurait entraîné, selon X, P ») the source speaks
    for all of it."""
    doc, g = ctx.doc, ctx.g
    j = i - 1
    while j > lo and i - j <= 4 and (doc[j].is_punct or doc[j].pos_ in ("ADV", "AUX", "VERB")):
        j -= 1
    if doc[j].lower_ not in g.relatives or doc[j].pos_ != "PRON":
        return None
    reported = any(
        stance(doc[k], ctx.cues) is not None
        for k in range(lo, j)
        if (ctx.lemmas[k] in ctx.cues.verbs or ctx.lowers[k] in ctx.cues.verbs) and not ctx.in_quote[k]
    )
    return j if reported else None


def opening_source_claims(ctx: Ctx) -> Iterator[Raw]:
    """« Pour X, P »: a sentence opening with a source preposition, a name (or a pronoun standing for
    one) and a comma, says what X thinks — P, the rest of the sentence."""
    doc, cues = ctx.doc, ctx.cues
    if not cues.opening_sources:
        return
    for i, lower in enumerate(ctx.lowers):
        if lower not in cues.opening_sources or (i and ctx.sent[i - 1] == ctx.sent[i]) or ctx.in_quote[i]:
            continue
        noun = doc[i].head if doc[i].dep_ == "case" and doc[i].head.i > i else None
        if noun is None or not _named_source(noun, cues):
            continue
        sp = speaker_span(noun, cues)
        comma = sp[1]
        while comma < len(doc) and comma <= sp[1] + 2 and doc[comma].pos_ == "ADV":
            comma += 1  # « Pour X cependant, … »
        if comma >= len(doc) or doc[comma].text != ",":
            continue
        span = ctx.trim(comma + 1, ctx.sentence_bounds(i)[1])
        if span is not None:
            yield Raw(sp, doc[i].text, "statement", *span, doc[i].idx, True)


def _named_source(noun: Token, cues: Cues) -> bool:
    g = cues.grammar
    if noun.pos_ == "PRON":
        return cues.pronoun_word(noun.text) in cues.pronouns
    return bool(noun.ent_type_) and noun.ent_type_ not in g.times and noun.text[:1].isupper()


def author(noun: Token, ctx: Ctx) -> Token | None:
    """Who made the words or figures ``noun`` names, when the article says it: "selon sa version" /
    "according to his account" (the possessor), « selon les calculs du cabinet » / "according to figures
    from the ministry" (the noun after de / of / from / by)."""
    cues, g = ctx.cues, ctx.g
    if noun.lemma_.lower() not in cues.said_nouns and noun.lower_ not in cues.said_nouns:
        return None
    owner = possessor(noun, g)
    if owner is not None:
        return owner
    for c in noun.rights:
        if c.dep_ == "nmod" and any(k.dep_ == "case" and k.lower_ in cues.author_marks for k in c.children):
            return c  # « les calculs du cabinet »: the case word hangs under the noun
        if c.dep_ in g.prepositions and c.lower_ in cues.author_marks:
            return next((k for k in c.children if k.dep_ in g.prep_objects), None)
    return None


def _source_noun(last: Token, objects: frozenset[str]) -> Token | None:
    """The source named after the phrase ending with ``last`` ("selon" / "according to")."""
    doc = last.doc
    marker = last.head if last.dep_ == "fixed" and last.head.i < last.i else last  # « d'après »: d' leads
    noun = marker.head if marker.dep_ in ("case", "fixed") and marker.head.i > last.i else None
    noun = noun or next((c for c in last.children if c.dep_ in objects), None)
    if noun is None and last.i + 1 < len(doc):
        noun = doc[last.i + 1]
        if noun.pos_ == "DET" and noun.head.i > noun.i:  # a determiner stands for its noun (« son avocat »)
            noun = noun.head
    return noun


def _selon_qui(ctx: Ctx, i: int, rel: Token, cue: str) -> list[Raw]:
    """« …, a dit Paul Roy, selon qui P »: the person named right before the comma says P (the rest of the
    sentence)."""
    doc, g = ctx.doc, ctx.g
    if i < 2 or doc[i - 1].text != "," or not is_person(doc[i - 2], g) or rel.i + 1 >= len(doc):
        return []
    start = rel.i + 1 + (doc[rel.i + 1].text == ",")
    span = ctx.trim(start, ctx.sentence_bounds(i)[1])
    if span is None:
        return []
    lo, hi = span
    while lo < hi and ctx.text[lo].isspace():
        lo += 1
    while hi > lo and ctx.text[hi - 1].isspace():
        hi -= 1
    return [Raw(ent_bounds(doc[i - 2]), f"{cue} {rel.text}", "statement", lo, hi, doc[i].idx, True)]


def _selon_lesquelles(ctx: Ctx, rel: Token, cue: str) -> Iterator[Raw]:
    """… des accusations selon lesquelles P: who made the accusations claims P (see `noun_speaker`)."""
    clause = rel.head
    noun = clause.head if clause.dep_ in ("acl", *ctx.g.relative_clauses) else None
    if noun is None:
        return
    speaker = author(noun, ctx) or noun_speaker(
        ctx, noun
    )  # « les révélations de Mediapart selon lesquelles »
    if speaker is None:
        return
    span = ctx.trim(rel.i + 1, clause.right_edge.i + 1)
    if span is None:
        return
    found = ctx.cues.nouns.get(noun.lemma_.lower(), "statement")
    yield Raw(np(speaker, ctx.g), f"{cue} {rel.text}", found, *span, rel.idx)

"""Pronoun speakers (il/elle/ils, he/she/they, it, and possessives) resolved to an earlier mention."""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

from briefings.claims.document import Ctx, Raw
from briefings.claims.roles import is_role
from briefings.claims.syntax import ent_bounds, is_person, np

if TYPE_CHECKING:
    from spacy.tokens import Token

Antecedent = tuple[int, tuple[int, int], str, str]  # char offset, token span, number, person yes/maybe/no
LOOKBACK = 40  # candidate antecedents tried, nearest first


def adverbial_antecedent(ctx: Ctx, pron: Token) -> tuple[int, int] | None:
    """He/il in an adverbial clause ("… repaid Lord Ashcroft after he predicted a defeat") refers to the
    nearest person named before it in the same sentence, whatever that person's role in the clause."""
    g = ctx.g
    verb = pron.head
    if (
        pron.dep_ not in g.subjects
        or (verb.dep_ not in ("advcl", "acl") and verb.dep_ not in g.relative_clauses)
        or not any(c.dep_ == "mark" for c in verb.children)
    ):
        return None
    lo, _ = ctx.sentence_bounds(pron.i)
    for t in reversed(ctx.doc[lo : pron.i]):
        if is_person(t, g) and not ctx.in_quote[t.i]:
            return ent_bounds(t)
    return None


def antecedents(ctx: Ctx, raws: list[Raw]) -> list[Antecedent]:
    """Candidate antecedents in text order: the subjects outside quotations (and their named possessors,
    "BA's profits … it expects") and the speakers of ``raws``."""
    doc, g = ctx.doc, ctx.g
    speakers = {r.speaker for r in raws if r.speaker}
    spans = set(speakers)
    nominal = {doc.vocab.strings["PROPN"], doc.vocab.strings["NOUN"]}  # part-of-speech symbol ids
    for i, (pos, dep) in enumerate(zip(ctx.pos, ctx.deps, strict=True)):
        if pos not in nominal or ctx.in_quote[i] or dep not in g.subjects:
            continue
        t = doc[i]
        spans.add(np(t, g))
        for c in t.children:
            if c.dep_ in g.possessives and c.pos_ == "PROPN":
                spans.add(np(c, g))
    cands = {}
    for lo, hi in spans:
        head = next((t for t in doc[lo:hi] if not lo <= t.head.i < hi or t.head is t), doc[lo])
        if head.pos_ == "PRON":
            continue
        plural = "Plur" in head.morph.get("Number") or any(c.dep_ == "conj" for c in head.children)
        if any(is_person(t, g) for t in doc[lo:hi]) or (
            head.pos_ == "NOUN" and is_role(head.lemma_, ctx.cues.lang)
        ):
            person = "yes"
        elif head.pos_ == "NOUN" and (lo, hi) in speakers:
            person = "maybe"  # "the survey said" / "the union said": it or he/she
        else:
            person = "no"
        cands[lo] = (doc[lo].idx, (lo, hi), "plural" if plural else "singular", person)
    return sorted(cands.values())


def resolve_pronoun(
    ctx: Ctx, word: str, at: int, ants: list[Antecedent], keys: list[int], raw: Raw
) -> tuple[int, int] | None:
    """The antecedent of pronoun ``word`` at char ``at``: the nearest earlier candidate of its number,
    a person for il/elle/he/she, never one inside the claim's own content."""
    cues = ctx.cues
    i = bisect_left(keys, at) - 1
    for off, span, number, person in (ants[j] for j in range(i, max(-1, i - LOOKBACK), -1)):
        if raw.start <= off < raw.end:
            continue
        if word in cues.plural and number == "plural":
            return span
        if word in cues.singular and number == "singular" and person != "no":
            return span
        if word in cues.neuter and number == "singular" and person != "yes":
            return span
    return None

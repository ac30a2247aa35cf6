"""Attributed claims ("who said what") in French and English news, as pure functions over a spaCy `Doc`.

Contract: ``extract_attributions(doc, cues=load_cues(lang))`` yields `Attribution` records in text order.
Every record's ``text == doc.text[start:end]`` and its speaker mention is ``doc.text[speaker_start:
speaker_end]`` (the antecedent when the speaker was a pronoun; an empty span at the hedge word when the
speaker is a description the article does not write). Four passes, all linear in the doc, then one
resolution, then hedges:

1. `quotes` — direct quotes, found on the character offsets of quote marks (« » “ ” ‹ › " ") and
   attributed to a reporting verb after them (« … », a déclaré X) or before them (X said: "…"); a quote
   with no cue inherits the last speaker of the previous two sentences;
2. `verbs` — reported speech: a reporting verb of the lexicon, not negated, with a subject (or passive
   agent) and a complement clause, infinitive or object (X a déclaré que …, X denied the claims, …,
   officials said); `content` finds what a cue reports, `speakers` who says it, `stance` how;
3. `sources` — source phrases: selon X / d'après X / according to X, and "accusations selon lesquelles …";
   `nouns` — claims introduced by a noun ("reports that P", "his warnings that P");
4. `resolve` — pronoun speakers (`pronouns`) resolved to the nearest preceding subject or speaker of
   compatible number (never one inside the claim itself; in an adverbial clause, the person named just
   before), and role descriptions (`roles`: "le ministre", "the co-chairman") resolved to the name the same
   role introduced nearby;
5. `hedges` — claims reported without a source ("X reportedly did Y", "X is said to", « X aurait fait
   Y »), credited to the unnamed description the lexicon gives, unless inside another claim.

Everything a language contributes is data (`lexicon`): ``briefings/lexicons/{lang}_cues.toml`` maps cue
lemmas to a stance (statement, denial, accusation, warning, promise, estimate) and ``{lang}_grammar.toml``
holds the function words and the parser's labels. Direct quotes are of kind "quote" unless their cue is
stronger.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from briefings.claims.document import Ctx
from briefings.claims.hedges import hedge_claims
from briefings.claims.lexicon import STANCES, Cues, Grammar, load_cues, load_grammar
from briefings.claims.nouns import noun_claims
from briefings.claims.quotes import quote_claims
from briefings.claims.resolve import Attribution, finish
from briefings.claims.sources import opening_source_claims, source_claims
from briefings.claims.stance import STANCE_KEY
from briefings.claims.syntax import NP_KEY
from briefings.claims.verbs import impersonal_claims, verb_claims

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["STANCES", "Attribution", "Cues", "Grammar", "extract_attributions", "load_cues", "load_grammar"]


def extract_attributions(doc: Doc, *, cues: Cues) -> Iterator[Attribution]:
    """The attributed claims of ``doc`` in text order (see the module docstring for the contract)."""
    if not len(doc):
        return
    ctx = Ctx(doc, cues)
    used: set[int] = set()
    try:
        raws = [
            *quote_claims(ctx, used),
            *verb_claims(ctx, used),
            *impersonal_claims(ctx),
            *source_claims(ctx),
            *opening_source_claims(ctx),
            *noun_claims(ctx),
        ]
        found = list(finish(ctx, raws))
        yield from sorted([*found, *hedge_claims(ctx, found)], key=lambda a: a.start)
    finally:
        doc.user_data.pop(STANCE_KEY, None)
        doc.user_data.pop(NP_KEY, None)

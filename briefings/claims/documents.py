"""Documents speak for their authors: "the report said" is whoever the article said published that report
("In its annual report, the agency cut …" … "the report warned" -> the agency; "a study by the regulator"
… "the study found" -> the regulator; « dans son rapport, la Cour … » … « le rapport estime » -> la Cour).

A definite document noun (the lexicon's ``said_nouns`` and ``source_nouns``) with no author of its own is
resolved to the author of the nearest earlier mention of the same noun: its named possessor ("the
agency's report"), the name after an author mark ("a report by the agency"), or, for "its report" / « son
rapport », the subject of the clause around it. With no such mention, or when the document has a name
of its own ("the Beige Book survey"), the document stays the speaker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefings.claims.document import Ctx
from briefings.claims.syntax import np

if TYPE_CHECKING:
    from spacy.tokens import Token

DOCUMENT_SENTENCES = 40  # sentences searched back for the mention that names the author (a report is
# often introduced in the lead and quoted to the end)
MAX_CLIMB = 3  # heads climbed from "its report" to the verb whose subject wrote it


def document_author(ctx: Ctx, span: tuple[int, int]) -> tuple[int, int] | None:
    """The author of the definite document noun at ``span`` ("the report"), named earlier; else None."""
    doc, cues, g = ctx.doc, ctx.cues, ctx.g
    nouns = cues.said_nouns | cues.source_nouns
    if not any(ctx.lemmas[i] in nouns or ctx.lowers[i] in nouns for i in range(*span)):
        return None  # (most speakers: no token object built)
    tokens = doc[span[0] : span[1]]
    head = next((t for t in tokens if not span[0] <= t.head.i < span[1] or t.head.i == t.i), tokens[0])
    if head.pos_ != "NOUN" or (head.lemma_.lower() not in nouns and head.lower_ not in nouns):
        return None
    own = _author(ctx, head)  # "a study by the regulator found"
    if own is not None:
        return own
    if g.norm(tokens[0].text) not in g.definite or any(t.pos_ == "PROPN" or t.ent_type_ for t in tokens):
        return None  # "a report" introduces a new one; "the OECD report" names its author already
    first = ctx.sent[span[0]] - DOCUMENT_SENTENCES
    lemma = head.lemma_.lower()
    for i in range(span[0] - 1, -1, -1):
        if ctx.sent[i] < first:
            break
        if ctx.lemmas[i] == lemma and not ctx.in_quote[i]:
            found = _author(ctx, doc[i])
            if found is not None:
                return found
    return None


def _author(ctx: Ctx, noun: Token) -> tuple[int, int] | None:
    """Who wrote document ``noun``: a possessor noun or name, the name after an author mark, or for a
    possessive pronoun the subject of the clause the noun belongs to."""
    cues, g = ctx.cues, ctx.g
    if noun.pos_ != "NOUN" or any(c.pos_ == "PROPN" and c.dep_ not in g.possessives for c in noun.lefts):
        return None  # a named document ("the Beige Book survey", "World Business Report") speaks itself
    for c in noun.children:
        if c.dep_ in g.possessives and c.pos_ in ("PROPN", "NOUN"):
            return np(c, g)
        if c.lower_ in cues.author_marks and (c.dep_ in g.prepositions or c.dep_ == "agent"):
            obj = next(
                (k for k in c.children if k.dep_ in g.prep_objects and k.pos_ in ("PROPN", "NOUN")), None
            )
            if obj is not None and obj.lemma_.lower() != noun.lemma_.lower():
                return np(obj, g)
    for c in noun.rights:  # "a study carried out by the institute"
        made = (
            c.dep_ == "acl"
            and not any(  # a participle phrase, no clause ("speculation that X had felt …")
                k.dep_ in g.subjects or k.dep_ == "mark" or k.dep_.startswith("aux") for k in c.children
            )
        )
        by = next((k for k in c.children if k.dep_ == "agent"), None) if made else None
        obj = next((k for k in by.children if k.dep_ in g.prep_objects), None) if by is not None else None
        if obj is not None and obj.pos_ in ("PROPN", "NOUN"):
            return np(obj, g)
    if not any(c.dep_ in g.possessives and c.pos_ in ("PRON", "DET") for c in noun.children):
        return None
    verb = noun
    for _ in range(MAX_CLIMB):
        if verb.head.i == verb.i:
            break
        verb = verb.head
        if verb.pos_ in ("VERB", "AUX"):
            subj = next(
                (k for k in verb.children if k.dep_ in g.subjects and k.pos_ in ("PROPN", "NOUN")), None
            )
            return np(subj, g) if subj is not None else None
    return None


def opening_document(ctx: Ctx, i: int) -> tuple[int, int] | None:
    """The author of a document named in a phrase before token ``i`` in its sentence, whose words the
    sentence reports ("In a study by the institute, the river was said to be polluted" -> the institute)."""
    doc, cues, g = ctx.doc, ctx.cues, ctx.g
    nouns = cues.said_nouns | cues.source_nouns
    lo, _ = ctx.sentence_bounds(i)
    for j in range(lo, i):
        if ctx.lemmas[j] not in nouns or ctx.in_quote[j]:
            continue
        t = doc[j]
        if t.dep_ in g.prep_objects and t.head.dep_ in g.prepositions and t.head.head.i == i:
            return _author(ctx, t)
    return None

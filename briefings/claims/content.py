"""What a cue verb reports: the character span of its content, and whether that content precedes it.

Tried in order: an inverted cue after its content (« … », a déclaré X); a passive clause (X est
soupçonné par Y de …); the verb's complement clause, adverbial « que » clause, infinitive, object or
argument; a « que » the parser left loose; else the clause before a comma ("…, officials said").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefings.claims.document import Ctx
from briefings.claims.lexicon import Cues, Grammar
from briefings.claims.speakers import controller
from briefings.claims.stance import stance, takes_object
from briefings.claims.syntax import agent, apposed_name, finite, gerund, np, temporal
from briefings.claims.text import CLOSERS, EDGE_PUNCT

if TYPE_CHECKING:
    from spacy.tokens import Token

Span = tuple[int, int]
LOOSE_QUE_WINDOW = 6  # tokens after the verb searched for a « que » the parser hung elsewhere


def content(ctx: Ctx, v: Token) -> tuple[Span | None, bool]:
    """Char span of what verb ``v`` reports, and whether it precedes the verb (inverted construction)."""
    s_lo, s_hi = ctx.sentence_bounds(v.i)
    inverted = _inverted_span(ctx, v, s_lo, s_hi)
    if inverted is not None:
        return inverted, True
    span = _passive_content(ctx, v, s_lo, s_hi)
    if span is not None:
        return span, False
    span = _que_after_phrase(ctx, v, s_hi)
    if span is not None:
        return span, False
    found = _dependent_content(ctx, v, s_lo, s_hi)
    if found is not None:
        return found
    span = _loose_que(ctx, v, s_hi)
    if span is not None:
        return span, False
    return _preceding_content(ctx, v, s_lo)


def _passive_content(ctx: Ctx, v: Token, s_lo: int, s_hi: int) -> Span | None:
    """X est soupçonné par Y de … / was denied by Y: the whole passive clause, with the noun a relative
    clause describes ("une côte qui est soupçonnée"); "X collapsed after being rejected by Y": X."""
    g = ctx.g
    if agent(v, g) is None:
        return None
    ruled = controller(v, ctx.cues)
    if ruled is not None:
        span = ctx.trim(*np(ruled, g))
        if span is not None:
            return span
    sub = list(v.subtree)
    lo = v.head.left_edge.i if v.dep_ in g.relative_clauses and v.head.i < v.i else sub[0].i
    return ctx.trim(max(lo, s_lo), min(sub[-1].i + 1, s_hi))


def _dependent_content(ctx: Ctx, v: Token, s_lo: int, s_hi: int) -> tuple[Span, bool] | None:
    """The first of ``v``'s dependents that says what is reported, by kind of dependent: a complement
    clause, a « que » clause parsed as adverbial, an infinitive, an object, an argument (for an
    accusation, the object first: "accused X of …")."""
    g = ctx.g
    kids = list(v.children)
    kids += [k for c in kids if temporal(c, g) for k in c.children if k.dep_ in g.objects]  # misparse:
    # "a réclamé vendredi un référendum" with the object under "vendredi"
    order: tuple[frozenset[str], ...] = (
        frozenset({"ccomp"}),
        frozenset({"advcl"}),
        frozenset({"xcomp"}),
        g.objects,
        g.oblique_arguments,
    )
    found = stance(v, ctx.cues)
    if found == "accusation":  # accuse X of …: the object and what follows
        order = (g.objects, *order)
    for deps in order:
        for c in kids:
            if c.dep_ not in deps or not _eligible(ctx, v, c, found):
                continue
            c = _past_cue_word(ctx, v, c)  # « a fait savoir que P »: P, not « savoir que P »
            lo = _clause_start(ctx, c)
            span = ctx.trim(max(lo, s_lo), min(_clause_end(ctx, v, c, lo, s_hi), s_hi))
            if span is not None:
                return span, c.i < v.i
    return None


def _past_cue_word(ctx: Ctx, v: Token, c: Token) -> Token:
    """The clause under dependent ``c`` when ``c`` is a word of ``v``'s own multi-word cue (« faire savoir
    que », « faire valoir que »), else ``c``."""
    words = {w for required, _ in ctx.cues.verbs.get(ctx.lemmas[v.i], ()) for w in required}
    if ctx.lemmas[c.i] not in words:
        return c
    return next((k for k in c.children if k.dep_ == "ccomp" and k.i > c.i), c)


def _eligible(ctx: Ctx, v: Token, c: Token, found: str | None) -> bool:
    """Whether dependent ``c`` can be what ``v`` reports."""
    g = ctx.g
    if c.i < v.i and c.dep_ != "ccomp":
        return False
    if c.dep_ == "advcl" and c.left_edge.lower_ not in g.content_marks:
        return False  # only "considère, elle, qu'un référendum …" parsed as an adverbial clause
    if c.dep_ in g.objects and (not takes_object(v, ctx.cues) or (found == "statement" and gerund(v, g))):
        return False  # "Confirmant cet appel, X …" / "Reporting its results, …" are narration
    preps = ctx.cues.content_preps.get(ctx.lemmas[v.i], ())
    if c.dep_ in g.objects and any(r.i > c.i and ctx.lowers[r.i] in preps for r in v.rights):
        return False  # "warned residents against travelling": whom, not what (the preposition's object)
    if c.dep_ in g.oblique_arguments and not takes_object(v, ctx.cues):
        return False  # « a ajouté à la polémique », « insiste sur le contexte »: what it is about
    # « ce qu'il avait dit à Marie Dupont »: whom it was said to, not what
    named = c.ent_type_ or c.pos_ in ("PROPN", "PRON") or apposed_name(c, g) is not None
    return not (c.dep_ in g.oblique_arguments and named)


def _clause_start(ctx: Ctx, c: Token) -> int:
    doc, g = ctx.doc, ctx.g
    lo = c.left_edge.i
    while lo < c.i and (
        doc[lo].dep_ in ("mark", "case") or doc[lo].text in EDGE_PUNCT or doc[lo].lower_ in g.infinitive_marks
    ):
        lo += 1
    return lo


def _clause_end(ctx: Ctx, v: Token, c: Token, lo: int, s_hi: int) -> int:
    """End of the content headed by ``c``: with a clause its object misparsed as subject ("worry his
    rhetoric will hurt …"), the verb's trailing dependents ("accused X of Y") up to a coordinated verb or
    a cue of its own ("…, before noting that …"), and before a contrasting clause."""
    doc, g, cues = ctx.doc, ctx.g, ctx.cues
    hi = c.right_edge.i + 1
    if c.dep_ in g.objects and hi < s_hi and finite(doc[hi], g) and doc[hi].head.i != v.i:
        clause = doc[hi].head if doc[hi].dep_.startswith("aux") else doc[hi]
        hi = max(hi, clause.right_edge.i + 1)
    if c.i > v.i:
        for r in v.rights:
            if r.i <= c.i or r.dep_ == "punct":
                continue
            if r.dep_ in ("conj", "cc", "parataxis") or reporting_clause(r, cues) or _participle_cue(r, cues):
                break  # "denied the claims, saying Q": Q is a claim of its own
            hi = max(hi, r.right_edge.i + 1)
    for r in c.rights:  # "that P, before noting that Q" / "that P, saying Q" hung on P's verb
        if reporting_clause(r, cues) or _participle_cue(r, cues):
            hi = min(hi, r.left_edge.i)
    for t in doc[c.i + 1 : hi]:  # « a annoncé le retrait du traité qui permet P, accusant Y de … »: hung
        trailing = t.text == "," and t.i + 1 < hi and doc[t.i + 1].right_edge.i >= hi - 2  # deeper, and last:
        if trailing and _participle_cue(doc[t.i + 1], cues):  # still a claim of its own
            hi = t.i
            break
    return _contrast_cut(ctx, c, lo, hi)


PHRASE_WORDS = ("ADP", "DET", "NOUN", "PROPN", "ADJ", "NUM")


def _que_after_phrase(ctx: Ctx, v: Token, s_hi: int) -> Span | None:
    """« a écrit sur les réseaux sociaux que P », « a déclaré sur France Inter que P »: a « que » right after
    a prepositional phrase (where or to whom it is said), which the parser often takes the clause under.
    P runs to the end of its verb's clause, or of the sentence when the parser gave it no verb."""
    doc, g = ctx.doc, ctx.g
    nxt = v.i + 1 + (v.i + 1 < s_hi and doc[v.i + 1].pos_ == "ADV")
    if nxt >= s_hi or doc[nxt].pos_ != "ADP":
        return None  # (most cues: no phrase right after the verb)
    phrase = False
    for t in doc[v.i + 1 : min(v.i + LOOSE_QUE_WINDOW + 4, s_hi)]:
        if phrase and ctx.lowers[t.i] in g.content_marks and t.dep_ == "mark":
            head = t.head
            verb = head.pos_ in ("VERB", "AUX") and head.i > t.i
            return ctx.trim(t.i, min(head.right_edge.i + 1, s_hi) if verb else s_hi)
        if t.pos_ == "ADP" and (phrase or t.i == v.i + 1 or doc[t.i - 1].pos_ == "ADV"):
            phrase = True
        elif not (phrase and (t.pos_ in PHRASE_WORDS or t.text[:1].isupper() or t.text in ("'", "’"))):
            return None
    return None


def _loose_que(ctx: Ctx, v: Token, s_hi: int) -> Span | None:
    """Misparsed "X considère, elle, qu'un référendum …": a « que » just after the verb, hung elsewhere."""
    for t in ctx.doc[v.i + 1 : min(v.i + LOOSE_QUE_WINDOW, s_hi)]:
        if t.lower_ in ctx.g.content_marks and t.head.i > t.i:
            span = ctx.trim(t.i, min(t.head.right_edge.i + 1, s_hi))
            if span is not None:
                return span
        if not (t.is_punct or t.pos_ in ("PRON", "ADV")):
            break
    return None


def _preceding_content(ctx: Ctx, v: Token, s_lo: int) -> tuple[Span | None, bool]:
    """« … », ont rapporté X / the plant will close, officials said: the content precedes the cue."""
    doc, g = ctx.doc, ctx.g
    lo = s_lo
    left = min([v.i, *(c.i for c in v.lefts if c.dep_.startswith("aux") or c.dep_ in g.subjects)])
    named = min([left, *(c.left_edge.i for c in v.lefts if c.dep_ in g.subjects)])
    if named < left and named > lo and doc[named - 1].text == "," and _clause(ctx, lo, named - 1):
        left = named  # "P, Mr Cook said": past the subject's title; "On 10 March, X said" is no P
    if left > lo and doc[left - 1].text == ",":
        if v.dep_ == "parataxis" and v.head.i < v.i:
            lo = max(lo, v.head.left_edge.i)
        return ctx.trim(lo, left - 1), True
    return None, False


def _clause(ctx: Ctx, lo: int, hi: int) -> bool:
    """Whether tokens [lo, hi) are a clause (headed by a verb, or a quotation), not an adverbial ("On 10
    March", « Dans un texte qu'il a envoyé »)."""
    doc = ctx.doc
    return any(
        ctx.in_quote[i]
        or (doc[i].pos_ in ("VERB", "AUX") and (doc[i].head.i == i or not lo <= doc[i].head.i < hi))
        for i in range(lo, hi)
    )


def _inverted_span(ctx: Ctx, v: Token, s_lo: int, s_hi: int) -> Span | None:
    """Content of an inverted cue, "…, a toutefois estimé la ministre X" / "…, said Alden": a comma right
    before the verb group, a speaker right after the verb, and no reported clause after it. The parser
    often hangs such a verb anywhere (a subject or object on the wrong side), so only the surface counts."""
    doc, cues, g = ctx.doc, ctx.cues, ctx.g
    if gerund(v, g) or "Inf" in (v.morph.get("VerbForm", None) or []):
        return None  # "…, menaçant les villages": a participle clause, not an inversion
    j = v.i - 1
    while j > s_lo and (doc[j].pos_ in ("AUX", "ADV") or g.norm(doc[j].text) in cues.skip):
        j -= 1
    comma = doc[j].text == ","
    if j <= s_lo + 1 or not (comma or _clause_before(ctx, v, s_lo, j)):
        return None
    if any(c.i > v.i and (c.dep_ == "ccomp" or c.lower_ in g.content_marks) for c in v.children):
        return None
    nxt = v.i + 1
    while nxt < s_hi and (
        doc[nxt].pos_ == "ADV"
        or temporal(doc[nxt], g)
        or g.norm(doc[nxt].text) in cues.skip
        or (doc[nxt].like_num and nxt + 1 < s_hi and temporal(doc[nxt + 1], g))  # « mardi 2 juin »
    ):
        nxt += 1
    if nxt >= s_hi or doc[nxt].pos_ not in ("DET", "PROPN", "NOUN") or ctx.in_quote[nxt]:
        return None
    head = doc[nxt] if doc[nxt].pos_ != "DET" else doc[nxt].head
    governor = head  # the name the parser hung on the date (« a dit jeudi 14 mars l'association »)
    while governor.head.i > v.i and (temporal(governor.head, g) or governor.head.like_num):
        governor = governor.head
    if head.i < v.i or head.pos_ not in ("PROPN", "NOUN") or governor.head.i != v.i:
        return None
    rest = [t for t in doc[head.right_edge.i + 1 : s_hi] if not t.is_punct]
    if comma and rest and doc[head.right_edge.i + 1].text == "," and _split_clause(ctx, s_lo, j, rest):
        return ctx.trim(s_lo, s_hi)  # « La réforme, estime le quotidien, coûtera cher »: the whole sentence
    if not comma and rest:
        return None  # an incise with no comma ends the sentence
    if comma and _apposed_subject(ctx, v, s_lo, j):
        return None  # "The company, Norvik, denied any plan": what precedes the comma is who speaks
    return ctx.trim(s_lo, j + (0 if comma else 1))


def _apposed_subject(ctx: Ctx, v: Token, s_lo: int, j: int) -> bool:
    """Whether all that precedes the comma at ``j`` is ``v``'s own subject with an apposition (« Son
    avocat, Jean Moreau, a dénoncé une procédure »), neither a quotation nor a clause with a finite verb:
    no inversion, the words after the verb are its object."""
    doc, g = ctx.doc, ctx.g
    if any(ctx.in_quote[k] or finite(doc[k], g) for k in range(s_lo, j)):
        return False  # a clause of its own (however the parser hung it) is what is said
    return any(c.dep_ in g.subjects and c.left_edge.i <= s_lo and c.right_edge.i >= j - 1 for c in v.lefts)


def _split_clause(ctx: Ctx, s_lo: int, j: int, rest: list[Token]) -> bool:
    """Whether an incise splits one clause (« La réforme, estime le quotidien, coûtera cher »): no finite
    verb before it, and the words after it go on with one (not "…, en soulignant que …")."""
    g = ctx.g
    if any(finite(t, g) for t in ctx.doc[s_lo:j]):
        return False
    first = next((t for t in rest if t.pos_ not in ("ADV", "PRON")), None)
    return first is not None and finite(first, g)


def _clause_before(ctx: Ctx, v: Token, s_lo: int, j: int) -> bool:
    """Whether an inverted cue with no comma before it follows a whole clause of its own (« La réforme
    coûtera cher estime le journal »): a statement or estimate verb that does not take an object, after a
    finite verb with its subject before it."""
    g, cues, before = ctx.g, ctx.cues, ctx.doc[j]
    if not cues.bare_incise or stance(v, cues) not in ("statement", "estimate"):
        return False
    if v.lemma_.lower() in cues.object_verbs | cues.light_verbs or any(c.dep_ in g.subjects for c in v.lefts):
        return False
    if before.pos_ not in ("NOUN", "PROPN", "ADJ", "ADV", "NUM", "VERB") and before.text not in CLOSERS:
        return False  # « … et a déclaré l'état d'urgence »: a verb coordinated with the one before
    if before.pos_ in ("NOUN", "PROPN") and ctx.doc[j - 1].pos_ in ("DET", "CCONJ"):
        return False  # « … et les chercheurs suspectent des effets »: its subject, not the end of a clause
    subjects = [t.i for t in ctx.doc[s_lo:j] if t.dep_ in g.subjects]
    return bool(subjects) and any(
        finite(t, g) and t.head.i != v.i and t.i > subjects[0] and not _relative(t, g)
        for t in ctx.doc[s_lo + 1 : j + 1]
    )


def _relative(t: Token, g: Grammar) -> bool:
    """Whether verb or auxiliary ``t`` belongs to a relative clause ("les salariés qui ont manifesté")."""
    return t.dep_ in g.relative_clauses or t.head.dep_ in g.relative_clauses


def reporting_clause(r: Token, cues: Cues) -> bool:
    """Whether dependent ``r`` is a cue of its own introduced by before / after ("…, before noting that …",
    "…, avant de rappeler que …"): a claim of its own, not part of the content it follows."""
    g = cues.grammar
    if r.lower_ in g.sequence:
        verbs = [k for k in r.children if k.pos_ in ("VERB", "AUX")]
    elif any(k.lower_ in g.sequence for k in r.children if k.dep_ in ("mark", "case", *g.prepositions)):
        verbs = [r]
    else:
        return False
    return any(
        stance(k, cues) is not None and any(t.lower_ in g.content_marks for t in k.subtree) for k in verbs
    )


def _participle_cue(r: Token, cues: Cues) -> bool:
    """Whether dependent ``r`` is a participle cue after a comma ("…, saying Q", « …, rappelant que Q »):
    a claim of its own by the same speaker, not part of the content before it."""
    doc = r.doc
    return (
        gerund(r, cues.grammar)
        and r.left_edge.i > 0
        and doc[r.left_edge.i - 1].text == ","
        and stance(r, cues) is not None
    )


def _contrast_cut(ctx: Ctx, c: Token, lo: int, hi: int) -> int:
    """End of the reported clause ``c``: before a clause coordinated by "but"/"mais" that has its own
    subject, or one that carries its own attribution ("…, but the FBI said …")."""
    g, deps = ctx.g, ctx.deps
    for i in range(max(lo, c.i + 1), min(hi, len(deps))):
        if deps[i] != "conj":  # (read from the index: no token object for the other words)
            continue
        t = ctx.doc[i]
        if not (lo <= t.head.i < hi):
            continue
        own_subject = any(k.dep_ in g.subjects or k.dep_ in g.existential for k in t.children)
        ccs = [k for k in t.children if k.dep_ == "cc" and k.i < t.i]
        contrast = any(k.lower_ in g.contrast for k in ccs)
        if own_subject and (contrast or stance(t, ctx.cues)):
            cut = min([t.left_edge.i, *(k.i for k in ccs)])
            while cut > lo and ctx.doc[cut - 1].is_punct:
                cut -= 1
            return cut
    return hi

"""Role descriptions as speakers ("le ministre", "the co-chairman") resolved to the named person the
article gives that role, or to whoever spoke just before."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from briefings.actors import ent_bounds, load_gazetteer, norm
from briefings.claims.document import Ctx, Raw
from briefings.claims.lexicon import Grammar, load_genders
from briefings.claims.syntax import glued, is_person
from briefings.claims.text import MARKS, SENTENCE_END

if TYPE_CHECKING:
    from spacy.tokens import Token

DESCRIPTION_WINDOW = 8  # sentences searched back for the named holder of a role ("le ministre")
CHARS_BACK = 400  # tokens searched back, at most
NAME_AFTER = 10  # tokens after a role noun searched for the name it introduces
OWN_NAME_AFTER = 16  # and for the name apposed to it ("Le porte-parole du Conseil de …, John Kirby,")
FORMER_BEFORE = 4  # tokens before a role noun searched for "ancien" / "former"

Resolved = list[tuple[Raw, tuple[int, int]]]


@cache
def _roles(lang: str) -> frozenset[str]:
    return frozenset(r for r in load_gazetteer(lang).roles if " " not in r)


def is_role(word: str, lang: str) -> bool:
    """Whether ``word`` (a lemma or form) is a one-word role noun of the gazetteer ("ministre", "mayor")."""
    return norm(word) in _roles(lang)


def described(
    ctx: Ctx, span: tuple[int, int], resolved: Resolved, continued: bool = False
) -> tuple[int, int] | None:
    """The named person a definite role description refers to, when the article says it nearby:

    - the nearest earlier mention of the same role noun next to a person's name ("le ministre de
      l'Action publique Gérald Darmanin" … "le ministre a accusé" / "Tory co-chairman Liam Fox" … "The
      Tory co-chairman said");
    - for a former role or a role "of" someone else ("l'ancien ministre de François Hollande", "the
      former adviser to X"), the person who spoke just before — the name inside would mislead;
    - for any role with no named holder, as the subject of a cue that says its speaker spoke before
      (``continued``: « "…", a ajouté le député de la Somme »), the person who spoke just before.
    """
    doc, g = ctx.doc, ctx.g
    tokens = doc[span[0] : span[1]]
    head = next((t for t in tokens if not span[0] <= t.head.i < span[1] or t.head is t), tokens[0])
    while head.i + 1 < span[1] and glued(head, doc[head.i + 1]):  # "co-leader": the last piece
        head = doc[head.i + 1]
    capitalised = head.pos_ == "PROPN" and not head.ent_type_  # "Head of genetics at X, Professor Y,"
    if (head.pos_ != "NOUN" and not capitalised) or not (
        is_role(head.lemma_, ctx.cues.lang) or is_role(head.text, ctx.cues.lang)
    ):
        return None
    if any(is_person(t, g) and t.i <= head.i for t in tokens):
        return None
    of_someone = any(is_person(t, g) for t in tokens)  # « l'avocat de M. Roy »: not any earlier lawyer
    name = own_name(head, g) or (None if of_someone else _earlier_holder(ctx, span, head))
    if name is not None:
        return name
    return _previous_speaker(ctx, span, head, resolved, continued)


def _owner(head: Token, g: Grammar) -> str | None:
    """The lemma of the noun whose role ``head`` is, as a possessor ("the mayor's spokesman": mayor)."""
    return next(
        (c.lemma_.lower() for c in head.children if c.dep_ in g.possessives and c.pos_ in ("NOUN", "PROPN")),
        None,
    )


def _earlier_holder(ctx: Ctx, span: tuple[int, int], head: Token) -> tuple[int, int] | None:
    """The name next to the nearest earlier mention of role ``head`` (same gender, both former or not)."""
    doc, g = ctx.doc, ctx.g
    lemma, first_sent = head.lemma_.lower(), ctx.sent[span[0]] - DESCRIPTION_WINDOW
    was, owner = former(head, g), _owner(head, g)
    for t in reversed(doc[max(0, span[0] - CHARS_BACK) : span[0]]):
        if ctx.sent[t.i] < first_sent:
            break
        if t.lemma_.lower().rsplit("-", 1)[-1] != lemma or ctx.in_quote[t.i] or former(t, g) != was:
            continue  # "l'ancien ministre" is not "la ministre de la Transition"
        if owner is not None and _owner(t, g) != owner:
            continue  # "the mayor's spokesman" is not the party spokesman named before
        if (
            head.morph.get("Gender", [])
            and t.morph.get("Gender", [])
            and head.morph.get("Gender", []) != t.morph.get("Gender", [])
        ):
            continue
        name = name_near(t, g)
        if name is not None:
            return name
    return None


def _previous_speaker(
    ctx: Ctx, span: tuple[int, int], head: Token, resolved: Resolved, continued: bool = False
) -> tuple[int, int] | None:
    """For a former role, a role of someone named inside, or an epithet with no office "of" anything ("le
    leader syndicaliste", "the veteran senator"): the person who spoke just before."""
    doc, g = ctx.doc, ctx.g
    tokens = doc[span[0] : span[1]]
    names = any(is_person(t, g) for t in tokens)
    was = former(head, g)
    epithet = (
        g.norm(tokens[0].text) in g.definite
        and any(t.pos_ == "ADJ" or t.dep_ in ("amod", "compound") for t in tokens)
        and not any(t.lower_ in g.genitive or t.pos_ == "ADP" for t in tokens)
        and _owner(head, g) is None  # "the mayor's official spokesman" is of the mayor, no epithet
    )
    bare = len(tokens) == 2 and g.norm(tokens[0].text) in g.definite  # « le syndicaliste », « l'élu »
    if not (names or was or epithet or bare or continued) or not resolved:
        return None
    if continued:  # « a ajouté le député »: whoever spoke just before, however the article named them
        prev_raw, prev_span = resolved[-1]
        near = ctx.sent[span[0]] - ctx.sent[ctx.token_at(max(prev_raw.at, prev_raw.start))] <= 1
        return prev_span if near and not _other_gender(head, doc[prev_span[0]]) else None
    prev_raw, prev_span = resolved[-1]
    if names or was:
        near = ctx.sent[span[0]] - ctx.sent[ctx.token_at(prev_raw.start)] <= 2
    else:  # an epithet refers back to whoever spoke in the sentence before
        near = ctx.sent[span[0]] - ctx.sent[ctx.token_at(max(prev_raw.at, prev_raw.start))] <= 1
    if names and _holds_role(ctx, head, prev_span):
        return None  # « Son avocat, X, a dit … L'avocat de M. Y a ajouté »: Y's lawyer is another one
    if bare and _other_gender(tokens[-1], doc[prev_span[0]]):
        return None  # « a déclaré l'élue » after a man spoke: someone else
    if near and any(is_person(t, g) for t in doc[prev_span[0] : prev_span[1]]):
        return prev_span
    return None


def _other_gender(role: Token, name: Token) -> bool:
    """Whether role noun ``role`` (by its determiner's gender or its own) and the person whose name opens
    with ``name`` (a title or a first name) are of different genders."""
    det = next((c for c in role.children if c.dep_ == "det"), None)
    form = (det.morph.get("Gender", []) if det is not None else []) or role.morph.get("Gender", [])
    want = {"Masc": "m", "Fem": "f"}.get(form[0]) if form else None
    have = load_genders().of(name.text, title=True) or load_genders().of(name.text)
    return want is not None and have is not None and want != have


def _holds_role(ctx: Ctx, head: Token, span: tuple[int, int]) -> bool:
    """Whether the person at ``span`` was introduced with role noun ``head``'s lemma ("Son avocat, X,")."""
    doc, g = ctx.doc, ctx.g
    lemma = head.lemma_.lower()
    for t in doc[max(0, span[0] - OWN_NAME_AFTER) : span[0]]:
        if (
            t.lemma_.lower() == lemma
            and t.i != head.i
            and (own_name(t, g) == span or name_near(t, g) == span)
        ):
            return True
    return False


def former(head: Token, g: Grammar) -> bool:
    """Whether role noun ``head`` is qualified as former ("l'ancien ministre", "the ex-director")."""
    doc, i = head.doc, head.i - 1
    while (
        i >= 0
        and (doc[i].pos_ in ("ADJ", "PROPN", "NOUN", "DET") or doc[i].text == "-")
        and head.i - i <= FORMER_BEFORE
    ):
        if g.norm(doc[i].text) in g.former:
            return True
        if doc[i].pos_ == "DET":
            break
        i -= 1
    return False


def own_name(t: Token, g: Grammar) -> tuple[int, int] | None:
    """The person's name role noun ``t`` introduces in the same phrase or apposes to it, past what
    qualifies the role ("la ministre déléguée à l'Industrie Agnès Durand", "Le porte-parole du Conseil,
    Jean Roy,"); not a name the role is "of" ("l'avocat de Michel Durand", "the lawyer of Ann Lee")."""
    doc = t.doc
    for u in doc[t.i + 1 : t.i + OWN_NAME_AFTER]:
        name = _first_name_span(u) or (ent_bounds(u) if is_person(u, g) else None)
        if name is not None:
            at = name[0] - 1
            while at > t.i and load_genders().of(doc[at].text, title=True):
                at -= 1  # "the lawyer of Mr Roy": the title is part of the name the role is "of"
            before = doc[at]
            if before.lower_ in g.genitive or before.pos_ == "ADP":
                return None
            # past a comma, only an apposition closed by another ("…, John Kirby, a déclaré"), not the
            # subject of the clause after a source ("Selon son avocat, M. Henry a répondu")
            crossed = any(w.text == "," for w in doc[t.i + 1 : name[0]])
            closed = name[1] < len(doc) and doc[name[1]].text in (",", ")", "—", "–")
            return name if closed or not crossed else None
        if _stops_phrase(u):
            return None
    return None


def _first_name_span(u: Token) -> tuple[int, int] | None:
    """A person's name opening with a common first name ("Claire Vidal"), whatever NER tagged it."""
    doc = u.doc
    if not (u.text[:1].isupper() and load_genders().of(u.text)):
        return None
    hi = u.i + 1
    while (
        hi < len(doc)
        and (doc[hi].pos_ == "PROPN" or doc[hi].ent_iob_ == "I")  # « Bruno Le Maire » in one entity
        and (doc[hi].text[:1].isupper() or doc[hi].text == "-")
    ):
        hi += 1
    return (u.i, hi) if hi > u.i + 1 else None


def _stops_phrase(u: Token) -> bool:
    """Whether ``u`` ends the noun phrase of a role and its apposition: a clause's verb, a pronoun, the
    sentence end."""
    participle = u.pos_ == "VERB" and "Part" in u.morph.get("VerbForm", [])
    verb = u.pos_ in ("VERB", "AUX") and not participle
    return verb or u.pos_ == "PRON" or u.text in SENTENCE_END or u.text in MARKS or u.text in (";", ":")


def name_near(t: Token, g: Grammar) -> tuple[int, int] | None:
    """A person's name that a role noun ``t`` introduces ("le ministre X", "X, the minister")."""
    doc = t.doc
    for u in doc[t.i + 1 : t.i + NAME_AFTER]:
        if is_person(u, g):
            return ent_bounds(u)
        name = _first_name_span(u)  # « le ministre de l'[Économie Bruno Le Maire] »: NER took a word too many
        if name is not None:
            return name
        participle = u.pos_ == "VERB" and "Part" in u.morph.get("VerbForm", [])
        if (
            (u.pos_ in ("VERB", "AUX", "PRON") and not participle)
            or u.text in SENTENCE_END
            or u.text in MARKS
        ):
            break
    j = t.i - 1
    while j >= 0 and (doc[j].pos_ in ("DET", "ADJ") or doc[j].text == ","):
        j -= 1
    if j >= 0 and is_person(doc[j], g) and j < t.i - 1:
        return ent_bounds(doc[j])
    return None

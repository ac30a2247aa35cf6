"""Pronoun speakers (il/elle/ils, he/she/they, it, and possessives) resolved to an earlier mention that
agrees in number and, where both are known, in gender."""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING, NamedTuple

from briefings.actors import doc_ents, ent_bounds
from briefings.claims.document import Ctx, Raw
from briefings.claims.lexicon import load_genders
from briefings.claims.roles import is_role
from briefings.claims.syntax import is_person, np

if TYPE_CHECKING:
    from spacy.tokens import Token

LOOKBACK = 40  # candidate antecedents tried, nearest first
PROTAGONIST_MENTIONS = 1  # mentions that make a person what the article is about
LATTER_SENTENCES, LATTER_TOKENS = 2, 80  # how far back « ce dernier » looks for the person named last
GENDERS = {"Masc": "m", "Fem": "f"}


class Antecedent(NamedTuple):
    at: int  # char offset
    span: tuple[int, int]  # tokens
    number: str  # singular / plural
    person: str  # yes / maybe ("the union said": it or he/she) / no
    gender: str | None  # m / f / None when unknown


def pronoun_gender(ctx: Ctx, word: str) -> str | None:
    cues = ctx.cues
    return "m" if word in cues.masculine else "f" if word in cues.feminine else None


def adverbial_antecedent(ctx: Ctx, pron: Token, gender: str | None) -> tuple[int, int] | None:
    """He/il in an adverbial clause ("… repaid Lord Ashcroft after he predicted a defeat") refers to the
    nearest person named before it in the same sentence (of its gender), whatever that person's role."""
    g = ctx.g
    verb = pron.head
    if (
        pron.dep_ not in g.subjects
        or (verb.dep_ not in ("advcl", "acl") and verb.dep_ not in g.relative_clauses)
        or not any(c.dep_ == "mark" for c in verb.children)
    ):
        return None
    lo, _ = ctx.sentence_bounds(pron.i)
    names = name_genders(ctx)
    for t in reversed(ctx.doc[lo : pron.i]):
        if is_person(t, g) and not ctx.in_quote[t.i]:
            span = ent_bounds(t)
            if _agrees(gender, _person_gender(ctx, span, names)):
                return span
    return None


def name_genders(ctx: Ctx) -> dict[str, str]:
    """Gender of each surname in the doc, known from a title before the name ("Mme Durand", "Mr Grant")
    or its first name ("Agnès Durand"); "?" for a surname also borne by someone of another or an unknown
    gender (a family: "Pat Smith" and her son "Sean Smith")."""
    memo = ctx.memo.get("genders")
    if memo is not None:
        return memo
    found: dict[str, str] = {}
    for ent in doc_ents(ctx.doc):  # built once per doc and shared with the actors
        if ent.label_ in ctx.g.persons:
            gender = _full_name_gender(ctx, ent.start, ent.end) or "?"
            last = ent[-1].lower_
            found[last] = gender if found.get(last, gender) == gender else "?"
    ctx.memo["genders"] = found
    return found


def _full_name_gender(ctx: Ctx, lo: int, hi: int) -> str | None:
    """The gender a name's own words say: a title before or at its start, or a first name followed by
    another capitalised word ("Agnès Durand", whatever NER tagged it)."""
    doc, known = ctx.doc, load_genders()
    if lo > 0 and known.of(doc[lo - 1].text, title=True):
        return known.of(doc[lo - 1].text, title=True)
    for t in doc[lo : hi - 1]:
        found = known.of(t.text, title=True) or (
            known.of(t.text) if t.text[:1].isupper() and doc[t.i + 1].text[:1].isupper() else None
        )
        if found:
            return found
    return None


def _person_gender(ctx: Ctx, span: tuple[int, int], names: dict[str, str]) -> str | None:
    lo, hi = span
    found = _full_name_gender(ctx, lo, hi)
    if found is None and hi - lo == 1:
        found = names.get(ctx.doc[lo].lower_)  # a surname alone
    return found if found in ("m", "f") else None


def _noun_gender(head: Token, *, role: bool) -> str | None:
    """The grammatical gender of a noun phrase: its determiner's (« la ministre »), else the noun's own —
    except for a role noun, which often has one form for both (ministre, juge, porte-parole)."""
    for c in head.children:
        if c.dep_ == "det":
            found = next((GENDERS[x] for x in c.morph.get("Gender", []) if x in GENDERS), None)
            if found:
                return found
    if role:
        return None
    return next((GENDERS[x] for x in head.morph.get("Gender", []) if x in GENDERS), None)


def _agrees(pronoun: str | None, antecedent: str | None) -> bool:
    return pronoun is None or antecedent is None or pronoun == antecedent


def antecedents(ctx: Ctx, raws: list[Raw]) -> list[Antecedent]:
    """Candidate antecedents in text order: the subjects outside quotations (and their named possessors,
    "BA's profits … it expects") and the speakers of ``raws``."""
    doc, g = ctx.doc, ctx.g
    pronouns = ctx.cues.pronouns  # (a union built on each access)
    speakers = {r.speaker for r in raws if r.speaker}
    spans = set(speakers)
    nominal = {doc.vocab.strings["PROPN"], doc.vocab.strings["NOUN"]}  # part-of-speech symbol ids
    for i, (pos, dep) in enumerate(zip(ctx.pos, ctx.deps, strict=True)):
        if pos not in nominal or ctx.in_quote[i] or dep not in g.subjects:
            continue
        t = doc[i]
        if ctx.cues.pronoun_word(t.text) in pronouns:
            continue
        spans.add(np(t, g))
        for c in t.children:
            if c.dep_ in g.possessives and c.pos_ == "PROPN":
                spans.add(np(c, g))
    names = name_genders(ctx)
    cands = {}
    for lo, hi in spans:
        head = next((t for t in doc[lo:hi] if not lo <= t.head.i < hi or t.head is t), doc[lo])
        if head.pos_ == "PRON" or ctx.cues.pronoun_word(head.text) in pronouns:
            continue  # a pronoun the tagger took for a noun (« -il.La » glued) stands for no one itself
        # a conjunct joined by a coordinator (« X et Y »), not one the parser read into a comma's
        # apposition (« La ministre, Anne Roy, ») makes a plural
        plural = any(c.dep_ == "conj" and any(k.dep_ == "cc" for k in c.children) for c in head.children)
        named = _full_name_gender(ctx, lo, hi)
        if named or any(is_person(t, g) for t in doc[lo:hi]):
            person, gender = "yes", named or _person_gender(ctx, (lo, hi), names)
        elif (head.pos_ == "NOUN" or (head.pos_ == "PROPN" and not head.ent_type_)) and is_role(
            head.lemma_, ctx.cues.lang
        ):
            person, gender = "yes", _noun_gender(head, role=True)
            plural = plural or "Plur" in head.morph.get("Number", [])
        elif head.pos_ == "PROPN" and (lo, hi) in speakers and not any(t.pos_ == "DET" for t in doc[lo:hi]):
            # a name the tagger missed or took for a place (« RN Jordan Bardella a accusé »), with no
            # determiner: one speaker, he or she (or a body's metonym: it)
            person, gender = "maybe", None
        else:
            # "the survey said" / "the union said": it or he/she
            person = "maybe" if head.pos_ == "NOUN" and (lo, hi) in speakers else "no"
            gender = _noun_gender(head, role=False) if head.pos_ == "NOUN" else None
            plural = plural or "Plur" in head.morph.get("Number", [])
        cands[lo] = Antecedent(doc[lo].idx, (lo, hi), "plural" if plural else "singular", person, gender)
    return _with_latter(ctx, sorted(cands.values()))


def latter_phrase(ctx: Ctx, i: int, phrases: frozenset[str] | None = None) -> tuple[int, int] | None:
    """Token span of « ce dernier » / "the latter" (or another of ``phrases``) starting at token ``i``."""
    for phrase in ctx.g.latter if phrases is None else phrases:
        words = phrase.split()
        if ctx.lowers[i : i + len(words)] == words:
            return i, i + len(words)
    return None


def former_antecedent(ctx: Ctx, span: tuple[int, int]) -> tuple[int, int] | None:
    """The person « la première » / "the former" at ``span`` stands for: the first of two or more people
    (of its gender) named in the nearest sentence before it that names two."""
    doc, g = ctx.doc, ctx.g
    gender = next(
        (GENDERS[x] for t in doc[span[0] : span[1]] for x in t.morph.get("Gender", []) if x in GENDERS), None
    )
    names = name_genders(ctx)
    here = ctx.sent[span[0]]
    lo = span[0]
    for sent in (here, here - 1, here - 2):
        people: list[tuple[int, int]] = []
        while lo > 0 and ctx.sent[lo - 1] == sent:
            lo -= 1
            t = doc[lo]
            if is_person(t, g) and t.ent_iob_ == "B" and not ctx.in_quote[t.i]:
                people.insert(0, ent_bounds(t))
        if len(people) >= 2:
            return next((p for p in people if _agrees(gender, _person_gender(ctx, p, names))), None)
        if lo == 0:
            break
    return None


def latter_antecedent(ctx: Ctx, span: tuple[int, int], ants: list[Antecedent]) -> tuple[int, int] | None:
    """The person « ce dernier » / "the latter" at ``span`` stands for: the last one named before it,
    whatever their role in the sentence (of the phrase's gender), else the last person subject."""
    doc, g = ctx.doc, ctx.g
    gender = next(
        (GENDERS[x] for t in doc[span[0] : span[1]] for x in t.morph.get("Gender", []) if x in GENDERS), None
    )
    first = ctx.sent[span[0]] - LATTER_SENTENCES
    names = name_genders(ctx)
    for t in reversed(doc[max(0, span[0] - LATTER_TOKENS) : span[0]]):
        if ctx.sent[t.i] < first:
            break
        if is_person(t, g) and not ctx.in_quote[t.i]:
            found = ent_bounds(t)
            if _agrees(gender, _person_gender(ctx, found, names)):
                return found
    at = doc[span[0]].idx
    for a in reversed(ants):
        if a.at < at and a.person == "yes" and a.number == "singular" and _agrees(gender, a.gender):
            return a.span
    return None


def _with_latter(ctx: Ctx, ants: list[Antecedent]) -> list[Antecedent]:
    """``ants`` with each « ce dernier » / "the latter" outside quotations as a mention of whom it stands
    for, so that a pronoun after it finds that person."""
    if not ctx.g.latter:
        return ants
    out = list(ants)
    firsts = {p.split()[0] for p in ctx.g.latter}
    for i, lower in enumerate(ctx.lowers):
        span = latter_phrase(ctx, i) if lower in firsts and not ctx.in_quote[i] else None
        if span is None:
            continue
        found = latter_antecedent(ctx, span, ants)
        if found is not None:
            gender = _person_gender(ctx, found, name_genders(ctx))
            out.append(Antecedent(ctx.doc[i].idx, found, "singular", "yes", gender))
    return sorted(out)


def resolve_pronoun(
    ctx: Ctx, word: str, at: int, ants: list[Antecedent], keys: list[int], said: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """The antecedent of pronoun ``word`` at char ``at``: the nearest earlier candidate of its number
    and gender, a person for il/elle/he/she, never one inside what the pronoun says (``said``)."""
    cues = ctx.cues
    gender = pronoun_gender(ctx, word)
    i = bisect_left(keys, at) - 1
    for a in (ants[j] for j in range(i, max(-1, i - LOOKBACK), -1)):
        if any(lo <= a.at < hi for lo, hi in said) or not _agrees(gender, a.gender):
            continue
        if word in cues.plural and a.number == "plural":
            return a.span
        if word in cues.singular and a.number == "singular" and a.person != "no":
            return a.span
        if word in cues.neuter and a.number == "singular" and a.person != "yes":
            return a.span
    if word in cues.masculine | cues.feminine and word in cues.singular and word not in cues.possessive:
        return protagonist(ctx, at, gender)
    return None


def protagonist(ctx: Ctx, at: int, gender: str | None) -> tuple[int, int] | None:
    """The person an article is about, for a he/she no nearer mention explains: the person named most
    often before char ``at`` (by surname), when they are named at least twice and more than anyone else of
    that gender; their last mention."""
    doc, g = ctx.doc, ctx.g
    names = name_genders(ctx)
    counts: dict[str, int] = {}
    last: dict[str, tuple[int, int]] = {}
    first: dict[str, int] = {}
    i, end = 0, ctx.token_at(at)
    while i < end:
        t = doc[i]
        if not (is_person(t, g) and t.ent_iob_ == "B") or ctx.in_quote[i]:
            i += 1
            continue
        span = ent_bounds(t)
        if _agrees(gender, _person_gender(ctx, span, names)):
            key = doc[span[1] - 1].lower_
            counts[key] = counts.get(key, 0) + 1
            first.setdefault(key, span[0])
            last[key] = span
        i = span[1]
    ranked = sorted(counts, key=lambda k: (-counts[k], first[k]))
    if not ranked or counts[ranked[0]] < PROTAGONIST_MENTIONS:
        return None
    return last[ranked[0]]

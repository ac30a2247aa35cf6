"""Whether a verb is a reporting cue here, and with which stance (statement, denial, accusation …)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefings.claims.lexicon import Cues
from briefings.claims.syntax import agent, past_participle

if TYPE_CHECKING:
    from spacy.tokens import Token

STANCE_KEY = "newsbrief.stance"  # per-doc memo in doc.user_data, dropped when extraction ends


def stance(tok: Token, cues: Cues) -> str | None:
    """The stance of a reporting verb token, or None when it is not a (positive) reporting cue."""
    if tok.pos_ not in ("VERB", "AUX") and tok.dep_ not in ("ROOT", "parataxis", "ccomp", "conj"):
        return None
    options = cues.verbs.get(tok.lemma_.lower()) or cues.verbs.get(tok.text.lower())
    if not options:
        return None
    memo = tok.doc.user_data.setdefault(STANCE_KEY, {})  # asked several times per cue
    if tok.i not in memo:
        memo[tok.i] = _cue_stance(tok, cues, options)
    return memo[tok.i]


def _cue_stance(tok: Token, cues: Cues, options: tuple[tuple[tuple[str, ...], str], ...]) -> str | None:
    kids = [cues.grammar.norm(c.text) for c in tok.children]
    if any(k in cues.negations for k in kids) or _unasserted(tok, kids, cues):
        return None
    if tok.lemma_.lower() in cues.unpassive and agent(tok, cues.grammar) is not None:
        return None  # « soutenu par la région », « garanti par la banque », "committed by": who does it
    kids += [c.lemma_.lower() for c in tok.children]  # "a fait valoir": valoir with faire
    found = next((s for extra, s in options if all(w in kids for w in extra)), None)
    if found is not None and _describes_noun(tok, cues):
        # "le rapport publié par X", "des accusations dénoncées par Y": what the noun is, not what X
        # says; only a judgement keeps its agent as speaker ("l'étude, jugée par X comme la plus sûre")
        return found if found == "estimate" and agent(tok, cues.grammar) is not None else None
    return found


def _unasserted(tok: Token, kids: list[str], cues: Cues) -> bool:
    """Whether a cue verb asserts nothing here: a pronominal form with another meaning ("s'annonce
    compliqué", "s'ajouter aux attaques"), or a modal or future infinitive ("devrait en dire plus",
    "will announce")."""
    if tok.lemma_.lower() in cues.unreflexive and "se" in kids:
        return True
    if any(c.dep_.startswith("aux") and c.lower_ in cues.modals for c in tok.children):
        return True
    return (
        "Inf" in (tok.morph.get("VerbForm", None) or [])
        and tok.head.lemma_.lower() in cues.modals
        and tok.head.i < tok.i
    )


def _describes_noun(tok: Token, cues: Cues) -> bool:
    """A bare past participle describing a noun ("le réacteur, prévu de longue date", « sa version des
    faits, contestée par ses équipiers »)."""
    after_comma = tok.dep_ == "advcl" and tok.i > 0 and tok.doc[tok.i - 1].text == ","  # "…, contestée par X"
    return (
        past_participle(tok, cues.grammar)
        and (tok.dep_ in ("acl", "amod") or after_comma)
        and not any(c.dep_.startswith("aux") or c.dep_ in cues.grammar.subjects for c in tok.children)
    )


def takes_object(v: Token, cues: Cues) -> bool:
    """Whether the object of ``v`` is what is said: stance verbs, and statement verbs listed as such."""
    return stance(v, cues) != "statement" or v.lemma_.lower() in cues.object_verbs

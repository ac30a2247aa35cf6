"""Cue coverage (issue 9, item 2): own sentences -> expected (speaker, kind, content); each row fails
without the rule its comment names. Also: the cue lexicons themselves are well-formed."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

import pytest

from briefings.claims import STANCES, load_cues
from tests.claim_tables import table

CASES = [
    # hedges: the claim is the clause with its subject and the hedge word, the speaker an unnamed description
    (
        "en",
        "The new mayor is said to favour a tax on empty homes.",
        [("unnamed sources", "statement", "The new mayor is said to favour a tax on empty homes")],
    ),
    (
        "en",
        "The firm, which is based in Leeds, is believed to have lost millions last year.",
        [
            (
                "unnamed sources",
                "estimate",
                "The firm, which is based in Leeds, is believed to have lost millions last year",
            )
        ],
    ),
    (
        "en",
        "Two ministers reportedly asked for a delay in the vote, and the party agreed.",
        [("unnamed reports", "statement", "Two ministers reportedly asked for a delay in the vote")],
    ),
    (
        "fr",
        "Le ministre de la Culture aurait démissionné dans la nuit.",
        [("sources non nommées", "statement", "Le ministre de la Culture aurait démissionné dans la nuit")],
    ),
    # « selon des informations de X »: the publication is the source, and a conditional inside is its claim
    (
        "fr",
        "Selon des informations du Monde, le club a signé un accord avec la mairie.",
        [("Monde", "statement", "le club a signé un accord avec la mairie")],
    ),
    (
        "fr",
        "Selon les informations de Mediapart, le ministre aurait menti aux enquêteurs.",
        [("Mediapart", "statement", "le ministre aurait menti aux enquêteurs")],
    ),
    # a hedge inside another claim is part of it; a participle describing a noun is no hedge; a
    # hypothesis or a modal is no hedge either
    (
        "en",
        "Ann Lee said the driver allegedly ran a red light.",
        [("Ann Lee", "statement", "the driver allegedly ran a red light")],
    ),
    ("en", "The anger over a leak purportedly coming from the network grew.", []),
    ("fr", "Sans cette aide, l'usine aurait fermé.", []),
    ("fr", "S'il avait plu, le match aurait été reporté.", []),
    ("fr", "Le club aurait pu gagner ce match.", []),
    (
        "fr",
        "Selon la police, le suspect aurait quitté la ville mardi.",
        [("la police", "statement", "le suspect aurait quitté la ville mardi")],
    ),
]


CASES += [
    # complete verb lists: riposter, s'indigner, « reconnait » (a lemma the pipeline gets wrong), rule out,
    # lambast, "underscored" (a form the lemmatizer leaves as written)
    (
        "fr",
        "Le directeur Paul Roux a riposté que les chiffres étaient faux.",
        [("Paul Roux", "statement", "les chiffres étaient faux")],
    ),
    (
        "fr",
        "La ministre Claire Dubois s'est indignée que la réunion ait été annulée.",
        [("Claire Dubois", "accusation", "la réunion ait été annulée")],
    ),
    (
        "fr",
        "Paul Roux est revenu sur l'affaire. « Nous aurions dû écouter les riverains plus tôt », reconnait-il.",
        [("Paul Roux", "quote", "Nous aurions dû écouter les riverains plus tôt")],
    ),
    (
        "en",
        "The minister ruled out a rise in fuel duty this year.",
        [("The minister", "denial", "a rise in fuel duty this year")],
    ),
    (
        "en",
        "Senator Ann Lee lambasted the plan as a giveaway to the banks.",
        [("Senator Ann Lee", "accusation", "the plan as a giveaway to the banks")],
    ),
    (
        "en",
        "The bank underscored that growth would slow in the second half.",
        [("The bank", "statement", "growth would slow in the second half")],
    ),
]


CASES += [
    # the French post-posed family: « a-t-on appris de / auprès de X », « peut-on lire dans X » (the source
    # after the preposition speaks), an incise with no comma ending the sentence, an incise splitting the
    # clause (the whole sentence is what is said), and present-tense « estime » (the lemmatizer's noun)
    (
        "fr",
        "Le suspect a été interpellé mardi soir, a-t-on appris de source policière.",
        [("source policière", "statement", "Le suspect a été interpellé mardi soir")],
    ),
    (
        "fr",
        "Deux classes fermeront en juin, a-t-on appris jeudi auprès du rectorat de Lille.",
        [("rectorat de Lille", "statement", "Deux classes fermeront en juin")],
    ),
    (
        "fr",
        "La mairie fermera trois écoles à la rentrée, peut-on lire dans le communiqué.",
        [("le communiqué", "statement", "La mairie fermera trois écoles à la rentrée")],
    ),
    (
        "fr",
        "La réforme coûtera cher estime le journal.",
        [("le journal", "estimate", "La réforme coûtera cher")],
    ),
    (
        "fr",
        "La réforme, estime le quotidien, coûtera plus cher que prévu.",
        [("le quotidien", "estimate", "La réforme, estime le quotidien, coûtera plus cher que prévu")],
    ),
    # … but a verb after its own subject, or after « et », is no incise
    ("fr", "Le ministre critique le journal.", []),
    ("fr", "Les salariés qui ont manifesté indiquent le chemin.", []),
]


CASES += [
    # not claims: a cue verb whose passive agent does something else than say (item 5)
    ("fr", "Le projet est financé et soutenu par la région.", []),
    ("fr", "Le prêt est garanti par la banque publique.", []),
    ("en", "The attack was committed by two men in masks.", []),
    ("en", "The body was found by a walker on Sunday.", []),
    # a bare participle after a comma describes the noun before it: what it is, not what its agent says
    (
        "fr",
        "Le coureur Paul Roux a livré sa version des faits, contestée par plusieurs anciens équipiers.",
        [],
    ),
    # … while a denial's agent still denies
    (
        "en",
        "The claims were denied by the company on Monday.",
        [("the company", "denial", "The claims were denied by the company on Monday")],
    ),
]


CASES += [
    # nouns of fear and concern made by a light verb; « les révélations de X selon lesquelles P »: X (the
    # author) says P
    (
        "fr",
        "La ministre a exprimé ses craintes que la réforme échoue.",
        [("La ministre", "warning", "la réforme échoue")],
    ),
    (
        "en",
        "Scientists have expressed concerns that the new rules could hamper research.",
        [("Scientists", "warning", "the new rules could hamper research")],
    ),
    (
        "fr",
        "Le journal rappelle les révélations de Mediapart selon lesquelles le ministre a menti.",
        [("Mediapart", "statement", "le ministre a menti")],
    ),
]


CASES += [
    # what a cue asks for or warns against through its preposition
    (
        "en",
        "The opposition called for an inquiry into the deal.",
        [("The opposition", "statement", "an inquiry into the deal")],
    ),
    (
        "en",
        "The union leader warned against cuts to the rail budget.",
        [("The union leader", "warning", "cuts to the rail budget")],
    ),
]


CASES += [
    # a source phrase set off by commas inside its sentence speaks for all of it, and ends at its comma
    (
        "fr",
        "Le projet aurait échoué à cause du ministre, qui aurait bloqué, selon le journal, toutes les "
        "négociations avec les syndicats.",
        [
            (
                "le journal",
                "statement",
                "Le projet aurait échoué à cause du ministre, qui aurait bloqué, selon le journal, toutes les "
                "négociations avec les syndicats",
            )
        ],
    ),
    (
        "en",
        "The plant, according to the union, will close in March.",
        [("the union", "statement", "The plant, according to the union, will close in March")],
    ),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_cue(nlps: dict[str, Any], lang: str, text: str, expected: list[tuple[str, str, str]]) -> None:
    assert table(nlps, lang, text) == expected


def _raw(lang: str) -> dict[str, Any]:
    path = resources.files("briefings").joinpath(f"lexicons/{lang}_cues.toml")
    return tomllib.loads(path.read_text("utf-8"))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_listed_cue_has_a_known_stance(lang: str) -> None:
    """A stance list the loader does not know (a typo: "denail") would leave its verbs without a stance."""
    raw = _raw(lang)
    assert sorted(set(raw["verbs"]) - set(STANCES)) == []
    assert sorted(set(raw["nouns"]) - set(STANCES)) == []
    cues = load_cues(lang)
    listed = {entry.split()[0] for entries in raw["verbs"].values() for entry in entries}
    assert sorted(v for v in listed if not cues.verbs.get(v)) == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_cue_markers_name_listed_cues(lang: str) -> None:
    """Markers that qualify a cue verb (its object is what is said, it is evidence rather than speech) name
    verbs the lexicon lists, so none is dead data."""
    cues = load_cues(lang)
    for marker in (cues.object_verbs, cues.evidence_verbs):
        assert sorted(v for v in marker if v not in cues.verbs) == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_verb_has_two_bare_stances(lang: str) -> None:
    """A bare lemma is listed under one stance only: a second one would silently lose."""
    raw = _raw(lang)
    seen: dict[str, str] = {}
    clashes = []
    for stance, entries in raw["verbs"].items():
        for entry in entries:
            if entry in seen and seen[entry] != stance:
                clashes.append((entry, seen[entry], stance))
            seen.setdefault(entry, stance)
    assert clashes == []

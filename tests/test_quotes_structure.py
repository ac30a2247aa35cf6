"""Quote structure (issue 9, item 3): own sentences -> expected (speaker, kind, content); each row fails
without the rule its comment names."""

from __future__ import annotations

from typing import Any

import pytest

from bot.settings import DEFAULT_PIPELINES
from briefings.claims.text import quote_spans
from briefings.engine import load_pipeline
from briefings.loading import clean_text, unglue
from tests.claim_tables import table


def quoted(text: str) -> list[str]:
    return [text[s + 1 : e] for s, e in quote_spans(text)]


SPANS = [
    # a stray closing mark (its opening one lost) is skipped, not paired with the next opening one
    (
        'Le maire parlait de travaux urgents". Il a ensuite promis "une école neuve" et "un parc" au quartier.',
        ["une école neuve", "un parc"],
    ),
    # a quote left open at a paragraph break and reopened in the next paragraph: one per paragraph
    (
        'She said: "We will rebuild the bridge.\n\n"It will take two years."',
        ["We will rebuild the bridge.", "It will take two years."],
    ),
    # an opening mark while a quotation is open, with no sentence end before it: the first was stray
    (
        'Le club parle d\'un "accord et le joueur dément "toute signature" avec Lyon.',
        ["toute signature"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), SPANS)
def test_quote_pairing(text: str, expected: list[str]) -> None:
    assert quoted(text) == expected


CASES = [
    # a stray closing mark no longer shifts every later pairing: the quote keeps its own speaker
    (
        "fr",
        'Le chantier a pris du retard". La maire Claire Dubois a déclaré : "Nous tiendrons les délais '
        'de livraison". Le préfet Jean Moreau a répondu que "rien ne presse pour les riverains".',
        [
            ("Claire Dubois", "quote", "Nous tiendrons les délais de livraison"),
            ("Jean Moreau", "quote", "rien ne presse pour les riverains"),
        ],
    ),
    # a quote reopened in each paragraph stays with its speaker, one claim per paragraph
    (
        "en",
        'Mayor Ann Lee told reporters: "We will rebuild the old bridge this year.\n\n'
        '"The work will take two full years and cost far less than the new road."',
        [
            ("Mayor Ann Lee", "quote", "We will rebuild the old bridge this year."),
            (
                "Mayor Ann Lee",
                "quote",
                "The work will take two full years and cost far less than the new road.",
            ),
        ],
    ),
]


CASES += [
    # a run of quotations linked by punctuation or linking words is one speaker's, whose cue ends the run
    (
        "fr",
        '"Nous irons jusqu\'au bout", même si "la négociation sera longue", a affirmé la ministre Claire Dubois.',
        [
            ("Claire Dubois", "quote", "Nous irons jusqu'au bout"),
            ("Claire Dubois", "quote", "la négociation sera longue"),
        ],
    ),
    (
        "en",
        'The talks collapsed on Monday. "We are not afraid of a long strike." "We will fight for every job," '
        "union leader Ann Lee said.",
        [
            ("union leader Ann Lee", "quote", "We are not afraid of a long strike."),
            ("union leader Ann Lee", "quote", "We will fight for every job,"),
        ],
    ),
    # a pull quote (a sub-heading repeating a quotation said later with its cue) is not the last speaker's
    (
        "fr",
        "La ministre Claire Dubois a annoncé que le budget des écoles baisserait.\n\n"
        '"Nous ne fermerons aucune école du quartier"\n\nLe maire Paul Girard a réuni les parents lundi. '
        '"Nous ne fermerons aucune école du quartier", a-t-il promis.',
        [
            ("Claire Dubois", "statement", "le budget des écoles baisserait"),
            ("Paul Girard", "promise", "Nous ne fermerons aucune école du quartier"),
        ],
    ),
    (
        "en",
        'Minister Claire Dubois said the school budget would fall.\n\n"We will not close a single school"\n\n'
        'Mayor Paul Girard met parents on Monday. "We will not close a single school," he said.',
        [
            ("Minister Claire Dubois", "statement", "the school budget would fall"),
            ("Mayor Paul Girard", "quote", "We will not close a single school,"),
        ],
    ),
    # a term quoted in the journalist's own sentence (its main verb outside the quotation, with a subject
    # noun of its own) is nobody's claim, not the last speaker's; a quotation standing alone still is
    (
        "fr",
        "Le maire Paul Girard a déclaré que la ville était prête. L'association Eau Vive a retenu 800 analyses "
        '"ayant révélé des traces de pesticides dans l\'eau".',
        [("Paul Girard", "statement", "la ville était prête")],
    ),
    (
        "en",
        'Mayor Paul Girard said the city was ready. The charity studied chemicals with a "high risk of harm '
        'to children".',
        [("Mayor Paul Girard", "statement", "the city was ready")],
    ),
    (
        "fr",
        'Le maire Paul Girard a déclaré que la ville était prête. "Nous avons tout fait pour les familles."',
        [
            ("Paul Girard", "statement", "la ville était prête"),
            ("Paul Girard", "quote", "Nous avons tout fait pour les familles."),
        ],
    ),
    # a headline's attribution: a paragraph opening with a name and a colon before the quotation
    (
        "fr",
        "La grève continue.\nPaul Martin : « Nous ne céderons rien sur les salaires »",
        [("Paul Martin", "quote", "Nous ne céderons rien sur les salaires")],
    ),
    (
        "en",
        'Union leader Ann Lee: "We will strike until the plant stays open"',
        [("Union leader Ann Lee", "quote", "We will strike until the plant stays open")],
    ),
]


@pytest.mark.parametrize(("lang", "text", "expected"), CASES)
def test_quote_structure(
    nlps: dict[str, Any], lang: str, text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert table(nlps, lang, text) == expected


UNGLUED = [
    # a paragraph glued to the one before it by a scraper: split before the capitalised opener
    ("Une réunion discrèteLa justice enquête.", "Une réunion discrète\n\nLa justice enquête."),
    ("ouverte en 2019Le parquet a saisi", "ouverte en 2019\n\nLe parquet a saisi"),
    ("Vidéo par TVNORDSon avocat a dit", "Vidéo par TVNORD\n\nSon avocat a dit"),
    ("la mairie de LilleL'adjoint a dit", "la mairie de Lille\n\nL'adjoint a dit"),
    ("the plant closedThe union said", "the plant closed\n\nThe union said"),
    # names keep their inner capitals; a possessive is no elided opener
    ("Rory McIlroy and Betsy DeVos met", "Rory McIlroy and Betsy DeVos met"),
    ("LinkedIn is a network", "LinkedIn is a network"),
    ("the BBC's reporter", "the BBC's reporter"),
    ("les ElleVous de Paris", "les ElleVous de Paris"),
]


@pytest.mark.parametrize(("text", "expected"), UNGLUED)
def test_unglue(text: str, expected: str) -> None:
    assert unglue(text) == expected


CLEANED = [
    # a sentence glued to the one before it by its stop, an elided opener too (« conclu.L'avocat »)
    ("a-t-il conclu.Le juge a dit", "a-t-il conclu. Le juge a dit"),
    ("a-t-il conclu.L'avocat a dit", "a-t-il conclu. L'avocat a dit"),
    # not a possessive after an abbreviation's stop
    ("the U.S.A's team", "the U.S.A's team"),
    # a sentence glued after a number, a percentage, a bracket or a closing quote
    ("le loyer a monté de 8%.La mairie a dit", "le loyer a monté de 8%. La mairie a dit"),
    ("en 2021.Le juge a dit", "en 2021. Le juge a dit"),
    ("les Jeux (JO).L'Etat a dit", "les Jeux (JO). L'Etat a dit"),
    ('un "plan social".Il a ajouté', 'un "plan social". Il a ajouté'),
    # the next quotation opens right after the stop, or a closing guillemet touches the next sentence
    ('a-t-il conclu."Nous partons', 'a-t-il conclu. "Nous partons'),
    ('"un échec"."Rien ne change', '"un échec". "Rien ne change'),
    ("« un échec »Elle a quitté la salle", "« un échec » Elle a quitté la salle"),
    # not a decimal, an abbreviation or a name
    ("3.5 M. Kim", "3.5 M. Kim"),
]


@pytest.mark.parametrize(("text", "expected"), CLEANED)
def test_clean_text_splits_glued_sentences(text: str, expected: str) -> None:
    assert clean_text(text) == expected


LOADED = [
    # a quote mark glued to an elided « qu' » is a token of its own: the clause keeps its « que », and the
    # claim is the clause, not the quoted fragment
    (
        "fr",
        "Le maire Paul Girard a affirmé jeudi qu'\"aucun danger pour les enfants\" n'existait dans les écoles.",
        [("Paul Girard", "quote", '"aucun danger pour les enfants" n\'existait dans les écoles')],
    ),
    # the glued paragraph's last words are no speaker: its opener starts the next paragraph
    (
        "fr",
        'Le conseil a voté le budget en 2024La maire Claire Dubois a assuré que "les impôts ne monteront pas".',
        [("Claire Dubois", "quote", "les impôts ne monteront pas")],
    ),
    (
        "en",
        "The old steel plant closed in 2023The union leader, Ann Lee, said that hundreds of jobs were lost.",
        [("Ann Lee", "statement", "hundreds of jobs were lost")],
    ),
    (
        "en",
        "Hospital staff went on strike for a week. Strike endsTheir union said on Friday that a deal was reached.",
        [("Their union", "statement", "a deal was reached")],
    ),
]


@pytest.mark.parametrize(("lang", "text", "expected"), LOADED)
def test_loaded_text(lang: str, text: str, expected: list[tuple[str, str, str]]) -> None:
    """Claims of a text as an article carries it: cleaned on loading, parsed by the engine's pipeline."""
    nlp = load_pipeline(DEFAULT_PIPELINES[lang])
    assert table({lang: nlp}, lang, clean_text(text)) == expected

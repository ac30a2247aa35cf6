"""English rules of issue 9 (cues, content, speakers): own sentences -> expected (speaker, kind, content).

Each row fails without the rule its comment names.
"""

from __future__ import annotations

import pytest

from tests.claim_tables import table

ENGLISH = [
    # a call noun with "for" reports what is asked for; the one who renews or repeats the call makes it
    (
        "Sara Holt renewed calls for an independent inquiry into the contracts.",
        [("Sara Holt", "statement", "an independent inquiry into the contracts")],
    ),
    # "for X to be done" is what is asked, and "his group's calls" are the subject's own
    (
        "Councillor Jim Bell repeated his group's calls for the depot to be kept open.",
        [("Councillor Jim Bell", "statement", "the depot to be kept open")],
    ),
    # a role "of" a possessor noun is only the earlier holder of that role with the same possessor
    (
        "The mayor's spokesman, Jim Cole, spoke first. Green party spokesman Tom Reed asked for the files. "
        "The mayor's spokesman said the files were private.",
        [("Jim Cole", "statement", "the files were private")],
    ),
    # a participle cue after the object ends what the verb reports: two claims ("denied A, saying Q")
    (
        "The mayor's spokesman rejected the claims, saying the mayor had made every decision himself.",
        [
            ("The mayor's spokesman", "denial", "the claims"),
            ("The mayor's spokesman", "statement", "the mayor had made every decision himself"),
        ],
    ),
    # "P, Mr X said, because …": the clause before the comma, past the title of the subject; an adverbial
    # before the comma ("On 2 May, X asked …") is no such clause
    (
        "Ann Reed says the files should be published. This would be wrong even if the minister had signed "
        "the statement, former minister Ann Reed said, because the advice should be independent.",
        [
            ("Ann Reed", "statement", "the files should be published"),
            (
                "former minister Ann Reed",
                "statement",
                "This would be wrong even if the minister had signed the statement",
            ),
        ],
    ),
    ("On 2 May, army chiefs asked for a clear statement about the war.", []),
    # speculation and rumours are reporting nouns that are their own (unnamed) source
    (
        "There had been press speculation that the coach had lost the trust of the players.",
        [("press speculation", "statement", "the coach had lost the trust of the players")],
    ),
    # a document speaks for its author: "its report" is the subject's, "a study by X" is X's; a document
    # with a name of its own stays the speaker
    (
        "In its annual report, the agency cut its forecast for exports. Fuel costs rose again in May. The "
        "report warned that prices would keep rising.",
        [("the agency", "warning", "prices would keep rising")],
    ),
    (
        "A study by the regulator was published on Monday. The study found that fees had doubled.",
        [("the regulator", "statement", "fees had doubled")],
    ),
    (
        "The bank's Green Book survey came out on Monday. The survey said prices would fall.",
        [("The survey", "statement", "prices would fall")],
    ),
    # "In a study (carried out) by X, Y was said to …": the hedge reports X's words; a participle clause
    # with a subject of its own is no author ("speculation that X had felt undermined by Y")
    (
        'In a study carried out by the Harbour Institute in 2019, the river was said to be "badly polluted" '
        "near the plant.",
        [
            (
                "the Harbour Institute",
                "statement",
                'the river was said to be "badly polluted" near the plant',
            )
        ],
    ),
    (
        "There had been press speculation that the coach had felt undermined by the owner's plans.",
        [("press speculation", "statement", "the coach had felt undermined by the owner's plans")],
    ),
    # "warned X against Y": X is whom the warning is for, Y (a noun or a gerund clause) what it says
    (
        "The coast guard warned residents against travelling to the islands this weekend.",
        [("The coast guard", "warning", "travelling to the islands this weekend")],
    ),
    # what a verb of emphasis stresses is what is said
    (
        "The agency highlighted weak household spending in Spain and the region's heavy reliance on tourism.",
        [
            (
                "The agency",
                "statement",
                "weak household spending in Spain and the region's heavy reliance on tourism",
            )
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), ENGLISH)
def test_english(nlps: dict[str, object], text: str, expected: list[tuple[str, str, str]]) -> None:
    assert table(nlps, "en", text) == expected

"""Not claims (issue 9, item 5): a reporting verb in another use says nothing — own sentences, each of
which gave a claim before its rule."""

from __future__ import annotations

import pytest

from tests.claim_tables import table

NOT_CLAIMS = [
    # a bare participle with an agent describes a noun: what the noun is, not what the agent says
    ("fr", "Le rapport publié par le cabinet Arkos a été transmis au ministre hier."),
    ("fr", "Les accusations dénoncées par les syndicats visent la direction."),
    ("en", "The claims denied by the company concern its suppliers."),
    # a pronominal cue in another sense: « s'explique par » is a cause, not an explanation someone gives
    ("fr", "Cette hausse des prix s'explique par la reprise des exportations."),
    # whom something was said to is not what was said
    ("fr", "Paul Henry a quitté le club en mai. Il a tout raconté à Marie Dupont."),
    ("fr", "Paul Henry a quitté le club. Il a répondu au président Marc Aubry."),
    # a statement verb's prepositional argument is what it is about, unless the lexicon lists the verb
    ("fr", "Le maire a ajouté à la confusion générale la semaine dernière."),
    # a source phrase naming a rule or a standard says how, not who says it
    (
        "fr",
        "L'association a étudié des molécules cancérogènes selon la classification de l'Union européenne.",
    ),
    ("en", "Payments will be made according to the schedule set by the regional council."),
    # a conditional cue says nothing yet
    ("en", "The new rules would worry many farmers in the valley."),
]


@pytest.mark.parametrize(("lang", "text"), NOT_CLAIMS)
def test_not_a_claim(nlps: dict[str, object], lang: str, text: str) -> None:
    assert table(nlps, lang, text) == []


def test_conditional_cue_inside_a_claim_is_part_of_it(nlps: dict[str, object]) -> None:
    found = table(nlps, "en", "Ann Lee said the mayor would announce the closure of the plant.")
    assert found == [("Ann Lee", "statement", "the mayor would announce the closure of the plant")]

"""Attributed-claim extraction: own sentences (fr/en) -> expected (speaker, kind, content)."""

from __future__ import annotations

import pytest

from briefings.claims import Attribution, extract_attributions, load_cues, load_grammar


def claims(nlps: dict[str, object], lang: str, text: str) -> list[Attribution]:
    doc = nlps[lang](text)  # type: ignore[operator]
    found = list(extract_attributions(doc, cues=load_cues(lang)))
    for a in found:
        assert a.text == doc.text[a.start : a.end]
        assert a.speaker == doc.text[a.speaker_start : a.speaker_end]
    return found


FRENCH = [
    # an epithet ("le leader syndicaliste") refers back to who spoke just before; an office "de" something
    # ("le chef du gouvernement") is someone else
    (
        '"Partout il y a des discussions", a alors répondu Paul Durand. Le leader syndicaliste a estimé que '
        "\"les grévistes font aussi Noël en famille\". Il a assuré qu'il n'y avait pas de volonté de gâcher les "
        "fêtes.",
        [
            ("Paul Durand", "quote", "Partout il y a des discussions"),
            ("Paul Durand", "estimate", "les grévistes font aussi Noël en famille"),
            ("Paul Durand", "statement", "il n'y avait pas de volonté de gâcher les fêtes"),
        ],
    ),
    (
        "« Nous ne céderons pas », a déclaré Paul Durand. Le chef du gouvernement a répondu que la réforme "
        "serait votée.",
        [
            ("Paul Durand", "quote", "Nous ne céderons pas"),
            ("Le chef du gouvernement", "statement", "la réforme serait votée"),
        ],
    ),
    # a subjectless passive after "après avoir été" speaks of the subject of the clause it follows
    (
        "Le projet a été abandonné après avoir été rejeté par le conseil régional.",
        [("le conseil régional", "denial", "Le projet")],
    ),
    # a cue introduced by avant de / après avoir is a claim of its own, by the same speaker
    (
        "Marie Dupont a affirmé que le budget était serré, avant de préciser que les impôts "
        "n'augmenteraient pas.",
        [
            ("Marie Dupont", "statement", "le budget était serré"),
            ("Marie Dupont", "statement", "les impôts n'augmenteraient pas"),
        ],
    ),
    (
        "Le maire a assuré que le pont serait réparé, après avoir reconnu que les travaux avaient pris du retard.",
        [
            ("Le maire", "statement", "le pont serait réparé"),
            ("Le maire", "statement", "les travaux avaient pris du retard"),
        ],
    ),
    # direct quotes, speaker after the quote, with "-t-" inversion and pronoun resolution
    (
        "Marc Durand a visité l'usine lundi. « Nous ne fermerons aucun site cette année », a-t-il ajouté.",
        [("Marc Durand", "quote", "Nous ne fermerons aucun site cette année")],
    ),
    (
        "« Les salaires doivent augmenter dès le mois prochain », a déclaré Sophie Martin.",
        [("Sophie Martin", "quote", "Les salaires doivent augmenter dès le mois prochain")],
    ),
    # speaker before the quote
    (
        "La maire a déclaré : « Le pont sera rouvert avant l'été prochain. »",
        [("La maire", "quote", "Le pont sera rouvert avant l'été prochain.")],
    ),
    # reported speech with que
    (
        "Le ministre a affirmé que la réforme serait adoptée avant la fin de l'année.",
        [("Le ministre", "statement", "la réforme serait adoptée avant la fin de l'année")],
    ),
    (
        "Paul Lefèvre a estimé que les prix allaient encore baisser.",
        [("Paul Lefèvre", "estimate", "les prix allaient encore baisser")],
    ),
    # denial with an object
    (
        "Les deux entreprises ont nié les accusations de fraude.",
        [("Les deux entreprises", "denial", "les accusations de fraude")],
    ),
    # promise with an infinitive
    (
        "Claire Dubois s'est engagée à réduire les impôts des ménages.",
        [("Claire Dubois", "promise", "réduire les impôts des ménages")],
    ),
    # selon at the start and at the end
    (
        "Selon une source judiciaire, le suspect a été placé en garde à vue mardi.",
        [("une source judiciaire", "statement", "le suspect a été placé en garde à vue mardi")],
    ),
    (
        "Le suspect a été libéré dans la soirée, selon la police locale.",
        [("la police locale", "statement", "Le suspect a été libéré dans la soirée")],
    ),
    # inverted subject after the content
    (
        "Le convoi a franchi la frontière dans la nuit, ont rapporté les médias officiels.",
        [("les médias officiels", "statement", "Le convoi a franchi la frontière dans la nuit")],
    ),
    # accusations selon lesquelles
    (
        "Les syndicats ont lancé des accusations selon lesquelles la direction aurait menti aux salariés.",
        [("Les syndicats", "accusation", "la direction aurait menti aux salariés")],
    ),
    # passive with agent
    (
        "Le laboratoire est soupçonné par les enquêteurs d'avoir falsifié des résultats.",
        [
            (
                "les enquêteurs",
                "accusation",
                "Le laboratoire est soupçonné par les enquêteurs d'avoir falsifié des résultats",
            )
        ],
    ),
    # negation, narration and "il faut" are not claims
    ("Le ministre n'a pas déclaré que la réforme serait retirée.", []),
    ("Il faut que les travaux commencent rapidement.", []),
    ("Le train est arrivé à Lyon avec deux heures de retard.", []),
    # an odd quote mark never crashes; the inverted cue still attributes the sentence
    (
        "« Nous verrons bien ce qui se passera demain, a dit le maire.",
        [("le maire", "statement", "Nous verrons bien ce qui se passera demain")],
    ),
    (
        "Le maire a dit : « Nous verrons bien demain. » Puis « rien",
        [("Le maire", "quote", "Nous verrons bien demain.")],
    ),
    # a role description resolved to the named holder of the role mentioned earlier
    (
        "Le ministre de l'Intérieur Jean Valmy a visité le port. « Nous ne céderons rien aux trafiquants "
        "de drogue », a déclaré le maire de la ville, Paul Ariès. Le ministre a ensuite accusé les passeurs "
        "de mettre des vies en danger.",
        [
            ("Paul Ariès", "quote", "Nous ne céderons rien aux trafiquants de drogue"),
            ("Jean Valmy", "accusation", "les passeurs de mettre des vies en danger"),
        ],
    ),
    # a participle clause with an object is narration, not a claim
    (
        "Reconnaissant un retard du chantier, la directrice a promis une livraison en juin.",
        [("la directrice", "promise", "une livraison en juin")],
    ),
    # "selon X" around another attribution: the inner attribution is a claim of its own, and the source
    # reports the whole of it (the gold convention: Y the claim, X a minor one)
    (
        "Selon le journal, le préfet a affirmé que la route serait rouverte mardi.",
        [
            ("le journal", "statement", "le préfet a affirmé que la route serait rouverte mardi"),
            ("le préfet", "statement", "la route serait rouverte mardi"),
        ],
    ),
    # request with the object after a day name; "faire valoir"; a former role refers to the last speaker
    (
        "La députée Verte Anne Morel a réclamé mardi une enquête parlementaire sur la pollution du fleuve. "
        "« Les riverains ont le droit de savoir ce qu'ils respirent », a fait valoir l'ancienne adjointe "
        "de Paul Ricard.",
        [
            ("Anne Morel", "statement", "une enquête parlementaire sur la pollution du fleuve"),
            ("Anne Morel", "quote", "Les riverains ont le droit de savoir ce qu'ils respirent"),
        ],
    ),
    # a quotation inside a reported clause: the whole clause is the claim
    (
        "Le sénateur Luc Perrin a affirmé que la réforme restait « une erreur historique pour le pays ».",
        [("Luc Perrin", "quote", "la réforme restait « une erreur historique pour le pays »")],
    ),
    (
        "LYON (AFP) - Le maire a affirmé que le tunnel serait rouvert avant l'été.",
        [("Le maire", "statement", "le tunnel serait rouvert avant l'été")],
    ),
    # a participle after a quotation's cue speaks for the same person; a circumstance is not the speaker
    (
        "Julie Morel a quitté la réunion. « Nous avons tout essayé avec la direction », a-t-elle regretté, "
        "précisant que la grève continuerait lundi.",
        [
            ("Julie Morel", "quote", "Nous avons tout essayé avec la direction"),
            ("Julie Morel", "statement", "la grève continuerait lundi"),
        ],
    ),
    (
        "La réforme sera votée en mars, a précisé le ministre dans un entretien au journal local.",
        [("le ministre", "statement", "La réforme sera votée en mars")],
    ),
    # a stray full stop between a quotation and its lower-case cue
    (
        "Le fait que le ministre tienne sa promesse « est un signe fort de la nécessité actuelle pour "
        "Moscou ». a déclaré Anne Roux, chercheuse.",
        [("Anne Roux", "quote", "est un signe fort de la nécessité actuelle pour Moscou")],
    ),
    (
        "Le ministre a réitéré sa promesse que les impôts baisseraient l'an prochain.",
        [("Le ministre", "promise", "les impôts baisseraient l'an prochain")],
    ),
    (
        "Le maire a démenti les informations selon lesquelles il allait démissionner.",
        [
            ("Le maire", "denial", "les informations selon lesquelles il allait démissionner"),
            ("les informations", "statement", "il allait démissionner"),
        ],
    ),
    (
        "Le syndicat a publié un communiqué dénonçant la décision de la direction.",
        [("Le syndicat", "accusation", "la décision de la direction")],
    ),
    (
        "La maire a salué l'engagement des bénévoles pendant les inondations.",
        [("La maire", "statement", "l'engagement des bénévoles pendant les inondations")],
    ),
    # cues that assert nothing: pronominal forms with another meaning, modal infinitives, participles
    ("La soirée s'annonce longue pour les secouristes de la vallée.", []),
    ("Ces nouveaux drones pourraient s'ajouter aux moyens de l'armée de l'air.", []),
    ("La ministre devrait en dire plus sur la réforme après les élections.", []),
    ("Le tunnel, prévu de longue date, sera creusé sous la colline.", []),
    # a passive relative clause with an agent: the noun it describes belongs to the claim; "et d'autres"
    (
        "Les deux pays partagent une frontière qui est soupçonnée par l'ONU et d'autres de servir au "
        "trafic d'armes.",
        [
            (
                "ONU",
                "accusation",
                "une frontière qui est soupçonnée par l'ONU et d'autres de servir au trafic d'armes",
            )
        ],
    ),
    # inverted cues after a long content the parser hangs elsewhere: the name after the verb speaks
    (
        "Les stocks de blé ont baissé et une hausse des prix alors que la sécheresse continue pourrait "
        "frapper les ménages modestes, a déclaré Agro Conseil.",
        [
            (
                "Agro Conseil",
                "statement",
                "Les stocks de blé ont baissé et une hausse des prix alors que la sécheresse continue "
                "pourrait frapper les ménages modestes",
            )
        ],
    ),
    (
        "Les ventes de voitures électriques vont encore progresser cette année malgré la fin des aides "
        "publiques, a estimé mardi la présidente de la fédération, Claire Morel.",
        [
            (
                "Claire Morel",
                "estimate",
                "Les ventes de voitures électriques vont encore progresser cette année malgré la fin des "
                "aides publiques",
            )
        ],
    ),
]

ENGLISH = [
    # "reports P" with "that" left out: a clause with its own subject and object; a relative clause is not
    (
        "She would not discuss reports the company paid two million dollars to the minister.",
        [("reports", "statement", "the company paid two million dollars to the minister")],
    ),
    ("She would not discuss reports the company published last year.", []),
    # "the veteran senator" right after Ann Lee spoke is Ann Lee
    (
        "“We will not give up,” said Ann Lee. The veteran senator added that the bill would pass in May.",
        [
            ("Ann Lee", "quote", "We will not give up,"),
            ("Ann Lee", "statement", "the bill would pass in May"),
        ],
    ),
    # "…, which showed" hung on the main verb: the relative pronoun stands for the noun before the comma
    (
        "The release of the survey follows closely watched trade figures earlier this month, which showed a "
        "sharp fall in exports.",
        [("closely watched trade figures", "statement", "a sharp fall in exports")],
    ),
    # what a thing "shows" inside someone's argument is part of that argument; a nested speaker is not
    (
        "Union leaders argued that the documents simply show routine paperwork.",
        [("Union leaders", "statement", "the documents simply show routine paperwork")],
    ),
    (
        "The mayor said that union leaders warned that the plant would close.",
        [
            ("The mayor", "statement", "union leaders warned that the plant would close"),
            ("union leaders", "warning", "the plant would close"),
        ],
    ),
    # "there are predictions / allegations that P": the unnamed source is the noun itself
    (
        "There are predictions that the river will burst its banks tonight.",
        [("predictions", "estimate", "the river will burst its banks tonight")],
    ),
    ("There is no evidence that the vote was rigged.", []),
    # "X collapsed after being rejected by Y": what Y rejected is X
    (
        "The pipeline deal collapsed on Friday after being rejected by the regional council.",
        [("the regional council", "denial", "The pipeline deal")],
    ),
    # "before noting that …" is a claim of its own, by the speaker of the cue it follows
    (
        "Mayor Ann Price told reporters that the budget was “deeply worrying,” before noting that the city "
        "is “in good hands.”",
        [
            ("Mayor Ann Price", "statement", "the budget was “deeply worrying"),
            ("Mayor Ann Price", "statement", "the city is “in good hands"),
        ],
    ),
    (
        '"We will not raise taxes this year," the governor said.',
        [("the governor", "quote", "We will not raise taxes this year,")],
    ),
    (
        'Anna Price said: "The new line will open in the spring."',
        [("Anna Price", "quote", "The new line will open in the spring.")],
    ),
    (
        'John Miller visited the plant. "The factory will stay open for many years," he said.',
        [("John Miller", "quote", "The factory will stay open for many years,")],
    ),
    (
        "The mayor said that the bridge would reopen next week.",
        [("The mayor", "statement", "the bridge would reopen next week")],
    ),
    (
        "The union told reporters that the strike would continue.",
        [("The union", "statement", "the strike would continue")],
    ),
    (
        "The company's spokesman denied the allegations.",
        [("The company's spokesman", "denial", "the allegations")],
    ),
    (
        "Officials warned that the river could flood the town.",
        [("Officials", "warning", "the river could flood the town")],
    ),
    (
        "According to the report, unemployment fell sharply in March.",
        [("the report", "statement", "unemployment fell sharply in March")],
    ),
    (
        "Unemployment fell sharply in March, according to the ministry.",
        [("the ministry", "statement", "Unemployment fell sharply in March")],
    ),
    (
        "Prices will keep rising until the summer, analysts said.",
        [("analysts", "statement", "Prices will keep rising until the summer")],
    ),
    (
        "The senator pledged to cut the budget deficit.",
        [("The senator", "promise", "cut the budget deficit")],
    ),
    # hyphenated role nouns, and a role description resolved to the name given earlier
    (
        "The Green co-leader Mary Hill toured the port. The Green co-leader said the harbour would be "
        "dredged next year.",
        [("Mary Hill", "statement", "the harbour would be dredged next year")],
    ),
    # a straight quote mark after a sentence end opens a new quotation (paragraph-style quoting)
    (
        'Mayor Tom Reed said: "The budget is balanced. "The next one will be harder, but we are ready." '
        "The council met later.",
        [
            ("Mayor Tom Reed", "quote", "The budget is balanced."),
            ("Mayor Tom Reed", "quote", "The next one will be harder, but we are ready."),
        ],
    ),
    # a clause coordinated by "but" with its own attribution is not part of the first claim
    (
        "Kate Lowe described the plan as a gift to landlords, but the committee said it would cut rents.",
        [
            ("Kate Lowe", "statement", "the plan as a gift to landlords"),
            ("the committee", "statement", "it would cut rents"),
        ],
    ),
    ("Turning to its accounts for the year, the company made a profit of two million pounds.", []),
    # a pronoun never refers to a noun inside its own claim
    (
        "The agency published its survey on Monday. Fuel prices rose again in March, it said.",
        [("The agency", "statement", "Fuel prices rose again in March")],
    ),
    (
        "According to the newspaper, ministers have confirmed that the tax will rise in April.",
        [
            ("the newspaper", "statement", "ministers have confirmed that the tax will rise in April"),
            ("ministers", "statement", "the tax will rise in April"),
        ],
    ),
    (
        'The survey, which covers 12 districts, said most regions continued to grow at a "modest or '
        'moderate pace" in the summer.',
        [
            (
                "The survey",
                "quote",
                'most regions continued to grow at a "modest or moderate pace" in the summer',
            )
        ],
    ),
    # a quoted title is not a quotation
    (
        'Ann Reed, author of "Rivers of Glass: How Cities Learned to Drink Again," said the city would '
        "run dry by 2040.",
        [("Ann Reed", "statement", "the city would run dry by 2040")],
    ),
    # he/she in an adverbial clause: the person named just before
    (
        "The board paid a large bonus to Martin Cole after he predicted a record year.",
        [("Martin Cole", "estimate", "a record year")],
    ),
    # a gerund coordinated with a finite cue is part of that claim, not a new one
    (
        "Dr Ross accused the mayor of hiding the figures and then attacking the auditors.",
        [("Dr Ross", "accusation", "the mayor of hiding the figures")],
    ),
    (
        "The report noted rising prices in the northern districts.",
        [("The report", "statement", "rising prices in the northern districts")],
    ),
    # negation, passive without a source, narration
    (
        "Demand for steel will keep falling until the end of the year, said Tom Baker, an analyst at Metals "
        "Research.",
        [("Tom Baker", "statement", "Demand for steel will keep falling until the end of the year")],
    ),
    # a dateline is not the speaker, nor part of the claim
    (
        "BOSTON (AP) — Governor Ellen Park on Monday accused the state senate of blocking the transit bill.",
        [("Governor Ellen Park", "accusation", "the state senate of blocking the transit bill")],
    ),
    (
        "Chicago (AFP) – Orders for new machinery fell again in March, the trade association said Tuesday.",
        [("the trade association", "statement", "Orders for new machinery fell again in March")],
    ),
    (
        'Mary Cole opened the meeting. "We are ready for the storm," she said, adding that the schools '
        "would stay closed on Monday.",
        [
            ("Mary Cole", "quote", "We are ready for the storm,"),
            ("Mary Cole", "statement", "the schools would stay closed on Monday"),
        ],
    ),
    # claims introduced by a noun: a source noun speaks itself, a possessor or the maker of the claim speaks
    (
        "The minister refused to discuss local radio reports that the depot would close in June.",
        [("local radio reports", "statement", "the depot would close in June")],
    ),
    (
        "Senator Ruth Ellis made the allegation that the mayor had hidden the audit.",
        [("Senator Ruth Ellis", "accusation", "the mayor had hidden the audit")],
    ),
    (
        "Hillary Stone spoke in Ohio. She repeated her allegations of a secret deal between the two firms.",
        [("Hillary Stone", "accusation", "a secret deal between the two firms")],
    ),
    (
        "The governor has continued his warnings that the dam is unsafe.",
        [("The governor", "warning", "the dam is unsafe")],
    ),
    # a claim rejected by the subject is not the subject's
    (
        "The company denied claims that it had polluted the river.",
        [("The company", "denial", "claims that it had polluted the river")],
    ),
    # a participle describing what someone issued or delivered speaks for its author
    (
        "Pat Jones was a speaker at the convention, where she delivered an emotional speech blaming the "
        "senator for the closure and accusing him of lying to families.",
        [
            ("Pat Jones", "accusation", "the senator for the closure"),
            ("Pat Jones", "accusation", "him of lying to families"),
        ],
    ),
    # praise is a stance too; a worry whose object is really a clause's subject
    (
        "The senator has praised the new mayor as a capable manager.",
        [("The senator", "statement", "the new mayor as a capable manager")],
    ),
    (
        "The plan angered many farmers who worry the new rules will ruin small dairies.",
        [("many farmers", "estimate", "the new rules will ruin small dairies")],
    ),
    ("The company will announce its results on Monday.", []),
    ("The merger, announced last year, could still be blocked by the regulator.", []),
    ("The minister did not say that the plan would be dropped.", []),
    ("The candidate is expected to win the vote.", []),
    ("The train arrived in Leeds two hours late.", []),
    ('The mayor spoke about "a very long night" for the city.', []),
]


def table(nlps: dict[str, object], lang: str, text: str) -> list[tuple[str, str, str]]:
    return [(a.speaker, a.kind, a.text) for a in claims(nlps, lang, text)]


@pytest.mark.parametrize(("text", "expected"), FRENCH)
def test_french(nlps: dict[str, object], text: str, expected: list[tuple[str, str, str]]) -> None:
    assert table(nlps, "fr", text) == expected


@pytest.mark.parametrize(("text", "expected"), ENGLISH)
def test_english(nlps: dict[str, object], text: str, expected: list[tuple[str, str, str]]) -> None:
    assert table(nlps, "en", text) == expected


def test_split_quote_keeps_one_speaker(nlps: dict[str, object]) -> None:
    text = '"The first part is done," she said, "and the second part starts tomorrow." Lisa Grant smiled.'
    text = "Lisa Grant opened the site. " + text
    assert [(a.speaker, a.text) for a in claims(nlps, "en", text)] == [
        ("Lisa Grant", "The first part is done,"),
        ("Lisa Grant", "and the second part starts tomorrow."),
    ]


def test_quote_over_several_sentences_and_floating_quote(nlps: dict[str, object]) -> None:
    text = (
        "Le directeur a pris la parole. « Nous avons perdu trop de temps. Il faut maintenant accélérer "
        "le chantier », a déclaré Pierre Roux. « La ville attend ce tramway depuis dix ans. »"
    )
    assert table(nlps, "fr", text) == [
        ("Pierre Roux", "quote", "Nous avons perdu trop de temps. Il faut maintenant accélérer le chantier"),
        ("Pierre Roux", "quote", "La ville attend ce tramway depuis dix ans."),
    ]


def test_cue_text_and_pronoun_without_antecedent(nlps: dict[str, object]) -> None:
    quote = "« Les négociations reprendront lundi matin », a-t-elle ajouté."
    assert claims(nlps, "fr", quote) == []  # no antecedent: skipped, never "-t" or "elle"
    text = "Julie Morel a quitté la réunion. " + quote
    (a,) = claims(nlps, "fr", text)
    assert (a.speaker, a.cue, a.kind) == ("Julie Morel", "a-t-elle ajouté", "quote")
    assert (a.speaker_start, a.speaker_end) == (0, len("Julie Morel"))


def test_lexicons_load_with_stances() -> None:
    fr, en = load_cues("fr"), load_cues("en")
    assert fr.verbs["nier"][0][1] == "denial"
    assert en.verbs["warn"][0][1] == "warning"
    assert ("selon",) in fr.sources and ("according", "to") in en.sources
    assert load_cues("fr") is fr


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_grammar_file_names_every_entry(lang: str) -> None:
    import tomllib
    from dataclasses import fields
    from importlib import resources

    raw = tomllib.loads(resources.files("briefings").joinpath(f"lexicons/{lang}_grammar.toml").read_text())
    written = {("agent_words" if k == "agent" else k) for k in raw["words"]} | set(raw["labels"])
    assert written == {f.name for f in fields(load_grammar(lang))}
    assert load_cues(lang).grammar is load_grammar(lang)

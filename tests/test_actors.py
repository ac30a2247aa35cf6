"""Actor extraction patterns, each with sentences written for these tests."""

import pytest

from bot.settings import DEFAULT_PIPELINES
from briefings.actors import _mention, clean_surface, extract_actors, load_gazetteer, norm
from briefings.engine import load_pipeline


def table(text: str, *, lang: str, title: str | None = None):
    doc = load_pipeline(DEFAULT_PIPELINES[lang])(text)
    return extract_actors(doc, lang=lang, title=title, gazetteer=load_gazetteer(lang))


def names(text: str, *, lang: str) -> list[str]:
    return [a.name for a in table(text, lang=lang).ranked()]


@pytest.mark.parametrize(
    ("text", "lang", "short", "full"),
    [
        (
            "Le ministre Jean-Luc Marchand est arrivé lundi à Lille. Marchand a visité une usine.",
            "fr",
            "Marchand",
            "Jean-Luc Marchand",
        ),
        (
            "Senator Margaret Olsen spoke in Denver on Friday. Later, Olsen met farmers.",
            "en",
            "Olsen",
            "Margaret Olsen",
        ),
        (
            "The Liberal Democrats won two seats. The Lib Dems now hold the council.",
            "en",
            "Lib Dems",
            "Liberal Democrats",
        ),
    ],
)
def test_short_forms_merge_into_the_fullest_name(text: str, lang: str, short: str, full: str) -> None:
    actors = table(text, lang=lang)
    assert actors.resolve(short) == full


@pytest.mark.parametrize(
    ("text", "lang", "surface", "country"),
    [
        (
            "Le Kremlin a salué la décision, tandis que Moscou prépare une réponse.",
            "fr",
            "le Kremlin",
            "Russie",
        ),
        ("Pyongyang a procédé à un nouveau tir de missile, selon Séoul.", "fr", "Pyongyang", "Corée du Nord"),
        (
            "The White House said on Tuesday that Washington would respond.",
            "en",
            "the White House",
            "United States",
        ),
        ("Beijing rejected the report and Moscow stayed silent.", "en", "Moscow", "Russia"),
    ],
)
def test_places_stand_for_their_country(text: str, lang: str, surface: str, country: str) -> None:
    actors = table(text, lang=lang)
    assert actors.resolve(surface) == country
    assert country in [a.name for a in actors.ranked()]
    assert next(a.kind for a in actors.ranked() if a.name == country) == "country"


@pytest.mark.parametrize(
    ("text", "lang", "person", "role"),
    [
        (
            "Le porte-parole du gouvernement, Claire Vasseur, a répondu aux questions.",
            "fr",
            "Claire Vasseur",
            "porte-parole du gouvernement",
        ),
        (
            "Paul Renaud, directeur de l'hôpital de Nantes, a démissionné.",
            "fr",
            "Paul Renaud",
            "directeur de l'hôpital de Nantes",
        ),
        (
            "The company's chief executive, Laura Mendes, resigned on Monday.",
            "en",
            "Laura Mendes",
            "chief executive",
        ),
    ],
)
def test_roles_come_from_appositions(text: str, lang: str, person: str, role: str) -> None:
    actors = table(text, lang=lang)
    assert actors.role_of(person) == role


def test_a_role_phrase_resolves_to_the_actor_with_that_role() -> None:
    actors = table(
        "Le porte-parole du gouvernement, Claire Vasseur, a répondu aux syndicats. "
        "La réforme sera votée en mars, a ajouté la porte-parole.",
        lang="fr",
    )
    assert actors.resolve("la porte-parole") == "Claire Vasseur"


@pytest.mark.parametrize(
    ("text", "lang", "phrase", "expected"),
    [
        # a name heading a longer phrase is its actor
        (
            "Market analyst Rosa Delgado of Harlow Bank spoke on Monday. Harlow Bank lost money.",
            "en",
            "Market analyst Rosa Delgado of Harlow Bank",
            "Rosa Delgado",
        ),
        (
            "The tenants' association Green Court Voices met. Green Court Voices wants answers.",
            "en",
            "The tenants' association Green Court Voices",
            "Green Court Voices",
        ),
        # a name modifying another noun is not: the campaign, the aides, the spokesman of an institution
        ("Senator Paul Mercer spoke in Ohio on Friday.", "en", "the Mercer campaign", None),
        ("Senator Paul Mercer spoke in Ohio on Friday.", "en", "Mercer campaign aides", None),
        ("Le Kremlin a salué la décision.", "fr", "le porte-parole du Kremlin", None),
        # nor a person named after a preposition and a title: Mr Roy's lawyer is not Mr Roy
        ("Le maire Marc Roy a été entendu lundi. M. Roy n'a rien dit.", "fr", "L'avocat de M. Roy", None),
        ("Mayor Mark Roy was questioned on Monday. Mr Roy said nothing.", "en", "The lawyer of Mr Roy", None),
        # a hyphenated role before a name is that person's role
        (
            "Green co-leader Ada Brennan visited the port on Monday.",
            "en",
            "The Green co-leader",
            "Ada Brennan",
        ),
        # a plural group is not the longer name its singular modifies
        ("The Harbour Party won the vote. Harbours are busy.", "en", "Harbours", None),
    ],
)
def test_phrases_resolve_to_the_actor_they_name(
    text: str, lang: str, phrase: str, expected: str | None
) -> None:
    assert table(text, lang=lang).resolve(phrase) == expected


def test_noise_and_boilerplate_words_are_not_actors() -> None:
    found = names(
        "Lire aussi. Le Covid a ralenti les chantiers, a expliqué Marie Dubois à Lyon. Lire la suite.",
        lang="fr",
    )
    assert "Lire" not in found
    assert "Covid" not in found
    assert "Marie Dubois" in found


def test_unnamed_collectives_are_actors() -> None:
    found = names(
        "Les grévistes ont bloqué la gare. Le gouvernement a refusé de céder aux grévistes.", lang="fr"
    )
    assert "grévistes" in found
    assert "gouvernement" in found


def test_a_bloc_written_in_lower_case_is_an_actor() -> None:
    found = names(
        "Unemployment rose again in March. The eurozone's finance ministers will meet on Friday.", lang="en"
    )
    assert "eurozone" in found


def test_salience_puts_the_lead_subject_and_title_first() -> None:
    actors = table(
        "Le ministre Jean-Luc Marchand a annoncé mardi une réforme des retraites. La France et l'Allemagne "
        "discutent. La France attend. La France espère. La France négocie.",
        lang="fr",
        title="Marchand annonce la réforme",
    ).ranked()
    assert actors[0].name == "Jean-Luc Marchand"
    assert 0.0 <= min(a.salience for a in actors) <= max(a.salience for a in actors) == 1.0


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("M. Lavrov", "Lavrov"),
        ("le Kremlin", "Kremlin"),
        ("l’ONU", "ONU"),
        ("Putin's", "Putin"),
        ("Lavrov", "Lavrov"),
        ("Le Goff", "Le Goff"),  # a capitalised Le before one capitalised word is a surname's particle
        ("Mme La Tourette", "La Tourette"),
        ("Le Kremlin", "Kremlin"),  # but not before a name the gazetteer knows
        ("la Guilde", "Guilde"),  # nor written in lower case
    ],
)
def test_clean_surface(raw: str, clean: str) -> None:
    assert clean_surface(raw, load_gazetteer("fr" if raw != "Putin's" else "en")) == clean


@pytest.mark.parametrize(
    ("surface", "after_role", "expected"),
    [
        # « le ministre de l'[Agriculture Lucie Le Maire] »: NER glued the end of the role to her name
        ("Agriculture Lucie Le Maire", True, ("Lucie Le Maire", "person")),
        # « la porte-parole du [Parti vert Anne Roux] »
        ("Parti vert Anne Roux", True, ("Anne Roux", "person")),
        # « la [Fondation Anne Roux] » names a body after a person: no role before it
        ("Fondation Anne Roux", False, ("Fondation Anne Roux", "organization")),
    ],
)
def test_a_body_ending_in_a_persons_name_after_a_role_is_that_person(
    surface: str, after_role: bool, expected: tuple[str, str]
) -> None:
    gazetteer = load_gazetteer("fr")
    mention = _mention(
        surface, 0, len(surface), "organization", optional=False, gazetteer=gazetteer, after_role=after_role
    )
    assert mention is not None
    assert (mention.text, mention.kind) == expected


def test_a_surname_with_a_particle_is_one_person_not_a_role() -> None:
    text = (
        "La députée Sandrine Le Goff a présenté mardi son projet de loi. "
        "Le Goff a promis un vote avant l'été. Le maire de la ville a salué le texte."
    )
    ranked = table(text, lang="fr").ranked()
    person = next(a for a in ranked if "Goff" in a.name)
    assert (person.name, "Le Goff" in person.aliases) == ("Sandrine Le Goff", True)


@pytest.mark.parametrize(
    ("text", "lang", "short", "full"),
    [
        (  # a surname ending in -s is no plural: "Stevens" is Gary Stevens, not a group
            "Coach Gary Stevens left the club on Monday. Stevens said the board had lost patience.",
            "en",
            "Stevens",
            "Gary Stevens",
        ),
        (
            "Former bank chief Paul Rogers denied the charges. Rogers told the court he trusted his staff.",
            "en",
            "Rogers",
            "Paul Rogers",
        ),
    ],
)
def test_a_surname_ending_in_s_merges_into_the_full_name(text: str, lang: str, short: str, full: str) -> None:
    ranked = table(text, lang=lang).ranked()
    assert [a.name for a in ranked if short in a.name] == [full]


def test_a_title_glued_to_a_name_is_stripped() -> None:
    assert clean_surface("M.Dumont", load_gazetteer("fr")) == "Dumont"


@pytest.mark.parametrize(
    ("text", "group"),
    [
        (
            "The Tories accused the minister of hiding the report. The Tories want an inquiry.",
            "Conservatives",
        ),
        ("Republicans blocked the bill on Tuesday, and Democrats vowed to bring it back.", "Republicans"),
    ],
)
def test_party_and_group_names_are_actors(text: str, group: str) -> None:
    actors = table(text, lang="en").ranked()
    assert (group in [a.name for a in actors], next((a.kind for a in actors if a.name == group), None)) == (
        True,
        "group",
    )


def test_a_nationality_adjective_is_no_actor() -> None:
    assert "Belgian" not in names("Belgian farmers blocked the roads near the border on Friday.", lang="en")


def test_a_party_and_its_nickname_are_one_actor() -> None:
    ranked = names(
        "The Conservatives won the vote in the council. The Tories now want a second inquiry into the deal.",
        lang="en",
    )
    assert ("Conservatives" in ranked, "Tories" in ranked) == (True, False)


def test_the_prime_ministers_office_is_a_body_not_the_country() -> None:
    actors = table("Number 10 rejected the report. Downing Street said the figures were wrong.", lang="en")
    assert (actors.resolve("Number 10"), actors.resolve("Downing Street")) == (
        "Downing Street",
        "Downing Street",
    )


@pytest.mark.parametrize(
    "text",
    [
        "Tom Reed told the Harbour Gazette that the bridge would close in May. The Northfield Union backed "
        "the plan on Friday.",
        "The bridge will close in May, Tom Reed told BBC Radio Kent. The Northfield Union backed the plan on "
        "Friday.",
        "The bridge will close in May, Tom Reed told the Harbour Gazette's weekend edition. The Northfield "
        "Union backed the plan on Friday.",
    ],
)
def test_a_channel_only_told_something_ranks_below_who_acts(text: str) -> None:
    ranked = names(text, lang="en")
    assert (len(ranked), ranked.index("Northfield Union")) == (3, 1)


def test_a_nationality_adjective_stands_for_its_country() -> None:
    ranked = names(
        "Korean and Japanese carmakers cut output in May. Japanese dealers blamed the weak yen for the drop.",
        lang="en",
    )
    assert ("Japan" in ranked, "Japanese" in ranked) == (True, False)


@pytest.mark.parametrize(
    ("text", "lang", "actor", "backdrop"),
    [
        (  # France is only where it happens, however often; the union acts
            "En France, les prix ont encore augmenté en mars. En France comme ailleurs, les ménages paient plus "
            "cher leur chauffage, et les loyers montent en France. Le syndicat Alliance a demandé une hausse des "
            "salaires. Le syndicat Alliance a aussi appelé à manifester.",
            "fr",
            "Alliance",
            "France",
        ),
        (
            "In Canada, food prices rose again in March. Across Canada, families pay more for heating, and rents "
            "keep rising in Canada. The Northfield Union asked for higher wages. Northfield Union also called a "
            "strike.",
            "en",
            "Northfield Union",
            "Canada",
        ),
    ],
)
def test_a_backdrop_country_ranks_below_who_acts(text: str, lang: str, actor: str, backdrop: str) -> None:
    ranked = names(text, lang=lang)
    assert (actor in ranked, backdrop in ranked) == (True, True)
    assert ranked.index(actor) < ranked.index(backdrop)


@pytest.mark.parametrize(
    ("text", "lang", "full"),
    [
        (
            "Commodore Ana Teke took control of the port on Sunday. Commodore Teke said no shots were fired.",
            "en",
            "Ana Teke",
        ),
        (
            "Le colonel Marc Leroux a quitté la base jeudi. Le colonel Leroux a refusé de commenter.",
            "fr",
            "Marc Leroux",
        ),
    ],
)
def test_a_military_rank_is_a_title_not_a_first_name(text: str, lang: str, full: str) -> None:
    """ "Commodore Teke" and "Ana Teke" are one person, not two of the eight places."""
    assert [a.name for a in table(text, lang=lang).ranked() if "Teke" in a.name or "Leroux" in a.name] == [
        full
    ]


@pytest.mark.parametrize(
    ("text", "lang", "speakers", "expected"),
    [
        (  # a speaker is an actor even when NER missed or cut its name
            "La forêt de Brême sera rasée pour une route. Selon Terre vivante, la forêt abrite des espèces "
            "protégées, et Terre vivante a déposé un recours. Le maire a répondu lundi.",
            "fr",
            {"Terre vivante": 2},
            ["Terre vivante"],
        ),
        (  # a title before a known name is that person, not a second actor
            "Nancy Orr runs the marine lab. Professor Orr said the cuts would hurt research on kelp.",
            "en",
            {"Professor Orr": 1},
            ["Nancy Orr"],
        ),
        (  # a description around another actor's name is not a new actor
            "La CGT a appelé à la grève. Le numéro un de la CGT a jugé la réforme injuste.",
            "fr",
            {"numéro un de la CGT": 1},
            ["CGT"],
        ),
    ],
)
def test_speakers_of_claims_are_actors(
    text: str, lang: str, speakers: dict[str, int], expected: list[str]
) -> None:
    ranked = [a.name for a in table(text, lang=lang).ranked(speaker_counts=speakers)]
    first = expected[0].split()[-1]
    assert [n for n in ranked if first in n or any(w in n for w in ("Terre", "numéro"))] == expected


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("Camille DorvalL'", "Camille Dorval"),  # the next sentence's « L'… » glued on by a lost space
        ('Radio Nord"Nous', "Radio Nord"),  # a quote glued on
        ("Valéry Giscard d'Estaing", "Valéry Giscard d'Estaing"),
        ("O'Brien", "O'Brien"),
    ],
)
def test_text_glued_to_a_name_is_cut(surface: str, expected: str) -> None:
    assert clean_surface(surface, load_gazetteer("fr")) == expected


def test_no_actor_keeps_the_next_sentence_glued_to_its_name() -> None:
    text = (
        "La maire Camille Dorval a présenté le budget lundi. Camille Dorval a défendu la hausse des impôts "
        "devant Paul Brun et Camille DorvalL'opposition a quitté la salle avant le vote."
    )
    assert [n for n in names(text, lang="fr") if "Dorval" in n] == ["Camille Dorval"]


def test_a_speaker_extending_a_cut_name_is_that_actor() -> None:
    """NER cut the name at a hyphen ("Ahn Chan"); the speaker's fuller form is the same actor."""
    text = "Le chercheur Ahn Chan a publié une étude lundi. Ahn Chan a répondu aux questions des députés."
    ranked = table(text, lang="fr").ranked(speaker_counts={"Ahn Chan-il": 2})
    assert [(a.name, a.aliases) for a in ranked if "Ahn" in a.name] == [("Ahn Chan-il", ("Ahn Chan",))]


@pytest.mark.parametrize(
    ("surface", "kind", "expected"),
    [
        (
            "Intérieur Sophie Marchal",
            "person",
            "Sophie Marchal",
        ),  # « le ministre de l'Intérieur Sophie Marchal »
        ("PS Nicolas Ferrand", "place", "Nicolas Ferrand"),  # a party's acronym glued on
        ("Jean-Marie Le Pen", "person", "Jean-Marie Le Pen"),
        ("Fondation Charles de Gaulle", "organization", "Fondation Charles de Gaulle"),  # a body, kept whole
        ("BBC Radio Wales", "organization", "BBC Radio Wales"),
        ("Fondation Claire Moreau", "organization", "Fondation Claire Moreau"),
    ],
)
def test_words_glued_before_a_persons_name_are_dropped(surface: str, kind: str, expected: str) -> None:
    mention = _mention(surface, 0, len(surface), kind, optional=False, gazetteer=load_gazetteer("fr"))  # type: ignore[arg-type]
    assert (mention.text if mention else None) == expected


def test_a_speaker_completing_an_unnamed_body_is_that_body() -> None:
    text = (
        "Le ministère a publié lundi ses chiffres sur l'eau potable. Selon le ministère de la Santé, 95 % des "
        "habitants boivent une eau conforme. Le ministère de la Santé promet de nouveaux contrôles."
    )
    ranked = table(text, lang="fr").ranked(speaker_counts={"ministère de la Santé": 2, "ministère": 1})
    assert [a.name for a in ranked if "ministère" in a.name] == ["ministère de la Santé"]


def test_two_speakers_completing_one_noun_stay_two() -> None:
    text = (
        "Le ministère a réagi lundi. Le ministère de la Santé parle d'une eau conforme, le ministère de "
        "l'Agriculture d'une baisse des pesticides. Le ministère de la Santé et le ministère de l'Agriculture "
        "se réuniront."
    )
    speakers = {"ministère de la Santé": 2, "ministère de l'Agriculture": 2}
    ranked = table(text, lang="fr").ranked(speaker_counts=speakers)
    assert [(a.name, a.aliases) for a in ranked if a.name == "ministère"] == [("ministère", ())]


def test_a_sub_heading_in_capitals_is_no_actor() -> None:
    """A word of an all-capitals sub-heading that the article also writes in lower case is no name."""
    text = (
        "Le maire Paul Brun a démissionné lundi, a expliqué son avocat. LE MAIRE N'AVAIT PAS CONNAISSANCE DES "
        '"ALLÉGATIONS" DE FRAUDE\n\nLes allégations visent la mairie depuis mars.'
    )
    assert [n for n in names(text, lang="fr") if n.isupper()] == []


def test_a_described_speaker_is_the_person_named_in_the_description() -> None:
    text = (
        "The clinic will close in May. Its founder Ruth Abara said the decision was final. Patients were told "
        "on Monday, and Ruth Abara promised help to find new doctors."
    )
    ranked = table(text, lang="en").ranked(speaker_counts={"cancer specialist Ruth Abara": 2})
    assert [(a.name, a.aliases) for a in ranked if "Abara" in a.name] == [
        ("Ruth Abara", ("cancer specialist Ruth Abara",))
    ]


def test_a_speaker_with_a_proper_name_is_an_actor_after_one_claim() -> None:
    """One claim by "Lord Pellow" makes an actor; one by "the spokeswoman" does not."""
    text = "The clinic will close in May, the council said on Monday. Staff were told the news on Friday."
    ranked = table(text, lang="en").ranked(speaker_counts={"Lord Pellow": 1, "spokeswoman": 1})
    assert [(a.name, a.kind) for a in ranked if a.name in ("Lord Pellow", "spokeswoman")] == [
        ("Lord Pellow", "person")
    ]


def test_a_name_ner_takes_for_a_place_but_never_written_as_one_is_a_body() -> None:
    text = (
        "L'usine Vélonord de Roubaix va fermer. La direction de Vélonord a confirmé la nouvelle aux salariés. "
        "Vélonord emploie 300 personnes à Roubaix."
    )
    kinds = {a.name: a.kind for a in table(text, lang="fr").ranked()}
    assert (kinds["Vélonord"], kinds["Roubaix"]) == ("organization", "place")


@pytest.mark.parametrize(
    ("text", "lang", "event"),
    [
        (
            "Le comité a choisi Lyon pour l'Euro 2032. La ville de Lyon a salué ce choix, a dit la maire Anne Roux. "
            "L'Euro 2032 coûtera cher, selon la Cour des comptes.",
            "fr",
            "Euro",
        ),
        (
            "La Fédération a confirmé le Mondial-2030 à Rabat. Le Mondial-2030 attirera des millions de visiteurs, "
            "a affirmé son président Karim Alaoui.",
            "fr",
            "Mondial",
        ),
    ],
)
def test_a_name_with_its_year_is_an_event_not_an_actor(text: str, lang: str, event: str) -> None:
    assert [n for n in names(text, lang=lang) if event in n] == []


@pytest.mark.parametrize(
    ("text", "lang", "group"),
    [
        (  # a bare plural subject: people in general who act
            "Economists have warned that the new tax will slow growth. The finance minister Carla Ruiz "
            "said the tax was needed.",
            "en",
            "economists",
        ),
        (  # a community the French model cannot tag (no NORP label)
            "Le recteur Karim Benali a dénoncé la stigmatisation des musulmans. « Les musulmans veulent vivre en "
            "paix », a-t-il déclaré.",
            "fr",
            "musulmans",
        ),
    ],
)
def test_a_group_named_by_a_common_noun_is_an_actor(text: str, lang: str, group: str) -> None:
    assert group in [norm(n) for n in names(text, lang=lang)]


def test_an_office_is_named_with_its_possessor() -> None:
    text = (
        "The harbour authority closed the east bridge on Tuesday. The governor's office said the bridge would "
        "reopen in June. The governor's office later added that repairs would cost more than planned."
    )
    assert "governor's office" in names(text, lang="en")


def test_a_country_is_not_merged_into_a_longer_name_that_holds_it() -> None:
    text = (
        "La France a signé l'accord mardi, a indiqué la ministre Claire Dupuis sur France Culture. "
        "France Culture a ensuite interrogé l'opposition, qui dénonce un accord déséquilibré pour la France."
    )
    ranked = table(text, lang="fr").ranked()
    assert sorted(a.name for a in ranked if "France" in a.name) == ["France", "France Culture"]


def test_a_surname_initial_as_speaker_is_the_person_not_a_group() -> None:
    """A person named with the initial of the surname ("Julien D.") and then by that initial alone is one
    actor: "D." is no plural description."""
    from briefings.claims import Attribution
    from briefings.engine import _claim

    t = table("Julien D., un ancien gardien de prison, a été mis en examen mardi à Lyon.", lang="fr")
    said = Attribution("D.", 0, 2, "a écrit", "statement", 10, 20, "x")
    assert _claim(said, t).speaker == "Julien D"


def test_an_unnamed_body_that_speaks_ranks_like_a_named_one() -> None:
    """ "The council … saying P": a common-noun body that makes a claim acts in the story; it is not marked
    down as unnamed below a named body that only owns the land."""
    text = (
        "Repairs to the Old Bridge will start in May. The Harbour Trust owns the land under the bridge. "
        "Traders met the Harbour Trust in March. The council has refused to publish the survey, saying such "
        "reports are always kept private. Local traders fear the works will last a year."
    )
    ranked = [a.name for a in table(text, lang="en").ranked(speaker_counts={"council": 1})]
    assert ranked.index("council") < ranked.index("Harbour Trust")


@pytest.mark.parametrize(
    ("text", "lang", "owner", "body"),
    [
        (
            "Les hôtesses de Nordavia Air ont manifesté lundi à Nantes. Dans un courriel, la direction a annoncé "
            "des baisses de salaires. Selon les syndicats, la direction de Nordavia Air veut supprimer 40 postes.",
            "fr",
            "Nordavia Air",
            "direction",
        ),
        (
            "Staff at Corvane Logistics walked out on Monday. The board said the depot would close. Last year "
            "the board of Corvane Logistics cut 200 jobs.",
            "en",
            "Corvane Logistics",
            "board",
        ),
    ],
)
def test_an_unnamed_body_written_with_its_organisation_is_that_organisation(
    text: str, lang: str, owner: str, body: str
) -> None:
    t = table(text, lang=lang)
    assert t.resolve(body) == owner
    assert body not in [a.name for a in t.ranked()]


def test_a_body_of_a_place_stays_a_body() -> None:
    found = names(
        "Le parquet de Lyon a ouvert une enquête. Le parquet a saisi la police judiciaire.", lang="fr"
    )
    assert "parquet" in found


def test_a_gendered_title_picks_the_person_of_that_gender() -> None:
    """ "Mrs. Hale" after "Robert Hale" and "Laura Hale" is Laura Hale; with no woman of that name, no one."""
    t = table(
        "Robert Hale spoke in Ohio on Monday. Laura Hale gave her first interview on Tuesday. Hale said the "
        "polls were rigged.",
        lang="en",
    )
    assert t.resolve("Mrs. Hale") == "Laura Hale"
    assert t.resolve("Mr. Hale") == "Robert Hale"
    alone = table("Robert Hale spoke in Ohio on Monday. Hale said the polls were rigged.", lang="en")
    assert alone.resolve("Mrs. Hale") is None

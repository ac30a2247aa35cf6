"""Speaker linking (issue 9, item 1): own sentences -> expected (speaker, kind, content).

Each row fails without the rule its comment names.
"""

from __future__ import annotations

import pytest

from briefings.claims import load_cues
from tests.claim_tables import table

FRENCH = [
    # a quoted fragment inside the clause an incise reports is part of that clause, the claim; a quotation
    # with only a glued sub-heading before it is still the claim itself
    (
        "Le cas de cette usine montre la nécessité d'une loi qui permettrait de reprendre les aides versées "
        'aux entreprises qui ne "respectent pas leurs engagements" envers leurs salariés, a plaidé de son côté '
        "la secrétaire générale du syndicat, Anne Morel.",
        [
            (
                "Anne Morel",
                "quote",
                "Le cas de cette usine montre la nécessité d'une loi qui permettrait de reprendre les aides "
                'versées aux entreprises qui ne "respectent pas leurs engagements" envers leurs salariés',
            )
        ],
    ),
    (
        "Le magazine a publié une enquête.Une famille déchirée \"Ce mensonge d'un homme de quarante ans "
        "éclaire évidemment d'un jour nouveau son rapport à la vérité\", ajoute l'hebdomadaire.",
        [
            (
                "l'hebdomadaire",
                "quote",
                "Ce mensonge d'un homme de quarante ans éclaire évidemment d'un jour nouveau son rapport à la "
                "vérité",
            )
        ],
    ),
    # « a dit sur <média> que P »: the clause after the phrase saying where it was said is what is said,
    # however the parser hung it (under the phrase, or with the phrase's name cut in two)
    (
        "La ministre a déclaré sur France Inter que la réforme serait votée avant l'été.",
        [("La ministre", "statement", "la réforme serait votée avant l'été")],
    ),
    (
        'Le maire a écrit sur les réseaux sociaux que ses adversaires seraient "bientôt battus à plate couture" '
        'et les a traités de "menteurs".',
        [
            (
                "Le maire",
                "quote",
                'ses adversaires seraient "bientôt battus à plate couture" et les a traités de "menteurs"',
            )
        ],
    ),
    # an incise after a quotation is said by its own inverted subject, even hung under a place or a medium
    # (« à l'AFP M. X »), never by the subject of the clause before the quotation; the quoted fragments
    # inside the clause it reports make that clause the claim
    (
        'En 2010, Marc Roux "a changé d\'avis" et décidé de soutenir le projet "parce que le ministre le lui a '
        "demandé, c'est ce qu'il m'a dit\", a encore déclaré à l'AFP M. Girard, 83 ans.",
        [
            (
                "M. Girard",
                "quote",
                'En 2010, Marc Roux "a changé d\'avis" et décidé de soutenir le projet "parce que le ministre le '
                "lui a demandé, c'est ce qu'il m'a dit\"",
            )
        ],
    ),
    # a participle after the comma that ends a sentence speaks for the cue (or main clause) above it, even
    # when the parser hung it in the object's relative clause, and is a claim of its own
    (
        "Paul Girard a annoncé jeudi le départ de la ville du syndicat intercommunal qui gère les déchets des "
        "communes voisines, accusant la métropole de le saboter.",
        [
            (
                "Paul Girard",
                "statement",
                "le départ de la ville du syndicat intercommunal qui gère les déchets des communes voisines",
            ),
            ("Paul Girard", "accusation", "la métropole de le saboter"),
        ],
    ),
    # a cue that says its speaker spoke before (« a ajouté ») makes a role with no named holder whoever
    # spoke just before — and a pronoun pointing back at that role is the same person; not across genders
    (
        'Marc Roux a dénoncé la réforme dimanche. "Il faut arrêter de mentir aux agriculteurs", a ajouté le '
        'député de la Somme. Il a estimé que le texte était "une faute".',
        [
            ("Marc Roux", "accusation", "la réforme dimanche"),
            ("Marc Roux", "quote", "Il faut arrêter de mentir aux agriculteurs"),
            ("Marc Roux", "estimate", 'le texte était "une faute'),
        ],
    ),
    (
        'Marc Roux a dénoncé la réforme dimanche. "Il faut arrêter de mentir aux agriculteurs", a ajouté la '
        "députée de la Somme.",
        [
            ("Marc Roux", "accusation", "la réforme dimanche"),
            ("la députée de la Somme", "quote", "Il faut arrêter de mentir aux agriculteurs"),
        ],
    ),
    # a source inside a relative clause of someone's claim speaks for the rest of that clause (its pronoun
    # is the claim's speaker), and the claim around it ends before the relative
    (
        "Le maire a parlé. De son côté, le président du parti Paul Girard a accusé Marc Roux de soutenir une "
        'association qui est, selon lui, "une organisation extrémiste".',
        [
            ("Paul Girard", "accusation", "Marc Roux de soutenir une association"),
            ("Paul Girard", "statement", "une organisation extrémiste"),
        ],
    ),
    (
        'Le maire a parlé. Son homologue de la CGT, Paul Girard, a dénoncé les "méthodes brutales" de la '
        'direction, qui mène selon lui un "chantage à l\'emploi".',
        [
            ("Son homologue de la CGT, Paul Girard", "accusation", 'les "méthodes brutales" de la direction'),
            ("Son homologue de la CGT, Paul Girard", "statement", 'un "chantage à l\'emploi"'),
        ],
    ),
    # … but in the journalist's own sentence, the source set off by commas speaks for all of it
    (
        "Le projet aurait échoué à cause de l'intervention du ministre, qui aurait provoqué, toujours selon "
        "l'ancien président, un revirement du conseil.",
        [
            (
                "l'ancien président",
                "statement",
                "Le projet aurait échoué à cause de l'intervention du ministre, qui aurait provoqué, toujours "
                "selon l'ancien président, un revirement du conseil",
            )
        ],
    ),
    # a day the parser took for a second subject is never the speaker
    (
        "Le ministre a démissionné. Mardi, dans une lettre ouverte, le journal sénégalais Le Soleil s'est "
        'dit "choqué par ces méthodes".',
        [("le journal sénégalais Le Soleil", "quote", "choqué par ces méthodes")],
    ),
    (
        'Le club a perdu.Dimanche, dans un message, le capitaine Marc Olivier s\'est dit "déçu par ce résultat".',
        [("Marc Olivier", "quote", "déçu par ce résultat")],
    ),
    # a subject pronoun written onto its verb (« répond-elle »), even with the next sentence glued on
    (
        'Jeanne Carré a quitté le conseil. "Nous avons perdu beaucoup trop de temps sur ce dossier", '
        "répond-elle.Le maire ne dit rien.",
        [("Jeanne Carré", "quote", "Nous avons perdu beaucoup trop de temps sur ce dossier")],
    ),
    # the stressed pronoun after selon is a pronoun speaker like il/elle
    (
        "Hugo Vidal a quitté son poste. Selon lui, la direction a menti aux salariés.",
        [("Hugo Vidal", "statement", "la direction a menti aux salariés")],
    ),
    # « elle » agrees in gender: a first name, or a title, says who can be meant
    (
        "Marie Lenoir a présenté le projet. Paul Morin l'a écouté sans rien dire. Elle a assuré que les "
        "travaux commenceraient en mars.",
        [("Marie Lenoir", "statement", "les travaux commenceraient en mars")],
    ),
    (
        "Mme Garnier a ouvert la séance. Le préfet Louis Abel est arrivé en retard. « La séance est "
        "suspendue jusqu'à demain », a-t-elle annoncé.",
        [("Mme Garnier", "quote", "La séance est suspendue jusqu'à demain")],
    ),
    # a role noun is the person it introduces, past what qualifies the role (and whatever NER tagged it)
    (
        "De son côté, la ministre déléguée aux Transports Claire Vidal a reçu les syndicats. « Nous ne "
        "laisserons pas tomber cette ligne », a-t-elle assuré.",
        [("Claire Vidal", "quote", "Nous ne laisserons pas tomber cette ligne")],
    ),
    # words and figures named as the source stand for their author
    (
        "En octobre, Paul Henry avait relancé la polémique. Selon sa version, un accord secret existait "
        "entre les deux clubs.",
        [("Paul Henry", "statement", "un accord secret existait entre les deux clubs")],
    ),
    (
        "Selon les calculs du cabinet Arkos, la réforme coûtera deux milliards.",
        [("cabinet Arkos", "statement", "la réforme coûtera deux milliards")],
    ),
    # « ce dernier » is the person named last, whatever their role in the sentence
    (
        "Le maire a reçu Paul Henry mardi. Ce dernier a ensuite affirmé que le projet était abandonné.",
        [("Paul Henry", "statement", "le projet était abandonné")],
    ),
    (
        "La juge a entendu Sophie Marchal. Cette dernière a assuré que les comptes étaient en règle.",
        [("Sophie Marchal", "statement", "les comptes étaient en règle")],
    ),
    # il/elle with no nearer person to stand for: the person the article is about
    (
        "Le documentaire consacré à Marc Delorme a été diffusé dimanche. La chaîne prépare déjà une suite. "
        "« J'avais vingt ans et je voulais gagner à tout prix », dit-il.",
        [("Marc Delorme", "quote", "J'avais vingt ans et je voulais gagner à tout prix")],
    ),
    # a speaker's phrase ends before a comma or a circumstance: what follows describes, it does not name
    (
        "« Il faut arrêter de stigmatiser les chômeurs », a ajouté le député de la Somme, regrettant « ce "
        "climat de soupçon permanent ».",
        [
            ("le député de la Somme", "quote", "Il faut arrêter de stigmatiser les chômeurs"),
            ("le député de la Somme", "quote", "ce climat de soupçon permanent"),
        ],
    ),
    (
        "« Le gouvernement a menti sur les chiffres du chômage », a affirmé le porte-parole du parti sur "
        "France Inter et RTL.",
        [("le porte-parole du parti", "quote", "Le gouvernement a menti sur les chiffres du chômage")],
    ),
    # « la première » (the former): the first of the two people named just before
    (
        "La passe d'armes oppose la conseillère Claire Vidal et le maire Paul Henry. « Le maire a menti aux "
        "parents d'élèves », a écrit la première.",
        [("Claire Vidal", "quote", "Le maire a menti aux parents d'élèves")],
    ),
    # a nested source: the person the clause names says it, the source reports all of it; the name
    # after « Selon son avocat, » is the clause's subject, not the lawyer's
    (
        "Paul Henry a été entendu mardi par les juges. Selon son avocat, M. Henry a répondu que les "
        "comptes du club étaient exacts.",
        [
            ("son avocat", "statement", "M. Henry a répondu que les comptes du club étaient exacts"),
            ("M. Henry", "statement", "les comptes du club étaient exacts"),
        ],
    ),
    # a participle after a comma is a claim of its own by the subject of the cue it follows
    (
        "Marie Roux a expliqué que le maire avait signé le contrat, rappelant que le conseil avait voté "
        "contre.",
        [
            ("Marie Roux", "statement", "le maire avait signé le contrat"),
            ("Marie Roux", "statement", "le conseil avait voté contre"),
        ],
    ),
    # a role "of" someone named in it is not the holder of that role named before: Roy's lawyer is not the
    # mayor's lawyer, nor Roy himself
    (
        "Le maire Paul Girard et son adjoint Marc Roy ont été entendus. Son avocat, Jean Moreau, a dénoncé "
        "« une procédure absurde ». L'avocat de M. Roy a indiqué que son client avait tout expliqué aux juges.",
        [
            ("Jean Moreau", "accusation", "une procédure absurde"),
            ("L'avocat de M. Roy", "statement", "son client avait tout expliqué aux juges"),
        ],
    ),
    # a subject with its apposition before the comma is who speaks, not an inverted cue's content: the
    # object after the verb is no speaker
    (
        "Son avocat, Jean Moreau, a dénoncé une procédure absurde.",
        [("Jean Moreau", "accusation", "une procédure absurde")],
    ),
    # « d'après son avocat »: the source is the lawyer, not whoever « son » stands for (the multi-word
    # preposition's head is its first word, so the determiner was read as the source)
    (
        "Le maire Paul Girard a été entendu par les juges. Il est ressorti libre, d'après son avocat.",
        [("son avocat", "statement", "Il est ressorti libre")],
    ),
    # a bare role noun is the holder named with it earlier, even when NER glued the name into the role's
    # organisation (« l'[Économie Julien Le Floch] »)
    (
        "Sur Europe 1, le ministre de l'Économie Julien Le Floch a défendu le budget. « Les impôts ne "
        "bougeront pas », a assuré le ministre.",
        [("Julien Le Floch", "quote", "Les impôts ne bougeront pas")],
    ),
    # a role and its name apposed after a comma are one person, even when the parser reads a conjunct
    # there: only « et » / « ou » make a plural
    (
        "Lundi, Claire Dumas a reçu les salariés. La secrétaire d'Etat, Marlène Ruffin, a visité l'usine "
        "mardi. « Le site restera ouvert », a-t-elle assuré.",
        [("Marlène Ruffin", "quote", "Le site restera ouvert")],
    ),
    # an inverted cue's subject after a date (« jeudi 14 mars »), whatever the parser hung on the date
    (
        "Les loyers vont encore grimper cet hiver, prévient jeudi 14 mars l'association Habitat Solidaire.",
        [("l'association", "warning", "Les loyers vont encore grimper cet hiver")],
    ),
    # « X, selon qui P »: the person named before the comma says P
    (
        "Le réseau de bus sera réduit, a annoncé lundi 3 février Claire Dumas, selon qui « aucune autre option "
        "n'existe ».",
        [
            ("Claire Dumas", "statement", "Le réseau de bus sera réduit"),
            ("Claire Dumas", "statement", "aucune autre option n'existe"),
        ],
    ),
    # a quotation after an inverted cue is not what that cue reports: the cue reports the clause before it
    (
        "Le club va très mal, a jugé mardi Marc Roux, ancien joueur devenu « un supporter comme les autres ».",
        [("Marc Roux", "estimate", "Le club va très mal")],
    ),
    # a speaker's name with no determiner that NER missed (here tagged a place) is one person: il/lui can
    # stand for it
    (
        "Jean-Marc Tessier a tenu meeting à Lille. De son côté, le vice-président du RN Jordan Vasseur a "
        "accusé Jean-Marc Tessier de mentir. Selon lui, M. Tessier défend « une officine dangereuse ».",
        [
            ("RN Jordan Vasseur", "accusation", "Jean-Marc Tessier de mentir"),
            ("RN Jordan Vasseur", "statement", "M. Tessier défend « une officine dangereuse »"),
        ],
    ),
    # after « Selon lui, P », a speaking il is whoever said P, not a man named inside P
    (
        "Hugo Vidal a reçu la presse mardi. Selon lui, M. Roy a caché les chiffres. « Tout le monde le "
        "savait », a-t-il ajouté.",
        [
            ("Hugo Vidal", "statement", "M. Roy a caché les chiffres"),
            ("Hugo Vidal", "quote", "Tout le monde le savait"),
        ],
    ),
    # a bare role noun (« l'élue », « le syndicaliste ») no one was named with: whoever spoke just before
    (
        "Marie Lenoir a assuré que la mairie tiendrait ses promesses. « Je remercie les électeurs », a déclaré "
        "l'élue.",
        [
            ("Marie Lenoir", "statement", "la mairie tiendrait ses promesses"),
            ("Marie Lenoir", "quote", "Je remercie les électeurs"),
        ],
    ),
    (
        "Marc Roux a réclamé une hausse des salaires. « Les patrons doivent partager les bénéfices », a insisté "
        "le syndicaliste.",
        [
            ("Marc Roux", "statement", "une hausse des salaires"),
            ("Marc Roux", "quote", "Les patrons doivent partager les bénéfices"),
        ],
    ),
    # … but not someone of the other gender
    (
        "Marc Roux a assuré que la mairie tiendrait ses promesses. « Je remercie les électeurs », a déclaré "
        "l'élue.",
        [
            ("Marc Roux", "statement", "la mairie tiendrait ses promesses"),
            ("l'élue", "quote", "Je remercie les électeurs"),
        ],
    ),
]

ENGLISH = [
    # a participle set off inside the reported clause is part of it
    (
        "The mayor said that residents, fearing new floods, had left the valley.",
        [("The mayor", "statement", "residents, fearing new floods, had left the valley")],
    ),
    # the object pronoun after a source is a pronoun speaker like he/she
    (
        "Tom Reed left the board in May. According to him, the accounts were falsified.",
        [("Tom Reed", "statement", "the accounts were falsified")],
    ),
    # … and an object pronoun after a cue is whom it is told, never an inverted speaker
    (
        "Mr Hale was the key witness. During his time in court Mr Hale repeatedly told jurors he met often "
        "with Mr Roy, told him about changes made to the accounts and had warned him such moves were wrong.",
        [
            (
                "Mr Hale",
                "statement",
                "he met often with Mr Roy, told him about changes made to the accounts and had warned him such "
                "moves were wrong",
            )
        ],
    ),
    # "she" agrees in gender: a first name, or a title, says who can be meant
    (
        "Susan Clark opened the meeting. Then Mr Hall spoke about the budget. She said the school would "
        "stay open.",
        [("Susan Clark", "statement", "the school would stay open")],
    ),
    (
        'Mrs Patel chaired the hearing. The witness, Tom Reed, arrived late. "We will hear everyone before '
        'we decide," she said.',
        [("Mrs Patel", "quote", "We will hear everyone before we decide,")],
    ),
    # words and figures named as the source stand for their author
    (
        "Ann Rowe has run the clinic for ten years. According to her account, the ward was never inspected.",
        [("Ann Rowe", "statement", "the ward was never inspected")],
    ),
    (
        "According to figures from the ministry, exports fell by a tenth last year.",
        [("the ministry", "statement", "exports fell by a tenth last year")],
    ),
    # "the latter" is the person named last
    (
        "The mayor met Tom Reed on Tuesday. The latter said the project had been dropped.",
        [("Tom Reed", "statement", "the project had been dropped")],
    ),
    # he/she with no nearer person to stand for: the person the article is about
    (
        "The film about Mark Dale was shown on Sunday. The channel has already ordered a sequel. "
        '"I was twenty and I wanted to win at any cost," he says.',
        [("Mark Dale", "quote", "I was twenty and I wanted to win at any cost,")],
    ),
    # an object pronoun after a cue ("told him") is never its subject
    (
        "During his time in court Mr Hale repeatedly told jurors he met often with Mr Grant, told him about "
        "the missing funds and had warned him the accounts were wrong.",
        [("Mr Hale", "statement", "he met often with Mr Grant")],
    ),
    # a participle after a comma speaks for the subject of the cue it follows, even hung on the content
    (
        'Mr Grant told the court that Mr Hale "made the accounting decisions", saying his deputy had a firm '
        "grip on the numbers.",
        [
            ("Mr Grant", "quote", 'Mr Hale "made the accounting decisions"'),
            ("Mr Grant", "statement", "his deputy had a firm grip on the numbers"),
        ],
    ),
    # "the former": the first of the two people named just before
    (
        'The row pits councillor Ann Lee against the mayor Tom Reed. "The mayor lied to the parents," the '
        "former wrote.",
        [("Ann Lee", "quote", "The mayor lied to the parents,")],
    ),
    # a capitalised role opening the sentence is the person apposed to its phrase, wherever the parser
    # hung the name
    (
        "Director of marine research at the Royal Institute of Ocean Studies, Professor Alan Birch, said the "
        "new rules had slowed his work.",
        [("Alan Birch", "statement", "the new rules had slowed his work")],
    ),
    # one pronoun, one antecedent, never inside anything the pronoun says
    (
        "Mr Cole rejected the claims in court. Mr Hale made all the decisions, he told the jury, adding that "
        "the accounts had been checked every week.",
        [
            ("Mr Cole", "denial", "the claims in court"),
            ("Mr Cole", "statement", "Mr Hale made all the decisions"),
            ("Mr Cole", "statement", "the accounts had been checked every week"),
        ],
    ),
    # "The company, Norvik, denied …": the apposed subject speaks; the object is what is denied
    (
        "The company, Norvik, denied any plan to cut jobs.",
        [("Norvik", "denial", "any plan to cut jobs")],
    ),
    # the lawyer "of Mr Roy" is not Mr Roy: the title belongs to the name after the preposition
    (
        "Mayor Paul Girard and his deputy Mark Roy were questioned. The lawyer of Mr Roy said that his client "
        "had explained everything.",
        [("The lawyer of Mr Roy", "statement", "his client had explained everything")],
    ),
    # "He added" after "X said ...": who X spoke about inside what X reported is not the next speaker
    (
        'Ray Dunn said he did not know why the board had let Tom Vale go. He added: "We will miss him."',
        [
            ("Ray Dunn", "statement", "he did not know why the board had let Tom Vale go"),
            ("Ray Dunn", "quote", "We will miss him."),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), FRENCH)
def test_french(nlps: dict[str, object], text: str, expected: list[tuple[str, str, str]]) -> None:
    assert table(nlps, "fr", text) == expected


@pytest.mark.parametrize(("text", "expected"), ENGLISH)
def test_english(nlps: dict[str, object], text: str, expected: list[tuple[str, str, str]]) -> None:
    assert table(nlps, "en", text) == expected


def test_a_pronoun_tagged_as_a_noun_is_no_antecedent(nlps: dict[str, object]) -> None:
    """Scraped text glues « -il » to the next sentence (« -il.- ») and the tagger calls it a noun: as a
    speaker it stands for someone, never for itself."""
    from spacy.tokens import Doc

    from briefings.claims.document import Ctx, Raw
    from briefings.claims.pronouns import antecedents

    words = ["Paul", "Henry", "part", ".", "«", "Tout", "est", "fini", "»", ",", "dit", "-", "il.-"]
    doc = Doc(
        nlps["fr"].vocab,  # type: ignore[attr-defined]
        words=words,
        spaces=[True, True, False, True, True, True, True, False, False, True, False, False, False],
        pos=[
            "PROPN",
            "PROPN",
            "VERB",
            "PUNCT",
            "PUNCT",
            "PRON",
            "AUX",
            "ADJ",
            "PUNCT",
            "PUNCT",
            "VERB",
            "PUNCT",
            "NOUN",
        ],
        deps=[
            "nsubj",
            "flat:name",
            "ROOT",
            "punct",
            "punct",
            "nsubj",
            "cop",
            "ROOT",
            "punct",
            "punct",
            "parataxis",
            "punct",
            "nsubj",
        ],
        heads=[2, 0, 2, 2, 7, 7, 7, 7, 7, 10, 7, 10, 10],
        ents=["B-PER", "I-PER", "O", "O", "O", "O", "O", "O", "O", "O", "O", "O", "O"],
    )
    ctx = Ctx(doc, load_cues("fr"))
    said = Raw((12, 13), "dit", "quote", doc[5].idx, doc[7].idx + 4, doc[10].idx, quote=True)
    assert [a.span for a in antecedents(ctx, [said])] == [(0, 2)]

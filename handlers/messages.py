"""The bot's own words, per language (``en`` is the default and the fallback for a missing key).

Values may carry ``{placeholders}`` filled by `message`; user input is passed as a value, never as the
template, so braces typed by a user are harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

LANGUAGES = ("en", "fr")
OUTLETS_KEPT = 5  # the other outlets a stored briefing names (`reported_elsewhere`)

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "unknown_command": "Unknown command /{name}. Send /help to see what I can do.",
        "not_a_command": "Commands start with /. Send /help to see what I can do.",
        "too_long": "That command is too long (at most {limit} characters).",
        "admins_only": "Only chat admins can use /{name} in a group.",
        "crashed": "Sorry, /{name} failed on my side. Please try again later.",
        "reply_not_posted": "The answer could not be posted here: {error}",
        "untitled": "(untitled)",
        "start": "Hello! I brief news articles: the key actors and who said what.",
        "help_header": "Commands:",
        "help_admin": "(admins)",
        "help.help": "the commands",
        "help.start": "what this bot does",
        "help.brief": "/brief <url> briefs a page; /brief [N] the latest N; /brief <words> searches",
        "help.subscribe": "/subscribe <feed or page URL>: brief its new articles here",
        "help.unsubscribe": "/unsubscribe <URL or number from /feeds>",
        "help.feeds": "the feeds of this chat",
        "help.digest": "/digest HH:MM | off | now | stories N: the daily digest",
        "help.timezone": "/timezone Area/City, e.g. Europe/Paris",
        "help.lang": "/lang fr | en: the language of my replies",
        "help.settings": "this chat's settings",
        "brief_count": "Give a number of briefings from 1 to {max}.",
        "brief_none": "No briefings yet. Subscribe to a feed with /subscribe <url>.",
        "brief_no_match": "No recent briefing mentions “{query}”.",
        "brief_scheme": "Only http:// and https:// links can be briefed.",
        "brief_failed": "Could not brief that page: {error}",
        "subscribe_usage": "Usage: /subscribe <feed or page URL>",
        "subscribe_scheme": "Only http:// and https:// feeds can be followed.",
        "subscribe_failed": "Could not subscribe: {error}",
        "subscribed": "Subscribed to {title}. Its new articles will be briefed here.",
        "already_subscribed": "This chat already follows {title}.",
        "subscribed_revived": "Subscribed to {title}. It had been turned off after repeated errors; it "
        "answers again, so it is back on.",
        "unsubscribe_usage": "Usage: /unsubscribe <URL or number from /feeds>",
        "unsubscribe_unknown": "This chat does not follow “{what}”. See /feeds.",
        "unsubscribed": "Unsubscribed from {title}.",
        "feeds_none": "This chat follows no feeds. Add one with /subscribe <url>.",
        "feeds_header": "Feeds of this chat:",
        "feed_error": "last error: {error}",
        "feed_off": "turned off",
        "digest_usage": "Usage: /digest HH:MM (00:00 to 23:59) | off | now | stories N (1 to {max})",
        "digest_stories": "Digests will hold up to {count} stories.",
        "digest_nothing": "This chat follows no feeds yet: /subscribe to one first.",
        "digest_set": "Daily digest at {time} ({timezone}).",
        "digest_off": "Daily digest off.",
        "timezone_usage": "Usage: /timezone Area/City, e.g. /timezone Europe/Paris",
        "timezone_unknown": "Unknown time zone “{name}”. Use an Area/City name such as Europe/Paris.",
        "timezone_set": "Time zone: {name}.",
        "lang_usage": "Usage: /lang fr | en",
        "lang_set": "I will reply in English.",
        "settings": "Language: {language}\nTime zone: {timezone}\nDaily digest: {digest}\n"
        "Stories per digest: {stories}\n"
        "Bullets per briefing: {max_bullets}\nFeeds: {feeds}",
        "off": "off",
        "language.en": "English",
        "language.fr": "French",
        "digest_title": "Digest",
        "digest_empty": "Nothing new from this chat's feeds.",
        "digest_sources": "{n} sources: {list}",
        "digest_source": "Source: {list}",
        "feed_deactivated": "Feed deactivated: {title}",
        "feed_deactivated_errors": "{count} polls in a row failed; the last error: {error}",
        "feed_deactivated_again": "Subscribe again once it works: /subscribe {url}",
        "article_cut": "Article cut: only its first {chars} characters were briefed.",
        # /follow, /unfollow, /following, /filter, stories (issue 13)
        "help.follow": "/follow <name>: brief here every new article in which they speak or are a key actor",
        "help.unfollow": "/unfollow <name or number from /following>",
        "help.following": "the people and bodies this chat follows",
        "help.filter": '/filter <feed number> +word -"a phrase" | off: keep a feed\'s articles by keywords',
        "follow_usage": "Usage: /follow <name>, e.g. /follow Sergueï Lavrov",
        "follow_no_letters": "“{name}” has no letters or digits: nothing to follow.",
        "follow_too_long": "That name is too long (at most {max} characters).",
        "followed": "Following {name}: new articles in which {name} speaks or is a key actor will be "
        "briefed here, from every feed I read.",
        "already_following": "This chat already follows {name}.",
        "follow_unseen": "No article I briefed names {name} yet.",
        "follow_closest": "Closest names: {names}.",
        "follow_limit": "This chat already follows {max} names, the most it can. /unfollow one first.",
        "unfollow_usage": "Usage: /unfollow <name or number from /following>",
        "unfollow_unknown": "This chat does not follow “{name}”. See /following.",
        "unfollowed": "No longer following {name}.",
        "following_none": "This chat follows no one. Follow someone with /follow <name>.",
        "following_header": "This chat follows:",
        "filter_usage": 'Usage: /filter <feed number from /feeds> +word -"a phrase" | off',
        "filter_unknown_feed": "This chat has no feed number “{what}”. See /feeds.",
        "filter_set": "Filter on {title}: {filter}",
        "filter_removed": "No more filter on {title}: all its articles will be briefed here.",
        "filter_none": "{title} has no filter.",
        "feed_filter": "filter: {filter}",
        "filter_error.unbalanced_quote": "a quote is not closed in “{value}”.",
        "filter_error.space_after_phrase": "put a space after the closing quote in “{value}”.",
        "filter_error.empty_term": "“{value}” has no letters or digits.",
        "filter_error.no_terms": 'no keywords: write +word to keep articles, -word or -"a phrase" to leave '
        "them out.",
        "filter_error.term_too_long": "a keyword is longer than {value} characters.",
        "filter_error.phrase_too_long": "a phrase has more than {value} words.",
        "filter_error.too_many_terms": "more than {value} keywords.",
        "filter_error.filter_too_long": "the filter is longer than {value} characters.",
        "filter_bad": "Filter not set: {error}",
        "also_reported": "Also reported by {outlets} ({n} sources)",
        "help.said": "/said <name> [24h | 7d | 30d]: what someone said, across the articles I briefed",
        "said_usage": "Usage: /said <name> [24h | 7d | 30d], e.g. /said Lavrov 7d",
        "said_period": "“{period}” is not a period: use 24h, 7d, 30d or 2w (at most a year).",
        "said_title": "{name}: what was said in {period}",
        "said_line": "{date} · {stance}: {claim} — {sources}",
        "said_quote": "“{text}”",
        "said_sources": "{n} sources: {list}",
        "said_more": "… and {n} more (a shorter period shows them)",
        "said_more_capped": "… and more than {n} others (a shorter period shows them)",
        "said_quiet": "{name} said nothing in {period} in the articles I briefed; the latest was on {date}.",
        "said_not_quoted": "{name} is named in the articles I briefed, but never quoted.",
        "said_unknown": "No articles mention “{name}” yet.",
        "said_closest": "Closest names: {names}.",
        "said_months": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec",
        "said_unit.h": "the last {n} hours",
        "said_unit.h.1": "the last hour",
        "said_unit.d": "the last {n} days",
        "said_unit.d.1": "the last day",
        "said_unit.w": "the last {n} weeks",
        "said_unit.w.1": "the last week",
        "stance.statement": "says",
        "stance.quote": "says",
        "stance.denial": "denies",
        "stance.accusation": "accuses",
        "stance.estimate": "estimates",
        "stance.promise": "promises",
        "stance.warning": "warns",
    },
    "fr": {
        "unknown_command": "Commande inconnue : /{name}. Envoyez /help pour voir ce que je sais faire.",
        "not_a_command": "Les commandes commencent par /. Envoyez /help pour voir ce que je sais faire.",
        "too_long": "Cette commande est trop longue ({limit} caractères au plus).",
        "admins_only": "Seuls les administrateurs du groupe peuvent utiliser /{name}.",
        "crashed": "Désolé, /{name} a échoué de mon côté. Réessayez plus tard.",
        "reply_not_posted": "La réponse n'a pas pu être publiée ici : {error}",
        "untitled": "(sans titre)",
        "start": "Bonjour ! Je résume les articles de presse : les acteurs clés et qui a dit quoi.",
        "help_header": "Commandes :",
        "help_admin": "(administrateurs)",
        "help.help": "les commandes",
        "help.start": "ce que fait ce bot",
        "help.brief": "/brief <url> résume une page ; /brief [N] les N derniers ; /brief <mots> cherche",
        "help.subscribe": "/subscribe <URL d'un flux ou d'une page> : résumer ici ses nouveaux articles",
        "help.unsubscribe": "/unsubscribe <URL ou numéro donné par /feeds>",
        "help.feeds": "les flux de ce chat",
        "help.digest": "/digest HH:MM | off | now | stories N : le résumé quotidien",
        "help.timezone": "/timezone Zone/Ville, par exemple Europe/Paris",
        "help.lang": "/lang fr | en : la langue de mes réponses",
        "help.settings": "les réglages de ce chat",
        "brief_count": "Donnez un nombre de résumés de 1 à {max}.",
        "brief_none": "Aucun résumé pour l'instant. Abonnez-vous à un flux avec /subscribe <url>.",
        "brief_no_match": "Aucun résumé récent ne mentionne « {query} ».",
        "brief_scheme": "Seuls les liens http:// et https:// peuvent être résumés.",
        "brief_failed": "Impossible de résumer cette page : {error}",
        "subscribe_usage": "Usage : /subscribe <URL d'un flux ou d'une page>",
        "subscribe_scheme": "Seuls les flux http:// et https:// peuvent être suivis.",
        "subscribe_failed": "Abonnement impossible : {error}",
        "subscribed": "Abonné à {title}. Ses nouveaux articles seront résumés ici.",
        "already_subscribed": "Ce chat suit déjà {title}.",
        "subscribed_revived": "Abonné à {title}. Ce flux avait été désactivé après des erreurs répétées ; "
        "il répond de nouveau, il est donc réactivé.",
        "unsubscribe_usage": "Usage : /unsubscribe <URL ou numéro donné par /feeds>",
        "unsubscribe_unknown": "Ce chat ne suit pas « {what} ». Voir /feeds.",
        "unsubscribed": "Désabonné de {title}.",
        "feeds_none": "Ce chat ne suit aucun flux. Ajoutez-en un avec /subscribe <url>.",
        "feeds_header": "Flux de ce chat :",
        "feed_error": "dernière erreur : {error}",
        "feed_off": "désactivé",
        "digest_usage": "Usage : /digest HH:MM (de 00:00 à 23:59) | off | now | stories N (de 1 à {max})",
        "digest_stories": "Les résumés compteront jusqu'à {count} sujets.",
        "digest_nothing": "Ce chat ne suit encore aucun flux : abonnez-le d'abord avec /subscribe.",
        "digest_set": "Résumé quotidien à {time} ({timezone}).",
        "digest_off": "Résumé quotidien désactivé.",
        "timezone_usage": "Usage : /timezone Zone/Ville, par exemple /timezone Europe/Paris",
        "timezone_unknown": "Fuseau horaire inconnu : « {name} ». Utilisez un nom Zone/Ville comme Europe/Paris.",
        "timezone_set": "Fuseau horaire : {name}.",
        "lang_usage": "Usage : /lang fr | en",
        "lang_set": "Je répondrai en français.",
        "settings": "Langue : {language}\nFuseau horaire : {timezone}\nRésumé quotidien : {digest}\n"
        "Sujets par résumé : {stories}\n"
        "Puces par résumé : {max_bullets}\nFlux : {feeds}",
        "off": "désactivé",
        "language.en": "anglais",
        "language.fr": "français",
        "digest_title": "Résumé",
        "digest_empty": "Rien de nouveau dans les flux de ce chat.",
        "digest_sources": "{n} sources : {list}",
        "digest_source": "Source : {list}",
        "feed_deactivated": "Flux désactivé : {title}",
        "feed_deactivated_errors": "{count} relevés de suite ont échoué ; la dernière erreur : {error}",
        "feed_deactivated_again": "Abonnez-vous de nouveau quand il fonctionnera : /subscribe {url}",
        "article_cut": "Article tronqué : seuls ses {chars} premiers caractères ont été analysés.",
        # /follow, /unfollow, /following, /filter, stories (issue 13)
        "help.follow": "/follow <nom> : résumer ici chaque nouvel article où il s'exprime ou est un acteur clé",
        "help.unfollow": "/unfollow <nom ou numéro donné par /following>",
        "help.following": "les personnes et institutions que suit ce chat",
        "help.filter": '/filter <numéro du flux> +mot -"une expression" | off : trier ses articles par mots',
        "follow_usage": "Usage : /follow <nom>, par exemple /follow Sergueï Lavrov",
        "follow_no_letters": "« {name} » n'a ni lettre ni chiffre : rien à suivre.",
        "follow_too_long": "Ce nom est trop long ({max} caractères au plus).",
        "followed": "Vous suivez {name} : les nouveaux articles où {name} s'exprime ou est un acteur clé "
        "seront résumés ici, quel que soit le flux.",
        "already_following": "Ce chat suit déjà {name}.",
        "follow_unseen": "Aucun article résumé ne nomme encore {name}.",
        "follow_closest": "Noms les plus proches : {names}.",
        "follow_limit": "Ce chat suit déjà {max} noms, le maximum. Utilisez d'abord /unfollow.",
        "unfollow_usage": "Usage : /unfollow <nom ou numéro donné par /following>",
        "unfollow_unknown": "Ce chat ne suit pas « {name} ». Voir /following.",
        "unfollowed": "Vous ne suivez plus {name}.",
        "following_none": "Ce chat ne suit personne. Suivez quelqu'un avec /follow <nom>.",
        "following_header": "Ce chat suit :",
        "filter_usage": 'Usage : /filter <numéro du flux donné par /feeds> +mot -"une expression" | off',
        "filter_unknown_feed": "Ce chat n'a pas de flux numéro « {what} ». Voir /feeds.",
        "filter_set": "Filtre sur {title} : {filter}",
        "filter_removed": "Plus de filtre sur {title} : tous ses articles seront résumés ici.",
        "filter_none": "{title} n'a pas de filtre.",
        "feed_filter": "filtre : {filter}",
        "filter_error.unbalanced_quote": "un guillemet n'est pas fermé dans « {value} ».",
        "filter_error.space_after_phrase": "mettez une espace après le guillemet fermant dans « {value} ».",
        "filter_error.empty_term": "« {value} » n'a ni lettre ni chiffre.",
        "filter_error.no_terms": "aucun mot-clé : écrivez +mot pour garder des articles, -mot ou "
        '-"une expression" pour les écarter.',
        "filter_error.term_too_long": "un mot-clé dépasse {value} caractères.",
        "filter_error.phrase_too_long": "une expression dépasse {value} mots.",
        "filter_error.too_many_terms": "plus de {value} mots-clés.",
        "filter_error.filter_too_long": "le filtre dépasse {value} caractères.",
        "filter_bad": "Filtre non enregistré : {error}",
        "also_reported": "Aussi chez {outlets} ({n} sources)",
        "help.said": "/said <nom> [24h | 7j | 30j] : ce qu'une personne a dit, dans les articles résumés",
        "said_usage": "Usage : /said <nom> [24h | 7j | 30j], par exemple /said Lavrov 7j",
        "said_period": "« {period} » n'est pas une période : utilisez 24h, 7j, 30j ou 2w (un an au plus).",
        "said_title": "{name} : ses propos sur {period}",
        "said_line": "{date} · {stance} : {claim} — {sources}",
        "said_quote": "« {text} »",
        "said_sources": "{n} sources : {list}",
        "said_more": "… et {n} de plus (une période plus courte les montre)",
        "said_more_capped": "… et plus de {n} autres (une période plus courte les montre)",
        "said_quiet": "{name} n'a rien dit sur {period} dans les articles que j'ai résumés ; ses derniers "
        "propos datent du {date}.",
        "said_not_quoted": "{name} est nommé dans les articles que j'ai résumés, mais jamais cité.",
        "said_unknown": "Aucun article ne mentionne encore « {name} ».",
        "said_closest": "Noms les plus proches : {names}.",
        "said_months": "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.",
        "said_unit.h": "les {n} dernières heures",
        "said_unit.h.1": "la dernière heure",
        "said_unit.d": "les {n} derniers jours",
        "said_unit.d.1": "le dernier jour",
        "said_unit.w": "les {n} dernières semaines",
        "said_unit.w.1": "la dernière semaine",
        "stance.statement": "déclare",
        "stance.quote": "déclare",
        "stance.denial": "dément",
        "stance.accusation": "accuse",
        "stance.estimate": "estime",
        "stance.promise": "promet",
        "stance.warning": "met en garde",
    },
}


def message(lang: str | None, key: str, /, *, default: str | None = None, **values: object) -> str:
    """The text for ``key`` in ``lang`` (English when missing), with ``values`` filled in.

    An unknown key with no ``default`` raises `KeyError`: a typo in a handler fails its test.
    """
    table = MESSAGES.get(lang or "en", MESSAGES["en"])
    template = table.get(key) or MESSAGES["en"].get(key) or default
    if template is None:
        raise KeyError(f"no message {key!r}")
    return template.format(**values) if values else template


def feed_deactivated(lang: str | None, *, feed: str, url: str, count: int, error: str) -> dict[str, Any]:
    """The notice a chat gets once when one of its feeds is turned off after failing: a post's payload
    (``title``, ``bullets``, ``url``) in the chat's language."""
    return {
        "title": message(lang, "feed_deactivated", title=feed),
        "bullets": [
            message(lang, "feed_deactivated_errors", count=count, error=error),
            message(lang, "feed_deactivated_again", url=url),
        ],
        "url": None,
    }


def reported_elsewhere(sources: Sequence[Sequence[str]], *, own_feed: str | None) -> dict[str, Any] | None:
    """From a story's (feed URL, outlet) pairs, what `also_reported` says of one of its articles: the
    other outlets (distinct, in order, its own feed left out; at most `OUTLETS_KEPT`) and the number of
    outlets in all — ``None`` when no other outlet reported it."""
    outlets: dict[str, str] = {}
    for feed, outlet in sources:
        outlets.setdefault(feed, outlet)
    others = list(dict.fromkeys(o for f, o in outlets.items() if f != own_feed))
    if not others:
        return None
    total = len(outlets) + (own_feed is not None and own_feed not in outlets)
    return {"outlets": others[:OUTLETS_KEPT], "sources": total}


def also_reported(lang: str | None, reported: dict[str, Any], *, shown: int = 3) -> str:
    """The line of a post whose story other outlets reported (`reported_elsewhere`): "Also reported by
    Le Monde, Reuters (3 sources)", at most ``shown`` outlets named."""
    outlets = [str(o) for o in reported.get("outlets") or ()]
    named = ", ".join(outlets[:shown]) + (", …" if len(outlets) > shown else "")
    return message(lang, "also_reported", outlets=named, n=int(reported.get("sources") or len(outlets) + 1))

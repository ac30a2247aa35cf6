"""The bot's own words, per language (``en`` is the default and the fallback for a missing key).

Values may carry ``{placeholders}`` filled by `message`; user input is passed as a value, never as the
template, so braces typed by a user are harmless.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "fr")

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

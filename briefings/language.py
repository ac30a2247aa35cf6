"""Language detection (lingua, offline, small low-accuracy models over a fixed set of languages)."""

from __future__ import annotations

from functools import cache

# Languages we can recognise; only those with a configured spaCy pipeline can be briefed.
_KNOWN = (
    "ENGLISH FRENCH GERMAN SPANISH ITALIAN PORTUGUESE DUTCH RUSSIAN UKRAINIAN POLISH "
    "ARABIC CHINESE JAPANESE KOREAN TURKISH SWEDISH"
).split()
_SAMPLE_CHARS = 4000


@cache
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in _KNOWN]
    return LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language, or ``None`` when it cannot be told."""
    found = _detector().detect_language_of(text[:_SAMPLE_CHARS])
    return found.iso_code_639_1.name.lower() if found is not None else None

"""The sentence → expected-claim tables' one helper: a sentence's claims as (speaker, kind, content) rows."""

from __future__ import annotations

from typing import Any

from briefings.claims import extract_attributions, load_cues


def table(nlps: dict[str, Any], lang: str, text: str) -> list[tuple[str, str, str]]:
    """The claims of ``text`` parsed by the plain ``nlps[lang]`` pipeline (the session fixture)."""
    doc = nlps[lang](text)
    return [(a.speaker, a.kind, a.text) for a in extract_attributions(doc, cues=load_cues(lang))]

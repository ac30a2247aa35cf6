"""The story fixture corpus (tests/data/stories/): 36 articles we wrote, each with its gold story label.

Shared by tests/test_stories.py and bench/digest.py.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from briefings.engine import LocalEngine
from briefings.models import Article, Briefing

CORPUS = Path(__file__).resolve().parent / "data" / "stories"


def load_corpus() -> list[dict[str, Any]]:
    """Each article's JSON: title, text, url, lang, outlet, published, story (the gold label)."""
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(CORPUS.glob("*.json"))]


def stored_briefings(engine: LocalEngine, corpus: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The corpus as storage keeps it: each briefing's JSON plus url, published and feed."""
    articles = [
        Article(
            text=a["text"],
            title=a["title"],
            url=a["url"],
            lang=a["lang"],
            published=datetime.fromisoformat(a["published"]),
            source=a["url"],
        )
        for a in corpus
    ]
    out = []
    for a, briefing in zip(corpus, engine.brief_many(articles), strict=True):
        assert isinstance(briefing, Briefing), briefing
        out.append({**briefing.to_json(), "url": a["url"], "published": a["published"], "feed": a["outlet"]})
    return out


def purity_completeness(clusters: Sequence[Sequence[str]], gold: dict[str, str]) -> tuple[float, float]:
    """Purity: each cluster counts its most common gold story; completeness: each gold story counts its
    most common cluster; both over the number of articles."""
    n = sum(len(c) for c in clusters)
    purity = sum(Counter(gold[k] for k in c).most_common(1)[0][1] for c in clusters) / n
    spread: dict[str, Counter[int]] = defaultdict(Counter)
    for i, cluster in enumerate(clusters):
        for key in cluster:
            spread[gold[key]][i] += 1
    return purity, sum(c.most_common(1)[0][1] for c in spread.values()) / n

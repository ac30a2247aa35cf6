"""Briefing speed: the full briefing vs. the bare spaCy pipelines on the same texts, and peak RSS.

Usage: python bench/brief_speed.py [--articles 240] [--repeat 2]

The corpus is built from the articles in seeds/ (paragraphs reordered and combined, deterministically),
half French, half English. Target (issue 2): ratio ≤ 1.15, peak RSS ≤ 700 MB with both pipelines.
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import time
from datetime import date
from pathlib import Path

from bot.settings import DEFAULT_MAX_BULLETS, DEFAULT_PIPELINES
from briefings.engine import LocalEngine, load_pipeline
from briefings.loading import load_path
from briefings.models import Article

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def corpus(n: int) -> list[tuple[str, Article]]:
    """``n`` (language, article) pairs made of the seed articles' paragraphs, shuffled and paired within
    a language. The articles carry no language: the timed briefing run detects it, as in real use."""
    rng = random.Random(42)
    by_lang: dict[str, list[list[str]]] = {}
    for path in sorted(SEEDS.glob("*.txt")):
        lang = path.name.split(".")[-2]
        by_lang.setdefault(lang, []).append(load_path(path).text.split("\n\n"))
    out: list[tuple[str, Article]] = []
    langs = sorted(by_lang)
    for i in range(n):
        lang = langs[i % len(langs)]
        first, second = rng.choice(by_lang[lang]), rng.choice(by_lang[lang])
        paragraphs = first[:1] + rng.sample(first[1:] + second[1:], k=min(6, len(first) + len(second) - 2))
        out.append((lang, Article(text="\n\n".join(paragraphs), source=f"bench-{i}")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=240)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    pairs = corpus(args.articles)
    articles = [a for _, a in pairs]
    engine = LocalEngine(pipelines=DEFAULT_PIPELINES, max_bullets=DEFAULT_MAX_BULLETS)
    for lang in engine.languages:  # load both pipelines and warm up before timing
        list(engine.brief_many([a for la, a in pairs if la == lang][:4]))

    bare, full = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        for lang in engine.languages:
            texts = [a.text for la, a in pairs if la == lang]
            for _doc in load_pipeline(engine.pipelines[lang]).pipe(texts, batch_size=engine.batch_size):
                pass
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        for _briefing in engine.brief_many(articles):
            pass
        full.append(time.perf_counter() - start)

    n = len(articles)
    bare_ms, full_ms = 1000 * min(bare) / n, 1000 * min(full) / n
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.machine()} {platform.processor() or ''} Python {platform.python_version()}")
    print(f"date: {date.today().isoformat()}  articles: {n} (best of {args.repeat})")
    print(f"bare spaCy pipeline: {bare_ms:.1f} ms/article")
    print(f"full briefing:       {full_ms:.1f} ms/article")
    print(f"ratio full/bare:     {full_ms / bare_ms:.3f}  (target ≤ 1.15)")
    print(f"peak RSS:            {rss_mb:.0f} MB  (target ≤ 700 MB)")


if __name__ == "__main__":
    main()

"""Briefing speed: the full briefing vs. the bare spaCy pipelines on the same texts, and peak RSS.

Usage: python bench/brief_speed.py [--articles 240] [--repeat 4]

The corpus is built from the articles in seeds/ (paragraphs reordered and combined, deterministically),
half French, half English. Target (issue 2): ratio ≤ 1.15, peak RSS ≤ 700 MB with both pipelines.
The texts are timed in blocks of 24, each block bare and full back to back (in turn bare first, full first),
because this machine's speed drifts within minutes: the ratio is that of the summed times over all rounds, and
the median of the blocks' own ratios is printed beside it.
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import statistics
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


BLOCK = 24  # articles timed bare then full (or full then bare) back to back


def time_bare(engine: LocalEngine, block: list[tuple[str, Article]]) -> float:
    """Seconds the bare pipelines take on ``block`` (each language on its own pipeline)."""
    start = time.perf_counter()
    for lang in engine.languages:
        texts = [a.text for la, a in block if la == lang]
        for _doc in load_pipeline(engine.pipelines[lang]).pipe(texts, batch_size=engine.batch_size):
            pass
    return time.perf_counter() - start


def time_full(engine: LocalEngine, block: list[tuple[str, Article]]) -> float:
    """Seconds the full briefing takes on ``block`` (languages detected, as in real use)."""
    start = time.perf_counter()
    for _briefing in engine.brief_many([a for _, a in block]):
        pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=240)
    parser.add_argument("--repeat", type=int, default=4)
    args = parser.parse_args()
    pairs = corpus(args.articles)
    articles = [a for _, a in pairs]
    engine = LocalEngine(pipelines=DEFAULT_PIPELINES, max_bullets=DEFAULT_MAX_BULLETS)
    for lang in engine.languages:  # load both pipelines and warm up before timing
        list(engine.brief_many([a for la, a in pairs if la == lang][:4]))

    # blocks of BLOCK articles (both languages), each timed bare then full or full then bare in turn, so that
    # both see the same minute of this machine (its speed drifts within minutes, even seconds)
    blocks = [pairs[i : i + BLOCK] for i in range(0, len(pairs), BLOCK)]
    bare, full = [0.0] * args.repeat, [0.0] * args.repeat
    ratios: list[float] = []
    for round_ in range(args.repeat):
        for k, block in enumerate(blocks):
            if (round_ + k) % 2 == 0:
                b = time_bare(engine, block)
                f = time_full(engine, block)
            else:
                f = time_full(engine, block)
                b = time_bare(engine, block)
            bare[round_] += b
            full[round_] += f
            ratios.append(f / b)
    n = len(articles)
    bare_ms, full_ms = 1000 * min(bare) / n, 1000 * min(full) / n
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.machine()} {platform.processor() or ''} Python {platform.python_version()}")
    print(f"date: {date.today().isoformat()}  articles: {n} ({args.repeat} rounds)")
    print(f"bare spaCy pipeline: {bare_ms:.1f} ms/article (best round)")
    print(f"full briefing:       {full_ms:.1f} ms/article (best round)")
    print(f"each round full/bare: {' '.join(f'{f / b:.3f}' for b, f in zip(bare, full, strict=True))}")
    print(f"blocks full/bare:    median {statistics.median(ratios):.3f} ({len(ratios)} blocks)")
    print(f"ratio full/bare:     {sum(full) / sum(bare):.3f}  (summed over the rounds; target ≤ 1.15)")
    print(f"peak RSS:            {rss_mb:.0f} MB  (target ≤ 700 MB)")


if __name__ == "__main__":
    main()

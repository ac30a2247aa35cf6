"""Keyword filter speed: one filter of 1,000 terms applied to 10,000 articles (issue 13).

Usage: python bench/filters.py [--articles 10000] [--terms 1000] [--repeat 5] [--seed 13]

Articles are generated: a title and a briefing of ~6 bullets (~120 words) drawn from a vocabulary of
French and English news words with their accents; one in five also holds one of the filter's terms. The filter has ``--terms`` distinct terms: mostly single words, one in ten a
phrase, one in twenty an exclude phrase (see `make_filter`); most articles match none of them, the
slow case (every term is looked up). Timed: parsing the filter once, then ``matches(title,
briefing)`` over every article (what queueing one article to one subscriber does, per subscriber).
Also timed: one article whose title is 10,000 characters long. Target (issue 13): under 1 s for all
articles. Figures go to BENCHMARKS.md by hand.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefings.keywords import parse

VOCABULARY = (
    "gouvernement ministre réforme sénat assemblée élection président député grève syndicat négociation "
    "économie inflation budget dépenses impôts énergie électricité pétrole gaz climat sécheresse récolte "
    "hôpital santé médecins école enseignants université étudiants police justice tribunal procès "
    "government minister reform senate election president union strike talks economy inflation budget "
    "spending taxes energy power oil gas climate drought harvest hospital health doctors school teachers "
    "university students police court trial market shares bank rates housing rent transport railway "
    "airport port ferry bridge council mayor city region village country border treaty summit sanctions "
    "said warned denied promised accused estimated announced declared confirmed rejected welcomed"
).split()


def make_filter(terms: int, rng: random.Random) -> list[str]:
    """``terms`` distinct terms: made-up include words (``+réforme417``, absent from the articles unless
    sprinkled in), one in ten an include phrase of made-up words, one in twenty an exclude phrase of two
    or three real words (which random articles contain now and then)."""
    parts: dict[str, None] = {}
    i = 0
    while len(parts) < terms:
        i += 1
        if i % 20 == 19:
            parts['-"' + " ".join(rng.choice(VOCABULARY) for _ in range(2 + i % 2)) + '"'] = None
        elif i % 10 == 9:
            parts[f'+"{rng.choice(VOCABULARY)}{i} {rng.choice(VOCABULARY)}"'] = None
        else:
            parts[f"+{rng.choice(VOCABULARY)}{i}"] = None
    return list(parts)


def make_article(rng: random.Random, terms: list[str], *, sprinkle: float = 0.2) -> tuple[str, str]:
    """A title and six bullets of vocabulary words; with probability ``sprinkle`` one of the filter's
    include terms is somewhere in the bullets."""
    title = " ".join(rng.choice(VOCABULARY) for _ in range(8)).capitalize()
    bullets = [
        " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(12, 28))).capitalize() + "."
        for _ in range(6)
    ]
    if rng.random() < sprinkle:
        term = rng.choice([t for t in terms[:50] if t.startswith("+")])
        bullets[rng.randrange(6)] += " " + term[1:].strip('"')
    return title, "\n".join(bullets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--terms", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    rng = random.Random(args.seed)
    terms = make_filter(args.terms, rng)
    spec = " ".join(terms)
    articles = [make_article(rng, terms) for _ in range(args.articles)]
    words = sum(len(t.split()) + len(b.split()) for t, b in articles)

    parse_times, match_times, cpu_times, passed = [], [], [], 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        keyword_filter = parse(spec)
        parse_times.append(time.perf_counter() - start)
        start, cpu = time.perf_counter(), time.process_time()
        passed = sum(keyword_filter.matches(title, text) for title, text in articles)
        match_times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu)

    keyword_filter = parse(spec)
    long_title = ("Réforme des retraites : " * 500)[:10_000]
    long_times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        keyword_filter.matches(long_title, "")
        long_times.append(time.perf_counter() - start)

    print(
        f"machine: {platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    print(
        f"filter: {len(keyword_filter.terms)} terms ({len(keyword_filter.exclude)} excludes, "
        f"{sum(len(t.words) > 1 for t in keyword_filter.terms)} phrases), {len(spec):,} characters"
    )
    print(f"articles: {len(articles):,} ({words:,} words), {passed:,} pass the filter")
    print(f"parse once: median {statistics.median(parse_times) * 1000:.2f} ms")
    print(
        f"match all: median {statistics.median(match_times):.3f} s, best {min(match_times):.3f} s "
        f"over {args.repeat} runs ({statistics.median(match_times) / len(articles) * 1e6:.1f} µs/article)"
    )
    print(f"match all, CPU time of this process: median {statistics.median(cpu_times):.3f} s")
    print(f"load average before the runs: {load}")
    print(f"one 10,000-character title: median {statistics.median(long_times) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
